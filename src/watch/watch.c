/*
 * watch.c: smtp-watch, a subscriber to a Maildir.  Reports each message
 * as it lands in new/, filtered on the envelope, as a summary line, a JSON
 * line or an mboxrd stream.
 *
 * Invariants:
 * - The start is the moment the inotify watch on new/ exists.  A message
 *   renamed (or linked, or created) into new/ after it has an event
 *   queued; one that was there before has none.  So, without --existing,
 *   the events alone say what is new, with no clock and no directory
 *   read: whatever new/ held at the start is never reported.  (The kernel
 *   queues the event before it unlocks new/, so a message a scan could
 *   see has its event queued already.)
 * - With --existing, the watch is in place before new/ is read, so a
 *   message delivered during start-up is seen by the scan, by an event,
 *   or by both; the seen set makes "both" report it once.
 * - The events that a queue overflow drops are the newest, never the
 *   first ones after the watch; a rescan then takes the names not yet
 *   seen whose change time is not before the start (t0, the coarse clock
 *   read just before the watch was set) nor long before the last event
 *   (SLACK_NS).
 * - Only new/ and cur/ are read, never tmp/; of each message only a
 *   bounded header prefix, except in mbox format, which streams it.
 * - No symbolic link inside the Maildir is followed: new/ and cur/ are
 *   opened (and new/ watched) without following one, and refused if they
 *   are one; a message is opened with O_NOFOLLOW relative to its
 *   directory.  MAILDIR itself may be a link: the user named it.
 * - Memory is bounded: the seen set keeps only names recent enough to
 *   come back through an event or a rescan (see seen_add()), and
 *   directory scans work in sorted batches of bounded size.
 * - Exit status: 0 when --count is reached or on SIGINT/SIGTERM, 1 when
 *   --timeout expires, 2 on bad usage or a Maildir that cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/version.h"
#include "watch/mime.h"


#define EXIT_COUNT 0
#define EXIT_TIMEOUT 1
#define EXIT_TROUBLE 2

#define PREFIX_MAX (64 * 1024) /* header bytes read from each message */
#define FIELD_MAX 4096         /* a decoded header field for display */
#define ADDR_MAX 1024          /* an envelope address */
#define BATCH_MAX 65536        /* names sorted together in a scan */
#define SEEN_MAX_SCAN (1u << 20)
#define SEEN_MAX (1u << 16)
#define NS 1000000000LL
/* How far ctime order may stray from event order: concurrent renames
 * take their ctime (a coarse clock) before their event is queued. */
#define SLACK_NS (2 * NS)

/* new/ is watched for arrivals, never through a symbolic link */
#define NEW_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)

#define SUBJECT_COLS 40
#define ADDR_COLS 24

enum format { FMT_SUMMARY, FMT_JSON, FMT_MBOX };

/* Where a name came from. */
enum origin {
	OR_SCAN,   /* the start-up scan (--existing, or a new new/) */
	OR_EVENT,  /* an inotify event */
	OR_RESCAN, /* a rescan after an overflow, or a move to cur/ */
};

struct options {
	bool existing;
	const char **rcpt, **from;
	size_t nrcpt, nfrom;
	unsigned long count; /* 0: run until interrupted */
	int64_t timeout_ns;  /* -1: none */
	enum format format;
	const char *maildir;
};

struct seen_entry {
	char *name; /* NULL: free slot */
	int64_t ctime;
};

/* Open addressing, linear probing; rebuilt (not deleted from) to prune. */
struct seen {
	struct seen_entry *slot;
	size_t nslots, count, max;
};

struct watch {
	struct options opt;
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
};

static char prefix[PREFIX_MAX];

/* ---- diagnostics and exits ------------------------------------------ */

static void
vwarn_msg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("smtp-watch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2)))
warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_msg(fmt, ap);
	va_end(ap);
}

static void
flush_out(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "smtp-watch: standard output: %s\n",
		    strerror(errno));
		exit(EXIT_TROUBLE);
	}
}

