/*
 * tlsfloor: the TLS spawn floor of `make bench` (row 11).
 *
 * tlsfloor CERT KEY: a minimal per-connection responder that does what
 * any TLS server must (load the key, handshake) and no more SMTP than a
 * client needs: implicit TLS, a greeting, 250 to EHLO and anything else,
 * 221 to QUIT.  Started by the same superserver as smtp-session
 * --tls-on-connect, with the same certificate, so the difference between
 * the two is our own start-up and session work.  Linked with -lssl, as
 * the simplest TLS server would be.  fd 3 under LISTEN_FDS, else stdin
 * and stdout.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
main(int argc, char **argv)
{
	static char buf[16384];
	int in = 0, out = 1, n;
	size_t have = 0;
	SSL_CTX *ctx;
	SSL *ssl;

	if (argc < 3)
		return 64;
	if (getenv("LISTEN_FDS") != NULL)
		in = out = 3;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1)
		return 78;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_num_tickets(ctx, 0);
	ssl = SSL_new(ctx);
	SSL_set_rfd(ssl, in);
	SSL_set_wfd(ssl, out);
	if (SSL_accept(ssl) != 1)
		return 0;
	SSL_write(ssl, "220 tlsfloor ESMTP\r\n", 20);
	while ((n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - have))) > 0) {
		char *p = buf, *end = buf + have + (size_t)n, *q;
		char reply[512];
		size_t r = 0;

		while ((q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			const char *s = strncasecmp(p, "EHLO", 4) == 0 ?
			    "250-tlsfloor\r\n250 PIPELINING\r\n" :
			    strncasecmp(p, "QUIT", 4) == 0 ? "221 2.0.0 Bye\r\n" :
			    "250 2.0.0 Ok\r\n";
			size_t len = strlen(s);
			if (r + len < sizeof(reply)) {
				memcpy(reply + r, s, len);
				r += len;
			}
			if (strncasecmp(p, "QUIT", 4) == 0) {
				SSL_write(ssl, reply, (int)r);
				SSL_shutdown(ssl);
				return 0;
			}
			p = q + 1;
		}
		have = (size_t)(end - p);
		memmove(buf, p, have);
		if (r)
			SSL_write(ssl, reply, (int)r);
	}
	return 0;
}
