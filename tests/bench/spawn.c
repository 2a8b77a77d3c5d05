/*
 * spawn: the start-up cost row of `make bench`.
 *
 * spawn [-j] N INPUT PROGRAM [ARG]...
 *	Runs PROGRAM N times in a row, each with INPUT as standard input and
 *	/dev/null as standard output and error, and prints the mean wall time
 *	of one fork+exec+run+wait in microseconds ("usec=U").  With -j,
 *	JOURNAL_STREAM names standard error's device and inode, as systemd
 *	sets it for a service whose standard error is the journal, so a
 *	program that loads libsystemd only then does load it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	int i = 1, n, in, null;

	if (argc > 1 && strcmp(argv[1], "-j") == 0)
		i++;
	if (argc - i < 3)
		return 64;
	n = atoi(argv[i]);
	if ((in = open(argv[i + 1], O_RDONLY)) < 0 ||
	    (null = open("/dev/null", O_WRONLY)) < 0) {
		perror("spawn: open");
		return 1;
	}
	if (i == 2) {
		struct stat st;
		char v[64];

		fstat(null, &st);
		snprintf(v, sizeof(v), "%llu:%llu",
		    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", v, 1);
	} else {
		unsetenv("JOURNAL_STREAM");
	}
	char **cmd = argv + i + 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int k = 0; k < n; k++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("spawn: fork");
			return 1;
		}
		if (pid == 0) {
			lseek(in, 0, SEEK_SET);
			dup2(in, 0);
			dup2(null, 1);
			dup2(null, 2);
			execv(cmd[0], cmd);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) == 127) {
			fprintf(stderr, "spawn: %s failed\n", cmd[0]);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("usec=%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
	    (b.tv_nsec - a.tv_nsec)) / 1e3 / n);
	return 0;
}
