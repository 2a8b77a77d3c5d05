/*
 * mboxrd.c: mboxrd "From " quoting (RFC 4155 and the mboxrd variant that
 * mutt and Python's mailbox read), streamed.
 *
 * Invariant: the '>'s and the part of "From " that start a line are held
 * back (as counts, so any number of them costs no memory) until the line
 * shows whether it needs the extra '>'.
 */
#include <string.h>

#include "watch/addrmatch.h"
#include "watch/mboxrd.h"

static void
q_emit(struct mboxrd *q, emit_fn emit, void *ctx, const char *p,
    size_t n)
{
	if (n == 0)
		return;
	emit(ctx, p, n);
	q->any = true;
	q->last_lf = p[n - 1] == '\n';
}

/* The '>'s and the part of "From " held back at the start of a line. */
static void
q_release(struct mboxrd *q, emit_fn emit, void *ctx)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";

	while (q->gt > 0) {
		size_t n = q->gt < sizeof(gts) - 1 ? q->gt : sizeof(gts) - 1;
		q_emit(q, emit, ctx, gts, n);
		q->gt -= n;
	}
	q_emit(q, emit, ctx, "From ", q->match);
	q->match = 0;
}

void
mboxrd_init(struct mboxrd *q)
{
	memset(q, 0, sizeof(*q));
}

void
mboxrd_feed(struct mboxrd *q, const char *p, size_t len,
    emit_fn emit, void *ctx)
{
	size_t i = 0;

	while (i < len) {
		if (q->midline) {
			const char *nl = memchr(p + i, '\n', len - i);
			size_t n = nl ? (size_t)(nl - (p + i)) + 1 : len - i;
			q_emit(q, emit, ctx, p + i, n);
			i += n;
			q->midline = nl == NULL;
		} else if (q->match == 0 && p[i] == '>') {
			q->gt++, i++;
		} else if (p[i] == "From "[q->match]) {
			i++;
			if (++q->match == 5) {
				q_emit(q, emit, ctx, ">", 1);
				q_release(q, emit, ctx);
				q->midline = true;
			}
		} else {
			/* no quoting: the byte at i is handled mid-line */
			q_release(q, emit, ctx);
			q->midline = true;
		}
	}
}

void
mboxrd_finish(struct mboxrd *q, emit_fn emit, void *ctx)
{
	if (!q->midline)
		q_release(q, emit, ctx);
	if (q->any && !q->last_lf)
		q_emit(q, emit, ctx, "\n", 1);
	q_emit(q, emit, ctx, "\n", 1);
	mboxrd_init(q);
}

size_t
mboxrd_sender(char *out, size_t cap, const char *s, size_t len)
{
	struct out o;

	out_init(&o, out, cap);
	addr_trim(&s, &len);
	if (len == 0) {
		out_put(&o, "MAILER-DAEMON", 13);
		return o.len;
	}
	for (size_t i = 0; i < len && !o.full; i++) {
		unsigned char c = (unsigned char)s[i];
		out_byte(&o, c <= ' ' || c == 0x7f ? '_' : c);
	}
	return o.len;
}
