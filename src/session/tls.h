/*
 * tls.h: TLS for the client's connection (STARTTLS, --tls-on-connect),
 * through libssl.so.3 loaded with dlopen(3) only when a TLS option is
 * given: a session without one maps neither libssl nor libcrypto, and
 * pays nothing for them at exec (an empty program linked with -lssl
 * -lcrypto starts about 2.5 times dearer on Debian 12).
 *
 * One connection per process: the state is this file's own.  The calls
 * never block: each returns TLS_WANT_READ or TLS_WANT_WRITE, and the
 * caller (conn.c) waits with its own deadlines and signal mask.
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <stddef.h>

#define TLS_WANT_READ (-2)
#define TLS_WANT_WRITE (-3)

/* Loads libssl and the certificate chain and key, before the session
 * confines itself: 0, or -1 with a sentence in why (OpenSSL's reason,
 * the file's name). */
int tls_load(const char *cert, const char *key, char *why, size_t n);

/* Starts the server's side of a handshake on the descriptors in and out
 * (made non-blocking): 0 on success. */
int tls_begin(int in, int out, char *why, size_t n);

/* Goes on with the handshake: 1 done, TLS_WANT_*, or -1 with why. */
int tls_handshake(char *why, size_t n);

/* "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384", for Received and the
 * log, once the handshake is done. */
void tls_describe(char *dst, size_t n);

bool tls_active(void);

/* Plaintext read: octets, 0 at the end (close_notify or EOF), TLS_WANT_*,
 * or -1 (errno EIO). */
long tls_read(void *buf, size_t n);

/* Plaintext written: octets taken, TLS_WANT_*, or -1 (errno EPIPE). */
long tls_write(const void *buf, size_t n);

/* Octets decrypted and waiting: poll(2) does not see them. */
bool tls_buffered(void);

/* A polite close_notify, if the connection is still up. */
void tls_end(void);

/* OpenSSL's reason when a read or write failed after the handshake (a
 * bad record, an alert), for the log; NULL when none did. */
const char *tls_failure(void);

#endif