static void __attribute__((noreturn))
finish(int status)
{
	flush_out();
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_msg(fmt, ap);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

/* Whether path itself is a symbolic link. */
static bool
is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Opens new/ or cur/ as a directory, never through a symbolic link:
 * whoever can write in the Maildir could point one anywhere.  The
 * descriptor, or -1 with errno set (ELOOP for a symbolic link). */
static int
open_sub(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	/* O_DIRECTORY may say ENOTDIR before O_NOFOLLOW says ELOOP */
	if (fd < 0 && errno == ENOTDIR && is_link(path))
		errno = ELOOP;
	return fd;
}

/* Dies for a new/ or cur/ that cannot be opened or watched. */
static void __attribute__((noreturn))
die_sub(const char *path, const char *sub, int err)
{
	/* O_NOFOLLOW says ELOOP, IN_DONT_FOLLOW | IN_ONLYDIR ENOTDIR */
	if ((err == ELOOP || err == ENOTDIR) && is_link(path))
		die("%s: a symbolic link, not followed", path);
	if (err == ENOTDIR)
		die("%s: not a Maildir (no directory %s/)", path, sub);
	die("%s: %s", path, strerror(err));
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = xmalloc(la + lb + 1);

	memcpy(p, a, la);
	memcpy(p + la, b, lb + 1);
	return p;
}

/* ---- time ----------------------------------------------------------- */

static int64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static int64_t
ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * NS + st->st_ctim.tv_nsec;
}

/* ---- the seen set --------------------------------------------------- */

static uint64_t
seen_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h;
}

static struct seen_entry *
seen_slot(struct seen *s, const char *name, size_t n)
{
	size_t i = seen_hash(name, n) & (s->nslots - 1);

	while (s->slot[i].name && (strlen(s->slot[i].name) != n ||
	    memcmp(s->slot[i].name, name, n) != 0))
		i = (i + 1) & (s->nslots - 1);
	return &s->slot[i];
}

static void
seen_init(struct seen *s, size_t max)
{
	s->nslots = 1024;
	s->slot = xmalloc(s->nslots * sizeof(*s->slot));
	memset(s->slot, 0, s->nslots * sizeof(*s->slot));
	s->count = 0;
	s->max = max;
}

/* Rebuilds the table with nslots slots, keeping entries with
 * ctime >= keep. */
