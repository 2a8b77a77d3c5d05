/*
 * feed.h: the loop the session harnesses share: a whole input through
 * the core in the cuts a seed chooses (or in one piece), the replies
 * taken after each feed, then the end of input or a timeout.  Whatever
 * the input, the session must use what it is given, stop only when
 * closing or holding a long reply, and end closed.
 */
#ifndef FEED_H
#define FEED_H

#include <stdbool.h>

#include "core/session.h"
#include "fake.h"
#include "fuzz.h"

static inline void
feed_all(struct fake *f, const char *in, size_t len, bool cut,
    uint32_t seed, bool timeout)
{
	struct session *s = f->s;
	struct cutter c;
	size_t off = 0;

	cutter_init(&c, seed);
	while (off < len && !session_closed(s)) {
		size_t n = cut ? cutter_next(&c, len - off) : len - off;
		size_t done = 0;
		while (done < n && !session_closed(s)) {
			size_t used = session_feed(s, in + off + done, n - done);
			REQUIRE(used <= n - done);
			/* with room for replies, only closing stops it */
			REQUIRE(used > 0 || session_closed(s) ||
			    session_has_more(s));
			done += used;
			fake_flush(f);
		}
		off += n;
	}
	if (timeout)
		session_timeout(s);
	else
		session_eof(s);
	fake_flush(f);
	REQUIRE(session_closed(s));
}

#endif
