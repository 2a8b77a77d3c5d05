/*
 * addrbook.c: the edge of the address book: it opens the files of
 * --recipients and --aliases, reads them at the offsets core/book.c asks
 * for, and logs what the book reports.  The lookups themselves are pure
 * and live in core/book.c.
 *
 * Invariants: the files are opened once, in addrbook_open(), when the
 * session starts, and never written; a read of a file that is not a
 * regular one (a directory, a pipe) fails and is reported, it never
 * blocks; nothing is mapped, so a file truncated during a session cannot
 * kill it with SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fmt.h"
#include "session/addrbook.h"
#include "session/log.h"

static long
read_at(void *ctx, char *buf, size_t n, uint64_t off)
{
	int fd = *(int *)ctx;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done,
		    (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

static void
report(void *ctx, const struct book_file *f, unsigned long line,
    const char *why, int error)
{
	const struct addrbook *ab = ctx;
	char num[24];

	if (line == 0) {
		log_fields(LOG_WARNING, (struct log_field[]){
		    { "session", ab->session_id }, { "event", "error" },
		    { "table", f->name }, { "error", strerror(error) } }, 4);
		return;
	}
	num[fmt_dec(num, line)] = '\0';
	log_fields(LOG_WARNING, (struct log_field[]){
	    { "session", ab->session_id }, { "event", "table" },
	    { "table", f->name }, { "line", num }, { "reason", why } }, 5);
}

static struct book_file *
open_file(struct book_file *f, int *fd, const char *name)
{
	struct stat st;

	*f = (struct book_file){ .name = name, .read_at = read_at, .ctx = fd };
	/* O_NONBLOCK: a FIFO must not hold the session at open(2) */
	*fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0 || fstat(*fd, &st) < 0)
		f->error = errno;
	else
		f->size = (uint64_t)st.st_size;
	return f;
}

unsigned
addrbook_open(struct addrbook *ab, const char *recipients,
    const char *aliases, const char *session_id)
{
	ab->session_id = session_id;
	ab->fd[0] = ab->fd[1] = -1;
	book_init(&ab->book,
	    recipients ? open_file(&ab->recipients, &ab->fd[0], recipients) :
	    NULL,
	    aliases ? open_file(&ab->aliases, &ab->fd[1], aliases) : NULL,
	    report, ab);
	return book_holds(&ab->book);
}
