/*
 * floor: the spawn floor of `make bench`.
 *
 * A minimal per-connection SMTP responder, started by the same superserver
 * as smtp-session, so that the difference between the two is our own
 * start-up and session work.  It answers just enough SMTP for smtp-source
 * and pipeclient: a greeting, 250 to everything, a PIPELINING EHLO, 354 to
 * DATA, 221 to QUIT.  DATA ends at <CRLF>.<CRLF>, found with 64 KiB reads
 * and memchr.  Replies are batched and flushed only before a read.
 *
 * The connection is fd 3 when LISTEN_FDS is set (systemd-socket-activate
 * without --inetd), else stdin/stdout (inetd, xinetd, tcpserver).
 *
 * floor -c: no SMTP at all, read and discard until EOF (the plain loopback
 * copy, the limit of the bulk row).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char out[8192];
static size_t outlen;
static int ofd = 1;

static void
flush(void)
{
	size_t off = 0;

	while (off < outlen) {
		ssize_t n = write(ofd, out + off, outlen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		off += (size_t)n;
	}
	outlen = 0;
}

static void
reply(const char *s)
{
	size_t n = strlen(s);

	if (outlen + n > sizeof(out))
		flush();
	memcpy(out + outlen, s, n);
	outlen += n;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	int ifd = 0, data = 0;
	size_t have = 0;	/* bytes of an unfinished command line kept */
	size_t lnlen = 0;	/* DATA: bytes of the current line in earlier reads */
	char first = 0, prev = 0;

	if (getenv("LISTEN_FDS") != NULL)
		ifd = ofd = 3;
	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		for (;;) {
			ssize_t n = read(ifd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return 0;
		}
	}
	reply("220 floor ESMTP\r\n");
	for (;;) {
		ssize_t n;
		char *p, *end;

		if (outlen)
			flush();
		n = read(ifd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p = buf;
		end = buf + have + n;
		have = 0;
		while (p < end) {
			char *q = memchr(p, '\n', (size_t)(end - p));

			if (data) {
				size_t len;
				char f, pr;

				if (q == NULL) {
					if (lnlen == 0)
						first = *p;
					lnlen += (size_t)(end - p);
					prev = end[-1];
					break;
				}
				len = lnlen + (size_t)(q - p);
				f = lnlen ? first : (q > p ? *p : 0);
				pr = q > p ? q[-1] : prev;
				lnlen = 0;
				p = q + 1;
				if (len == 2 && f == '.' && pr == '\r') {
					data = 0;
					reply("250 2.0.0 Ok: discarded\r\n");
				}
				continue;
			}
			if (q == NULL) {
				have = (size_t)(end - p);
				if (have == sizeof(buf))
					return 1;	/* line too long */
				memmove(buf, p, have);
				break;
			}
			if (q - p >= 4 && strncasecmp(p, "DATA", 4) == 0) {
				reply("354 End data with <CR><LF>.<CR><LF>\r\n");
				data = 1;
				lnlen = 0;
				prev = '\n';
			} else if (q - p >= 4 && strncasecmp(p, "EHLO", 4) == 0) {
				reply("250-floor\r\n250 PIPELINING\r\n");
			} else if (q - p >= 4 && strncasecmp(p, "QUIT", 4) == 0) {
				reply("221 2.0.0 Bye\r\n");
				flush();
				return 0;
			} else {
				reply("250 2.0.0 Ok\r\n");
			}
			p = q + 1;
		}
	}
}
