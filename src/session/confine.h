/*
 * confine.h: the session's own sandbox (see confine.c).
 */
#ifndef CONFINE_H
#define CONFINE_H

#define CONFINE_DIRS 2
#define CONFINE_FILES 8

/* What the session may still touch once confined; NULL entries are
 * unused. */
struct confine_rules {
	const char *write_dirs[CONFINE_DIRS];  /* files below: create, write,
						  rename, remove */
	const char *read_files[CONFINE_FILES]; /* read */
};

/* Confines the calling process for good: 0 when all of it is in force;
 * 1 when only part of it is (the kernel lacks Landlock or seccomp, or
 * this is a build without it), with *why saying what is missing. */
int confine(const struct confine_rules *, const char **why);

#ifdef CONFINE_PROBE
void confine_probe(void); /* test builds: see confine.c */
#endif

#endif
