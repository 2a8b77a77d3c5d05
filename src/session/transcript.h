/*
 * transcript.h: --transcript DIR: a record of every byte of one session,
 * written as it goes, for a person reading why a client failed.
 *
 * The file is DIR/<session id>, created with O_EXCL and mode 0600 before
 * the session confines itself.  Each line is one record:
 *
 *	2025-01-05T12:34:56.123456Z C: EHLO client.test\r\n
 *	2025-01-05T12:34:56.123789Z S: 250-sink.test\r\n
 *
 * C is the client, S the server; "C+" and "S+" continue a line that a
 * read or a write cut.  The bytes are shown exactly and reversibly:
 * \r \n \t \0 and \\ for CR, LF, TAB, NUL and the backslash, \xHH for
 * any other control byte, for bytes that are not UTF-8, and for each
 * byte of a Unicode control (C1, U+2028, the bidirectional overrides);
 * everything else as it is.  A message shows its first
 * TRANSCRIPT_MESSAGE_MAX bytes, a command line outside a message its
 * first TRANSCRIPT_LINE_MAX, then a count of what was left out; the
 * credentials of AUTH never appear, only their length.  Lines that
 * start with "#" after the time are notes.
 */
#ifndef TRANSCRIPT_H
#define TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TRANSCRIPT_MESSAGE_MAX 65536
#define TRANSCRIPT_LINE_MAX 16384

/* What the client's next bytes are, as the session waits for them. */
enum tap_mode {
	TAP_COMMANDS, /* command lines; an AUTH line's credentials masked */
	TAP_MESSAGE,  /* the message after 354 */
	TAP_SECRET,   /* lines of an AUTH exchange: masked whole */
};

/* One direction's line: where it stands, and what of it is hidden. */
struct tap_line {
	bool mid;       /* a line began and did not end */
	bool decided;   /* whether it is an AUTH line is known */
	bool hiding;    /* its bytes are counted, not shown */
	bool masked;    /* hidden as a secret, not for its length */
	bool cr;        /* hiding, and the last byte was a CR: shown if the
			   line ends right after it */
	size_t len;     /* bytes of the line so far */
	uint64_t hidden;
	size_t pre_len; /* the start of a line, held until decided */
	char pre[32];
};

struct transcript {
	int fd;              /* -1: off (or failed) */
	enum tap_mode mode;
	unsigned message_no; /* session_messages() of the current message */
	uint64_t shown;      /* bytes of this message shown */
	uint64_t left_out;   /* and not shown */
	bool cut;            /* the message passed the limit: noted */
	/* a read in a message, held until the session has used it: where
	 * the message ends in it, commands may follow */
	const char *chunk;
	size_t chunk_len, chunk_used;
	bool holding;
	struct timespec read_time;
	struct tap_line line[2]; /* client, server */
	/* the record being written: its direction, time, and whether its
	 * first line is out */
	int dir;
	bool open;
	const struct timespec *ts;
	size_t len;
	char buf[16384];
};

/* Creates DIR/<id> (O_EXCL, 0600) and writes its first line: 0, or -1
 * with errno; t is off then. */
int transcript_open(struct transcript *, const char *dir, const char *id,
    const char *peer);

/* Before each read: what the session waits for, and which message. */
void transcript_mode(struct transcript *, enum tap_mode, unsigned message);

/* Every byte read from, and about to be written to, the client. */
void transcript_client(struct transcript *, const char *p, size_t n);
void transcript_server(struct transcript *, const char *p, size_t n);

/* After session_feed() used n bytes of the last read; in_message says
 * whether the session is still in the message. */
void transcript_fed(struct transcript *, size_t used, bool in_message);

/* A note of the server's own ("waiting 1.5 s (--delay)"). */
void transcript_note(struct transcript *, const char *text);

/* The end: what was left out is counted, and the file closed. */
void transcript_close(struct transcript *);

#endif
