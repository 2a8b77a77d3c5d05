/*
 * spawn: the start-up cost row of `make bench`.
 *
 * spawn [-j] N INPUT PROGRAM [ARG]...
 *	Runs PROGRAM N times in a row, each with INPUT as standard input and
 *	/dev/null as standard output and error, and prints the mean wall time
 *	of one fork+exec+run+wait in microseconds and the CPU time (user +
 *	system) of one child ("usec=U cpu_usec=C"); CPU time is the steadier
 *	figure on a shared machine.  With -j,
 *	JOURNAL_STREAM names standard error's device and inode, as systemd
 *	sets it for a service whose standard error is the journal, so a
 *	program that loads libsystemd only then does load it.
 *
 * spawn -w FILE PROGRAM [ARG]...
 *	Runs PROGRAM once on the inherited standard input, output and error,
 *	then writes its CPU time (user + system, microseconds, from wait4)
 *	to FILE as "cpu_usec=C" and exits with its status: the precise cost
 *	of one session under a superserver.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	int i = 1, n, in, null;

	if (argc > 3 && strcmp(argv[1], "-w") == 0) {
		struct rusage ru;
		pid_t pid = fork();
		int st = 0;
		FILE *f;

		if (pid == 0) {
			execv(argv[3], argv + 3);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
			return 70;
		if ((f = fopen(argv[2], "w")) != NULL) {
			fprintf(f, "cpu_usec=%.0f\n",
			    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
			    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
			fclose(f);
		}
		return WIFEXITED(st) ? WEXITSTATUS(st) : 70;
	}
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
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	printf("usec=%.1f cpu_usec=%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
	    (b.tv_nsec - a.tv_nsec)) / 1e3 / n, cpu / n);
	return 0;
}