static void
seen_rebuild(struct seen *s, size_t nslots, int64_t keep)
{
	struct seen_entry *old = s->slot;
	size_t n = s->nslots;

	s->nslots = nslots;
	s->slot = xmalloc(nslots * sizeof(*s->slot));
	memset(s->slot, 0, nslots * sizeof(*s->slot));
	s->count = 0;
	for (size_t i = 0; i < n; i++) {
		if (old[i].name == NULL)
			continue;
		if (old[i].ctime < keep) {
			free(old[i].name);
			continue;
		}
		*seen_slot(s, old[i].name, strlen(old[i].name)) = old[i];
		s->count++;
	}
	free(old);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median ctime: dropping what is older halves the set. */
static int64_t
seen_median(const struct seen *s)
{
	int64_t *t = xmalloc(s->count * sizeof(*t)), m;
	size_t k = 0;

	for (size_t i = 0; i < s->nslots; i++)
		if (s->slot[i].name)
			t[k++] = s->slot[i].ctime;
	qsort(t, k, sizeof(*t), cmp_i64);
	m = k ? t[k / 2] : 0;
	free(t);
	return m;
}

/* Makes room for one more entry, forgetting names older than keep first,
 * then the older half, then (all of one clock tick) everything. */
static void
seen_room(struct seen *s, int64_t keep)
{
	if (2 * (s->count + 1) <= s->nslots)
		return;
	if (s->nslots < 2 * s->max) {
		seen_rebuild(s, 2 * s->nslots, INT64_MIN);
		return;
	}
	seen_rebuild(s, s->nslots, keep);
	if (2 * (s->count + 1) > s->nslots)
		seen_rebuild(s, s->nslots, seen_median(s) + 1);
	if (2 * (s->count + 1) > s->nslots)
		seen_rebuild(s, s->nslots, INT64_MAX);
}

/* Gives back the slots a large start-up scan needed. */
static void
seen_shrink(struct seen *s)
{
	size_t n = 1024;

	while (n < 2 * (s->count + 1))
		n *= 2;
	if (n < s->nslots)
		seen_rebuild(s, n, INT64_MIN);
}

static bool
seen_find(struct seen *s, const char *name, size_t n, int64_t *ctime)
{
	struct seen_entry *e = seen_slot(s, name, n);

	if (e->name && ctime)
		*ctime = e->ctime;
	return e->name != NULL;
}

static void
seen_add(struct seen *s, const char *name, size_t n, int64_t ctime,
    int64_t keep)
{
	struct seen_entry *e;

	seen_room(s, keep);
	e = seen_slot(s, name, n);
	if (e->name == NULL) {
		e->name = xstrndup(name, n);
		s->count++;
	}
	e->ctime = ctime;
}

/* The Maildir unique part: the name without its ":2,FLAGS" info. */
static size_t
unique_len(const char *name)
{
	return strcspn(name, ":");
}

/* ---- interruptions ---------------------------------------------------- */

static void
check_signal(struct watch *w)
{
	struct signalfd_siginfo si;

	if (w->sfd >= 0 && read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		finish(0);
}

static void
check_deadline(struct watch *w)
{
	if (w->deadline >= 0 && clock_ns(CLOCK_MONOTONIC) >= w->deadline)
		finish(EXIT_TIMEOUT);
}

/* Waits until the inotify descriptor is readable; a signal or the
 * deadline ends the program instead. */
static void
wait_input(struct watch *w)
{
	struct pollfd pfd[2] = {
		{ .fd = w->ifd, .events = POLLIN },
		{ .fd = w->sfd, .events = POLLIN },
	};

	for (;;) {
		int ms = -1;
		check_signal(w);
		check_deadline(w);
		if (w->deadline >= 0) {
			int64_t left = w->deadline - clock_ns(CLOCK_MONOTONIC);
			int64_t m = (left + 999999) / 1000000;
			ms = m > INT_MAX ? INT_MAX : m < 0 ? 0 : (int)m;
		}
		flush_out();
		int n = poll(pfd, w->sfd >= 0 ? 2 : 1, ms);
		if (n < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (n > 0 && (pfd[0].revents & POLLIN))
			return;
	}
}

/* ---- reading one message -------------------------------------------- */

static size_t
read_full(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return len;
}

/* What the output formats need about one message. */
struct message {
	const char *sub;  /* "new" or "cur" */
	const char *name; /* file name */
	int fd;
	struct stat st;
	size_t len;       /* bytes in prefix[] */
	struct mime_msg m;
};

static bool
addr_listed(const char **pats, size_t n, const char *addr, size_t alen)
{
	for (size_t i = 0; i < n; i++)
		if (mime_addr_match(pats[i], strlen(pats[i]), addr, alen))
			return true;
	return false;
}

/* The --from and --rcpt filters, on the envelope block only. */
static bool
envelope_matches(const struct watch *w, const struct message *msg)
{
	char addr[ADDR_MAX];
	size_t pos = msg->m.rcpt_begin, n;
	long k;

	if ((w->opt.nfrom || w->opt.nrcpt) && !msg->m.envelope)
		return false;
	if (w->opt.nfrom) {
		n = mime_sender(&msg->m, addr, sizeof(addr));
		if (!addr_listed(w->opt.from, w->opt.nfrom, addr, n))
			return false;
	}
	if (w->opt.nrcpt == 0)
		return true;
	while ((k = mime_rcpt_next(prefix, &msg->m, &pos, addr,
	    sizeof(addr))) >= 0)
		if (addr_listed(w->opt.rcpt, w->opt.nrcpt, addr, (size_t)k))
			return true;
	return false;
}

/* ---- output: summary ------------------------------------------------ */

static void
emit_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	fwrite(p, 1, n, stdout);
}

/* Writes s (valid UTF-8) in a column of width characters: padded, and,
 * if cut is set, shortened with "..." when longer. */
static void
put_column(const char *s, size_t len, size_t width, bool cut)
{
	size_t chars, bytes = mime_utf8_prefix(s, len, SIZE_MAX, &chars);

	if (cut && chars > width) {
		bytes = mime_utf8_prefix(s, len, width - 3, &chars);
		fwrite(s, 1, bytes, stdout);
		fputs("...", stdout);
		chars += 3;
	} else {
		fwrite(s, 1, bytes, stdout);
	}
	for (; chars < width; chars++)
		putchar(' ');
}

static void
put_text_column(const char *s, size_t len, size_t width, bool cut)
{
	char clean[FIELD_MAX];
	size_t n = mime_sanitize(clean, sizeof(clean), s, len);

	put_column(clean, n, width, cut);
}

/* The Date header in local time, or the delivery time without one. */
static void
format_date(const struct message *msg, char *out, size_t cap)
{
	char raw[FIELD_MAX];
	int64_t epoch;
	size_t n = mime_field_text(raw, sizeof(raw), &msg->m.date);
	time_t t = msg->st.st_mtime;
	struct tm tm;

	if (msg->m.date.value && mime_parse_date(raw, n, &epoch) &&
	    epoch >= 0 && epoch <= (int64_t)253402300799) /* year 9999 */
		t = (time_t)epoch;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, cap, "%-19s", "-");
}

static void
print_summary(const struct message *msg)
{
	char date[64], addr[ADDR_MAX], text[FIELD_MAX];
	size_t pos = msg->m.rcpt_begin, n, more = 0;
	long k;

	format_date(msg, date, sizeof(date));
	fputs(date, stdout);
	fputs("  ", stdout);
	if (!msg->m.envelope)
		put_column("-", 1, ADDR_COLS, false);
	else if ((n = mime_sender(&msg->m, addr, sizeof(addr))) == 0)
		put_column("<>", 2, ADDR_COLS, false);
	else
		put_text_column(addr, n, ADDR_COLS, false);
	fputs("  ", stdout);
	if ((k = mime_rcpt_next(prefix, &msg->m, &pos, addr, sizeof(addr))) < 0) {
		put_column("-", 1, ADDR_COLS, false);
	} else {
		char both[ADDR_MAX + 32];
		more = msg->m.nrcpt - 1;
		n = more ? (size_t)snprintf(both, sizeof(both), "%s +%zu", addr,
		    more) : (size_t)snprintf(both, sizeof(both), "%s", addr);
		put_text_column(both, n < sizeof(both) ? n : sizeof(both) - 1,
		    ADDR_COLS, false);
	}
	fputs("  ", stdout);
	n = mime_field_text(text, sizeof(text), &msg->m.subject);
	put_text_column(text, n, SUBJECT_COLS, true);
	printf("  %8lld  ", (long long)msg->st.st_size);
	n = mime_sanitize(text, sizeof(text), msg->name, strlen(msg->name));
	fwrite(text, 1, n, stdout);
	putchar('\n');
}

/* ---- output: JSON ---------------------------------------------------- */

static void
json_string(const char *s, size_t n)
{
	putchar('"');
	mime_json_escape(s, n, emit_stdout, NULL);
	putchar('"');
}

/* A header field: decoded (RFC 2047) or only unfolded; null if absent. */
static void
json_value(const struct mime_field *f, bool decode)
{
	char text[FIELD_MAX];
	size_t n;

	if (f->value == NULL) {
		fputs("null", stdout);
		return;
	}
	n = decode ? mime_field_text(text, sizeof(text), f) :
	    mime_unfold(text, sizeof(text), f->value, f->valuelen);
	json_string(text, n);
}

static void
json_field(const char *key, const struct mime_field *f, bool decode)
{
	printf(",\"%s\":", key);
	json_value(f, decode);
}

static void
json_envelope(const struct message *msg)
{
	char addr[ADDR_MAX];
	size_t pos = msg->m.rcpt_begin, n;
	long k;

	fputs(",\"from\":", stdout);
	if (msg->m.envelope) {
		n = mime_sender(&msg->m, addr, sizeof(addr));
		json_string(addr, n);
	} else {
		fputs("null", stdout);
	}
	fputs(",\"to\":[", stdout);
	for (bool first = true; (k = mime_rcpt_next(prefix, &msg->m, &pos,
	    addr, sizeof(addr))) >= 0; first = false) {
		if (!first)
			putchar(',');
		json_string(addr, (size_t)k);
	}
	putchar(']');
}

static void
print_json(const struct watch *w, const struct message *msg)
{
	char when[32];
	struct tm tm;

	fputs("{\"date\":", stdout);
	json_value(&msg->m.date, false);
	json_envelope(msg);
	json_field("subject", &msg->m.subject, true);
	printf(",\"size\":%lld,\"file\":", (long long)msg->st.st_size);
	json_string(msg->name, strlen(msg->name));
	fputs(",\"path\":\"", stdout);
	mime_json_escape(w->abs, strlen(w->abs), emit_stdout, NULL);
	printf("/%s/", msg->sub);
	mime_json_escape(msg->name, strlen(msg->name), emit_stdout, NULL);
	putchar('"');
	json_field("message_id", &msg->m.message_id, false);
	json_field("header_from", &msg->m.from, true);
	json_field("header_to", &msg->m.to, true);
	if (gmtime_r(&msg->st.st_mtime, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		printf(",\"delivered\":\"%s\"", when);
	fputs("}\n", stdout);
}

/* ---- output: mboxrd -------------------------------------------------- */

static void
print_mbox(const struct message *msg)
{
	static char chunk[65536];
	char sender[ADDR_MAX], from[ADDR_MAX], when[64];
	struct mime_mboxrd q;
	struct tm tm;
	size_t n;

	n = mime_sender(&msg->m, sender, sizeof(sender));
	mime_mbox_sender(from, sizeof(from), sender, n);
	/* asctime(3) layout, which every mbox reader parses */
	if (gmtime_r(&msg->st.st_mtime, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(when, sizeof(when), "Thu Jan  1 00:00:00 1970");
	printf("From %s %s\n", from, when);
	mime_mboxrd_init(&q);
	mime_mboxrd_feed(&q, prefix, msg->len, emit_stdout, NULL);
	if (msg->len == sizeof(prefix))
		while ((n = read_full(msg->fd, chunk, sizeof(chunk))) > 0)
			mime_mboxrd_feed(&q, chunk, n, emit_stdout, NULL);
	mime_mboxrd_finish(&q, emit_stdout, NULL);
}

/* ---- one message ------------------------------------------------------ */

static void
report(struct watch *w, struct message *msg)
{
	msg->len = read_full(msg->fd, prefix, sizeof(prefix));
	mime_parse(prefix, msg->len, &msg->m);
	if (!envelope_matches(w, msg))
		return;
	if (w->opt.format == FMT_JSON)
		print_json(w, msg);
	else if (w->opt.format == FMT_MBOX)
		print_mbox(msg);
	else
		print_summary(msg);
	flush_out();
	if (w->opt.count && ++w->matched >= w->opt.count)
		finish(EXIT_COUNT);
}

static bool find_in_cur(struct watch *, const char *key, size_t klen,
    char *out, size_t cap);
static void process(struct watch *, int dirfd, const char *sub,
    const char *name, enum origin);

/* An event named a message that is gone from new/: a mail reader was
 * quicker, and moved it to cur/. */
static void
process_moved(struct watch *w, const char *name, size_t klen)
{
	char moved[NAME_MAX + 1];
	int fd;

	if (!find_in_cur(w, name, klen, moved, sizeof(moved)))
		return;
	fd = open_sub(w->curdir);
	if (fd < 0 && errno == ELOOP)
		die_sub(w->curdir, "cur", errno);
	if (fd >= 0) {
		process(w, fd, "cur", moved, OR_RESCAN);
		close(fd);
	}
}

/* Handles one name in new/ or cur/, reporting it unless it was seen. */
static void
process(struct watch *w, int dirfd, const char *sub, const char *name,
    enum origin origin)
{
	size_t klen = unique_len(name);
	int64_t ct, keep = w->last_event_ctime - 2 * SLACK_NS;
	struct message msg = { .sub = sub, .name = name };

	check_signal(w);
	check_deadline(w);
	if (seen_find(&w->seen, name, klen, &ct)) {
		if (origin == OR_EVENT && ct > w->last_event_ctime)
			w->last_event_ctime = ct;
		return;
	}
	msg.fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK);
	if (msg.fd < 0) {
		if (errno == ENOENT && origin == OR_EVENT)
			process_moved(w, name, klen);
		else if (errno == ELOOP)
			warn_msg("%s/%s/%s: a symbolic link, skipped", w->dir,
			    sub, name);
		else if (errno != ENOENT)
			warn_msg("%s/%s/%s: %s", w->dir, sub, name,
			    strerror(errno));
		return;
	}
	if (fstat(msg.fd, &msg.st) < 0 || !S_ISREG(msg.st.st_mode))
		goto done;
	ct = ctime_ns(&msg.st);
	if (origin == OR_EVENT && ct > w->last_event_ctime)
		w->last_event_ctime = ct;
	seen_add(&w->seen, name, klen, ct, keep);
	report(w, &msg);
done:
	close(msg.fd);
}

/* ---- directory scans -------------------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	/* Maildir names start with the time; version order puts "M99"
	 * before "M100" */
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Decides which names of a scan get processed. */
typedef bool (*scan_pick_fn)(struct watch *, int dirfd, const char *name);

static bool
pick_all(struct watch *w, int dirfd, const char *name)
{
	(void)w, (void)dirfd, (void)name;
	return true;
}

/* After an overflow: a name not seen whose change time is not before the
 * start, nor before the last event's by more than the slack. */
static bool
pick_since_event(struct watch *w, int dirfd, const char *name)
{
	int64_t floor = w->last_event_ctime - SLACK_NS;
	struct stat st;

	if (floor < w->t0)
		floor = w->t0;
	if (seen_find(&w->seen, name, unique_len(name), NULL) ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return ctime_ns(&st) >= floor;
}

static void
process_batch(struct watch *w, int dirfd, const char *sub, char **names,
    size_t n, enum origin origin)
{
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		process(w, dirfd, sub, names[i], origin);
		free(names[i]);
	}
}

/* Processes the picked names of directory path in name order, BATCH_MAX
 * at a time.  A directory that does not exist is empty; one that cannot
 * be read is fatal when it is new/ (the Maildir is unreadable). */
static void
scan(struct watch *w, const char *sub, scan_pick_fn pick, enum origin origin)
{
	char *path = strcmp(sub, "new") == 0 ? w->newdir : w->curdir;
	int fd = open_sub(path);
	char **names;
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		if (err == ENOENT)
			return;
		die_sub(path, sub, err);
	}
	names = xmalloc(BATCH_MAX * sizeof(*names));
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR ||
		    !pick(w, dirfd(d), e->d_name))
			continue;
		names[n++] = xstrndup(e->d_name, strlen(e->d_name));
		if (n == BATCH_MAX) {
			process_batch(w, dirfd(d), sub, names, n, origin);
			n = 0;
		}
	}
	if (errno != 0)
		die("%s: %s", path, strerror(errno));
	process_batch(w, dirfd(d), sub, names, n, origin);
	free(names);
	closedir(d);
}

static bool
find_in_cur(struct watch *w, const char *key, size_t klen, char *out,
    size_t cap)
{
	int fd = open_sub(w->curdir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool found = false;

	if (fd >= 0 && d == NULL)
		close(fd);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (unique_len(e->d_name) == klen &&
		    memcmp(e->d_name, key, klen) == 0 &&
		    strlen(e->d_name) < cap) {
			memcpy(out, e->d_name, strlen(e->d_name) + 1);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/*
 * What the start-up reports: nothing without --existing (the events
 * report what comes after the watch); with it, new/ and cur/ as they are,
 * in name order.  A new/ that appeared after the start is all new.
 */
static void
startup_scan(struct watch *w)
{
	w->seen.max = SEEN_MAX_SCAN; /* new/ and cur/ dedupe each other */
	if (w->opt.existing || w->appeared)
		scan(w, "new", pick_all, OR_SCAN);
	if (w->opt.existing)
		scan(w, "cur", pick_all, OR_SCAN);
	/* Only names that can still come back through an event stay: a
	 * rename before the watch gave a ctime before t0. */
	seen_rebuild(&w->seen, w->seen.nslots, w->t0 - SLACK_NS);
	seen_shrink(&w->seen);
	w->seen.max = SEEN_MAX;
	check_deadline(w);
}

/* ---- watching ------------------------------------------------------- */

/* Watches the deepest existing ancestor of new/, to learn when the
 * Maildir appears. */
static void
watch_parent(struct watch *w)
{
	char path[PATH_MAX];
	int wd;

	if (strlen(w->newdir) >= sizeof(path))
		die("%s: %s", w->newdir, strerror(ENAMETOOLONG));
	strcpy(path, w->newdir);
	for (;;) {
		char *slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0'; /* "/" */
		else if (slash)
			*slash = '\0';
		else
			strcpy(path, ".");
		wd = inotify_add_watch(w->ifd, path, IN_CREATE | IN_MOVED_TO |
		    IN_ONLYDIR);
		if (wd >= 0)
			break;
		if (errno != ENOENT || strcmp(path, "/") == 0 ||
		    strcmp(path, ".") == 0)
			die("%s: %s", path, strerror(errno));
	}
	if (w->parent_wd >= 0 && w->parent_wd != wd)
		inotify_rm_watch(w->ifd, w->parent_wd);
	w->parent_wd = wd;
	if (!w->told_wait) {
		warn_msg("%s does not exist yet; waiting for it", w->newdir);
		w->told_wait = true;
	}
}

/* Reads and drops whatever is queued (while waiting for new/). */
static void
drain_events(struct watch *w)
{
	static char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(w->ifd, buf, sizeof(buf)) > 0)
		;
}

/* Puts the watch on new/, waiting for the Maildir to appear if need be. */
static void
attach(struct watch *w)
{
	int fd;

	for (;;) {
		w->t0 = clock_ns(CLOCK_REALTIME_COARSE);
		w->new_wd = inotify_add_watch(w->ifd, w->newdir, NEW_MASK);
		if (w->new_wd >= 0)
			break;
		if (errno != ENOENT)
			die_sub(w->newdir, "new", errno);
		w->appeared = true;
		watch_parent(w);
		/* it may have appeared before the parent's watch */
		w->new_wd = inotify_add_watch(w->ifd, w->newdir, NEW_MASK);
		if (w->new_wd >= 0)
			break;
		if (errno != ENOENT)
			die_sub(w->newdir, "new", errno);
		wait_input(w);
		drain_events(w);
	}
	if (w->parent_wd >= 0) {
		inotify_rm_watch(w->ifd, w->parent_wd);
		w->parent_wd = -1;
	}
	w->last_event_ctime = w->t0;
	/* cur/ must not be a symbolic link either */
	if ((fd = open_sub(w->curdir)) >= 0)
		close(fd);
	else if (errno == ELOOP)
		die_sub(w->curdir, "cur", errno);
}

/*
 * Reads events until new/ goes away (then returns) or the end.  new/ is
 * open only while a batch of events is handled: an open descriptor would
 * keep a removed directory alive, and its IN_IGNORED from coming.
 */
static void
follow(struct watch *w)
{
	static char buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool gone = false;

	while (!gone) {
		bool overflow = false;
		ssize_t len;
		int fd;

		wait_input(w);
		len = read(w->ifd, buf, sizeof(buf));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len <= 0)
			die("inotify: %s", len < 0 ? strerror(errno) : "EOF");
		fd = open_sub(w->newdir);
		if (fd < 0 && errno != ENOENT)
			die_sub(w->newdir, "new", errno);
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = true;
			if (ev->wd != w->new_wd)
				continue;
			if (ev->mask & IN_IGNORED)
				gone = true;
			else if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    !(ev->mask & IN_ISDIR) && ev->len > 0 &&
			    ev->name[0] != '.' && fd >= 0)
				process(w, fd, "new", ev->name, OR_EVENT);
		}
		if (fd >= 0)
			close(fd);
		if (overflow)
			scan(w, "new", pick_since_event, OR_RESCAN);
	}
	/* new/ was removed: whatever appears there later is news */
	w->new_wd = -1;
	w->told_wait = false;
}

