/*
 * fuzz_watch_text.c: smtp-watch's text modules: header unfolding
 * (fields.c), RFC 2047 words (rfc2047.c), dates (date.c), JSON strings
 * (json.c), terminal text (text.c), address matching (addrmatch.c) and
 * mboxrd (mboxrd.c).
 *
 * Input: byte 0 the capacity of the output buffers, bytes 1-2 where the
 * mboxrd stream is cut, then any bytes.  Every function runs on every
 * input, in a buffer of exactly its size.
 *
 * Invariants: nothing is written past a capacity and every string is
 * NUL-terminated; unfolded text holds no line break and no outer white
 * space; cleaned text is valid UTF-8 without a control character (C0,
 * DEL, C1, U+2028, U+2029, the bidirectional controls); JSON output is a
 * valid JSON string body without them either, and decodes back to the
 * input when the input is UTF-8; mboxrd output is the reference quoting,
 * whatever the pieces; an address matches itself; a parsed date comes
 * back through date_civil().
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "watch/addrmatch.h"
#include "watch/date.h"
#include "watch/fields.h"
#include "watch/json.h"
#include "watch/mboxrd.h"
#include "watch/rfc2047.h"
#include "watch/text.h"

static size_t
utf8_ok(const unsigned char *p, size_t n)
{
	/* Unicode 3.9 Table 3-7, written out independently of lib/utf8.c */
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		unsigned char lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		else
			return false;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
		if (n - i < k || p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t j = 2; j < k; j++)
			if (p[i + j] < 0x80 || p[i + j] > 0xbf)
				return false;
		i += k;
	}
	return true;
}

/* Valid UTF-8 (checked) holding no character that must not reach a
 * terminal: C0, DEL, C1, U+2028, U+2029, U+202A-U+202E, U+2066-U+2069. */
static void
check_no_controls(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	REQUIRE(utf8_ok(p, n));
	for (size_t i = 0; i < n; i++) {
		REQUIRE(p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] == 0xc2)
			REQUIRE(p[i + 1] >= 0xa0);
		if (p[i] == 0xe2 && p[i + 1] == 0x80)
			REQUIRE(p[i + 2] < 0xa8 || p[i + 2] > 0xae);
		if (p[i] == 0xe2 && p[i + 1] == 0x81)
			REQUIRE(p[i + 2] < 0xa6 || p[i + 2] > 0xa9);
	}
}

static void
check_string(const char *out, size_t len, size_t cap)
{
	REQUIRE(len < cap);
	REQUIRE(out[len] == '\0');
}

static void
emit_log(void *ctx, const char *p, size_t n)
{
	REQUIRE(n > 0);
	log_add(ctx, p, n);
}

/* ---- JSON ------------------------------------------------------------ */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes a JSON string body (RFC 8259) into UTF-8; false if invalid. */
static bool
json_decode(const char *s, size_t n, struct log *out)
{
	REQUIRE(utf8_ok((const unsigned char *)s, n));
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		char b[4];
		if (c < 0x20 || c == '"')
			return false;
		if (c != '\\') {
			log_add(out, s + i, 1);
			i++;
			continue;
		}
		if (i + 1 >= n)
			return false;
		char e = s[i + 1];
		const char *m = strchr("\"\\/bfnrt", e);
		if (e != '\0' && m != NULL) {
			log_add(out, &"\"\\/\b\f\n\r\t"[m - "\"\\/bfnrt"], 1);
			i += 2;
			continue;
		}
		if (e != 'u' || i + 6 > n)
			return false;
		unsigned cp = 0;
		for (size_t k = 2; k < 6; k++) {
			int h = hexval(s[i + k]);
			if (h < 0)
				return false;
			cp = cp << 4 | (unsigned)h;
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			return false; /* json.c never needs a surrogate pair */
		if (cp < 0x80) {
			b[0] = (char)cp;
			log_add(out, b, 1);
		} else if (cp < 0x800) {
			b[0] = (char)(0xc0 | cp >> 6);
			b[1] = (char)(0x80 | (cp & 0x3f));
			log_add(out, b, 2);
		} else {
			b[0] = (char)(0xe0 | cp >> 12);
			b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (char)(0x80 | (cp & 0x3f));
			log_add(out, b, 3);
		}
		i += 6;
	}
	return true;
}

