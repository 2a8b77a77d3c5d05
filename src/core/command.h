/*
 * command.h: the verb table: which command a line holds.  Pure.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stddef.h>

enum verb {
	V_UNKNOWN,
	V_HELO, V_EHLO, V_MAIL, V_RCPT, V_DATA, V_RSET, V_NOOP, V_QUIT,
	V_VRFY, V_EXPN, V_HELP,
	V_NOT_IMPLEMENTED, /* known SMTP verbs this server does not offer */
	V_HTTP,            /* a web client talking to the wrong port */
};

/* The verb of a command line; *arg is set to its argument (leading
 * spaces skipped), or to line + len when there is none. */
enum verb command_lookup(const char *line, size_t len, const char **arg);

#endif