/* ---- options -------------------------------------------------------- */

static void __attribute__((noreturn))
usage(FILE *f, int status)
{
	fputs("usage: smtp-watch [--existing] [--rcpt ADDR]... [--from ADDR]...\n"
	    "                  [--count N] [--timeout SECONDS]\n"
	    "                  [--format summary|json|mbox] MAILDIR\n"
	    "Reports each message delivered into MAILDIR as it arrives.\n"
	    "  -e, --existing        first report the messages already in new/ and cur/\n"
	    "  -r, --rcpt ADDR       only messages with this envelope recipient\n"
	    "  -f, --from ADDR       only messages with this envelope sender\n"
	    "                        (both repeatable; \"@domain\" matches a domain)\n"
	    "  -n, --count N         exit 0 after N matching messages\n"
	    "  -t, --timeout SECONDS exit 1 when SECONDS pass first\n"
	    "  -o, --format FORMAT   summary (default), json or mbox\n"
	    "  -h, --help, -V, --version\n", f);
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smtp-watch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'smtp-watch --help' for more information.\n", stderr);
	exit(EXIT_TROUBLE);
}

static unsigned long
parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v == 0)
		usage_error("--count: '%s' is not a positive number", s);
	return v;
}

static int64_t
parse_timeout(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v < 0 || v > 1e9)
		usage_error("--timeout: '%s' is not a number of seconds", s);
	return (int64_t)(v * (double)NS);
}

