/*
 * book.c: the recipients table and the alias lists, looked up in their
 * files (see book.h for the formats and the cost of a lookup).
 *
 * Invariants: an address compares through address_key(), the same for a
 * line of a file as for a command, so a quoted form, a source route or
 * the case of a domain never changes an answer; a "yes" is only ever
 * given for a line that was read whole; memory is the book's own (a
 * window of BOOK_CHUNK and BOOK_LIST_MAX answers), whatever the files
 * hold; a malformed line is reported once a session.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/book.h"

/* ---- reading a file a line at a time ------------------------------------ */

static void
scan_start(struct book_scan *s, struct book_file *f, char *buf, uint64_t off,
    unsigned long line)
{
	*s = (struct book_scan){ .f = f, .buf = buf, .off = off, .line = line };
}

/* The next line, without its LF or CR LF: false at the end of the file or
 * when a read failed (s->failed).  A line over BOOK_LINE_MAX is given
 * with *n = BOOK_LINE_MAX + 1 and must not be read. */
static bool
scan_line(struct book_scan *s, const char **p, size_t *n)
{
	bool overlong = false;
	long got;

	for (;;) {
		char *lf = memchr(s->buf + s->pos, '\n', s->len - s->pos);

		if (lf != NULL || (s->eof && s->pos < s->len)) {
			size_t end = lf ? (size_t)(lf - s->buf) : s->len;
			*p = s->buf + s->pos;
			*n = end - s->pos;
			s->line++;
			s->line_off = s->off + s->pos;
			s->pos = lf ? end + 1 : end;
			if (*n > 0 && (*p)[*n - 1] == '\r')
				(*n)--;
			if (overlong || *n > BOOK_LINE_MAX)
				*n = BOOK_LINE_MAX + 1;
			return true;
		}
		if (s->eof || s->failed)
			return false;
		/* keep the start of the line and read the rest after it */
		if (s->pos > 0) {
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->off += s->pos;
			s->len -= s->pos;
			s->pos = 0;
		}
		/* a line longer than the window: drop what it has */
		if (s->len == BOOK_CHUNK) {
			overlong = true;
			s->off += s->len;
			s->len = 0;
		}
		got = s->f->read_at(s->f->ctx, s->buf + s->len,
		    BOOK_CHUNK - s->len, s->off + s->len);
		if (got < 0) {
			s->failed = true;
			s->error = errno;
			return false;
		}
		if (got == 0)
			s->eof = true;
		s->len += (size_t)got;
	}
}

/* ---- reports ------------------------------------------------------------ */

static void
tell(struct book *b, struct book_file *f, unsigned long line, const char *why)
{
	if (line <= f->told)
		return;
	f->told = line;
	if (b->report)
		b->report(b->report_ctx, f, line, why, 0);
}

static int
failed(struct book *b, struct book_file *f, int error)
{
	if (b->report)
		b->report(b->report_ctx, f, 0, NULL, error);
	return BOOK_UNAVAILABLE;
}

/* ---- lines -------------------------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && is_blank(**p))
		(*p)++, (*n)--;
	while (*n > 0 && is_blank((*p)[*n - 1]))
		(*n)--;
}

static void
lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 'A' && src[i] <= 'Z' ?
		    (char)(src[i] - 'A' + 'a') : src[i];
	dst[n] = '\0';
}

enum book_line
book_recipient_line(const char *p, size_t n, char *key, const char **why)
{
	struct path path;
	const char *sp;

	if (n > BOOK_LINE_MAX) {
		*why = "line too long";
		return BOOK_BAD;
	}
	trim(&p, &n);
	if (n == 0 || *p == '#')
		return BOOK_SKIP;
	/* "@domain"; "@a.test:u@b.test" is an address with a source route */
	if (*p == '@' && memchr(p, ':', n) == NULL) {
		if (n - 1 > ADDR_DOMAIN_MAX || !address_is_domain(p + 1, n - 1)) {
			*why = "bad domain";
			return BOOK_BAD;
		}
		lower_copy(key, p, n);
		return BOOK_DOMAIN;
	}
	sp = p;
	switch (address_parse(&sp, p + n, ADDR_POSTMASTER_OK, &path)) {
	case ADDR_OK:
		break;
	case ADDR_TOO_LONG:
		*why = "address too long";
		return BOOK_BAD;
	default:
		*why = "bad address";
		return BOOK_BAD;
	}
	if (sp != p + n) {
		*why = "more than one address";
		return BOOK_BAD;
	}
	address_key(path.addr, key);
	return BOOK_ADDRESS;
}

