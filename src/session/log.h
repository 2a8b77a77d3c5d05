/*
 * log.h: one key=value line per event, never on the SMTP stream.
 *
 * Where lines go is decided once at start: standard error; syslog when
 * standard error is the client's socket (xinetd); or the journal, with
 * structured SMTP_* fields, when JOURNAL_STREAM names standard error and
 * libsystemd can be loaded (it is loaded with dlopen, only then).
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include "core/session.h"

struct log_field {
	const char *key;   /* lower case in the text line; SMTP_KEY in the journal */
	const char *value; /* raw; escaped for the text line */
};

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_JOURNAL };

/* client_fd is the connection: standard error on the same socket means
 * syslog. */
void log_init(int client_fd);
enum log_target log_target(void);

/* Fields are written in order; a key may repeat (one per recipient). */
void log_fields(int priority, const struct log_field *, size_t n);

/* A plain message: event=error text=... */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What the session core reports (a session_event_fn): one line per
 * accepted, rejected or refused message and per disconnect; with
 * verbose, one per command and per reply line, in the order they
 * happened.  ctx points to a struct log_session.  A client that has
 * thousands of MAIL or RCPT commands refused must not write thousands
 * of lines: past REFUSED_LOG_MAX they are counted, and one line gives
 * the count when a message is accepted or the session ends. */
#define REFUSED_LOG_MAX 10

struct log_session {
	bool verbose;
	unsigned refused; /* refusals since the last summary */
	unsigned injected; /* faults on purpose so far */
};
void log_session_event(void *ctx, const struct session_note *);

/* The first line of a session. */
void log_connect(const char *session_id, const char *peer);

/* --proxy-protocol: the header named the client (client NULL: it named
 * none, LOCAL or UNKNOWN), or was refused for why and the session ends. */
void log_proxy(const char *session_id, const char *client, unsigned port,
    const char *proxy, int version);
void log_proxy_refused(const char *session_id, const char *proxy,
    const char *why);

/* TLS: the handshake's result (desc: version and cipher), its failure
 * with OpenSSL's reason, and the octets a STARTTLS threw away because
 * they came in clear after the command (RFC 3207 5). */
void log_tls(const char *session_id, const char *peer, const char *desc);
void log_tls_failed(const char *session_id, const char *peer,
    const char *why);
void log_starttls_dropped(const char *session_id, const char *peer,
    size_t dropped);

/* The console (--print): a message between banners, each line behind a
 * fixed prefix and with controls made visible. */
void log_console_begin(const char *id);
void log_console_text(const char *buf, size_t len);
void log_console_end(const char *id, bool accepted);

#endif
