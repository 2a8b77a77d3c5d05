/*
 * transcript.c: replays tests/transcripts/NNN-name.in through the session
 * core and compares what the server said with NNN-name.out.
 *
 * Each dialogue is fed whole, one byte at a time, and cut at pseudo-random
 * points: the replies and the delivered messages must be the same every
 * time (no reply may depend on how TCP split the input).
 *
 * The .in format: one client line per file line, sent with CRLF (with LF
 * alone under "@@ options: lf"); escapes \r \n \t \0 \\ \xHH; a line that
 * ends in a single backslash is sent without a line end.  Lines starting
 * with "@@" are directives:
 *   @@ options: max-size=N max-recipients=N max-errors=N local lf events
 *               lmtp rcpt-results (fake_rcpt_result decides) no-chunking
 *               bare-lf=reject fail-begin=ENOSPC|EIO|discard
 *               fail-write=ENOSPC|EIO
 *               fail-commit=ENOSPC|EIO|permanent|temporary
 *               fail=WHEN:CODE[:WHICH] delay=WHEN:SECONDS[:WHICH]
 *               seed=N fail-by-address withhold=KEYWORD split
 *               (fail, delay and withhold repeat; a delay shows as
 *               [delay N ms] where the edge would wait)
 *               recipients-fail=EACCES|EIO aliases-fail=EACCES|EIO
 *               (the file cannot be opened, or every read fails)
 *               auth (fake_auth_ops judges: alice/secret) auth-clear
 *               auth-required tls=ready|unusable tls-on-connect
 *               (a STARTTLS answered 220 shows [tls], the handshake)
 *   @@ recipients: LINE a line of the --recipients file (escapes as above,
 *                       LF added); the first one gives the session a table
 *   @@ aliases: LINE    the same for --aliases
 *   @@ timeout          the client is silent past --timeout
 *   @@ eof              the client closes the connection
 * The .out format: the server's replies with CRLF shown as a line end,
 * each delivery as [begin ...], the message, [commit] or [abort], and
 * what the address book reports as [table FILE:LINE why].
 *
 *   transcript [--update] FILE.in...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/session.h"
#include "fake.h"

/* ---- the .in file ---------------------------------------------------- */

enum step_kind { STEP_BYTES, STEP_TIMEOUT, STEP_EOF };

struct script {
	struct session_config cfg;
	struct fault_table faults;
	struct fake fake;
	struct book book;
	struct fake_file recipients, aliases;
	bool has_recipients, has_aliases;
	enum step_kind kind[256];
	struct record bytes[256];
	size_t steps;
	bool lf;
	bool rcpt_results;
	bool tls_on_connect; /* the handshake came before the greeting */
};