/* ---- the recipients file ------------------------------------------------ */

#define PROBE 1024 /* what bisection reads at a time */

/* A line in win[i, got) read at offset at: its length to the LF (or to
 * the end of the file), and where the next one starts; false when the
 * window does not hold it whole. */
static bool
probe_line(const struct book_file *f, const char *win, size_t got,
    uint64_t at, size_t i, size_t *n, size_t *next)
{
	const char *lf = memchr(win + i, '\n', got - i);

	if (lf != NULL) {
		*n = (size_t)(lf - (win + i));
		*next = *n + i + 1;
	} else if (got < PROBE && at + got >= f->size) {
		*n = got - i;
		*next = got;
	} else {
		return false;
	}
	if (*n > 0 && win[i + *n - 1] == '\r')
		(*n)--;
	return true;
}

/* The order of key and a line as it is written, as strcmp() would give
 * it.  Bisection compares the lines of the file as they are, as sort(1)
 * with LC_ALL=C ordered them, and parses only the one it would answer
 * with: a line not written as its own key (a capital in the domain,
 * quotes, brackets) may send it the wrong way, which costs a read
 * through the file, never a wrong answer. */
static int
compare_line(const char *key, const char *p, size_t n)
{
	size_t kn = strlen(key);
	int c = memcmp(key, p, kn < n ? kn : n);

	if (c != 0 || kn == n)
		return c;
	return kn < n ? -1 : 1;
}

/* A line, trimmed of blanks, is the key: as written, and parsed. */
static bool
probe_is_key(const char *key, const char *line, size_t n)
{
	const char *why;
	char k[ADDR_BUF];
	enum book_line t;

	if (compare_line(key, line, n) != 0)
		return false;
	t = book_recipient_line(line, n, k, &why);
	return (t == BOOK_ADDRESS || t == BOOK_DOMAIN) && strcmp(key, k) == 0;
}

/* The last lines of a bisection, [lo, hi) of at most PROBE octets, in
 * one read. */
static int
probe_range(struct book *b, struct book_file *f, const char *key,
    uint64_t lo, uint64_t hi)
{
	char win[PROBE];
	long got = f->read_at(f->ctx, win, (size_t)(hi - lo), lo);
	size_t i = 0, n, next;
	const char *line;

	if (got < 0)
		return failed(b, f, errno);
	while (i < (size_t)got && probe_line(f, win, (size_t)got, lo, i, &n,
	    &next)) {
		line = win + i;
		trim(&line, &n);
		if (probe_is_key(key, line, n))
			return 1;
		i = next;
	}
	return 0;
}

/* 1: a line of f has this key; 0: bisection found none (a file out of
 * order may still hold one); BOOK_UNAVAILABLE: a read failed. */
static int
bisect(struct book *b, struct book_file *f, const char *key)
{
	char win[PROBE];
	uint64_t lo = 0, hi = f->size;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2, at = mid > lo ? mid - 1 : lo;
		long got;
		size_t i = 0, n, next;
		const char *lf, *line;

		if (hi - lo <= PROBE)
			return probe_range(b, f, key, lo, hi);
		got = f->read_at(f->ctx, win, sizeof(win), at);
		if (got < 0)
			return failed(b, f, errno);
		/* to the first line that starts at mid or after */
		if (mid > lo) {
			lf = memchr(win, '\n', (size_t)got);
			if (lf == NULL)
				return 0;
			i = (size_t)(lf - win) + 1;
		}
		if (at + i >= hi) { /* no line starts from mid to hi */
			hi = mid;
			continue;
		}
		/* the first line from there on, or the next when it only
		 * looks like the key (a comment, or malformed) */
		for (size_t first = i;; i = next) {
			int c;
			if (at + i >= hi) { /* none from first to hi */
				hi = at + first;
				break;
			}
			if (i >= (size_t)got)
				return 0;
			if (!probe_line(f, win, (size_t)got, at, i, &n, &next))
				return 0;
			line = win + i;
			trim(&line, &n);
			if ((c = compare_line(key, line, n)) == 0) {
				if (probe_is_key(key, line, n))
					return 1;
				continue;
			}
			if (c < 0)
				hi = at + first;
			else
				lo = at + next;
			break;
		}
	}
	return 0;
}

