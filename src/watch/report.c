/*
 * report.c: from a name to a record on standard output.
 *
 * Invariants: a message is opened with O_NOFOLLOW relative to its
 * directory's descriptor, and must be a regular file; it is read only
 * through pread(2) and never past the size fstat(2) gave, so the record
 * (its size, its mbox copy) describes one file as it was; the record is
 * flushed before the next message is looked at.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch/filter.h"
#include "watch/maildir.h"
#include "watch/message.h"
#include "watch/output.h"
#include "watch/report.h"
#include "watch/scan.h"

/* A message file for the reader of struct message. */
struct file {
	int fd;
	uint64_t size;
};

static ssize_t
file_read(void *ctx, char *buf, size_t cap, uint64_t off)
{
	const struct file *f = ctx;
	ssize_t n;

	if (off >= f->size)
		return 0;
	if (cap > f->size - off)
		cap = (size_t)(f->size - off);
	do
		n = pread(f->fd, buf, cap, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Reads, filters and writes out the message open at fd. */
static enum status
report_file(struct watch *w, int fd, const struct stat *st,
    const char *sub, const char *name)
{
	static struct message m; /* two windows: not for the stack */
	struct file f = { fd, (uint64_t)st->st_size };
	int pass;

	m.sub = sub;
	m.name = name;
	m.size = st->st_size;
	m.mtime = st->st_mtime;
	m.rd.read = file_read;
	m.rd.ctx = &f;
	if (message_read(&m) < 0 ||
	    (pass = filter_match(&w->opt->filter, &m)) < 0) {
		output_warn("%s/%s/%s: %s", w->dir, sub, name, strerror(errno));
		return ST_GO_ON;
	}
	if (pass == 0)
		return ST_GO_ON;
	if (format_message(&w->render, &m) < 0)
		output_warn("%s/%s/%s: %s", w->dir, sub, name, strerror(errno));
	if (output_flush() < 0)
		return ST_TROUBLE;
	if (w->opt->count && ++w->matched >= w->opt->count)
		return ST_DONE;
	return ST_GO_ON;
}

/* An event named a message that is gone from new/: a mail reader was
 * quicker, and moved it to cur/. */
static enum status
report_moved(struct watch *w, const char *name, size_t klen)
{
	char moved[NAME_MAX + 1];
	enum status st = ST_GO_ON;
	int dfd = maildir_open(w, "cur");

	if (dfd < 0 && errno == ELOOP) {
		maildir_warn(w, "cur", errno);
		return ST_TROUBLE;
	}
	if (dfd < 0)
		return ST_GO_ON;
	if (scan_find(dfd, name, klen, moved, sizeof(moved)))
		st = report_name(w, dfd, "cur", moved, OR_RESCAN);
	close(dfd);
	return st;
}

/* Opens a message, never through a symbolic link: fd, or -1. */
static int
open_message(struct watch *w, int dfd, const char *sub, const char *name,
    enum origin origin, enum status *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK);

	*st = ST_GO_ON;
	if (fd >= 0)
		return fd;
	if (errno == ENOENT && origin == OR_EVENT)
		*st = report_moved(w, name, seen_key(name));
	else if (errno == ELOOP)
		output_warn("%s/%s/%s: a symbolic link, skipped", w->dir, sub,
		    name);
	else if (errno != ENOENT)
		output_warn("%s/%s/%s: %s", w->dir, sub, name,
		    strerror(errno));
	return -1;
}

/* Keeps the newest change time an event told of. */
static void
note_event(struct watch *w, enum origin origin, int64_t ctime)
{
	if (origin == OR_EVENT && ctime > w->last_event_ctime)
		w->last_event_ctime = ctime;
}

enum status
report_name(struct watch *w, int dfd, const char *sub, const char *name,
    enum origin origin)
{
	size_t klen = seen_key(name);
	int64_t ct, keep = w->last_event_ctime - 2 * SLACK_NS;
	enum status st;
	struct stat sb;
	int fd;

	if ((st = watch_check(w)) != ST_GO_ON)
		return st;
	if (seen_find(&w->seen, name, klen, &ct)) {
		note_event(w, origin, ct);
		return ST_GO_ON;
	}
	if ((fd = open_message(w, dfd, sub, name, origin, &st)) < 0)
		return st;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		note_event(w, origin, stat_ctime_ns(&sb));
		if (seen_add(&w->seen, name, klen, stat_ctime_ns(&sb), keep) < 0) {
			output_warn("%s", strerror(ENOMEM));
			st = ST_TROUBLE;
		} else {
			st = report_file(w, fd, &sb, sub, name);
		}
	}
	close(fd);
	return st;
}
