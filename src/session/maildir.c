/*
 * maildir.c: tmp/ with O_EXCL, write, fsync, rename into new/ with
 * RENAME_NOREPLACE (or link, where the file system has no renameat2),
 * fsync of new/.  The order is the guarantee: a crash at any point leaves
 * either nothing in new/ or the whole message.
 *
 * Names: <seconds>.M<usec>P<pid>Q<n>.<host>,S=<size> (Maildir protocol,
 * with Courier's S= size so readers need not stat).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/io.h"
#include "session/maildir.h"

/* '/' and ':' cannot stand in a Maildir name: the protocol's \057, \072. */
static void
safe_host(char *dst, size_t n)
{
	char raw[64];
	size_t o = 0;

	if (gethostname(raw, sizeof(raw)) < 0)
		snprintf(raw, sizeof(raw), "localhost");
	raw[sizeof(raw) - 1] = '\0';
	for (const char *p = raw; *p && o + 5 < n; p++) {
		if (*p == '/' || *p == ':')
			o += (size_t)snprintf(dst + o, n - o, "\\%03o", *p);
		else
			dst[o++] = *p;
	}
	dst[o] = '\0';
}

/* tmp/, new/ or cur/, created if missing and never followed if it is a
 * symbolic link: whoever can write to the Maildir must not be able to
 * send our files, or the 36-hour sweep, somewhere else (ELOOP). */
static int
open_subdir(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* O_DIRECTORY makes a link ENOTDIR: say what it is */
	if (fd < 0 && errno == ENOTDIR &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

void
maildir_open(struct maildir *m, const char *dir)
{
	m->dirfd = m->tmpfd = m->newfd = m->fd = -1;
	m->open_errno = 0;
	m->failed_part = NULL;
	safe_host(m->host, sizeof(m->host));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto fail;
	/* DIR itself is the operator's to choose, a link or not */
	if ((m->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	m->failed_part = "tmp";
	if ((m->tmpfd = open_subdir(m->dirfd, "tmp")) < 0)
		goto fail;
	m->failed_part = "new";
	if ((m->newfd = open_subdir(m->dirfd, "new")) < 0)
		goto fail;
	m->failed_part = "cur";
	int cur = open_subdir(m->dirfd, "cur");
	if (cur < 0)
		goto fail;
	close(cur);
	m->failed_part = NULL;
	return;
fail:
	m->open_errno = errno;
}

/* Removes what killed sessions left in tmp/ (Maildir protocol: 36 h). */
static void
sweep_tmp(struct maildir *m)
{
	int fd = dup(m->tmpfd);
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fstatat(m->tmpfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) &&
		    now - st.st_mtime > MAILDIR_STALE_SECONDS)
			unlinkat(m->tmpfd, e->d_name, 0);
	}
	closedir(d);
}

int
maildir_begin(struct maildir *m)
{
	struct timeval tv;

	if (m->open_errno) {
		errno = m->open_errno;
		return -1;
	}
	if (!m->cleaned++)
		sweep_tmp(m);
	gettimeofday(&tv, NULL);
	snprintf(m->tmpname, sizeof(m->tmpname), "%lld.M%06ldP%ldQ%u.%s",
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    ++m->counter, m->host);
	m->fd = openat(m->tmpfd, m->tmpname,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (m->fd < 0)
		return -1;
	m->written = 0;
	return 0;
}

int
maildir_write(struct maildir *m, struct iovec *iov, int iovcnt)
{
	for (int i = 0; i < iovcnt; i++)
		m->written += iov[i].iov_len;
	return io_writev_all(m->fd, iov, iovcnt);
}

/* Moves tmp/NAME to new/FINAL, never replacing an existing file. */
static int
move_to_new(struct maildir *m, const char *final)
{
	if (renameat2(m->tmpfd, m->tmpname, m->newfd, final,
		RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(m->tmpfd, m->tmpname, m->newfd, final, 0) < 0)
		return -1;
	unlinkat(m->tmpfd, m->tmpname, 0);
	return 0;
}

int
maildir_commit(struct maildir *m, char *name, size_t n)
{
	int err;

	if (fsync(m->fd) < 0)
		goto fail;
	if (close(m->fd) < 0) {
		m->fd = -1;
		goto fail;
	}
	m->fd = -1;
	snprintf(name, n, "%s,S=%llu", m->tmpname,
	    (unsigned long long)m->written);
	if (move_to_new(m, name) < 0)
		goto fail;
	if (fsync(m->newfd) < 0) {
		/* the file is in new/ but not durably: take it back */
		err = errno;
		unlinkat(m->newfd, name, 0);
		errno = err;
		return -1;
	}
	m->tmpname[0] = '\0';
	return 0;
fail:
	err = errno;
	maildir_abort(m);
	errno = err;
	return -1;
}

void
maildir_abort(struct maildir *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	if (m->tmpname[0])
		unlinkat(m->tmpfd, m->tmpname, 0);
	m->tmpname[0] = '\0';
}