/* A line read before in this session that cannot be an entry with the
 * local part local[0, len): one whose text before its first '@' is
 * another local part as it stands.  That text is the key's local part
 * unless it is quoted, in angle brackets, or after blanks (a source
 * route starts with '@').  A read through the table parses each line once
 * a session, and then only the lines this cannot rule out. */
static bool
other_local(const char *p, size_t n, const char *local, size_t len)
{
	const char *at;
	size_t seg;

	if (n == 0 || *p == '#')
		return true;
	at = memchr(p, '@', n);
	if (at == NULL || at == p || is_blank(*p))
		return false;
	seg = (size_t)(at - p);
	if (seg == len && memcmp(p, local, len) == 0)
		return false;
	return memchr(p, '"', seg) == NULL && memchr(p, '<', seg) == NULL;
}

/* Reads the recipients file through, giving each entry to visit() until
 * it says stop: 1 when it did, 0 at the end, BOOK_UNAVAILABLE.  Every
 * entry visit() may want has the local part of want. */
static int
recipients_scan(struct book *b,
    bool (*visit)(struct book *, enum book_line, const char *key,
	const char *want), const char *want)
{
	struct book_file *f = b->recipients;
	size_t local = address_key_local(want);
	struct book_scan s;
	char key[ADDR_BUF];
	const char *p, *why;
	size_t n;

	scan_start(&s, f, b->window, 0, 0);
	b->cur_open = false;
	while (scan_line(&s, &p, &n)) {
		enum book_line t;
		if (s.line <= f->read && other_local(p, n, want, local))
			continue;
		t = book_recipient_line(p, n, key, &why);
		if (s.line > f->read)
			f->read = s.line;
		if (t == BOOK_BAD)
			tell(b, f, s.line, why);
		else if (t != BOOK_SKIP && visit(b, t, key, want))
			return 1;
	}
	return s.failed ? failed(b, f, s.error) : 0;
}

static bool
same_address(struct book *b, enum book_line t, const char *key,
    const char *want)
{
	const char *domain = want + address_key_local(want);

	(void)b;
	return strcmp(key, t == BOOK_DOMAIN ? domain : want) == 0;
}

/* Collects the recipients a local part may mean: its own entries and,
 * for each @domain, local@domain; each once. */
static bool
same_local(struct book *b, enum book_line t, const char *key,
    const char *local)
{
	size_t n = strlen(local), kn = strlen(key);
	char cand[ADDR_BUF];

	if (t == BOOK_ADDRESS) {
		if (address_key_local(key) != n || memcmp(key, local, n) != 0)
			return false;
		memcpy(cand, key, kn + 1);
	} else {
		if (n + kn > ADDR_PATH_MAX - 2)
			return false;
		memcpy(cand, local, n);
		memcpy(cand + n, key, kn + 1);
	}
	for (size_t i = 0; i < b->count; i++)
		if (strcmp(b->cand[i], cand) == 0)
			return false;
	memcpy(b->cand[b->count++], cand, strlen(cand) + 1);
	return b->count == BOOK_LIST_MAX;
}

/* ---- the aliases file --------------------------------------------------- */

enum alias_line { ALIAS_SKIP, ALIAS_HEAD, ALIAS_MORE, ALIAS_LONG };

static enum alias_line
alias_kind(const char *p, size_t n)
{
	size_t i = 0;

	if (n > BOOK_LINE_MAX)
		return ALIAS_LONG;
	while (i < n && is_blank(p[i]))
		i++;
	if (i == n || p[i] == '#')
		return ALIAS_SKIP;
	return i > 0 ? ALIAS_MORE : ALIAS_HEAD;
}

/* The end of the text before the first c outside quotes, or end. */
static const char *
unquoted(const char *p, const char *end, char c)
{
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '\\' && quoted && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == c && !quoted)
			break;
	}
	return p;
}

/* Parses [p, end) whole as a name or member: a mailbox or a local part. */
static const char *
take_name(const char *p, const char *end, struct path *out)
{
	const char *sp = p;

	switch (address_parse(&sp, end, ADDR_POSTMASTER_OK | ADDR_LOCAL_OK,
	    out)) {
	case ADDR_OK:
		return sp == end ? NULL : "more than one address";
	case ADDR_TOO_LONG:
		return "address too long";
	default:
		return "bad address";
	}
}

/* The next member in [*p, end), into out; false when none is left.
 * *why is set when it is malformed (it is then skipped). */
