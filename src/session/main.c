/*
 * main.c: smtp-session.  Parses the options, finds the connection and the
 * client, decides where mail and log lines go, then hands the session core
 * to serve() until it ends.
 *
 * Exit status (sysexits): 0 for every ending the client caused (QUIT,
 * EOF, timeout, too many errors, a failed handshake); 64 usage; 70
 * internal error; 78 (EX_CONFIG) when --tls-on-connect cannot load its
 * key or certificate, since no client could ever be served.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

/* 16 hex digits of time, 5 of microseconds, 8 random */
#define SESSION_ID_SIZE 40

#include "core/session.h"
#include "lib/clock.h"
#include "lib/fmt.h"
#include "session/addrbook.h"
#include "session/confine.h"
#include "session/conn.h"
#include "session/credentials.h"
#include "session/deliver.h"
#include "session/log.h"
#include "session/options.h"
#include "session/peer.h"
#include "session/serve.h"
#include "session/tls.h"
#include "session/transcript.h"

/* The time to the microsecond and 32 random bits: unique per host for
 * all practical purposes, and, unlike a pid, nothing a client can use to
 * make a line look like one of our log lines. */
static void
make_session_id(char id[SESSION_ID_SIZE])
{
	struct timeval tv;
	uint32_t r;
	size_t n;

	gettimeofday(&tv, NULL);
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)((uintptr_t)&tv ^ (uint32_t)tv.tv_usec * 2654435761u);
	n = fmt_hex(id, (unsigned long long)tv.tv_sec, 8);
	n += fmt_hex(id + n, (unsigned long long)tv.tv_usec, 5);
	n += fmt_hex(id + n, r, 8);
	id[n] = '\0';
}

/* What a confined session may still touch: the Maildir, the --pipe
 * spool directory; everything it needs otherwise it opened already. */
static void
confine_session(const struct options *opt)
{
	struct confine_rules cr = { { NULL, NULL }, { NULL } };
	const char *why, *tmp = getenv("TMPDIR");

	cr.write_dirs[0] = opt->maildir;
	if (opt->pipe_cmd)
		cr.write_dirs[1] = tmp && *tmp == '/' ? tmp : "/tmp";
	if (!opt->discard)
		tzset(); /* dates are written: read the zone file now */
	if (confine(&cr, &why) != 0)
		log_fields(LOG_NOTICE, (struct log_field[]){
		    { "event", "confinement" }, { "level", "partial" },
		    { "reason", why } }, 3);
#ifdef CONFINE_PROBE
	confine_probe();
#endif
}

/* --proxy-protocol: the client is who the load balancer's header says,
 * from here on everywhere (Received, logs, the session's notion of a
 * network client).  A header that is malformed, too long or late ends
 * the session with no reply: whatever sent it is not a balancer we know,
 * and an SMTP reply would tell a scanner what listens here. */
#define PROXY_WAIT_MAX 5 /* seconds, or --timeout if shorter */

static bool
take_proxy_header(struct conn *c, struct peer *peer, unsigned timeout,
    const char *id, bool exact)
{
	unsigned wait = timeout < PROXY_WAIT_MAX ? timeout : PROXY_WAIT_MAX;
	struct proxy_info pi;

	if (conn_proxy(c, clock_ms() + (long long)wait * 1000, &pi, exact) <
	    0) {
		log_proxy_refused(id, peer->addr, pi.why);
		return false;
	}
	peer->local = false; /* a balancer's client is a network client */
	if (pi.local) {
		log_proxy(id, NULL, 0, peer->addr, pi.version);
		return true;
	}
	log_proxy(id, pi.src, pi.sport, peer->addr, pi.version);
	memcpy(peer->addr, pi.src, sizeof(pi.src)); /* NUL-terminated, shorter */
	return true;
}

/* The seed of this session's odds (--fail and --delay with WHICH a
 * percentage): --seed, or a random one, logged, so that a session that
 * failed can be replayed with --seed. */
