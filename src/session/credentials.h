/*
 * credentials.h: AUTH's judge (--auth FILE, --auth-any), the edge's side
 * of struct auth_ops.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/session.h"

#define CREDENTIALS_FILE_MAX (1 << 20) /* octets read of --auth FILE */

struct credentials {
	const char *path;     /* --auth FILE, or NULL with --auth-any */
	const char *session_id, *peer;
	int error;            /* errno of reading the file, or 0 */
	size_t len;
	char text[CREDENTIALS_FILE_MAX + 1];
};

/* Reads the file now, before the session confines itself: an edit
 * applies to the next session.  Never fails; a file that cannot be read
 * makes each AUTH answer 454 and log why. */
void credentials_open(struct credentials *, const char *path,
    const char *session_id, const char *peer);

/* ctx is a struct credentials; with path NULL (--auth-any) every user
 * name and password pass. */
extern const struct auth_ops credentials_ops;

#endif