static int
error_number(const char *v)
{
	if (strcmp(v, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(v, "EIO") == 0)
		return EIO;
	if (strcmp(v, "permanent") == 0)
		return DELIVER_PERMANENT;
	if (strcmp(v, "temporary") == 0)
		return DELIVER_TEMPORARY;
	if (strcmp(v, "discard") == 0)
		return -1;
	if (strcmp(v, "EACCES") == 0)
		return EACCES;
	fprintf(stderr, "unknown error %s\n", v);
	exit(2);
}

/* As --withhold does: neither offered nor known. */
static void
withhold(struct session_config *cfg, const char *keyword)
{
	unsigned ext = session_extension(keyword);

	if (ext == 0) {
		fprintf(stderr, "unknown keyword %s\n", keyword);
		exit(2);
	}
	cfg->extensions &= ~ext;
	cfg->withheld |= ext;
}

/* EACCES: the file cannot be opened; EIO: every read fails. */
static void
book_fail(struct fake_file *f, int error)
{
	if (error == EACCES)
		f->fail_open = error;
	else
		f->fail_read = error;
}

static void
parse_options(struct script *sc, char *line)
{
	for (char *w = strtok(line, " \n"); w; w = strtok(NULL, " \n")) {
		char *v = strchr(w, '=');
		if (v)
			*v++ = '\0';
		if (strcmp(w, "max-size") == 0 && v)
			sc->cfg.max_size = strtoull(v, NULL, 10);
		else if (strcmp(w, "max-recipients") == 0 && v)
			sc->cfg.max_recipients = (unsigned)atoi(v);
		else if (strcmp(w, "max-errors") == 0 && v)
			sc->cfg.max_errors = (unsigned)atoi(v);
		else if (strcmp(w, "local") == 0)
			sc->cfg.local = true;
		else if (strcmp(w, "lf") == 0)
			sc->lf = true;
		else if (strcmp(w, "bare-lf") == 0 && v)
			sc->cfg.bare_lf = strcmp(v, "reject") == 0 ?
			    BARE_LF_REJECT : BARE_LF_NORMALIZE;
		else if (strcmp(w, "events") == 0)
			sc->fake.record_events = true;
		else if (strcmp(w, "lmtp") == 0)
			sc->cfg.lmtp = true;
		else if (strcmp(w, "rcpt-results") == 0)
			sc->rcpt_results = true;
		else if (strcmp(w, "no-chunking") == 0)
			sc->cfg.extensions &= ~(unsigned)EXT_CHUNKING;
		else if (strcmp(w, "fail-begin") == 0 && v)
			sc->fake.fail_begin = error_number(v);
		else if (strcmp(w, "fail-write") == 0 && v)
			sc->fake.fail_write = error_number(v);
		else if (strcmp(w, "fail-commit") == 0 && v)
			sc->fake.fail_commit = error_number(v);
		else if ((strcmp(w, "fail") == 0 || strcmp(w, "delay") == 0) &&
		    v) {
			if (fault_parse(&sc->faults, w[0] == 'f' ? FAULT_FAIL :
				FAULT_DELAY, v) != NULL) {
				fprintf(stderr, "bad %s=%s\n", w, v);
				exit(2);
			}
			sc->cfg.faults = &sc->faults;
		} else if (strcmp(w, "seed") == 0 && v)
			sc->cfg.fault_seed = strtoull(v, NULL, 10);
		else if (strcmp(w, "fail-by-address") == 0)
			sc->cfg.fail_by_address = true;
		else if (strcmp(w, "split") == 0)
			sc->cfg.split_messages = true;
		else if (strcmp(w, "withhold") == 0 && v)
			withhold(&sc->cfg, v);
		else if (strcmp(w, "auth") == 0) {
			sc->cfg.auth = &fake_auth_ops;
			sc->cfg.auth_ctx = &sc->fake;
		} else if (strcmp(w, "auth-clear") == 0)
			sc->cfg.auth_clear = true;
		else if (strcmp(w, "auth-required") == 0)
			sc->cfg.auth_required = true;
		else if (strcmp(w, "tls") == 0 && v)
			sc->cfg.tls = strcmp(v, "ready") == 0 ? TLS_READY :
			    TLS_UNUSABLE;
		else if (strcmp(w, "tls-on-connect") == 0)
			sc->tls_on_connect = true;
		else if (strcmp(w, "recipients-fail") == 0 && v)
			book_fail(&sc->recipients, error_number(v));
		else if (strcmp(w, "aliases-fail") == 0 && v)
			book_fail(&sc->aliases, error_number(v));
		else {
			fprintf(stderr, "unknown option %s\n", w);
			exit(2);
		}
	}
}

static void
unescape_line(struct record *t, const char *line, size_t n, bool lf)
{
	bool cont = n > 0 && line[n - 1] == '\\' &&
	    (n < 2 || line[n - 2] != '\\');

	if (cont)
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = line[i];
		if (c == '\\' && i + 1 < n) {
			char e = line[++i];
			if (e == 'r')
				c = '\r';
			else if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == '0')
				c = '\0';
			else if (e == 'x' && i + 2 < n) {
				char hex[3] = { line[i + 1], line[i + 2], 0 };
				c = (char)strtol(hex, NULL, 16);
				i += 2;
			} else
				c = e;
		}
		record_add(t, &c, 1);
	}
	if (!cont)
		record_str(t, lf ? "\n" : "\r\n");
}

static void
load(struct script *sc, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	sc->steps = 1;
	sc->kind[0] = STEP_BYTES;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "@@ options:", 11) == 0) {
			parse_options(sc, line + 11);
			continue;
		}
		if (strncmp(line, "@@ recipients: ", 15) == 0) {
			unescape_line(&sc->recipients.text, line + 15,
			    (size_t)n - 15, true);
			sc->has_recipients = true;
			continue;
		}
		if (strncmp(line, "@@ aliases: ", 12) == 0) {
			unescape_line(&sc->aliases.text, line + 12,
			    (size_t)n - 12, true);
			sc->has_aliases = true;
			continue;
		}
		if (strncmp(line, "@@", 2) == 0) {
			const char *d = line + 2 + strspn(line + 2, " ");
			if (sc->steps + 2 > 256)
				exit(2);
			sc->kind[sc->steps++] = strcmp(d, "timeout") == 0 ?
			    STEP_TIMEOUT : STEP_EOF;
			sc->kind[sc->steps++] = STEP_BYTES;
			continue;
		}
		unescape_line(&sc->bytes[sc->steps - 1], line, (size_t)n,
		    sc->lf);
	}
	free(line);
	fclose(fp);
}

/* ---- running ---------------------------------------------------------- */

static unsigned long rng;

static size_t
next_chunk(int mode, size_t left)
{
	if (mode == 0)
		return left;
	if (mode == 1)
		return 1;
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	size_t n = 1 + (size_t)(rng >> 33) % 37;
	return n < left ? n : left;
}

