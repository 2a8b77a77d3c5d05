/*
 * tls.c: the TLS layer of the connection (see tls.h), over libssl.so.3
 * found at run time.
 *
 * Why dlopen and not the UCSPI-TLS split of s6-networking: one process,
 * no descriptor passing, and a plain session untouched; the private key
 * is read before confinement (confine.c) and the parser runs with no
 * file system left to leak it to.  The functions are declared here, not
 * taken from <openssl/ssl.h>, so building needs no libssl-dev; each
 * prototype and constant is OpenSSL 3's ABI, which is stable within a
 * major version (libssl.so.3).
 *
 * Policy: TLS 1.2 and 1.3 only; no session tickets and no session cache
 * (a sink has no use for resumption, and a ticket key is one more
 * secret); no renegotiation; no compression.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "session/tls.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct ssl_cipher_st SSL_CIPHER;

/* OpenSSL 3's constants (ssl.h, prov_ssl.h, x509.h) */
#define SSL_FILETYPE_PEM 1
#define TLS1_2_VERSION 0x0303
#define SSL_CTRL_SET_SESS_CACHE_MODE 44
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define SSL_SESS_CACHE_OFF 0
#define SSL_OP_IGNORE_UNEXPECTED_EOF ((uint64_t)1 << 7)
#define SSL_OP_NO_TICKET ((uint64_t)1 << 14)
#define SSL_OP_NO_COMPRESSION ((uint64_t)1 << 17)
#define SSL_OP_CIPHER_SERVER_PREFERENCE ((uint64_t)1 << 22)
#define SSL_OP_NO_RENEGOTIATION ((uint64_t)1 << 30)
#define SSL_ERROR_WANT_READ 2
#define SSL_ERROR_WANT_WRITE 3
#define SSL_ERROR_ZERO_RETURN 6

/* The functions, by name: a table, so one loop resolves them all. */
static struct {
	const SSL_METHOD *(*server_method)(void);
	SSL_CTX *(*ctx_new)(const SSL_METHOD *);
	long (*ctx_ctrl)(SSL_CTX *, int, long, void *);
	uint64_t (*ctx_set_options)(SSL_CTX *, uint64_t);
	int (*ctx_set_num_tickets)(SSL_CTX *, size_t);
	int (*ctx_use_chain)(SSL_CTX *, const char *);
	int (*ctx_use_key)(SSL_CTX *, const char *, int);
	int (*ctx_check_key)(const SSL_CTX *);
	SSL *(*ssl_new)(SSL_CTX *);
	int (*set_rfd)(SSL *, int);
	int (*set_wfd)(SSL *, int);
	int (*accept)(SSL *);
	int (*read)(SSL *, void *, int);
	int (*write)(SSL *, const void *, int);
	int (*get_error)(const SSL *, int);
	int (*pending)(const SSL *);
	int (*shutdown)(SSL *);
	const char *(*get_version)(const SSL *);
	const SSL_CIPHER *(*current_cipher)(const SSL *);
	const char *(*cipher_name)(const SSL_CIPHER *);
	unsigned long (*err_get)(void);
	void (*err_string)(unsigned long, char *, size_t);
	void (*err_clear)(void);
} fn;

/* Arrays, not pointers: no relocation at start for a session that never
 * loads libssl. */
static const char names[][40] = {
	"TLS_server_method", "SSL_CTX_new", "SSL_CTX_ctrl",
	"SSL_CTX_set_options", "SSL_CTX_set_num_tickets",
	"SSL_CTX_use_certificate_chain_file", "SSL_CTX_use_PrivateKey_file",
	"SSL_CTX_check_private_key", "SSL_new", "SSL_set_rfd", "SSL_set_wfd",
	"SSL_accept", "SSL_read", "SSL_write", "SSL_get_error", "SSL_pending",
	"SSL_shutdown", "SSL_get_version", "SSL_get_current_cipher",
	"SSL_CIPHER_get_name", "ERR_get_error", "ERR_error_string_n",
	"ERR_clear_error",
};

static SSL_CTX *ctx;
static SSL *ssl;
static bool up; /* the handshake is done and the peer has not closed */
static char failure[320]; /* why the connection failed after the handshake */

/* OpenSSL's reason for the last failure, after what we were doing. */
static void
reason(char *why, size_t n, const char *doing, const char *file)
{
	unsigned long e = fn.err_get ? fn.err_get() : 0;
	char text[256] = "no reason given";

	if (e)
		fn.err_string(e, text, sizeof(text));
	snprintf(why, n, "%s%s%s: %s", doing, file ? " " : "",
	    file ? file : "", text);
	if (fn.err_clear)
		fn.err_clear();
}

