/*
 * watch.h: what smtp-watch's edge files share: the state of one watcher,
 * and the statuses that travel back up to main(), the one place that
 * exits.
 */
#ifndef WATCH_WATCH_H
#define WATCH_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "watch/format.h"
#include "watch/options.h"
#include "watch/seen.h"

#define NS 1000000000LL
/* How far ctime order may stray from event order: concurrent renames
 * take their ctime (a coarse clock) before their event is queued. */
#define SLACK_NS (2 * NS)
#define SEEN_MAX (1u << 16)       /* names kept while following */
#define SEEN_MAX_SCAN (1u << 20)  /* while new/ and cur/ are scanned */

/* How following goes on or ends; an end is main()'s exit status. */
enum status {
	ST_GO_ON = -1,
	ST_DONE = 0,    /* --count reached, SIGINT or SIGTERM */
	ST_TIMEOUT = 1, /* --timeout expired */
	ST_TROUBLE = 2, /* a Maildir that cannot be read, an output error */
};

/* Where a name came from. */
enum origin {
	OR_SCAN,   /* the start-up scan (--existing, or a new new/) */
	OR_EVENT,  /* an inotify event */
	OR_RESCAN, /* a rescan after an overflow, or a move to cur/ */
};

struct watch {
	const struct options *opt;
	char *dir, *newdir, *curdir; /* as given, without trailing '/' */
	char *abs;                   /* absolute Maildir path, for JSON */
	int ifd, sfd;                /* inotify, signalfd */
	int new_wd, parent_wd;       /* -1 when not watching */
	bool appeared;   /* new/ was missing: all it holds is new to us */
	bool told_wait;  /* the "waiting" notice was printed */
	int64_t t0;      /* CLOCK_REALTIME_COARSE before the new/ watch */
	int64_t last_event_ctime;    /* newest ctime learnt from an event */
	int64_t deadline;            /* CLOCK_MONOTONIC, or -1 */
	unsigned long matched;
	struct seen seen;
	struct render render;
};

/* The change time of a file, in nanoseconds. */
static inline int64_t
stat_ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * NS + st->st_ctim.tv_nsec;
}

/* Nanoseconds on clock c. */
int64_t watch_clock_ns(clockid_t c);

/* ST_DONE after SIGINT or SIGTERM, ST_TIMEOUT past the deadline, else
 * ST_GO_ON: asked between two messages, so a record is never cut. */
enum status watch_check(struct watch *w);

#endif
