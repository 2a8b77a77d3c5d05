/*
 * internal.h: what the files of the core share and nothing outside it
 * uses: the handlers the verb table names, and the session's own steps.
 */
#ifndef INTERNAL_H
#define INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/fault.h"
#include "core/session.h"
#include "core/verb.h"

/* commands.c: the session's own verbs */
void cmd_helo(struct session *, const char *arg, const char *end);
void cmd_ehlo(struct session *, const char *arg, const char *end);
void cmd_lhlo(struct session *, const char *arg, const char *end);
void cmd_rset(struct session *, const char *arg, const char *end);
void cmd_noop(struct session *, const char *arg, const char *end);
void cmd_quit(struct session *, const char *arg, const char *end);
void cmd_vrfy(struct session *, const char *arg, const char *end);
void cmd_expn(struct session *, const char *arg, const char *end);
void cmd_help(struct session *, const char *arg, const char *end);
void cmd_not_implemented(struct session *, const char *arg, const char *end);
void cmd_http(struct session *, const char *arg, const char *end);
void cmd_unknown(struct session *, const char *arg, const char *end);

/* envelope.c: the transaction */
void cmd_mail(struct session *, const char *arg, const char *end);
void cmd_rcpt(struct session *, const char *arg, const char *end);
/* 0 when addr is a recipient (no table, postmaster, or listed), else the
 * reply, which takes addr as its argument */
enum reply_id envelope_recipient_known(struct session *, const char *addr);

/* message.c: the message */
void cmd_data(struct session *, const char *arg, const char *end);
void message_end(struct session *);

/* chunks.c: BDAT */
void cmd_bdat(struct session *, const char *arg, const char *end);
/* a refused BDAT: its chunk is still read, then reply id is given */
void chunk_refuse(struct session *, const char *arg, const char *end,
    enum reply_id id);
/* the current chunk has been read whole */
void chunk_end(struct session *);

/* auth.c: AUTH (RFC 4954) */
void cmd_auth(struct session *, const char *arg, const char *end);
bool auth_offered(const struct session *); /* EHLO lists it */
bool auth_is_line(const char *line, size_t len); /* "AUTH ..." */
/* the line for the log, its initial response replaced by "***" */
void auth_mask(const char *line, size_t len, char *buf, size_t cap);
void auth_continue(struct session *, const char *line, size_t len);
void auth_abort(struct session *); /* the exchange ends, unjudged */
bool auth_mail_refused(struct session *); /* --auth-required: 530 */

/* starttls.c: STARTTLS (RFC 3207) */
void cmd_starttls(struct session *, const char *arg, const char *end);
bool starttls_offered(const struct session *); /* EHLO lists it */

/* session.c */
void session_note(struct session *, enum session_event, const char *text,
    const char *reply, int error);
void session_close(struct session *, const char *why);
void session_reset(struct session *); /* the transaction, as RSET does */
void session_more(struct session *, bool (*item)(struct session *, size_t),
    size_t count);

/* message.c: what BDAT shares with DATA */
bool message_begin(struct session *, int *wanted);
void message_refuse(struct session *, enum reply_id, int err);
enum reply_id message_check(const struct session *, bool bare, int *err);
void message_finish(struct session *, bool bare);

/* reply.c: one more error by the client; 421 past --max-errors */
void reply_count_error(struct session *);
/* reply.c: a reply a fault put in place of the handler's (fault.c) */
void reply_injected(struct session *, const struct reply_def *,
    const char *when);
/* fault.c: --fail, --delay, --fail-by-address.  Each returns true when
 * the fault answered in the handler's place (or closed, or hung). */
bool fault_command(struct session *, const struct verb *); /* dispatcher */
bool fault_at(struct session *, enum fault_point);  /* a point's reply */
/* the same, undone: the code the rules draw at p (0: none), not given */
unsigned fault_draw(struct session *, enum fault_point);
/* the first "+dot-NNN" of the sender and the recipients, or 0 */
unsigned fault_message_code(const struct session *);
bool fault_by_address(struct session *, enum fault_point, const char *addr);
bool fault_message(struct session *); /* the reply after a message */
void fault_inject(struct session *, enum fault_point, unsigned code);
/* the reply a fault gives for code at point p (replies.c's entries) */
void fault_reply(enum fault_point p, unsigned code, struct reply_def *);

#endif
