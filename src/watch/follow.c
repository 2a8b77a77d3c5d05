/*
 * follow.c: inotify, and the rule for what is new.
 *
 * Invariants:
 * - The start is the moment the watch on new/ exists.  A message renamed
 *   (or linked, or created) into new/ after it has an event queued; one
 *   that was there before has none.  So, without --existing, the events
 *   alone say what is new, with no clock and no directory read: whatever
 *   new/ held at the start is never reported.  (The kernel queues the
 *   event before it unlocks new/, so a message a scan could see has its
 *   event queued already.)
 * - The events that a queue overflow drops are the newest, never the
 *   first ones after the watch; a rescan then takes the names not yet
 *   seen whose change time is not before the start (t0, the coarse clock
 *   read just before the watch was set) nor long before the last event
 *   (SLACK_NS).  See scan.c.
 * - new/ is open only while a batch of events is handled: an open
 *   descriptor would keep a removed directory alive, and its IN_IGNORED
 *   from coming.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "watch/follow.h"
#include "watch/maildir.h"
#include "watch/output.h"
#include "watch/report.h"
#include "watch/scan.h"

#define NEW_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)

int64_t
watch_clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

enum status
watch_check(struct watch *w)
{
	struct signalfd_siginfo si;

	if (w->sfd >= 0 && read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return ST_DONE;
	if (w->deadline >= 0 && watch_clock_ns(CLOCK_MONOTONIC) >= w->deadline)
		return ST_TIMEOUT;
	return ST_GO_ON;
}

/* Milliseconds to the deadline, for poll(2); -1 without one. */
static int
poll_ms(const struct watch *w)
{
	int64_t left, ms;

	if (w->deadline < 0)
		return -1;
	left = w->deadline - watch_clock_ns(CLOCK_MONOTONIC);
	ms = (left + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : ms < 0 ? 0 : (int)ms;
}

/* Waits until the inotify descriptor is readable, or an end. */
static enum status
wait_input(struct watch *w)
{
	struct pollfd pfd[2] = {
		{ .fd = w->ifd, .events = POLLIN },
		{ .fd = w->sfd, .events = POLLIN },
	};
	enum status st;
	int n;

	for (;;) {
		if ((st = watch_check(w)) != ST_GO_ON)
			return st;
		if (output_flush() < 0)
			return ST_TROUBLE;
		n = poll(pfd, w->sfd >= 0 ? 2 : 1, poll_ms(w));
		if (n < 0 && errno != EINTR) {
			output_warn("poll: %s", strerror(errno));
			return ST_TROUBLE;
		}
		if (n > 0 && (pfd[0].revents & POLLIN))
			return ST_GO_ON;
	}
}

/* ---- attaching ---------------------------------------------------------- */

/* The parent of path, in place: "a/b" -> "a", "/a" -> "/", "a" -> ".". */
static void
parent_of(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash == path)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(path, ".");
}

/* Watches the deepest existing ancestor of new/, to learn when the
 * Maildir appears. */
static enum status
watch_parent(struct watch *w)
{
	char path[PATH_MAX];
	int wd;

	if (strlen(w->newdir) >= sizeof(path)) {
		output_warn("%s: %s", w->newdir, strerror(ENAMETOOLONG));
		return ST_TROUBLE;
	}
	strcpy(path, w->newdir);
	for (;;) {
		parent_of(path);
		wd = inotify_add_watch(w->ifd, path, IN_CREATE | IN_MOVED_TO |
		    IN_ONLYDIR);
		if (wd >= 0)
			break;
		if (errno != ENOENT || strcmp(path, "/") == 0 ||
		    strcmp(path, ".") == 0) {
			output_warn("%s: %s", path, strerror(errno));
			return ST_TROUBLE;
		}
	}
	if (w->parent_wd >= 0 && w->parent_wd != wd)
		inotify_rm_watch(w->ifd, w->parent_wd);
	w->parent_wd = wd;
	if (!w->told_wait) {
		output_warn("%s does not exist yet; waiting for it", w->newdir);
		w->told_wait = true;
	}
	return ST_GO_ON;
}

/* Reads and drops whatever is queued (while waiting for new/). */
static void
drain_events(struct watch *w)
{
	static char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(w->ifd, buf, sizeof(buf)) > 0)
		;
}

/* Sets the watch on new/, never through a symbolic link: 1; 0 when new/
 * does not exist (yet); -1 when it is refused, after saying why. */