static uint64_t
fault_seed(const struct options *opt, const char *id)
{
	uint64_t seed = opt->seed;
	char text[24];

	if (!fault_table_has_odds(opt->faults))
		return seed;
	if (!opt->seed_given &&
	    getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	text[fmt_dec(text, seed)] = '\0';
	log_fields(LOG_INFO, (struct log_field[]){ { "session", id },
	    { "event", "faults" }, { "seed", text } }, 3);
	return seed;
}

/* --transcript: the file is created before the session confines
 * itself, so the directory needs no rule of its own. */
static void
transcript_start(struct transcript *tr, struct conn *c, const char *dir,
    const char *id, const char *peer)
{
	if (transcript_open(tr, dir, id, peer) == 0)
		c->tap = tr;
	else
		log_error("transcript: cannot create %s/%s: %s", dir, id,
		    strerror(errno));
}

/* A file name without a slash names a systemd credential when
 * $CREDENTIALS_DIRECTORY is set (LoadCredential=): the key need not be
 * readable by the service's user, systemd hands it over. */
static const char *
credential(const char *name, char *buf, size_t n)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (name == NULL || strchr(name, '/') || dir == NULL || *dir != '/')
		return name;
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

/* Loads libssl and the key before the session confines itself.  A
 * STARTTLS that cannot work is answered 454; implicit TLS that cannot
 * work serves nobody, so the session exits EX_CONFIG at once. */
static enum tls_offer
tls_setup(const struct options *opt, const char *id)
{
	static char cert[4096], key[4096];
	char why[512];

	if (opt->tls_cert == NULL)
		return TLS_NONE;
	if (tls_load(credential(opt->tls_cert, cert, sizeof(cert)),
	    credential(opt->tls_key, key, sizeof(key)), why, sizeof(why)) == 0)
		return TLS_READY;
	log_fields(LOG_ERR, (struct log_field[]){ { "session", id },
	    { "event", "tls-config" }, { "reason", why } }, 3);
	if (opt->tls_on_connect)
		exit(EX_CONFIG);
	return TLS_UNUSABLE;
}

/* --tls-on-connect: the handshake before the greeting; a client that
 * fails it is gone, which is its ending, not ours. */
static bool
tls_first(struct conn *c, const struct peer *peer, unsigned timeout,
    const char *id, char *desc, size_t n)
{
	char why[320];

	if (conn_tls(c, clock_ms() + (long long)timeout * 1000, why,
	    sizeof(why)) < 0) {
		log_tls_failed(id, peer->addr, why);
		return false;
	}
	tls_describe(desc, n);
	log_tls(id, peer->addr, desc);
	return true;
}

/* AUTH may be offered in clear on loopback and to a local pipe, where
 * no password crosses a network; anywhere else only over TLS, unless
 * the operator says otherwise (--auth-insecure). */
static bool
auth_in_clear(const struct options *opt, const struct peer *peer)
{
	return opt->auth_insecure || peer->local ||
	    strncmp(peer->addr, "127.", 4) == 0 ||
	    strcmp(peer->addr, "::1") == 0;
}

static const char *
default_hostname(char *host, size_t n)
{
	if (gethostname(host, n) < 0)
		snprintf(host, n, "localhost");
	host[n - 1] = '\0';
	return host;
}

int
main(int argc, char **argv)
{
	static struct options opt;
	static struct deliver d;
	static struct session s;
	static struct conn c;
	static struct addrbook ab; /* its pages are touched only in use */
	static struct transcript tr;
	static struct credentials cred; /* its pages are touched only in use */
	static char auth_path[4096], tls_desc[128];
	enum tls_offer tls;
	/* untouched pages cost nothing: only what a session uses is mapped */
	static struct path rcpt_table[SESSION_RCPT_LIMIT];
	static int rcpt_results[SESSION_RCPT_LIMIT];
	struct log_session ls;
	struct session_config cfg;
	struct serve_limits lim;
	struct peer peer;
	sigset_t stop, wait_mask;
	char host[256], id[SESSION_ID_SIZE];
	int sig;
	unsigned book = 0;

	switch (options_parse(&opt, argc, argv)) {
	case OPTIONS_EXIT:
		return EX_OK;
	case OPTIONS_USAGE:
		return EX_USAGE;
	case OPTIONS_RUN:
		break;
	}
	/* a vanished client shows up as EPIPE; a file over RLIMIT_FSIZE as
	 * EFBIG and a 451, never as a killed session */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	peer_discover(&peer, opt.network);
	log_init(peer.in);
	if (opt.hostname == NULL)
		opt.hostname = default_hostname(host, sizeof(host));
	make_session_id(id);
	log_connect(id, peer.addr);
	deliver_init(&d, &opt, log_target() == LOG_TO_SYSLOG ? -1 : 2);
	/* the address book's files are opened here, before anything could
	 * confine the session; from then on they are read through the
	 * descriptors */
	if (opt.recipients || opt.aliases)
		book = addrbook_open(&ab, opt.recipients, opt.aliases, id);
	tls = tls_setup(&opt, id);
	if (opt.auth_file || opt.auth_any)
		credentials_open(&cred, opt.auth_any ? NULL :
		    credential(opt.auth_file, auth_path, sizeof(auth_path)), id,
		    peer.addr);
	serve_stop_signals(&stop, &wait_mask);
	conn_init(&c, &peer, opt.timeout, &wait_mask);
	if (opt.transcript)
		transcript_start(&tr, &c, opt.transcript, id, peer.addr);
	confine_session(&opt);
	if (opt.proxy && !take_proxy_header(&c, &peer, opt.timeout, id,
	    opt.tls_on_connect))
		return EX_OK;
	cred.peer = peer.addr; /* as the header named it */
	if (opt.tls_on_connect &&
	    !tls_first(&c, &peer, opt.timeout, id, tls_desc, sizeof(tls_desc)))
		return EX_OK;
	ls = (struct log_session){ .verbose = opt.verbose };
	cfg = (struct session_config){
		.hostname = opt.hostname,
		.session_id = id,
		.client_addr = peer.addr,
		.max_size = opt.max_size,
		.max_recipients = opt.max_recipients,
		.rcpt_table = rcpt_table,
		.rcpt_results = rcpt_results,
		.max_errors = opt.max_errors,
		.extensions = EXT_DEFAULT & ~opt.withhold,
		.withheld = opt.withhold,
		.local = peer.local,
		.lmtp = opt.lmtp,
		.bare_lf = opt.bare_lf,
		.delivery = &deliver_ops,
		.delivery_ctx = &d,
		.event = log_session_event,
		.event_ctx = &ls,
		.book = book,
		.book_ops = &book_ops,
		.book_ctx = &ab.book,
		.faults = opt.faults,
		.fault_seed = opt.faults ? fault_seed(&opt, id) : 0,
		.fail_by_address = opt.fail_by_address,
		.split_messages = c.tap != NULL,
		.auth = opt.auth_file || opt.auth_any ? &credentials_ops : NULL,
		.auth_ctx = &cred,
		.auth_clear = auth_in_clear(&opt, &peer),
		.auth_required = opt.auth_required,
		.tls = tls,
	};
	session_init(&s, &cfg);
	if (opt.tls_on_connect)
		session_tls_started(&s, tls_desc);
	lim = (struct serve_limits){ opt.timeout, opt.max_session_time };
	sig = serve(&s, &c, &lim);
	tls_end();
	if (c.tap)
		transcript_close(&tr);
	if (sig != 0) {
		/* end as the signal asked, now that nothing is half done */
		signal(sig, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
		raise(sig);
	}
	return EX_OK;
}
