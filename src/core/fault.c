/*
 * fault.c: faults on purpose (see fault.h): the grammar of --fail and
 * --delay, the codes --fail-by-address reads in a local part, and the
 * one decision per reply: does a fault take this command?
 *
 * Invariants: a rule the parser accepts has every field in range, and
 * fault_format() writes it back as a spec that parses to the same rule
 * (the fuzzer checks both).  A fault is decided before the handler acts,
 * so a command that gets an injected reply has done nothing: no
 * recipient recorded, no message begun or stored.  Every odds rule of a
 * point draws once per command of that point, whether or not another
 * rule fired, so the draws depend only on the commands: one seed, one
 * session, the same faults.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "lib/fmt.h"

static const char point_names[FP__COUNT][9] = {
	[FP_NONE] = "",
	[FP_CONNECT] = "connect",
	[FP_HELO] = "helo",
	[FP_MAIL] = "mail",
	[FP_RCPT] = "rcpt",
	[FP_DATA] = "data",
	[FP_DOT] = "dot",
	[FP_BDAT] = "bdat",
	[FP_AUTH] = "auth",
	[FP_STARTTLS] = "starttls",
	[FP_RSET] = "rset",
	[FP_NOOP] = "noop",
	[FP_VRFY] = "vrfy",
	[FP_EXPN] = "expn",
	[FP_QUIT] = "quit",
};

/* The verbs each point answers, by their names in the verb table. */
static const struct {
	char verb[9];
	unsigned char point;
} verb_points[] = {
	{ "HELO", FP_HELO }, { "EHLO", FP_HELO }, { "LHLO", FP_HELO },
	{ "MAIL", FP_MAIL }, { "RCPT", FP_RCPT }, { "DATA", FP_DATA },
	{ "BDAT", FP_BDAT }, { "AUTH", FP_AUTH }, { "STARTTLS", FP_STARTTLS },
	{ "RSET", FP_RSET }, { "NOOP", FP_NOOP }, { "VRFY", FP_VRFY },
	{ "EXPN", FP_EXPN }, { "QUIT", FP_QUIT },
};

const char *
fault_point_name(enum fault_point p)
{
	return p < FP__COUNT ? point_names[p] : "";
}

/* ---- the grammar ------------------------------------------------------ */

static bool
word_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* 1 to max_digits digits, all of [p, p + n): the value, or -1. */
static long long
digits(const char *p, size_t n, size_t max_digits)
{
	long long v = 0;

	if (n == 0 || n > max_digits)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "I[.F]" with at most int_max and frac_max digits, scaled by
 * 10^frac_max: "1.5" with frac_max 3 is 1500.  -1 when malformed. */
static long long
decimal(const char *p, size_t n, size_t int_max, size_t frac_max)
{
	const char *dot = memchr(p, '.', n);
	size_t in = dot ? (size_t)(dot - p) : n, fn = dot ? n - in - 1 : 0;
	long long i = digits(p, in, int_max), f = 0, scale = 1;

	if (i < 0)
		return -1;
	if (dot && (f = digits(dot + 1, fn, frac_max)) < 0)
		return -1;
	for (size_t k = 0; k < frac_max; k++)
		scale *= 10;
	for (size_t k = fn; k < frac_max; k++)
		f *= 10;
	return i * scale + f;
}

static const char *
parse_code(struct fault_rule *r, const char *p, size_t n)
{
	long long code;

	if (word_is(p, n, "drop")) {
		r->code = FAULT_DROP;
		return NULL;
	}
	if (word_is(p, n, "hang")) {
		r->code = FAULT_HANG;
		return NULL;
	}
	code = n == 3 ? digits(p, n, 3) : -1;
	if (code < 400 || code > 599)
		return "CODE must be a reply code from 400 to 599, drop or hang";
	/* RFC 5321 3.1 and RFC 7504: what a greeting may refuse with */
	if (r->point == FP_CONNECT && code != 421 && code != 521 &&
	    code != 554)
		return "connect takes 421, 521, 554, drop or hang";
	r->code = (unsigned short)code;
	return NULL;
}

static const char *
parse_seconds(struct fault_rule *r, const char *p, size_t n)
{
	long long ms = decimal(p, n, 5, 3);

	if (ms < 0 || ms > FAULT_DELAY_MAX_MS)
		return "SECONDS must be a number from 0 to 86400, with at most "
		       "3 decimals";
	r->ms = (uint32_t)ms;
	return NULL;
}

static const char *
parse_which(struct fault_rule *r, const char *p, size_t n)
{
	long long v;

	if (n > 0 && p[0] == '#') {
		v = digits(p + 1, n - 1, 7);
		if (v < 1)
			return "#N must count from 1";
		r->which = WHICH_NTH;
		r->n = (uint32_t)v;
		return NULL;
	}
	v = n > 1 && p[n - 1] == '%' ? decimal(p, n - 1, 3, 4) : -1;
	if (v <= 0 || v > FAULT_ODDS_ONE)
		return "WHICH must be odds such as 30% (more than 0, at most "
		       "100, 4 decimals) or #N";
	r->which = WHICH_ODDS;
	r->n = (uint32_t)v;
	return NULL;
}

const char *
fault_parse(struct fault_table *t, enum fault_kind kind, const char *spec)
{
	struct fault_rule r;
	const char *f[3], *end = spec + strlen(spec), *why;
	size_t len[3], nf = 0;

	memset(&r, 0, sizeof(r));
	r.kind = (unsigned char)kind;
	for (const char *p = spec; nf < 3; nf++) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		f[nf] = p;
		len[nf] = (size_t)((c ? c : end) - p);
		if (c == NULL) {
			nf++;
			break;
		}
		if (nf == 2)
			return "too many fields";
		p = c + 1;
	}
	if (nf < 2)
		return kind == FAULT_FAIL ? "expected WHEN:CODE[:WHICH]" :
					    "expected WHEN:SECONDS[:WHICH]";
	for (unsigned i = FP_NONE + 1; i < FP__COUNT; i++)
		if (word_is(f[0], len[0], point_names[i]))
			r.point = (unsigned char)i;
	if (r.point == FP_NONE)
		return "WHEN must be one of connect, helo, mail, rcpt, data, "
		       "dot, bdat, auth, starttls, rset, noop, vrfy, expn, quit";
	why = kind == FAULT_FAIL ? parse_code(&r, f[1], len[1]) :
				   parse_seconds(&r, f[1], len[1]);
	if (why == NULL && nf == 3)
		why = parse_which(&r, f[2], len[2]);
	if (why)
		return why;
	if (t->n >= FAULT_RULES_MAX)
		return "too many rules (at most 64)";
	t->rule[t->n++] = r;
	return NULL;
}

