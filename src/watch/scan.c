/*
 * scan.c: directory scans, in sorted batches of bounded size.
 *
 * Invariants: a directory is opened once, without following a symbolic
 * link (maildir_open()), read through a duplicate of that descriptor,
 * and its messages are opened relative to it; memory is BATCH_MAX names,
 * whatever the size of the directory; a rescan never picks a name whose
 * change time is before the start (t0), which is how it keeps what new/
 * held at the start from being reported.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch/maildir.h"
#include "watch/output.h"
#include "watch/report.h"
#include "watch/scan.h"

#define BATCH_MAX 65536 /* names sorted together */

/* A directory stream on a duplicate of dfd, which stays usable for
 * openat(); NULL with errno set. */
static DIR *
dir_stream(int dfd)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL && fd >= 0) {
		int err = errno;
		close(fd);
		errno = err;
	}
	return d;
}

/* After an overflow: a name not seen whose change time is not before the
 * start, nor before the last event's by more than the slack. */
static bool
since_event(const struct watch *w, int dfd, const char *name)
{
	int64_t floor = w->last_event_ctime - SLACK_NS;
	struct stat st;

	if (floor < w->t0)
		floor = w->t0;
	if (seen_find(&w->seen, name, seen_key(name), NULL) ||
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return stat_ctime_ns(&st) >= floor;
}

static int
cmp_names(const void *a, const void *b)
{
	/* Maildir names start with the time; version order puts "M99"
	 * before "M100" */
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Reports names[0..n) in name order and frees them. */
static enum status
report_batch(struct watch *w, int dfd, const char *sub, char **names,
    size_t n, enum origin origin)
{
	enum status st = ST_GO_ON;

	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (st == ST_GO_ON)
			st = report_name(w, dfd, sub, names[i], origin);
		free(names[i]);
	}
	return st;
}

static enum status
read_names(struct watch *w, DIR *d, int dfd, const char *sub,
    enum pick pick, enum origin origin, char **names)
{
	enum status st = ST_GO_ON;
	struct dirent *e;
	size_t n = 0;

	while (st == ST_GO_ON && (errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR ||
		    (pick == PICK_SINCE_EVENT && !since_event(w, dfd, e->d_name)))
			continue;
		if ((names[n] = strdup(e->d_name)) == NULL)
			break;
		if (++n == BATCH_MAX) {
			st = report_batch(w, dfd, sub, names, n, origin);
			n = 0;
		}
	}
	if (st == ST_GO_ON && errno != 0) {
		output_warn("%s: %s", maildir_path(w, sub), strerror(errno));
		st = ST_TROUBLE;
	}
	if (st != ST_GO_ON) {
		while (n > 0)
			free(names[--n]);
		return st;
	}
	return report_batch(w, dfd, sub, names, n, origin);
}

enum status
scan_dir(struct watch *w, const char *sub, enum pick pick,
    enum origin origin)
{
	int dfd = maildir_open(w, sub);
	char **names = NULL;
	enum status st;
	DIR *d = NULL;

	if (dfd < 0 && errno == ENOENT)
		return ST_GO_ON;
	if (dfd < 0 || (d = dir_stream(dfd)) == NULL) {
		maildir_warn(w, sub, errno);
		st = ST_TROUBLE;
	} else if ((names = malloc(BATCH_MAX * sizeof(*names))) == NULL) {
		output_warn("%s", strerror(ENOMEM));
		st = ST_TROUBLE;
	} else {
		st = read_names(w, d, dfd, sub, pick, origin, names);
	}
	free(names);
	if (d)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	return st;
}

bool
scan_find(int dfd, const char *key, size_t klen, char *out, size_t cap)
{
	DIR *d = dir_stream(dfd);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (seen_key(e->d_name) == klen &&
		    memcmp(e->d_name, key, klen) == 0 && n < cap) {
			memcpy(out, e->d_name, n + 1);
			found = true;
		}
	}
	closedir(d);
	return found;
}
