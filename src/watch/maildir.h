/*
 * maildir.h: the Maildir's paths, and its new/ and cur/ directories,
 * opened without following a symbolic link.
 */
#ifndef WATCH_MAILDIR_H
#define WATCH_MAILDIR_H

#include "watch/watch.h"

/* Sets w->dir, newdir, curdir and abs from MAILDIR: 0, or -1 after saying
 * why. */
int maildir_paths(struct watch *w, const char *maildir);
void maildir_free(struct watch *w);

/* The path of sub, "new" or "cur". */
const char *maildir_path(const struct watch *w, const char *sub);

/*
 * Opens sub as a directory, never through a symbolic link: MAILDIR itself
 * may be one (the user named it), new/ and cur/ may not, since whoever
 * can write in the Maildir could point them anywhere.  The descriptor, or
 * -1 with errno set: ELOOP when sub is a symbolic link.
 */
int maildir_open(const struct watch *w, const char *sub);

/* Says why sub could not be opened or watched; err is the errno. */
void maildir_warn(const struct watch *w, const char *sub, int err);

#endif