/* A read or write after the handshake failed: OpenSSL's reason, if it
 * gave one (a client that closes without close_notify gives none, and
 * is only a lost connection). */
static void
note_failure(const char *doing)
{
	unsigned long e = fn.err_get();
	char text[256];

	if (e) {
		fn.err_string(e, text, sizeof(text));
		snprintf(failure, sizeof(failure), "%s: %s", doing, text);
	}
	fn.err_clear();
}

static int
resolve(char *why, size_t n)
{
	void *lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
	void **slot = (void **)&fn;

	_Static_assert(sizeof(fn) == sizeof(names) / sizeof(*names) *
	    sizeof(void *), "one name per function");
	if (lib == NULL) {
		snprintf(why, n, "cannot load libssl.so.3: %s", dlerror());
		return -1;
	}
	/* libcrypto's ERR_* are found through libssl's dependencies */
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if ((slot[i] = dlsym(lib, names[i])) == NULL) {
			snprintf(why, n, "libssl.so.3 has no %s", names[i]);
			memset(&fn, 0, sizeof(fn));
			return -1;
		}
	}
	return 0;
}

int
tls_load(const char *cert, const char *key, char *why, size_t n)
{
	if (fn.ctx_new == NULL && resolve(why, n) < 0)
		return -1;
	ctx = fn.ctx_new(fn.server_method());
	if (ctx == NULL) {
		reason(why, n, "cannot make a TLS context", NULL);
		return -1;
	}
	fn.ctx_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
	fn.ctx_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_OFF, NULL);
	/* A client that closes without close_notify is a lost connection,
	 * as in clear: SMTP frames its own data (a message cut short is
	 * never taken), so a truncation cannot pass for a whole message. */
	fn.ctx_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	fn.ctx_set_num_tickets(ctx, 0); /* TLS 1.3 sends none either */
	if (fn.ctx_use_chain(ctx, cert) != 1) {
		reason(why, n, "cannot use certificate", cert);
		return -1;
	}
	if (fn.ctx_use_key(ctx, key, SSL_FILETYPE_PEM) != 1) {
		reason(why, n, "cannot use key", key);
		return -1;
	}
	if (fn.ctx_check_key(ctx) != 1) {
		reason(why, n, "key does not match certificate", key);
		return -1;
	}
	return 0;
}

static void
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
tls_begin(int in, int out, char *why, size_t n)
{
	if (ctx == NULL || (ssl = fn.ssl_new(ctx)) == NULL) {
		reason(why, n, "cannot start TLS", NULL);
		return -1;
	}
	nonblocking(in);
	nonblocking(out);
	fn.set_rfd(ssl, in);
	fn.set_wfd(ssl, out);
	return 0;
}

/* What an SSL_* call's result r means for the caller. */
static int
outcome(int r)
{
	switch (fn.get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return -1;
	}
}

int
tls_handshake(char *why, size_t n)
{
	int r = fn.accept(ssl);

	if (r == 1) {
		up = true;
		return 1;
	}
	r = outcome(r);
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		return r;
	reason(why, n, "TLS handshake failed", NULL);
	return -1;
}

void
tls_describe(char *dst, size_t n)
{
	const SSL_CIPHER *c = fn.current_cipher(ssl);

	snprintf(dst, n, "%s with cipher %s", fn.get_version(ssl),
	    c ? fn.cipher_name(c) : "none");
}

bool
tls_active(void)
{
	return ssl != NULL && up;
}

long
tls_read(void *buf, size_t n)
{
	int r = fn.read(ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);

	if (r > 0)
		return r;
	r = outcome(r);
	if (r == -1)
		note_failure("TLS read failed");
	if (r == 0 || r == -1) {
		up = false;
		fn.err_clear();
		if (r < 0)
			errno = EIO;
	}
	return r;
}

long
tls_write(const void *buf, size_t n)
{
	int r = fn.write(ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);

	if (r > 0)
		return r;
	r = outcome(r);
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		return r;
	note_failure("TLS write failed");
	up = false;
	errno = EPIPE;
	return -1;
}

bool
tls_buffered(void)
{
	return ssl != NULL && fn.pending(ssl) > 0;
}

void
tls_end(void)
{
	if (ssl != NULL && up)
		(void)fn.shutdown(ssl); /* one try: the client may be gone */
	up = false;
}

const char *
tls_failure(void)
{
	return failure[0] ? failure : NULL;
}