static int
watch_new(struct watch *w)
{
	w->t0 = watch_clock_ns(CLOCK_REALTIME_COARSE);
	w->new_wd = inotify_add_watch(w->ifd, w->newdir, NEW_MASK);
	if (w->new_wd >= 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	maildir_warn(w, "new", errno);
	return -1;
}

/* cur/ must not be a symbolic link either; a missing or unreadable one
 * is only a matter for --existing (see scan.c). */
static enum status
check_cur(struct watch *w)
{
	int fd = maildir_open(w, "cur");

	if (fd >= 0) {
		close(fd);
		return ST_GO_ON;
	}
	if (errno != ELOOP)
		return ST_GO_ON;
	maildir_warn(w, "cur", errno);
	return ST_TROUBLE;
}

/* Puts the watch on new/, waiting for the Maildir to appear if need be. */
static enum status
attach(struct watch *w)
{
	enum status st;
	int r;

	while ((r = watch_new(w)) == 0) {
		w->appeared = true;
		if ((st = watch_parent(w)) != ST_GO_ON)
			return st;
		/* it may have appeared before the parent's watch */
		if ((r = watch_new(w)) != 0)
			break;
		if ((st = wait_input(w)) != ST_GO_ON)
			return st;
		drain_events(w);
	}
	if (r < 0)
		return ST_TROUBLE;
	if (w->parent_wd >= 0) {
		inotify_rm_watch(w->ifd, w->parent_wd);
		w->parent_wd = -1;
	}
	w->last_event_ctime = w->t0;
	return check_cur(w);
}

/*
 * What the start-up reports: nothing without --existing (the events
 * report what comes after the watch); with it, new/ and cur/ as they are,
 * in name order.  A new/ that appeared after the start is all new.
 */
static enum status
startup(struct watch *w)
{
	enum status st = ST_GO_ON;

	w->seen.max = SEEN_MAX_SCAN; /* new/ and cur/ dedupe each other */
	if (w->opt->existing || w->appeared)
		st = scan_dir(w, "new", PICK_ALL, OR_SCAN);
	if (st == ST_GO_ON && w->opt->existing)
		st = scan_dir(w, "cur", PICK_ALL, OR_SCAN);
	w->seen.max = SEEN_MAX;
	if (st != ST_GO_ON)
		return st;
	/* Only names that can still come back through an event stay: a
	 * rename before the watch gave a ctime before t0. */
	if (seen_prune(&w->seen, w->t0 - SLACK_NS) < 0 ||
	    seen_shrink(&w->seen) < 0) {
		output_warn("%s", strerror(ENOMEM));
		return ST_TROUBLE;
	}
	return watch_check(w);
}

/* ---- following ----------------------------------------------------------- */

/* Handles one event; sets *gone when new/ is no more. */
static enum status
handle_event(struct watch *w, int fd, const struct inotify_event *ev,
    bool *gone)
{
	if (ev->wd != w->new_wd)
		return ST_GO_ON;
	if (ev->mask & IN_IGNORED) {
		*gone = true;
		return ST_GO_ON;
	}
	if (!(ev->mask & (IN_CREATE | IN_MOVED_TO)) || (ev->mask & IN_ISDIR) ||
	    ev->len == 0 || ev->name[0] == '.' || fd < 0)
		return ST_GO_ON;
	return report_name(w, fd, "new", ev->name, OR_EVENT);
}

/* Handles a batch of events read into buf. */
static enum status
handle_events(struct watch *w, const char *buf, size_t len, bool *gone)
{
	const struct inotify_event *ev;
	bool overflow = false;
	enum status st = ST_GO_ON;
	int fd = maildir_open(w, "new");

	if (fd < 0 && errno != ENOENT) {
		maildir_warn(w, "new", errno);
		return ST_TROUBLE;
	}
	for (const char *p = buf; p < buf + len && st == ST_GO_ON;
	    p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)(const void *)p;
		if (ev->mask & IN_Q_OVERFLOW)
			overflow = true;
		st = handle_event(w, fd, ev, gone);
	}
	if (fd >= 0)
		close(fd);
	if (st == ST_GO_ON && overflow)
		st = scan_dir(w, "new", PICK_SINCE_EVENT, OR_RESCAN);
	return st;
}

/* Reads events until new/ goes away (then ST_GO_ON) or an end. */
static enum status
follow(struct watch *w)
{
	static char buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	enum status st = ST_GO_ON;
	bool gone = false;
	ssize_t len;

	while (!gone && st == ST_GO_ON) {
		if ((st = wait_input(w)) != ST_GO_ON)
			break;
		len = read(w->ifd, buf, sizeof(buf));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len <= 0) {
			output_warn("inotify: %s", len < 0 ? strerror(errno) :
			    "EOF");
			return ST_TROUBLE;
		}
		st = handle_events(w, buf, (size_t)len, &gone);
	}
	/* new/ was removed: whatever appears there later is news */
	w->new_wd = -1;
	w->told_wait = false;
	return st;
}

enum status
follow_maildir(struct watch *w)
{
	enum status st;

	for (;;) {
		if ((st = attach(w)) != ST_GO_ON ||
		    (st = startup(w)) != ST_GO_ON ||
		    (st = follow(w)) != ST_GO_ON)
			return st;
		w->appeared = true;
	}
}
