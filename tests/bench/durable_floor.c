/*
 * durable_floor: the floor of the durable-delivery row of `make bench`.
 *
 * durable_floor DIR MSGS SIZE
 *	Delivers MSGS messages of SIZE octets into Maildir DIR the way the
 *	contract requires and nothing more: open tmp/NAME with O_EXCL, write,
 *	fsync, close, rename into new/, fsync new/.  Prints
 *	"msgs=N secs=S rate=R".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "durable_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

int
main(int argc, char **argv)
{
	char tmp[4096], new[4096], name[256];
	struct timespec a, b;
	long msgs;
	size_t size;
	char *msg;
	int dfd;

	if (argc != 4)
		return 64;
	msgs = atol(argv[2]);
	size = strtoull(argv[3], NULL, 10);
	if ((msg = malloc(size + 1)) == NULL)
		die("malloc");
	for (size_t i = 0; i < size; i++)
		msg[i] = (i % 78 == 77) ? '\n' : (char)('A' + i % 26);
	static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(tmp, sizeof(tmp), "%s%s", argv[1], sub[i]);
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			die(tmp);
	}
	snprintf(new, sizeof(new), "%s/new", argv[1]);
	if ((dfd = open(new, O_RDONLY | O_DIRECTORY)) < 0)
		die(new);

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < msgs; i++) {
		size_t off = 0;
		int fd;

		snprintf(name, sizeof(name), "%lld.P%dQ%ld.floor,S=%zu",
		    (long long)time(NULL), (int)getpid(), i, size);
		snprintf(tmp, sizeof(tmp), "%s/tmp/%s", argv[1], name);
		snprintf(new, sizeof(new), "%s/new/%s", argv[1], name);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) < 0)
			die(tmp);
		while (off < size) {
			ssize_t n = write(fd, msg + off, size - off);
			if (n < 0)
				die("write");
			off += (size_t)n;
		}
		if (fsync(fd) < 0)
			die("fsync");
		if (close(fd) < 0)
			die("close");
		if (rename(tmp, new) < 0)
			die("rename");
		if (fsync(dfd) < 0)
			die("fsync new/");
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("msgs=%ld secs=%.6f rate=%.1f\n", msgs, secs, msgs / secs);
	return 0;
}
