/*
 * main.c: smtp-watch, a subscriber to a Maildir: reports each message as
 * it lands in new/, filtered on the envelope, as a summary line, a JSON
 * line or an mboxrd stream.  See smtp-watch(1).
 *
 * This file sets the program up and is the only place that exits: every
 * other function returns a status (watch.h), and the exit status is the
 * one that came back: 0 when --count is reached or on SIGINT/SIGTERM, 1
 * when --timeout expires, 2 on bad usage, a Maildir that cannot be read
 * or an output error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/version.h"
#include "watch/follow.h"
#include "watch/maildir.h"
#include "watch/options.h"
#include "watch/output.h"
#include "watch/watch.h"

/* SIGINT and SIGTERM end the program with status 0, once the message
 * being written is whole.  An ignored SIGINT (a background job of a shell
 * script) stays ignored. */
static int
signals_open(void)
{
	struct sigaction sa;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
		sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* The summary's local time, from the time zone database (TZ). */
static bool
local_civil(int64_t t, struct civil *c)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return false;
	c->year = (int64_t)tm.tm_year + 1900;
	c->month = tm.tm_mon + 1;
	c->day = tm.tm_mday;
	c->hour = tm.tm_hour;
	c->min = tm.tm_min;
	c->sec = tm.tm_sec;
	c->wday = tm.tm_wday;
	return true;
}

static enum status
watch_open(struct watch *w, const struct options *o)
{
	w->opt = o;
	w->ifd = w->sfd = w->new_wd = w->parent_wd = -1;
	w->deadline = -1;
	if (o->timeout_ns >= 0)
		w->deadline = watch_clock_ns(CLOCK_MONOTONIC) + o->timeout_ns;
	if (maildir_paths(w, o->maildir) < 0)
		return ST_TROUBLE;
	tzset();
	output_init();
	w->render = (struct render){ .format = o->format, .maildir = w->abs,
		.localtime = local_civil, .emit = output_emit };
	if ((w->sfd = signals_open()) < 0) {
		output_warn("signalfd: %s", strerror(errno));
		return ST_TROUBLE;
	}
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		output_warn("inotify: %s", strerror(errno));
		return ST_TROUBLE;
	}
	if (seen_init(&w->seen, SEEN_MAX) < 0) {
		output_warn("%s", strerror(ENOMEM));
		return ST_TROUBLE;
	}
	return ST_GO_ON;
}

static void
watch_close(struct watch *w)
{
	seen_free(&w->seen);
	maildir_free(w);
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->sfd >= 0)
		close(w->sfd);
}

int
main(int argc, char **argv)
{
	static struct watch w;
	struct options o;
	char err[256];
	enum status st;

	switch (options_parse(&o, argc, argv, err, sizeof(err))) {
	case OPT_HELP:
		fputs(options_help, stdout);
		st = ST_DONE;
		break;
	case OPT_VERSION:
		puts("smtp-watch (smtp-sink) " SMTP_SINK_VERSION);
		st = ST_DONE;
		break;
	case OPT_USAGE:
		fprintf(stderr, "smtp-watch: %s\n"
		    "Try 'smtp-watch --help' for more information.\n", err);
		st = ST_TROUBLE;
		break;
	default:
		if ((st = watch_open(&w, &o)) == ST_GO_ON)
			st = follow_maildir(&w);
		watch_close(&w);
		break;
	}
	if (output_flush() < 0)
		st = ST_TROUBLE;
	options_free(&o);
	return st;
}
