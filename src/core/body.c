/*
 * body.c: the message bytes after the framing (see body.h).
 *
 * Invariants: nothing past max_size is ever written, whatever the cuts
 * in the input; what is written is the same whether the input came
 * whole or a byte at a time; the first line is held in buf, never
 * written, until it is known whether it is a header field.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/body.h"

void
body_begin(struct body *b, uint64_t max_size, body_write_fn write, void *ctx)
{
	memset(b, 0, offsetof(struct body, len));
	b->len = 0;
	b->max_size = max_size;
	b->write = write;
	b->ctx = ctx;
	b->head = HEAD_FIRST;
	b->at_bol = true;
}

/* ---- output ------------------------------------------------------------ */

static void
out_write(struct body *b, const char *p, size_t n)
{
	if (b->write_errno == 0 && b->write(b->ctx, p, n) < 0)
		b->write_errno = errno ? errno : EIO;
}

void
body_flush(struct body *b)
{
	if (b->len > 0 && b->write)
		out_write(b, b->buf, b->len);
	b->len = 0;
}

static void
out_put(struct body *b, const char *p, size_t n)
{
	if (b->len + n > sizeof(b->buf)) {
		body_flush(b);
		if (n >= sizeof(b->buf)) {
			out_write(b, p, n); /* a long run: no copy */
			return;
		}
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

/* Passes n bytes on, counting them as `octets` toward the size. */
static void
pass(struct body *b, const char *p, size_t n, size_t octets)
{
	if (!b->too_big && b->max_size && b->size + octets > b->max_size) {
		/* what fits still goes, so the output does not depend on
		 * where the input was cut */
		n = n == octets ? (size_t)(b->max_size - b->size) : 0;
		b->too_big = true;
	} else if (b->too_big) {
		n = 0;
	}
	b->size += octets;
	if (n > 0 && b->write && b->write_errno == 0)
		out_put(b, p, n);
}

/* ---- the header section ------------------------------------------------- */

/* Counts "Received:" lines of the header section as the bytes go by. */
static void
scan_prefix(struct body *b, const char *p, size_t n)
{
	while (n > 0 && b->at_bol && b->prefix_len < sizeof(b->prefix)) {
		b->prefix[b->prefix_len++] = *p++;
		n--;
		if (b->prefix_len == sizeof(b->prefix)) {
			if (strncasecmp(b->prefix, "received:", 9) == 0)
				b->hops++;
			b->at_bol = false;
		}
	}
}

/* The first line is no header field: an empty line goes in front of it.
 * All of it is still in buf (nothing is flushed before 64 KiB). */
static void
insert_blank_line(struct body *b)
{
	b->head = HEAD_DONE;
	if (b->write == NULL || b->too_big || b->write_errno)
		return;
	memmove(b->buf + 1, b->buf, b->len);
	b->buf[0] = '\n';
	b->len++;
	b->blank_inserted = true;
}

/* RFC 5322 2.2: ftext is printable US-ASCII except ':'. */
static bool
is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Reads the first line's octets until it is known whether they start a
 * field; returns how many belong before the deciding octet (or n). */
static size_t
first_line(struct body *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == ':' && b->name_len > 0) {
			b->head = HEAD_FIELDS;
			return i;
		}
		if (!is_ftext(c) || ++b->name_len > BODY_NAME_MAX) {
			b->head = HEAD_DONE; /* after the insertion, below */
			return i;
		}
	}
	return n;
}

void
body_text(struct body *b, const char *p, size_t n)
{
	if (b->head == HEAD_FIRST) {
		size_t k = first_line(b, p, n);
		scan_prefix(b, p, k);
		pass(b, p, k, k);
		if (b->head == HEAD_DONE)
			insert_blank_line(b);
		p += k, n -= k;
	}
	if (b->head == HEAD_FIELDS)
		scan_prefix(b, p, n);
	pass(b, p, n, n);
}

void
body_newline(struct body *b)
{
	if (b->head == HEAD_FIRST) {
		if (b->name_len > 0)
			insert_blank_line(b);
		b->head = HEAD_DONE; /* an empty first line ends the header */
	} else if (b->head == HEAD_FIELDS) {
		if (b->at_bol && b->prefix_len == 0)
			b->head = HEAD_DONE; /* the empty line */
		b->at_bol = true;
		b->prefix_len = 0;
	}
	pass(b, "\n", 1, 2); /* counted as CRLF, as SIZE= counts it */
}

void
body_line_slow(struct body *b, const char *p, size_t n)
{
	body_text(b, p, n);
	body_newline(b);
}

void
body_line_spill(struct body *b, const char *p, size_t n)
{
	out_put(b, p, n);
	out_put(b, "\n", 1);
}