static void
check_json(const char *in, size_t n)
{
	struct log out = { 0 }, back = { 0 };

	json_escape(in, n, emit_log, &out);
	check_no_controls(out.p, out.len);
	REQUIRE(json_decode(out.p, out.len, &back));
	if (utf8_ok((const unsigned char *)in, n))
		REQUIRE(back.len == n && (n == 0 || memcmp(back.p, in, n) == 0));
	log_free(&out);
	log_free(&back);
}

/* ---- mboxrd ------------------------------------------------------------ */

static bool
needs_quote(const char *l, size_t n)
{
	size_t k = 0;

	while (k < n && l[k] == '>')
		k++;
	return n - k >= 5 && memcmp(l + k, "From ", 5) == 0;
}

static void
check_mboxrd(const char *in, size_t n, uint32_t seed)
{
	struct log whole = { 0 }, cut = { 0 }, ref = { 0 };
	struct mboxrd q;
	struct cutter c;

	mboxrd_init(&q);
	mboxrd_feed(&q, in, n, emit_log, &whole);
	mboxrd_finish(&q, emit_log, &whole);
	cutter_init(&c, seed);
	mboxrd_init(&q);
	for (size_t off = 0; off < n;) {
		size_t k = cutter_next(&c, n - off);
		mboxrd_feed(&q, in + off, k, emit_log, &cut);
		off += k;
	}
	mboxrd_finish(&q, emit_log, &cut);

	for (size_t i = 0; i < n;) {
		const char *e = memchr(in + i, '\n', n - i);
		size_t len = e ? (size_t)(e - (in + i)) + 1 : n - i;
		if (needs_quote(in + i, len))
			log_add(&ref, ">", 1);
		log_add(&ref, in + i, len);
		i += len;
	}
	if (n > 0 && in[n - 1] != '\n')
		log_add(&ref, "\n", 1);
	log_add(&ref, "\n", 1);

	REQUIRE(whole.len == ref.len && memcmp(whole.p, ref.p, ref.len) == 0);
	REQUIRE(cut.len == ref.len && memcmp(cut.p, ref.p, ref.len) == 0);
	log_free(&whole);
	log_free(&cut);
	log_free(&ref);
}

/* A date that parses has calendar fields that parse back to it. */
static void
check_date(const char *in, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct civil c;
	int64_t epoch, back;
	char s[64];
	int len;

	if (!date_parse(in, n, &epoch))
		return;
	date_civil(epoch, &c);
	REQUIRE(c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31);
	REQUIRE(c.hour < 24 && c.min < 60 && c.sec < 60 && c.wday < 7);
	if (c.year < 1000 || c.year > 9999)
		return;
	len = snprintf(s, sizeof(s), "%d %.3s %lld %02d:%02d:%02d +0000",
	    c.day, months + 3 * (c.month - 1), (long long)c.year, c.hour, c.min,
	    c.sec);
	REQUIRE(date_parse(s, (size_t)len, &back) && back == epoch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 1, 2, 3, 4, 7, 16, 64, 8192 };
	char *in, *out;
	size_t n, cap, len, count;
	bool cut;

	if (size < 3)
		return 0;
	cap = caps[data[0] & 7];
	n = size - 3;
	in = malloc(n ? n : 1);
	memcpy(in, data + 3, n);
	out = malloc(cap);

	len = field_unfold(out, cap, in, n, &cut);
	check_string(out, len, cap);
	REQUIRE(memchr(out, '\r', len) == NULL && memchr(out, '\n', len) == NULL);
	if (len > 0)
		REQUIRE(out[0] != ' ' && out[0] != '\t');
	if (len > 0 && !cut)
		REQUIRE(out[len - 1] != ' ' && out[len - 1] != '\t');

	len = rfc2047_decode(out, cap, in, n);
	check_string(out, len, cap);

	len = text_clean(out, cap, in, n);
	check_string(out, len, cap);
	check_no_controls(out, len);

	len = mboxrd_sender(out, cap, in, n);
	check_string(out, len, cap);
	for (size_t i = 0; i < len; i++)
		REQUIRE((unsigned char)out[i] > ' ' && out[i] != 0x7f);

	len = text_prefix(in, n, data[0], &count);
	REQUIRE(len <= n && count <= data[0]);
	REQUIRE(len == n || count == data[0]);

	check_date(in, n);
	REQUIRE(addr_match(in, n, in, n));
	check_json(in, n);
	check_mboxrd(in, n, (uint32_t)data[1] << 8 | data[2]);

	free(out);
	free(in);
	return 0;
}
