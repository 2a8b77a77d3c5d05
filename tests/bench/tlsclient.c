/*
 * tlsclient: the client of `make bench` row 11.
 *
 * tlsclient [-s] N J HOST PORT: N connections, J at a time (J processes
 * of N/J connections each), each an implicit-TLS handshake (-s: STARTTLS
 * after EHLO instead), the greeting, EHLO and QUIT, read to the end.
 * Prints "rate=R" in connections per second of wall time.  No certificate
 * check: the server's cost is what is measured.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Reads one SMTP reply (its last line) in clear: 0, or -1. */
static int
clear_reply(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		/* the last line has a space after the code */
		char *l = buf;
		for (char *nl; (nl = strstr(l, "\r\n")) != NULL; l = nl + 2)
			if (nl - l >= 4 && l[3] == ' ')
				return 0;
	}
}

static int
one(SSL_CTX *ctx, const struct sockaddr_in *sa, int starttls)
{
	char buf[4096];
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok = -1;
	SSL *ssl;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		close(fd);
		return -1;
	}
	if (starttls) {
		if (clear_reply(fd, buf, sizeof(buf)) < 0 ||
		    write(fd, "EHLO bench.test\r\n", 17) != 17 ||
		    clear_reply(fd, buf, sizeof(buf)) < 0 ||
		    write(fd, "STARTTLS\r\n", 10) != 10 ||
		    clear_reply(fd, buf, sizeof(buf)) < 0) {
			close(fd);
			return -1;
		}
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) == 1 &&
	    SSL_write(ssl, "EHLO bench.test\r\nQUIT\r\n", 23) == 23) {
		while (SSL_read(ssl, buf, sizeof(buf)) > 0)
			;
		ok = 0;
	}
	SSL_free(ssl);
	close(fd);
	return ok;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { 0 };
	struct timespec a, b;
	int i = 1, starttls = 0, n, j, failed = 0;

	if (argc > 1 && strcmp(argv[1], "-s") == 0)
		starttls = 1, i++;
	if (argc - i != 4)
		return 64;
	n = atoi(argv[i]);
	j = atoi(argv[i + 1]);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[i + 3]));
	inet_pton(AF_INET, argv[i + 2], &sa.sin_addr);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int k = 0; k < j; k++) {
		if (fork() == 0) {
			SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
			int bad = 0;
			SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
			for (int c = k; c < n; c += j)
				bad += one(ctx, &sa, starttls) < 0;
			_exit(bad ? 1 : 0);
		}
	}
	for (int k = 0; k < j; k++) {
		int st;
		wait(&st);
		failed += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("rate=%.1f msgs=%d\n", n / ((b.tv_sec - a.tv_sec) +
	    (b.tv_nsec - a.tv_nsec) / 1e9), n);
	return failed ? 1 : 0;
}
