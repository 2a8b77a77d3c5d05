/*
 * maildir.h: durable delivery into a Maildir (the qmail protocol).
 *
 * A message is written to tmp/ under a unique name with O_EXCL, fsynced,
 * moved into new/ without ever replacing a file, and new/ is fsynced:
 * only then does maildir_commit() return 0.
 */
#ifndef MAILDIR_H
#define MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define MAILDIR_NAME_MAX 256

struct maildir {
	int dirfd, tmpfd, newfd; /* -1 until opened */
	int open_errno;          /* why the Maildir could not be opened */
	const char *failed_part; /* "tmp", "new", "cur", or NULL: DIR */
	unsigned counter;        /* Q<n>: messages of this process */
	int fd;                  /* the file in tmp/, or -1 */
	uint64_t written;
	int cleaned;             /* tmp/ swept once per process */
	char host[128];
	char tmpname[MAILDIR_NAME_MAX];
};

/* Opens DIR, creating it and tmp/ new/ cur/ (0700) as needed; a tmp/,
 * new/ or cur/ that is a symbolic link is refused (ELOOP).  Never fails:
 * a Maildir that cannot be used makes maildir_begin() fail, so the client
 * hears 451 at DATA, not a closed connection. */
void maildir_open(struct maildir *, const char *dir);

int maildir_begin(struct maildir *);
/* Writes straight to the file (the core hands on large runs already);
 * iov is used up. */
int maildir_write(struct maildir *, struct iovec *iov, int iovcnt);
/* name receives the file name in new/ */
int maildir_commit(struct maildir *, char *name, size_t n);
void maildir_abort(struct maildir *);

/* Files in tmp/ older than this were left by killed sessions. */
#define MAILDIR_STALE_SECONDS (36 * 3600)

#endif