static bool
next_member(const char **p, const char *end, struct path *out,
    const char **why)
{
	const char *s, *e;

	while (*p < end && (is_blank(**p) || **p == ','))
		(*p)++;
	if (*p == end)
		return false;
	s = *p;
	e = *p = unquoted(s, end, ',');
	while (e > s && is_blank(e[-1]))
		e--;
	/* /etc/aliases would run a command or write a file: not here */
	if (*s == '|' || *s == '/')
		*why = "a command or file is not an address";
	else
		*why = take_name(s, e, out);
	return true;
}

static size_t
count_members(struct book *b, unsigned long line, const char *p,
    const char *end)
{
	struct path m;
	const char *why;
	size_t n = 0;

	while (next_member(&p, end, &m, &why)) {
		if (why)
			tell(b, b->aliases, line, why);
		else
			n++;
	}
	return n;
}

/* A list's name compares with another by local part (exactly, but
 * postmaster in any case), and by domain when both have one. */
static bool
names_match(const char *a, const char *b)
{
	size_t la = address_key_local(a), lb = address_key_local(b);

	if (la != lb)
		return false;
	if (memcmp(a, b, la) != 0 &&
	    !(la == 10 && strncasecmp(a, "postmaster", 10) == 0 &&
		strncasecmp(b, "postmaster", 10) == 0))
		return false;
	return a[la] == '\0' || b[lb] == '\0' || strcmp(a + la, b + lb) == 0;
}

/* A list's head line: its name's key and where its members begin; or
 * why it is malformed. */
static const char *
alias_head(const char *p, size_t n, char *key, const char **members)
{
	const char *end = p + n, *colon = unquoted(p, end, ':'), *e = colon;
	struct path name;
	const char *why;

	if (colon == end)
		return "no colon after the name";
	while (e > p && is_blank(e[-1]))
		e--;
	if ((why = take_name(p, e, &name)) != NULL)
		return why;
	address_key(name.addr, key);
	*members = colon + 1;
	return NULL;
}

/* Finds the first list named like key that has members: their count (the
 * list's place in list_off and list_line), 0, or BOOK_UNAVAILABLE. */
static long
alias_find(struct book *b, const char *key)
{
	struct book_file *f = b->aliases;
	struct book_scan s;
	char name[ADDR_BUF];
	const char *p, *why, *members;
	bool heads = false, in = false;
	size_t n;
	long count = 0;

	scan_start(&s, f, b->window, 0, 0);
	b->cur_open = false;
	while (scan_line(&s, &p, &n)) {
		switch (alias_kind(p, n)) {
		case ALIAS_SKIP:
			break;
		case ALIAS_LONG:
			tell(b, f, s.line, "line too long");
			break;
		case ALIAS_MORE:
			/* every line read is checked whole, so that what is
			 * reported is all there is up to the line reached */
			if (!heads)
				tell(b, f, s.line, "continuation line first");
			n = count_members(b, s.line, p, p + n);
			if (in)
				count += (long)n;
			break;
		case ALIAS_HEAD:
			if (in && count > 0)
				return count;
			/* a list without members is no list: look on */
			heads = true;
			in = false;
			if ((why = alias_head(p, n, name, &members)) != NULL) {
				tell(b, f, s.line, why);
				break;
			}
			in = names_match(name, key);
			if (in) {
				b->list_off = s.line_off;
				b->list_line = s.line;
			}
			count = (long)count_members(b, s.line, members, p + n);
			break;
		}
	}
	if (s.failed)
		return failed(b, f, s.error);
	return in ? count : 0;
}

/* The cursor on the list of the last expand(), at its head line. */
static bool
cursor_rewind(struct book *b)
{
	char name[ADDR_BUF];
	const char *p;
	size_t n;

	scan_start(&b->cur, b->aliases, b->window, b->list_off,
	    b->list_line - 1);
	b->cur_next = 0;
	b->cur_open = scan_line(&b->cur, &p, &n) &&
	    alias_kind(p, n) == ALIAS_HEAD &&
	    alias_head(p, n, name, &b->cur_p) == NULL;
	if (b->cur_open)
		b->cur_end = p + n;
	return b->cur_open;
}

/* The cursor's next line of the list: false at its end. */
static bool
cursor_line(struct book *b)
{
	const char *p;
	size_t n;
	enum alias_line t;

	do {
		if (!scan_line(&b->cur, &p, &n))
			return false;
		t = alias_kind(p, n);
	} while (t == ALIAS_SKIP || t == ALIAS_LONG);
	if (t != ALIAS_MORE)
		return false;
	b->cur_p = p;
	b->cur_end = p + n;
	return true;
}