static void
feed(struct session *s, struct fake *f, const struct record *t, int mode)
{
	size_t off = 0;

	while (off < t->len && !session_closed(s)) {
		size_t n = next_chunk(mode, t->len - off), done = 0;
		while (done < n && !session_closed(s)) {
			done += session_feed(s, t->p + off + done, n - done);
			fake_drain(f);
		}
		off += n;
	}
}

static struct record
run(const char *path, int mode)
{
	static struct script sc;
	struct session s;
	struct record out = { 0 };

	for (size_t i = 0; i < 256; i++)
		free(sc.bytes[i].p);
	record_free(&sc.recipients.text);
	record_free(&sc.aliases.text);
	memset(&sc, 0, sizeof(sc));
	sc.cfg = (struct session_config){
		.hostname = "sink.test",
		.session_id = "TEST",
		.client_addr = "192.0.2.7",
		.max_size = 1000,
		.max_recipients = 5,
		.max_errors = 10,
		.extensions = EXT_DEFAULT,
		.delivery = &fake_ops,
		.delivery_ctx = &sc.fake,
		.event = fake_event,
		.event_ctx = &sc.fake,
	};
	load(&sc, path);
	sc.fake.s = &s;
	sc.fake.rec = &out;
	if (sc.has_recipients || sc.has_aliases) {
		fake_file_open(&sc.recipients, "recipients");
		fake_file_open(&sc.aliases, "aliases");
		book_init(&sc.book,
		    sc.has_recipients ? &sc.recipients.file : NULL,
		    sc.has_aliases ? &sc.aliases.file : NULL,
		    fake_book_report, &sc.fake);
		sc.cfg.book = book_holds(&sc.book);
		sc.cfg.book_ops = &book_ops;
		sc.cfg.book_ctx = &sc.book;
	}
	rng = 42 + (unsigned long)mode;
	sc.cfg.rcpt_table = calloc(sc.cfg.max_recipients, sizeof(struct path));
	sc.cfg.rcpt_results = calloc(sc.cfg.max_recipients, sizeof(int));
	if (sc.cfg.rcpt_table == NULL || sc.cfg.rcpt_results == NULL)
		abort();
	if (sc.rcpt_results) {
		sc.cfg.rcpt_result = fake_rcpt_result;
		sc.cfg.rcpt_result_ctx = &sc.fake;
	}
	session_init(&s, &sc.cfg);
	if (sc.tls_on_connect)
		session_tls_started(&s, "TLSv1.3 with cipher TEST");
	fake_drain(&sc.fake);
	for (size_t i = 0; i < sc.steps && !session_closed(&s); i++) {
		if (sc.kind[i] == STEP_TIMEOUT)
			session_timeout(&s);
		else if (sc.kind[i] == STEP_EOF)
			session_eof(&s);
		else
			feed(&s, &sc.fake, &sc.bytes[i], mode);
		fake_drain(&sc.fake);
		/* a long reply goes on as the edge flushes it */
		while (session_has_more(&s)) {
			session_resume(&s);
			fake_drain(&sc.fake);
		}
	}
	if (!session_closed(&s))
		record_str(&out, "[still open]\n");
	free(sc.cfg.rcpt_table);
	free(sc.cfg.rcpt_results);
	record_free(&sc.fake.body);
	return out;
}

static char *
slurp(const char *path, size_t *len)
{
	struct record t = { 0 };
	char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	record_str(&t, "");
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		record_add(&t, buf, n);
	fclose(fp);
	*len = t.len;
	return t.p;
}

static bool
check_one(const char *in, bool update)
{
	char expect_path[4096];
	size_t elen = 0;
	char *expect;
	bool ok = true;

	snprintf(expect_path, sizeof(expect_path), "%.*s.out",
	    (int)(strlen(in) - 3), in);
	if (update) {
		struct record t = run(in, 0);
		FILE *fp = fopen(expect_path, "wb");
		if (fp == NULL || fwrite(t.p, 1, t.len, fp) != t.len)
			abort();
		fclose(fp);
		free(t.p);
		return true;
	}
	expect = slurp(expect_path, &elen);
	for (int mode = 0; mode < 5 && ok; mode++) {
		struct record t = run(in, mode);
		if (expect == NULL || t.len != elen ||
		    memcmp(t.p, expect, elen) != 0) {
			fprintf(stderr, "FAIL %s (feed mode %d)\n--- got:\n%s"
			    "--- expected (%s):\n%s", in, mode, t.p,
			    expect_path, expect ? expect : "(missing)\n");
			ok = false;
		}
		free(t.p);
	}
	free(expect);
	return ok;
}

int
main(int argc, char **argv)
{
	bool update = argc > 1 && strcmp(argv[1], "--update") == 0;
	int passed = 0, failed = 0;

	for (int i = update ? 2 : 1; i < argc; i++) {
		if (check_one(argv[i], update))
			passed++;
		else
			failed++;
	}
	printf("transcripts: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
