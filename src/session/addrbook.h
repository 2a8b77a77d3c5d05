/*
 * addrbook.h: the files of --recipients and --aliases, for one session.
 */
#ifndef ADDRBOOK_H
#define ADDRBOOK_H

#include "core/book.h"

struct addrbook {
	struct book book; /* the lookups (core/book.c); book_ops' ctx */
	struct book_file recipients, aliases;
	int fd[2];
	const char *session_id;
};

/*
 * Opens the files (either name may be NULL: not given) and returns what
 * the book holds, for session_config.book.  Every file the book reads is
 * opened here and nowhere else, once a session, so an edit applies from
 * the next session on.  A file that cannot be opened is not an error
 * yet: each lookup that needs it answers 451 and logs why.
 */
unsigned addrbook_open(struct addrbook *, const char *recipients,
    const char *aliases, const char *session_id);

#endif
