/*
 * maildir.c: the Maildir's directories.
 *
 * Invariants: new/ and cur/ are opened with O_NOFOLLOW | O_DIRECTORY, so
 * a symbolic link in their place is refused, not followed; every message
 * is then opened relative to such a descriptor (openat), never by a path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch/maildir.h"
#include "watch/output.h"

static char *
concat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *p = malloc(la + lb + lc + 1);

	if (p) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb);
		memcpy(p + la + lb, c, lc + 1);
	}
	return p;
}

/* The absolute form of dir for the JSON "path": the current directory
 * and dir as given, symbolic links kept as the user wrote them. */
static char *
absolute(const char *dir)
{
	char cwd[PATH_MAX];
	const char *rel = dir;

	if (dir[0] == '/')
		return strcmp(dir, "/") == 0 ? concat("", "", "") :
		    concat(dir, "", "");
	while (rel[0] == '.' && rel[1] == '/')
		for (rel += 2; *rel == '/';)
			rel++;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (strcmp(cwd, "/") == 0)
		cwd[0] = '\0';
	if (rel[0] == '\0' || strcmp(rel, ".") == 0)
		return concat(cwd, "", "");
	return concat(cwd, "/", rel);
}

int
maildir_paths(struct watch *w, const char *maildir)
{
	size_t n = strlen(maildir);
	bool root;

	while (n > 1 && maildir[n - 1] == '/')
		n--;
	if ((w->dir = strndup(maildir, n)) == NULL)
		goto fail;
	root = strcmp(w->dir, "/") == 0;
	w->newdir = concat(w->dir, root ? "" : "/", "new");
	w->curdir = concat(w->dir, root ? "" : "/", "cur");
	if (w->newdir == NULL || w->curdir == NULL)
		goto fail;
	if ((w->abs = absolute(w->dir)) == NULL) {
		output_warn("getcwd: %s", strerror(errno));
		return -1;
	}
	return 0;
fail:
	output_warn("%s", strerror(ENOMEM));
	return -1;
}

void
maildir_free(struct watch *w)
{
	free(w->dir);
	free(w->newdir);
	free(w->curdir);
	free(w->abs);
	w->dir = w->newdir = w->curdir = w->abs = NULL;
}

const char *
maildir_path(const struct watch *w, const char *sub)
{
	return strcmp(sub, "new") == 0 ? w->newdir : w->curdir;
}

/* Whether path itself is a symbolic link. */
static bool
is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int
maildir_open(const struct watch *w, const char *sub)
{
	const char *path = maildir_path(w, sub);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	/* O_DIRECTORY may say ENOTDIR before O_NOFOLLOW says ELOOP */
	if (fd < 0 && errno == ENOTDIR && is_link(path))
		errno = ELOOP;
	return fd;
}

void
maildir_warn(const struct watch *w, const char *sub, int err)
{
	const char *path = maildir_path(w, sub);

	/* O_NOFOLLOW says ELOOP, IN_DONT_FOLLOW | IN_ONLYDIR ENOTDIR */
	if ((err == ELOOP || err == ENOTDIR) && is_link(path))
		output_warn("%s: a symbolic link, not followed", path);
	else if (err == ENOTDIR)
		output_warn("%s: not a Maildir (no directory %s/)", path, sub);
	else
		output_warn("%s: %s", path, strerror(err));
}
