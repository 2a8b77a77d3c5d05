/*
 * internal.h: what the files of the core share and nothing outside it
 * uses: the handlers the verb table names, and the session's own steps.
 */
#ifndef INTERNAL_H
#define INTERNAL_H

#include <stddef.h>

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

#endif
