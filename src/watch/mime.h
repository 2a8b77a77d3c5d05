/*
 * mime.h: the pure half of smtp-watch.  Reading a bounded header prefix of
 * a stored message, the envelope block smtp-session put in front of it,
 * RFC 2047 decoding, RFC 5322 dates, JSON string escaping and mboxrd
 * "From " quoting.
 *
 * Nothing here performs I/O, allocates, reads the clock or the locale:
 * every function works on (pointer, length) pairs, so NUL bytes in a
 * message are data, and every output buffer has a capacity that is never
 * exceeded.  Streaming output goes through a caller's mime_emit_fn.
 */
#ifndef MIME_H
#define MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives output bytes from the streaming functions. */
typedef void (*mime_emit_fn)(void *ctx, const char *p, size_t n);

/* One header field as it stands in the buffer: the value still folded. */
struct mime_field {
	const char *name;
	size_t namelen;
	const char *value; /* NULL when the field is absent */
	size_t valuelen;
};

/*
 * What mime_parse() finds in a header prefix.  All pointers point into the
 * caller's buffer.  The envelope comes only from the leading block that
 * smtp-session writes (Return-Path first, then consecutive X-Original-To),
 * never from fields further down, which the client controls.
 */
struct mime_msg {
	bool envelope;            /* the leading Return-Path was found */
	struct mime_field sender; /* the Return-Path field */
	size_t nrcpt;             /* X-Original-To fields in the block */
	size_t rcpt_begin;        /* offset of the first of them */
	size_t rcpt_end;          /* offset just after the last of them */
	struct mime_field date, subject, message_id, from, to;
	size_t body;              /* offset of the body, or len */
	bool complete;            /* the blank line ending the header was seen */
};

/*
 * Steps over one header field starting at offset *pos: fills f, moves *pos
 * past the field (and its continuation lines) and returns true.  Returns
 * false at the end of the header section: at the blank line (then *pos is
 * moved past it), at a line that is not a field, or at the end of buf.
 */
bool mime_field_next(const char *buf, size_t len, size_t *pos,
    struct mime_field *f);

/* Case-insensitive field name test ("Subject", "subject"). */
bool mime_field_is(const struct mime_field *f, const char *name);

/* Parses the header prefix buf[0..len). */
void mime_parse(const char *buf, size_t len, struct mime_msg *m);

/*
 * Iterates the envelope recipients: start with *pos = m->rcpt_begin; each
 * call stores the next unfolded, trimmed address (angle brackets removed)
 * in out (capacity cap, NUL-terminated, cut if longer) and returns its
 * length, or -1 when there are no more.
 */
long mime_rcpt_next(const char *buf, const struct mime_msg *m, size_t *pos,
    char *out, size_t cap);

/* The envelope sender, unfolded, without the angle brackets: "" for the
 * null sender <>.  Returns its length (cut to cap - 1). */
size_t mime_sender(const struct mime_msg *m, char *out, size_t cap);

/*
 * Unfolds a field value (RFC 5322 2.2.3: every CR and LF goes, the
 * whitespace after them stays) and trims leading and trailing white space.
 * Returns the length written to out (capacity cap, NUL-terminated).
 */
size_t mime_unfold(char *out, size_t cap, const char *in, size_t len);

/*
 * Decodes the RFC 2047 encoded words in an unfolded value into UTF-8: B and
 * Q encodings, charsets UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and
 * Windows-1252 (an RFC 2231 "*language" suffix is ignored).  White space
 * between two adjacent encoded words is dropped.  A word that is malformed,
 * or in another charset, is copied as it is.  Text outside encoded words is
 * copied byte for byte.  Output is cut at a character boundary to fit cap
 * (NUL-terminated).  Returns the length written.
 */
size_t mime_decode_words(char *out, size_t cap, const char *in, size_t len);

/* mime_unfold() then mime_decode_words(): a field ready for display. */
size_t mime_field_text(char *out, size_t cap, const struct mime_field *f);

/*
 * Parses an RFC 5322 date-time ("Sat, 28 Nov 2026 17:48:40 +0000", with
 * the obsolete forms: no day name, 2-digit years, no seconds, zone names
 * such as GMT or EST, trailing comments).  Stores seconds since the epoch
 * (UTC) and returns true, or returns false when s is not a date.
 */
bool mime_parse_date(const char *s, size_t len, int64_t *epoch);

/*
 * Writes s as the contents of a JSON string (without the quotes): '"' and
 * '\\' escaped, control characters (C0, DEL, C1), U+2028, U+2029 and the
 * bidirectional controls U+202A-U+202E and U+2066-U+2069 written as
 * \uXXXX (or \b \f \n \r \t), other valid UTF-8 copied, and every byte
 * that is not part of a well-formed UTF-8 sequence written as \ufffd, so
 * the result is valid JSON, and JavaScript, whatever s holds.
 */
void mime_json_escape(const char *s, size_t len, mime_emit_fn emit,
    void *ctx);

/*
 * Copies s for display on one terminal line: valid UTF-8 is kept, a tab
 * becomes a space, other control characters (C0, DEL and C1), U+2028,
 * U+2029 and the bidirectional controls become '?', bytes that are not
 * UTF-8 become U+FFFD.  Output is cut at a character
 * boundary to fit cap (NUL-terminated).  Returns the length written.
 */
size_t mime_sanitize(char *out, size_t cap, const char *s, size_t len);

/* Bytes taken by the first n characters of UTF-8 string s (at most len);
 * *count receives how many characters that is (<= n). */
size_t mime_utf8_prefix(const char *s, size_t len, size_t n, size_t *count);

/*
 * Envelope address match, as the --rcpt and --from filters use it.  A
 * pattern "local@domain" matches the same local part (exactly) at the same
 * domain (ASCII case-insensitive); "@domain" matches any address at that
 * domain; a pattern without '@' must equal the address; the empty pattern
 * matches only the null sender.  Angle brackets around either are ignored.
 */
bool mime_addr_match(const char *pat, size_t plen, const char *addr,
    size_t alen);

/*
 * mboxrd quoting, streamed: every line that matches ^>*From  gets one more
 * '>' in front.  Feed the message in pieces of any size; finish writes
 * what is held back, a final LF if the message lacks one, and the empty
 * line that ends an mbox message.
 */
struct mime_mboxrd {
	bool midline;  /* inside a line that no longer needs quoting */
	size_t gt;     /* '>' seen at the start of the current line */
	size_t match;  /* bytes of "From " matched after them */
	bool any;      /* some byte was written */
	bool last_lf;  /* the last byte written was LF */
};

void mime_mboxrd_init(struct mime_mboxrd *q);
void mime_mboxrd_feed(struct mime_mboxrd *q, const char *p, size_t len,
    mime_emit_fn emit, void *ctx);
void mime_mboxrd_finish(struct mime_mboxrd *q, mime_emit_fn emit, void *ctx);

/* Writes the address for the mbox "From " separator line: the sender with
 * white space and control characters as '_', or MAILER-DAEMON for the null
 * sender.  Returns the length (cut to cap - 1). */
size_t mime_mbox_sender(char *out, size_t cap, const char *s, size_t len);

#endif
