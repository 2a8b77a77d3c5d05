/*
 * format.c: summary, json and mbox records.
 *
 * Invariants: a summary line holds only text_clean()ed text, and each of
 * its columns has its width in characters; a JSON line is valid JSON
 * whatever the message holds, its strings json_escape()d; an mbox record
 * is the message byte for byte, mboxrd-quoted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "watch/date.h"
#include "watch/fields.h"
#include "watch/format.h"
#include "watch/json.h"
#include "watch/mboxrd.h"
#include "watch/rfc2047.h"
#include "watch/text.h"

#define FIELD_MAX 4096   /* a header field for display */
#define SUBJECT_COLS 40
#define ADDR_COLS 24
#define MAX_DATE 253402300799LL /* 9999-12-31 23:59:59 */

static void
put(const struct render *r, const char *s, size_t n)
{
	if (n > 0)
		r->emit(r->ctx, s, n);
}

static void
put_str(const struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
put_fmt(const struct render *r, const char *fmt, ...)
{
	char b[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(r, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* A field unfolded and, if decode is set, RFC 2047-decoded. */
static size_t
field_text(char *out, size_t cap, const struct field *f, bool decode)
{
	char tmp[2 * FIELD_MAX];
	size_t n;

	if (!decode)
		return field_unfold(out, cap, f->value, f->valuelen, NULL);
	n = field_unfold(tmp, sizeof(tmp), f->value, f->valuelen, NULL);
	return rfc2047_decode(out, cap, tmp, n);
}

/* ---- summary ------------------------------------------------------------ */

/* Writes s (clean UTF-8) in a column of width characters: padded, and,
 * if cut is set, shortened with "..." when longer. */
static void
put_column(const struct render *r, const char *s, size_t len, size_t width,
    bool cut)
{
	size_t chars, bytes = text_prefix(s, len, SIZE_MAX, &chars);

	if (cut && chars > width) {
		bytes = text_prefix(s, len, width - 3, &chars);
		put(r, s, bytes);
		put_str(r, "...");
		chars += 3;
	} else {
		put(r, s, bytes);
	}
	for (; chars < width; chars++)
		put(r, " ", 1);
}

static void
put_text_column(const struct render *r, const char *s, size_t len,
    size_t width, bool cut)
{
	char clean[FIELD_MAX];

	put_column(r, clean, text_clean(clean, sizeof(clean), s, len), width,
	    cut);
}

/* The Date field in local time, or the delivery time without one. */
static void
put_local_date(const struct render *r, const struct message *m)
{
	char raw[FIELD_MAX];
	int64_t t = m->mtime, epoch;
	struct civil c;
	size_t n;

	if (m->date.name) {
		n = field_text(raw, sizeof(raw), &m->date, false);
		if (date_parse(raw, n, &epoch) && epoch >= 0 &&
		    epoch <= MAX_DATE)
			t = epoch;
	}
	if (!r->localtime(t, &c)) {
		put_fmt(r, "%-19s", "-");
		return;
	}
	put_fmt(r, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)c.year,
	    c.month, c.day, c.hour, c.min, c.sec);
}

/* The first recipient, and "+n" for the n others. */
static int
put_first_rcpt(const struct render *r, struct message *m)
{
	char both[ADDR_MAX + 32];
	struct addr a;
	int got, n;

	rcpt_iter_init(&m->rcpts, &m->rd, &m->env);
	got = rcpt_iter_next(&m->rcpts, &a);
	if (got <= 0) {
		put_column(r, "-", 1, ADDR_COLS, false);
		return got;
	}
	n = m->env.nrcpt > 1 ? snprintf(both, sizeof(both), "%s +%zu", a.s,
	    m->env.nrcpt - 1) : snprintf(both, sizeof(both), "%s", a.s);
	put_text_column(r, both, (size_t)n < sizeof(both) ? (size_t)n :
	    sizeof(both) - 1, ADDR_COLS, false);
	return 0;
}

static int
format_summary(const struct render *r, struct message *m)
{
	char text[FIELD_MAX];
	const struct addr *s = &m->env.sender;
	size_t n;
	int ret;

	put_local_date(r, m);
	put_str(r, "  ");
	if (!m->env.present)
		put_column(r, "-", 1, ADDR_COLS, false);
	else if (s->len == 0)
		put_column(r, "<>", 2, ADDR_COLS, false);
	else
		put_text_column(r, s->s, s->len, ADDR_COLS, false);
	put_str(r, "  ");
	ret = put_first_rcpt(r, m);
	put_str(r, "  ");
	n = m->subject.name ? field_text(text, sizeof(text), &m->subject,
	    true) : 0;
	put_text_column(r, text, n, SUBJECT_COLS, true);
	put_fmt(r, "  %8lld  ", (long long)m->size);
	put(r, text, text_clean(text, sizeof(text), m->name,
	    strlen(m->name)));
	put_str(r, "\n");
	return ret;
}

/* ---- json ----------------------------------------------------------------- */

static void
json_string(const struct render *r, const char *s, size_t n)
{
	put_str(r, "\"");
	json_escape(s, n, r->emit, r->ctx);
	put_str(r, "\"");
}

/* ,"key": and a header field, or null when it is absent. */
static void
json_field(const struct render *r, const char *key, const struct field *f,
    bool decode)
{
	char text[FIELD_MAX];

	put_fmt(r, ",\"%s\":", key);
	if (f->name == NULL)
		put_str(r, "null");
	else
		json_string(r, text, field_text(text, sizeof(text), f, decode));
}

static int
json_envelope(const struct render *r, struct message *m)
{
	struct addr a;
	int got;

	put_str(r, ",\"from\":");
	if (m->env.present)
		json_string(r, m->env.sender.s, m->env.sender.len);
	else
		put_str(r, "null");
	put_str(r, ",\"to\":[");
	rcpt_iter_init(&m->rcpts, &m->rd, &m->env);
	for (bool first = true; (got = rcpt_iter_next(&m->rcpts, &a)) > 0;
	    first = false) {
		if (!first)
			put_str(r, ",");
		json_string(r, a.s, a.len);
	}
	put_str(r, "]");
	return got;
}

static int
format_json(const struct render *r, struct message *m)
{
	struct civil c;
	int ret;

	put_str(r, "{\"date\":");
	if (m->date.name) {
		char text[FIELD_MAX];
		json_string(r, text, field_text(text, sizeof(text), &m->date,
		    false));
	} else {
		put_str(r, "null");
	}
	ret = json_envelope(r, m);
	json_field(r, "subject", &m->subject, true);
	put_fmt(r, ",\"size\":%lld,\"file\":", (long long)m->size);
	json_string(r, m->name, strlen(m->name));
	put_str(r, ",\"path\":\"");
	json_escape(r->maildir, strlen(r->maildir), r->emit, r->ctx);
	put_fmt(r, "/%s/", m->sub);
	json_escape(m->name, strlen(m->name), r->emit, r->ctx);
	put_str(r, "\"");
	json_field(r, "message_id", &m->message_id, false);
	json_field(r, "header_from", &m->from, true);
	json_field(r, "header_to", &m->to, true);
	date_civil(m->mtime, &c);
	put_fmt(r, ",\"delivered\":\"%04lld-%02d-%02dT%02d:%02d:%02dZ\"}\n",
	    (long long)c.year, c.month, c.day, c.hour, c.min, c.sec);
	return ret;
}

/* ---- mbox ----------------------------------------------------------------- */

/* "From sender date", the date in asctime(3) layout, which every mbox
 * reader parses. */
static void
mbox_from_line(const struct render *r, const struct message *m)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char sender[ADDR_MAX];
	struct civil c;
	size_t n = mboxrd_sender(sender, sizeof(sender), m->env.sender.s,
	    m->env.sender.len);

	date_civil(m->mtime, &c);
	put_str(r, "From ");
	put(r, sender, n);
	put_fmt(r, " %.3s %.3s %2d %02d:%02d:%02d %lld\n", days + 3 * c.wday,
	    months + 3 * (c.month - 1), c.day, c.hour, c.min, c.sec,
	    (long long)c.year);
}

static int
format_mbox(const struct render *r, struct message *m)
{
	char chunk[16384];
	struct mboxrd q;
	uint64_t off = 0;
	ssize_t n;

	mbox_from_line(r, m);
	mboxrd_init(&q);
	while ((n = m->rd.read(m->rd.ctx, chunk, sizeof(chunk), off)) > 0) {
		mboxrd_feed(&q, chunk, (size_t)n, r->emit, r->ctx);
		off += (uint64_t)n;
	}
	mboxrd_finish(&q, r->emit, r->ctx);
	return n < 0 ? -1 : 0;
}

int
format_message(const struct render *r, struct message *m)
{
	switch (r->format) {
	case FMT_JSON:
		return format_json(r, m);
	case FMT_MBOX:
		return format_mbox(r, m);
	default:
		return format_summary(r, m);
	}
}