/* "1500" millionths-or-thousandths as "1.5": v / 10^frac, trailing zeros
 * of the fraction left out. */
static size_t
format_decimal(char *buf, unsigned long long v, unsigned frac)
{
	unsigned long long scale = 1;
	size_t n;

	for (unsigned k = 0; k < frac; k++)
		scale *= 10;
	n = fmt_dec(buf, v / scale);
	v %= scale;
	if (v) {
		buf[n++] = '.';
		while (scale /= 10) {
			buf[n++] = (char)('0' + v / scale);
			v %= scale;
			if (v == 0)
				break;
		}
	}
	return n;
}

size_t
fault_format(const struct fault_rule *r, char *buf, size_t cap)
{
	char tmp[80];
	size_t n = 0, k = strlen(fault_point_name(r->point));

	memcpy(tmp, fault_point_name(r->point), k);
	n = k;
	tmp[n++] = ':';
	if (r->kind == FAULT_DELAY)
		n += format_decimal(tmp + n, r->ms, 3);
	else if (r->code == FAULT_DROP || r->code == FAULT_HANG) {
		memcpy(tmp + n, r->code == FAULT_DROP ? "drop" : "hang", 4);
		n += 4;
	} else
		n += fmt_dec(tmp + n, r->code);
	if (r->which == WHICH_NTH) {
		tmp[n++] = ':';
		tmp[n++] = '#';
		n += fmt_dec(tmp + n, r->n);
	} else if (r->which == WHICH_ODDS) {
		tmp[n++] = ':';
		n += format_decimal(tmp + n, r->n, 4);
		tmp[n++] = '%';
	}
	if (cap == 0)
		return 0;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

bool
fault_table_has_odds(const struct fault_table *t)
{
	for (unsigned i = 0; t && i < t->n; i++)
		if (t->rule[i].which == WHICH_ODDS)
			return true;
	return false;
}

unsigned
fault_address_code(const char *addr, bool *after_message)
{
	const char *at = strrchr(addr, '@');
	size_t n = at ? (size_t)(at - addr) : strlen(addr);
	const char *tail = addr;
	long long code;

	*after_message = false;
	for (size_t i = n; i > 0; i--)
		if (addr[i - 1] == '+') {
			tail = addr + i;
			break;
		}
	n -= (size_t)(tail - addr);
	if (n > 4 && strncasecmp(tail, "dot-", 4) == 0) {
		*after_message = true;
		tail += 4, n -= 4;
	}
	code = n == 3 ? digits(tail, 3, 3) : -1;
	if (code < 400 || code > 599) {
		*after_message = false;
		return 0;
	}
	return (unsigned)code;
}

uint64_t
fault_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* ---- in a session ------------------------------------------------------ */

static enum fault_point
point_of(const struct verb *v)
{
	if (v == &verb_greeting)
		return FP_CONNECT;
	if (v == &verb_message_end)
		return FP_DOT;
	for (size_t i = 0; i < sizeof(verb_points) / sizeof(*verb_points); i++)
		if (strcmp(v->name, verb_points[i].verb) == 0)
			return verb_points[i].point;
	return FP_NONE;
}

static bool
rule_hits(struct session *s, const struct fault_rule *r, unsigned n)
{
	switch (r->which) {
	case WHICH_NTH:
		return n == r->n;
	case WHICH_ODDS:
		/* the top 32 bits scaled to [0, FAULT_ODDS_ONE) */
		return ((fault_random(&s->fault_rng) >> 32) * FAULT_ODDS_ONE >>
			   32) < r->n;
	default:
		return true;
	}
}

void
fault_reply(enum fault_point p, unsigned code, struct reply_def *def)
{
	size_t n = fault_catalogue_size, i;
	const struct fault_reply_def *f;

	for (i = 0; i < n - 2; i++) {
		f = &fault_catalogue[i];
		if (f->code == code && (f->point == p || f->point == 0))
			break;
	}
	/* else the last two: a 4xx and a 5xx for any other code */
	f = &fault_catalogue[i < n - 2 ? i : code < 500 ? n - 2 : n - 1];
	*def = (struct reply_def){ (unsigned short)code,
		f->enhanced[0] ? f->enhanced : NULL, f->text, RF_NOT_COUNTED,
		NULL };
	if (code == 421) { /* RFC 5321 3.8: the server closes */
		def->flags |= RF_CLOSE;
		def->why = "injected 421";
	}
}

void
fault_inject(struct session *s, enum fault_point p, unsigned code)
{
	const char *when = fault_point_name(p);
	struct reply_def def;

	if (code == FAULT_DROP) {
		session_note(s, SE_INJECTED, when, "drop", 0);
		session_close(s, "injected drop");
		return;
	}
	if (code == FAULT_HANG) {
		session_note(s, SE_INJECTED, when, "hang", 0);
		s->flags |= SF_HUNG;
		return;
	}
	fault_reply(p, code, &def);
	if (p == FP_CONNECT && code != 421)
		s->flags |= SF_REFUSED; /* 554: only QUIT is answered */
	if (p == FP_DOT)
		s->rejecting = true; /* logged as a rejected message */
	reply_injected(s, &def, when);
}

unsigned
fault_draw(struct session *s, enum fault_point p)
{
	const struct fault_table *t = s->cfg->faults;
	const struct fault_rule *fail = NULL, *delay = NULL;
	unsigned n;

	if (t == NULL)
		return 0;
	if (s->fault_seen[p] < FAULT_NTH_MAX + 1)
		s->fault_seen[p]++;
	n = s->fault_seen[p];
	for (unsigned i = 0; i < t->n; i++) {
		const struct fault_rule *r = &t->rule[i];
		if (r->point != p || !rule_hits(s, r, n))
			continue;
		if (r->kind == FAULT_DELAY) {
			if (delay == NULL)
				delay = r;
		} else if (fail == NULL) {
			fail = r;
		}
	}
	if (delay && delay->ms) {
		char what[32] = "delay ";
		size_t k = 6 + format_decimal(what + 6, delay->ms, 3);
		memcpy(what + k, " s", 3);
		session_note(s, SE_INJECTED, fault_point_name(p), what, 0);
		/* the edge writes what comes before, waits, writes the rest */
		s->delay_ms = delay->ms;
		s->delay_at = s->out.len;
	}
	return fail ? fail->code : 0;
}

bool
fault_at(struct session *s, enum fault_point p)
{
	unsigned code = fault_draw(s, p);

	if (code == 0)
		return false;
	fault_inject(s, p, code);
	return true;
}

bool
fault_command(struct session *s, const struct verb *v)
{
	enum fault_point p = point_of(v);

	/* BDAT's reply comes after its chunk, which must be read whatever
	 * the reply (RFC 3030 2): its handler asks fault_at() then */
	if (p == FP_NONE || p == FP_BDAT)
		return false;
	return fault_at(s, p);
}

bool
fault_by_address(struct session *s, enum fault_point p, const char *addr)
{
	bool dot;
	unsigned code = fault_address_code(addr, &dot);

	if (code == 0 || dot)
		return false;
	fault_inject(s, p, code);
	return true;
}

/* The first "+dot-NNN" of the sender and the recipients, or 0. */
unsigned
fault_message_code(const struct session *s)
{
	bool dot;
	unsigned code = fault_address_code(s->env.sender.addr, &dot);

	if (code && dot)
		return code;
	for (unsigned i = 0; i < s->env.nrcpt; i++) {
		code = fault_address_code(s->env.rcpt[i].addr, &dot);
		if (code && dot)
			return code;
	}
	return 0;
}

bool
fault_message(struct session *s)
{
	unsigned code;

	if (fault_at(s, FP_DOT))
		return true;
	if (!s->cfg->fail_by_address || (code = fault_message_code(s)) == 0)
		return false;
	fault_inject(s, FP_DOT, code);
	return true;
}