static enum format
parse_format(const char *s)
{
	if (strcmp(s, "summary") == 0)
		return FMT_SUMMARY;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	if (strcmp(s, "mbox") == 0)
		return FMT_MBOX;
	usage_error("--format: '%s' is not summary, json or mbox", s);
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "existing", no_argument, NULL, 'e' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->rcpt = xmalloc((size_t)argc * sizeof(*o->rcpt));
	o->from = xmalloc((size_t)argc * sizeof(*o->from));
	o->timeout_ns = -1;
	while ((c = getopt_long(argc, argv, "er:f:n:t:o:hV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'e': o->existing = true; break;
		case 'r': o->rcpt[o->nrcpt++] = optarg; break;
		case 'f': o->from[o->nfrom++] = optarg; break;
		case 'n': o->count = parse_count(optarg); break;
		case 't': o->timeout_ns = parse_timeout(optarg); break;
		case 'o': o->format = parse_format(optarg); break;
		case 'h': usage(stdout, 0);
		case 'V':
			puts("smtp-watch (smtp-sink) " SMTP_SINK_VERSION);
			exit(0);
		default:
			fputs("Try 'smtp-watch --help' for more information.\n",
			    stderr);
			exit(EXIT_TROUBLE);
		}
	}
	if (argc - optind != 1)
		usage_error(argc == optind ? "missing MAILDIR" :
		    "one MAILDIR only");
	o->maildir = argv[optind];
	if (o->maildir[0] == '\0')
		usage_error("MAILDIR is empty");
}

/* The paths: MAILDIR without trailing slashes, and an absolute form for
 * the JSON "path" (symbolic links are kept as the user wrote them). */
static void
set_paths(struct watch *w)
{
	const char *d = w->opt.maildir, *rel;
	size_t n = strlen(d);
	char cwd[PATH_MAX];
	bool root;

	while (n > 1 && d[n - 1] == '/')
		n--;
	w->dir = xstrndup(d, n);
	root = strcmp(w->dir, "/") == 0;
	w->newdir = join(w->dir, root ? "new" : "/new");
	w->curdir = join(w->dir, root ? "cur" : "/cur");
	if (w->dir[0] == '/') {
		w->abs = xstrndup(w->dir, root ? 0 : n);
		return;
	}
	for (rel = w->dir; rel[0] == '.' && rel[1] == '/';)
		for (rel += 2; *rel == '/';)
			rel++;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		die("getcwd: %s", strerror(errno));
	if (strcmp(cwd, "/") == 0)
		cwd[0] = '\0';
	if (rel[0] == '\0' || strcmp(rel, ".") == 0) {
		w->abs = xstrndup(cwd, strlen(cwd));
	} else {
		char *slash = join(cwd, "/");
		w->abs = join(slash, rel);
		free(slash);
	}
}

/* SIGINT and SIGTERM end the program with status 0, once the message
 * being written is whole.  An ignored SIGINT (a background job of a
 * shell script) stays ignored. */
static int
signals_open(void)
{
	struct sigaction sa;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
		sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask: %s", strerror(errno));
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
main(int argc, char **argv)
{
	static char outbuf[65536];
	struct watch w = { .ifd = -1, .sfd = -1, .new_wd = -1,
		.parent_wd = -1, .deadline = -1 };

	parse_options(&w.opt, argc, argv);
	if (w.opt.timeout_ns >= 0)
		w.deadline = clock_ns(CLOCK_MONOTONIC) + w.opt.timeout_ns;
	set_paths(&w);
	tzset();
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if ((w.sfd = signals_open()) < 0)
		die("signalfd: %s", strerror(errno));
	if ((w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		die("inotify: %s", strerror(errno));
	seen_init(&w.seen, SEEN_MAX);
	for (;;) {
		attach(&w);
		startup_scan(&w);
		follow(&w);
		w.appeared = true;
	}
}