/* Member i of the list, by the rules count_members() counted with. */
static bool
list_item(struct book *b, size_t i, char *buf)
{
	struct path m;
	const char *why;

	if ((!b->cur_open || i < b->cur_next) && !cursor_rewind(b))
		return false;
	do {
		while (next_member(&b->cur_p, b->cur_end, &m, &why)) {
			if (why == NULL && b->cur_next++ == i) {
				memcpy(buf, m.addr, strlen(m.addr) + 1);
				return true;
			}
		}
	} while (cursor_line(b));
	/* the list ended early: the file changed, or a read failed */
	b->cur_open = false;
	if (b->cur.failed)
		failed(b, b->aliases, b->cur.error);
	return false;
}

/* ---- the callbacks ------------------------------------------------------ */

static int
book_accepts(void *ctx, const char *addr)
{
	struct book *b = ctx;
	char key[ADDR_BUF];
	const char *domain;
	int r;
	long m;

	if (b->recipients == NULL)
		return 1;
	if (b->recipients->error)
		return failed(b, b->recipients, b->recipients->error);
	address_key(addr, key);
	domain = key + address_key_local(key);
	b->answer = BOOK_NONE;
	if ((r = bisect(b, b->recipients, key)) != 0)
		return r;
	if (*domain && (r = bisect(b, b->recipients, domain)) != 0)
		return r;
	if ((r = recipients_scan(b, same_address, key)) != 0)
		return r;
	if (b->aliases == NULL)
		return 0;
	if (b->aliases->error)
		return failed(b, b->aliases, b->aliases->error);
	m = alias_find(b, key);
	return m > 0 ? 1 : (int)m;
}

static long
book_lookup(void *ctx, const char *local)
{
	struct book *b = ctx;
	char key[ADDR_BUF];
	int r;
	long m;

	b->answer = BOOK_NONE;
	b->count = 0;
	if (b->recipients == NULL)
		return 0;
	if (b->recipients->error)
		return failed(b, b->recipients, b->recipients->error);
	address_key(local, key);
	if ((r = recipients_scan(b, same_local, key)) < 0)
		return r;
	if (b->count == 0 && b->aliases != NULL) {
		if (b->aliases->error)
			return failed(b, b->aliases, b->aliases->error);
		/* the name of a list is a recipient too */
		if ((m = alias_find(b, key)) < 0)
			return m;
		if (m > 0)
			memcpy(b->cand[b->count++], key, strlen(key) + 1);
	}
	b->answer = BOOK_CANDIDATES;
	return (long)b->count;
}

static long
book_expand(void *ctx, const char *name)
{
	struct book *b = ctx;
	char key[ADDR_BUF];
	long m;

	b->answer = BOOK_NONE;
	if (b->aliases == NULL)
		return 0;
	if (b->aliases->error)
		return failed(b, b->aliases, b->aliases->error);
	address_key(name, key);
	if ((m = alias_find(b, key)) > 0)
		b->answer = BOOK_LIST;
	return m;
}

static bool
book_item(void *ctx, size_t i, char *buf)
{
	struct book *b = ctx;

	switch (b->answer) {
	case BOOK_CANDIDATES:
		if (i >= b->count)
			return false;
		memcpy(buf, b->cand[i], strlen(b->cand[i]) + 1);
		return true;
	case BOOK_LIST:
		return list_item(b, i, buf);
	case BOOK_NONE:
		break;
	}
	return false;
}

const struct address_book_ops book_ops = {
	book_accepts, book_lookup, book_expand, book_item,
};

void
book_init(struct book *b, struct book_file *recipients,
    struct book_file *aliases, book_report_fn report, void *report_ctx)
{
	/* the answers and the window are touched only when used */
	b->recipients = recipients;
	b->aliases = aliases;
	b->report = report;
	b->report_ctx = report_ctx;
	b->answer = BOOK_NONE;
	b->count = 0;
	b->cur_open = false;
	if (recipients)
		recipients->told = recipients->read = 0;
	if (aliases)
		aliases->told = aliases->read = 0;
}

unsigned
book_holds(const struct book *b)
{
	return (b->recipients ? BOOK_RECIPIENTS : 0) |
	    (b->aliases ? BOOK_ALIASES : 0);
}
