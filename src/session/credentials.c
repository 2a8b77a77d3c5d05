/*
 * credentials.c: judges AUTH against a file of "user:hash" lines, the
 * hashes crypt(3)'s (yescrypt $y$, sha512crypt $6$, bcrypt $2b$), the
 * way /etc/shadow is read.
 *
 * Invariants: a password is only ever handed to crypt_rn(3) and wiped
 * by the core after; the result is compared in constant time; a user
 * not in the file costs the same as a wrong password (the password is
 * hashed against the file's first hash, or a built-in one, so the
 * algorithm and its cost are the same); each failure costs a growing
 * delay (0.5, 1, 2 s), so guessing is slow even within the three tries
 * a session has.  A line that is not "user:hash" makes the whole file
 * unusable (454, temporary: the operator will fix it) and is logged by
 * file and line; a password in plain text is refused and logged, never
 * compared.
 *
 * libcrypt is loaded with dlopen(3) when the file is read, before the
 * session confines itself, as libssl is for TLS: linked, it cost every
 * session (AUTH or not) about 80 us of CPU at exec, for an empty program
 * on Debian 12, and a plain session would pay it for nothing.
 */
#include <crypt.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fmt.h"
#include "session/credentials.h"
#include "session/log.h"

/* yescrypt of a random password nobody knows: the cost of a check when
 * the file has no hash of its own to borrow */
#define DUMMY_HASH "$y$j9T$MZcE.1wc9GtQvxCDNm5ns0$" \
	"F9MhiG7r5fSR7zVnQxE53ZrrY9nurSWJlhxaLLVrNVB"

#define FAIL_DELAY_MS 500 /* doubled after each failure */

static char *(*crypt_fn)(const char *, const char *, void *, int);

/* crypt_rn(3) from libcrypt.so.1: 0, or -1 (ELIBACC). */
static int
load_crypt(void)
{
	void *lib;

	if (crypt_fn)
		return 0;
	lib = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
	if (lib)
		*(void **)&crypt_fn = dlsym(lib, "crypt_rn");
	if (crypt_fn == NULL) {
		errno = ELIBACC;
		return -1;
	}
	return 0;
}

void
credentials_open(struct credentials *cr, const char *path,
    const char *session_id, const char *peer)
{
	int fd;
	ssize_t n;

	cr->path = path, cr->session_id = session_id, cr->peer = peer;
	cr->error = 0;
	cr->len = 0;
	if (path == NULL)
		return;
	if (load_crypt() < 0) {
		cr->error = errno;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cr->error = errno;
		return;
	}
	while ((n = read(fd, cr->text + cr->len,
	    sizeof(cr->text) - 1 - cr->len)) > 0)
		cr->len += (size_t)n;
	if (n < 0)
		cr->error = errno;
	else if (cr->len == sizeof(cr->text) - 1)
		cr->error = EFBIG;
	cr->text[cr->len] = '\0';
	close(fd);
}

static void
log_auth(const struct credentials *cr, const char *event, const char *user,
    const char *detail)
{
	log_fields(LOG_NOTICE, (struct log_field[]){
	    { "session", cr->session_id }, { "event", event },
	    { "peer", cr->peer }, { "user", user }, { "detail", detail } }, 5);
}

/* The file cannot be used: why, with the file and line (0: none). */
static void
log_file(const struct credentials *cr, unsigned long line, const char *why)
{
	char num[24];

	num[fmt_dec(num, line)] = '\0';
	log_fields(LOG_ERR, (struct log_field[]){
	    { "session", cr->session_id }, { "event", "auth-file" },
	    { "file", cr->path }, { "line", num }, { "reason", why } }, 5);
}

/* A hash crypt(3) can verify: "$id$...", not a password in plain text. */
static bool
is_hash(const char *h, size_t n)
{
	return n >= 4 && h[0] == '$' && memchr(h + 1, '$', n - 1) != NULL;
}

struct found {
	char hash[512];  /* the user's, or "" */
	char first[512]; /* the file's first hash: the cost of a stranger */
};

static void
copy(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* One line: -1 when the file is unusable (logged). */
static int
take_line(const struct credentials *cr, unsigned long no, const char *p,
    size_t n, const char *user, struct found *f)
{
	const char *colon = memchr(p, ':', n);
	size_t ulen, hlen;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0 || p[0] == '#')
		return 0;
	if (colon == NULL || colon == p || colon + 1 == p + n) {
		log_file(cr, no, "expected user:hash");
		return -1;
	}
	ulen = (size_t)(colon - p);
	hlen = (size_t)(p + n - colon - 1);
	if (!is_hash(colon + 1, hlen)) {
		if (ulen == strlen(user) && memcmp(p, user, ulen) == 0)
			log_file(cr, no, "plain-text password refused; "
			    "store a crypt(3) hash");
		return 0;
	}
	if (f->first[0] == '\0')
		copy(f->first, sizeof(f->first), colon + 1, hlen);
	if (f->hash[0] == '\0' && ulen == strlen(user) &&
	    memcmp(p, user, ulen) == 0)
		copy(f->hash, sizeof(f->hash), colon + 1, hlen);
	return 0;
}

/* The user's hash (or none) and the file's first: -1 when unusable. */
static int
find(const struct credentials *cr, const char *user, struct found *f)
{
	const char *p = cr->text, *end = cr->text + cr->len;
	unsigned long no = 0;

	f->hash[0] = f->first[0] = '\0';
	if (cr->error) {
		log_file(cr, 0, strerror(cr->error));
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (take_line(cr, ++no, p, (size_t)(eol - p), user, f) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Equal, in time that depends on the lengths only. */
static bool
same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na > nb ? na : nb;
	unsigned char diff = na != nb;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(i < na ? a[i] : 0) ^
		    (unsigned char)(i < nb ? b[i] : 0);
	return diff == 0;
}

static bool
verify(const char *pass, const char *hash)
{
	static struct crypt_data data; /* 32 KiB: not on the stack */
	const char *out;
	bool ok;

	memset(&data, 0, sizeof(data));
	out = crypt_fn(pass, hash, &data, sizeof(data));
	ok = out != NULL && out[0] != '*' && same(out, hash);
	explicit_bzero(&data, sizeof(data));
	return ok;
}

static void
pause_after(unsigned failures)
{
	unsigned ms = FAIL_DELAY_MS << (failures < 4 ? failures : 4);
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
check(void *ctx, const char *user, const char *pass, unsigned failures)
{
	const struct credentials *cr = ctx;
	static struct found f;
	bool known, ok;

	if (cr->path == NULL) { /* --auth-any: the name is all we keep */
		log_auth(cr, "auth", user, "any (--auth-any)");
		return AUTH_OK;
	}
	if (find(cr, user, &f) < 0)
		return AUTH_UNAVAILABLE;
	known = f.hash[0] != '\0';
	ok = verify(pass, known ? f.hash : f.first[0] ? f.first : DUMMY_HASH);
	ok = ok && known;
	if (ok) {
		log_auth(cr, "auth", user, "ok");
		return AUTH_OK;
	}
	pause_after(failures);
	log_auth(cr, "auth-failed", user, "bad credentials");
	return AUTH_BAD;
}

const struct auth_ops credentials_ops = { check };
