/*
 * replay.c: a main() for a fuzz harness without libFuzzer, so that a
 * plain compiler can run the seed corpora through it (tests/run-coverage
 * does, with gcc --coverage).  Each argument is an input file or a
 * directory of them.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len + 4096 > cap) {
			cap = (len + 4096) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *e;
		DIR *d;

		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			count += replay_file(argv[i]) == 0;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			count += replay_file(path) == 0;
		}
		closedir(d);
	}
	printf("%s: %d inputs replayed\n", argv[0], count);
	return 0;
}
