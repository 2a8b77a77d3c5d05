/*
 * data.c: the DATA machine of RFC 5321 4.1.1.4 and 4.5.2.
 *
 * Invariants: the end of data is recognised only as "." alone on a line
 * that began after a CRLF (or after any LF in a local session) and ends in
 * CRLF (or LF, locally); text is passed on in runs straight from the input
 * buffer, found with memchr, never byte by byte.  Output line ends are LF.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/data.h"

void
data_begin(struct data_machine *d, bool lf_ok, uint64_t max_size,
    data_write_fn write, void *ctx)
{
	memset(d, 0, offsetof(struct data_machine, out));
	d->out_len = 0;
	d->state = DS_BOL;
	d->lf_ok = lf_ok;
	d->max_size = max_size;
	d->write = write;
	d->ctx = ctx;
	d->in_headers = true;
	d->at_line_start = true;
}

/* Counts "Received:" lines of the header section as the output goes by. */
static void
scan_headers(struct data_machine *d, const char *p, size_t n)
{
	while (n > 0 && d->at_line_start && d->prefix_len < sizeof(d->prefix)) {
		d->prefix[d->prefix_len++] = *p++;
		n--;
		if (d->prefix_len == sizeof(d->prefix)) {
			if (strncasecmp(d->prefix, "received:", 9) == 0)
				d->hops++;
			d->at_line_start = false;
		}
	}
}

static void
out_write(struct data_machine *d, const char *p, size_t n)
{
	if (d->write_errno == 0 && d->write(d->ctx, p, n) < 0)
		d->write_errno = errno ? errno : EIO;
}

static void
out_flush(struct data_machine *d)
{
	if (d->out_len > 0)
		out_write(d, d->out, d->out_len);
	d->out_len = 0;
}

static void
out_put(struct data_machine *d, const char *p, size_t n)
{
	if (d->out_len + n > sizeof(d->out)) {
		out_flush(d);
		if (n >= sizeof(d->out)) {
			out_write(d, p, n); /* a long run: no copy */
			return;
		}
	}
	memcpy(d->out + d->out_len, p, n);
	d->out_len += n;
}

/* Passes n bytes on, counting them as `octets` toward the size. */
static void
pass(struct data_machine *d, const char *p, size_t n, size_t octets)
{
	if (!d->too_big && d->max_size && d->size + octets > d->max_size) {
		/* what fits still goes, so the output does not depend on
		 * where the input was cut */
		n = n == octets ? (size_t)(d->max_size - d->size) : 0;
		d->too_big = true;
	} else if (d->too_big) {
		n = 0;
	}
	d->size += octets;
	if (n > 0 && d->write && d->write_errno == 0)
		out_put(d, p, n);
}

static void
emit(struct data_machine *d, const char *p, size_t n)
{
	if (d->in_headers)
		scan_headers(d, p, n);
	pass(d, p, n, n);
}

static void
newline(struct data_machine *d)
{
	if (d->in_headers) {
		if (d->at_line_start && d->prefix_len == 0)
			d->in_headers = false; /* the empty line */
		d->at_line_start = true;
		d->prefix_len = 0;
	}
	pass(d, "\n", 1, 2); /* counted as CRLF, as SIZE= counts it */
}

/* A whole line of text and its line end: the fast path of emit() and
 * newline() together, when no header or size rule is in play. */
static void
emit_line(struct data_machine *d, const char *p, size_t n)
{
	if (d->in_headers || d->too_big ||
	    (d->max_size && d->size + n + 2 > d->max_size)) {
		emit(d, p, n);
		newline(d);
		return;
	}
	d->size += n + 2;
	if (d->write == NULL || d->write_errno)
		return;
	if (d->out_len + n + 1 > sizeof(d->out)) {
		out_put(d, p, n);
		out_put(d, "\n", 1);
		return;
	}
	memcpy(d->out + d->out_len, p, n);
	d->out[d->out_len + n] = '\n';
	d->out_len += n + 1;
}

/* The next CR or LF in [p, end), or NULL. */
static const char *
find_line_end(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	const char *cr = memchr(p, '\r', (size_t)((lf ? lf : end) - p));

	return cr ? cr : lf;
}

/* Inside a line: pass text on up to the next CR or LF. */
static const char *
feed_text(struct data_machine *d, const char *p, const char *end)
{
	const char *e = find_line_end(p, end);

	if (e == NULL) {
		emit(d, p, (size_t)(end - p));
		return end;
	}
	if (e > p)
		emit(d, p, (size_t)(e - p));
	if (*e == '\r') {
		d->state = DS_CR;
		return e + 1;
	}
	newline(d);
	if (d->lf_ok)
		d->state = DS_BOL;
	else
		d->bare = true; /* not a line start: "." here ends nothing */
	return e + 1;
}

/*
 * At a line start, the common case: whole lines "text<CRLF>" (or "text<LF>"
 * locally) with no other CR, each found with two memchr calls and passed
 * on in one piece.  Anything else is left to the byte-level states.
 */
static const char *
feed_lines(struct data_machine *d, const char *p, const char *end)
{
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *text = p, *stop;

		if (lf == NULL)
			break;
		stop = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
		if ((stop == lf && !d->lf_ok) ||
		    memchr(p, '\r', (size_t)(stop - p)) != NULL)
			break; /* a bare LF or CR in this line */
		if (*p == '.') {
			if (stop == p + 1) {
				d->state = DS_END;
				return lf + 1;
			}
			text++; /* dot-stuffing undone */
		}
		emit_line(d, text, (size_t)(stop - text));
		p = lf + 1;
	}
	return p;
}

/* A CR that is not followed by LF is bare: it becomes a line end, and the
 * byte after it is read again as text (never as a line start). */
static void
bare_cr(struct data_machine *d)
{
	d->bare = true;
	newline(d);
	d->state = DS_TEXT;
}

size_t
data_feed(struct data_machine *d, const char *in, size_t len)
{
	const char *p = in, *end = in + len;

	while (p < end && d->state != DS_END) {
		switch (d->state) {
		case DS_TEXT:
			p = feed_text(d, p, end);
			break;
		case DS_BOL:
			p = feed_lines(d, p, end);
			if (p == end || d->state == DS_END)
				break;
			if (*p == '.') {
				d->state = DS_DOT;
				p++;
			} else {
				d->state = DS_TEXT;
			}
			break;
		case DS_CR:
			if (*p == '\n') {
				newline(d);
				d->state = DS_BOL;
				p++;
			} else {
				bare_cr(d);
			}
			break;
		case DS_DOT:
			if (*p == '\r') {
				d->state = DS_DOT_CR;
				p++;
			} else if (*p == '\n' && d->lf_ok) {
				d->state = DS_END;
				p++;
			} else if (*p == '\n') {
				/* "." alone before a bare LF: a line of its own,
				 * not dot-stuffing, and not the end */
				emit(d, ".", 1);
				d->state = DS_TEXT;
			} else {
				d->state = DS_TEXT; /* the stuffed dot is dropped */
			}
			break;
		case DS_DOT_CR:
			if (*p == '\n') {
				d->state = DS_END;
				p++;
			} else {
				emit(d, ".", 1); /* as above, before a bare CR */
				bare_cr(d);
			}
			break;
		case DS_END:
			break;
		}
	}
	if (d->state == DS_END && d->write)
		out_flush(d);
	return (size_t)(p - in);
}
