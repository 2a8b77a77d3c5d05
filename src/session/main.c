/*
 * main.c: smtp-session.  Parses the options, finds the connection and the
 * client, decides where mail and log lines go, then hands the session core
 * to serve() until it ends.
 *
 * Exit status (sysexits): 0 for every ending the client caused (QUIT,
 * EOF, timeout, too many errors); 64 usage; 70 internal error.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

/* 16 hex digits of time, 5 of microseconds, up to 16 of the pid */
#define SESSION_ID_SIZE 40

#include "core/session.h"
#include "lib/fmt.h"
#include "session/addrbook.h"
#include "session/conn.h"
#include "session/deliver.h"
#include "session/log.h"
#include "session/options.h"
#include "session/peer.h"
#include "session/serve.h"

/* Unique per host at any moment: the time to the microsecond and the pid
 * of a process that lives as long as the session. */
static void
make_session_id(char id[SESSION_ID_SIZE])
{
	struct timeval tv;
	size_t n;

	gettimeofday(&tv, NULL);
	n = fmt_hex(id, (unsigned long long)tv.tv_sec, 8);
	n += fmt_hex(id + n, (unsigned long long)tv.tv_usec, 5);
	n += fmt_hex(id + n, (unsigned long long)getpid(), 1);
	id[n] = '\0';
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
	/* untouched pages cost nothing: only what a session uses is mapped */
	static struct path rcpt_table[SESSION_RCPT_LIMIT];
	struct log_session ls;
	struct session_config cfg;
	struct peer peer;
	char host[256], id[SESSION_ID_SIZE];
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
	peer_discover(&peer);
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
	conn_init(&c, &peer, opt.timeout);
	ls = (struct log_session){ .verbose = opt.verbose };
	cfg = (struct session_config){
		.hostname = opt.hostname,
		.session_id = id,
		.client_addr = peer.addr,
		.max_size = opt.max_size,
		.max_recipients = opt.max_recipients,
		.rcpt_table = rcpt_table,
		.max_errors = opt.max_errors,
		.extensions = EXT_DEFAULT,
		.local = peer.local,
		.bare_lf = opt.bare_lf,
		.delivery = &deliver_ops,
		.delivery_ctx = &d,
		.event = log_session_event,
		.event_ctx = &ls,
		.book = book,
		.book_ops = &book_ops,
		.book_ctx = &ab.book,
	};
	session_init(&s, &cfg);
	serve(&s, &c, opt.timeout);
	return EX_OK;
}
