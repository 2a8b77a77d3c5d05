/*
 * replies.c: the catalogue: every reply smtp-session can give, once.
 *
 * Codes follow RFC 5321 section 4.2 and the enhanced codes RFC 3463 and
 * RFC 5248.  The greeting, the HELO/EHLO lines and 354 carry no enhanced
 * code (RFC 2034 section 3).  A text's conversions are all %s, which
 * tests/unit/test_reply.c checks, so reply() cannot be handed the wrong
 * type.  The texts follow Postfix's where Postfix has one, because
 * clients and people already know them.
 */
#include "core/fault.h"
#include "core/reply.h"

#define ERROR_TEXT(x) "Error: " x

const struct reply_def reply_catalogue[R__COUNT] = {
	/* the session */
	[R_GREETING] = { 220, NULL, "%s ESMTP smtp-sink", 0, NULL },
	[R_GREETING_LMTP] = { 220, NULL, "%s LMTP smtp-sink", 0, NULL },
	[R_HELO] = { 250, NULL, "%s", 0, NULL },
	[R_EHLO_FIRST] = { 250, NULL, "%s", 0, NULL },
	[R_EHLO_LINE] = { 250, NULL, "%s", 0, NULL },
	[R_DONE] = { 250, "2.0.0", "Ok", 0, NULL },
	[R_BYE] = { 221, "2.0.0", "Bye", RF_CLOSE, "quit" },
	[R_HELP_FIRST] = { 214, "2.0.0", "smtp-sink receives mail; commands:",
	    0, NULL },
	[R_HELP_LINE] = { 214, "2.0.0", "  %s", 0, NULL },
	[R_HELP_LAST] = { 214, "2.0.0", "See smtp-session(8) and RFC 5321",
	    0, NULL },
	[R_TIMEOUT] = { 421, "4.4.2", "%s " ERROR_TEXT("timeout exceeded"),
	    RF_CLOSE, "timeout" },
	[R_SESSION_TIME] = { 421, "4.4.2",
	    "%s " ERROR_TEXT("session time limit exceeded"), RF_CLOSE,
	    "session time limit" },
	[R_SHUTDOWN] = { 421, "4.3.2", "%s " ERROR_TEXT("service shutting down"),
	    RF_CLOSE, "shutdown" },
	[R_TOO_MANY_ERRORS] = { 421, "4.7.0", "%s " ERROR_TEXT("too many errors"),
	    RF_CLOSE, "too many errors" },
	[R_HTTP] = { 421, "4.7.0",
	    "%s " ERROR_TEXT("this is an SMTP server, not HTTP"), RF_CLOSE,
	    "non-SMTP command" },

	/* lines and verbs */
	[R_LINE_TOO_LONG] = { 500, "5.5.2", ERROR_TEXT("line too long"), 0,
	    NULL },
	[R_BARE_LF_COMMAND] = { 500, "5.5.2",
	    ERROR_TEXT("bare <LF> received; lines end in <CR><LF>"), 0, NULL },
	[R_BAD_SYNTAX] = { 500, "5.5.2", ERROR_TEXT("bad syntax"), 0, NULL },
	[R_UNKNOWN] = { 500, "5.5.1", ERROR_TEXT("command not recognized"), 0,
	    NULL },
	[R_NOT_IMPLEMENTED] = { 502, "5.5.1",
	    ERROR_TEXT("command not implemented"), 0, NULL },
	[R_NO_ARGUMENTS] = { 501, "5.5.4", "Syntax: %s", 0, NULL },
	[R_HELO_SYNTAX] = { 501, "5.5.4", "Syntax: %s hostname", 0, NULL },
	[R_HELO_TOO_LONG] = { 501, "5.5.4", ERROR_TEXT("%s name too long"), 0,
	    NULL },
	[R_NEED_HELO] = { 503, "5.5.1", ERROR_TEXT("send HELO/EHLO first"), 0,
	    NULL },
	[R_NEED_LHLO] = { 503, "5.5.1", ERROR_TEXT("send LHLO first"), 0,
	    NULL },
	[R_NEED_MAIL] = { 503, "5.5.1", ERROR_TEXT("need MAIL command"), 0,
	    NULL },
	[R_NEED_RCPT] = { 503, "5.5.1", ERROR_TEXT("need RCPT command"), 0,
	    NULL },
	[R_NESTED_MAIL] = { 503, "5.5.1", ERROR_TEXT("nested MAIL command"), 0,
	    NULL },
	[R_AFTER_BDAT] = { 503, "5.5.1",
	    ERROR_TEXT("a message in BDAT chunks is open; BDAT LAST or RSET "
		       "ends it"), 0, NULL },

	/* MAIL and RCPT */
	[R_MAIL_OK] = { 250, "2.1.0", "Ok", 0, NULL },
	[R_MAIL_SYNTAX] = { 501, "5.5.4", "Syntax: MAIL FROM:<address>", 0,
	    NULL },
	[R_SENDER_TOO_LONG] = { 501, "5.1.7",
	    ERROR_TEXT("sender address too long"), 0, NULL },
	[R_SENDER_SYNTAX] = { 501, "5.1.7",
	    ERROR_TEXT("bad sender address syntax"), 0, NULL },
	[R_MAIL_PARAM_UNKNOWN] = { 555, "5.5.4",
	    ERROR_TEXT("unsupported MAIL parameter"), 0, NULL },
	[R_MAIL_PARAM_SYNTAX] = { 501, "5.5.4",
	    ERROR_TEXT("bad MAIL parameter syntax"), 0, NULL },
	[R_SIZE_CONFLICT] = { 501, "5.5.4",
	    ERROR_TEXT("conflicting SIZE parameters"), 0, NULL },
	[R_BODY_CONFLICT] = { 501, "5.5.4",
	    ERROR_TEXT("conflicting BODY parameters"), 0, NULL },
	[R_SENDER_NEEDS_UTF8] = { 553, "5.6.7",
	    ERROR_TEXT("non-ASCII sender needs SMTPUTF8"), 0, NULL },
	[R_RCPT_OK] = { 250, "2.1.5", "Ok", 0, NULL },
	[R_RCPT_SYNTAX] = { 501, "5.5.4", "Syntax: RCPT TO:<address>", 0,
	    NULL },
	[R_RCPT_TOO_LONG] = { 501, "5.1.3",
	    ERROR_TEXT("recipient address too long"), 0, NULL },
	[R_RCPT_ADDR_SYNTAX] = { 501, "5.1.3",
	    ERROR_TEXT("bad recipient address syntax"), 0, NULL },
	[R_RCPT_PARAM_UNKNOWN] = { 555, "5.5.4",
	    ERROR_TEXT("unsupported RCPT parameter"), 0, NULL },
	[R_RCPT_NEEDS_UTF8] = { 553, "5.6.7",
	    ERROR_TEXT("non-ASCII recipient needs SMTPUTF8"), 0, NULL },
	[R_TOO_MANY_RCPT] = { 452, "4.5.3", ERROR_TEXT("too many recipients"),
	    RF_OVERSHOOT, NULL },
	[R_SIZE_EXCEEDED] = { 552, "5.3.4",
	    ERROR_TEXT("message size exceeds fixed limit"), 0, NULL },

	/* VRFY, EXPN */
	[R_VRFY_SYNTAX] = { 501, "5.5.4", "Syntax: VRFY address", 0, NULL },
	[R_CANNOT_VRFY] = { 252, "2.5.0",
	    "Cannot VRFY user, but will accept message and attempt delivery",
	    0, NULL },
	[R_EXPN_DISABLED] = { 502, "5.5.1", ERROR_TEXT("EXPN is not enabled"),
	    0, NULL },

	/* the address book (--recipients, --aliases): RCPT, VRFY, EXPN.
	 * A 550 or 553 counts toward --max-errors like any refusal, so a
	 * client cannot walk the table in one session. */
	[R_NO_SUCH_USER] = { 550, "5.1.1",
	    "<%s>: Recipient address rejected: User unknown", 0, NULL },
	[R_LOOKUP_FAILED] = { 451, "4.3.0", "<%s>: Temporary lookup failure",
	    RF_NOT_COUNTED, NULL },
	[R_NAME_SYNTAX] = { 501, "5.1.3", ERROR_TEXT("bad address syntax"), 0,
	    NULL },
	[R_EXPN_SYNTAX] = { 501, "5.5.4", "Syntax: EXPN name", 0, NULL },
	[R_ADDRESS] = { 250, "2.1.5", "<%s>", 0, NULL },
	[R_AMBIGUOUS] = { 553, "5.1.4", "Ambiguous; possibilities are", 0,
	    NULL },
	[R_AMBIGUOUS_LINE] = { 553, "5.1.4", "<%s>", 0, NULL },
	[R_NO_SUCH_LIST] = { 550, "5.1.1", "<%s>: Mailing list unknown", 0,
	    NULL },
	[R_LIST_CUT] = { 250, "2.1.5", "(the rest of the list cannot be read)",
	    0, NULL },

	/* the message */
	[R_START_DATA] = { 354, NULL, "End data with <CR><LF>.<CR><LF>", 0,
	    NULL },
	[R_QUEUED] = { 250, "2.0.0", "Ok: queued as %s", 0, NULL },
	[R_BARE_LF_MESSAGE] = { 550, "5.6.11",
	    ERROR_TEXT("bare <CR> or <LF> in message; lines must end in "
		       "<CR><LF>"), 0, NULL },
	[R_MAIL_LOOP] = { 554, "5.4.6", ERROR_TEXT("too many hops (mail loop)"),
	    0, NULL },
	[R_NO_STORAGE] = { 452, "4.3.1", "Insufficient system storage",
	    RF_NOT_COUNTED, NULL },
	[R_LOCAL_ERROR] = { 451, "4.3.0",
	    ERROR_TEXT("local error in processing"), RF_NOT_COUNTED, NULL },
	[R_DELIVERY_FAILED] = { 554, "5.3.0", ERROR_TEXT("delivery failed"),
	    RF_NOT_COUNTED, NULL },
	[R_DELIVERY_DEFERRED] = { 451, "4.3.0",
	    ERROR_TEXT("delivery failed temporarily"), RF_NOT_COUNTED, NULL },

	/* BDAT (RFC 3030) and LMTP (RFC 2033) */
	[R_BDAT_SYNTAX] = { 501, "5.5.4", "Syntax: BDAT count [LAST]", 0, NULL },
	[R_CHUNK_OK] = { 250, "2.0.0", "Ok: %s octets received", 0, NULL },
	[R_BINARYMIME_DATA] = { 503, "5.5.1",
	    ERROR_TEXT("BODY=BINARYMIME needs BDAT, not DATA"), 0, NULL },
	[R_LMTP_QUEUED] = { 250, "2.0.0", "<%s> Ok: queued as %s", 0, NULL },
	/* faults on purpose */
	[R_NO_SERVICE] = { 503, "5.5.1",
	    ERROR_TEXT("no SMTP service here; send QUIT"), 0, NULL },

	/* AUTH (RFC 4954 4, 6) and STARTTLS (RFC 3207 4) */
	[R_AUTH_CHALLENGE] = { 334, NULL, "%s", 0, NULL },
	[R_AUTH_OK] = { 235, "2.7.0", "Authentication successful", 0, NULL },
	[R_AUTH_CANCELLED] = { 501, "5.7.0", "Authentication aborted", 0,
	    NULL },
	[R_AUTH_BAD_B64] = { 501, "5.5.2",
	    ERROR_TEXT("invalid base64 data"), 0, NULL },
	/* the failures are counted by auth.c, which ends the session after
	 * AUTH_MAX_FAILURES: not again toward --max-errors */
	[R_AUTH_FAILED] = { 535, "5.7.8",
	    "Authentication credentials invalid", RF_NOT_COUNTED, NULL },
	[R_AUTH_TEMPFAIL] = { 454, "4.7.0",
	    "Temporary authentication failure", RF_NOT_COUNTED, NULL },
	[R_AUTH_ALREADY] = { 503, "5.5.1", ERROR_TEXT("already authenticated"),
	    0, NULL },
	[R_IN_TRANSACTION] = { 503, "5.5.1",
	    ERROR_TEXT("MAIL transaction in progress"), 0, NULL },
	[R_NEED_EHLO] = { 503, "5.5.1", ERROR_TEXT("send EHLO first"), 0,
	    NULL },
	[R_AUTH_MECHANISM] = { 504, "5.5.4",
	    "Unrecognized authentication type", 0, NULL },
	[R_AUTH_NEEDS_TLS] = { 538, "5.7.11",
	    "Encryption required for requested authentication mechanism", 0,
	    NULL },
	[R_AUTH_SYNTAX] = { 501, "5.5.4",
	    "Syntax: AUTH mechanism [initial-response]", 0, NULL },
	[R_AUTH_TOO_MANY] = { 421, "4.7.0",
	    "%s " ERROR_TEXT("too many failed authentications"), RF_CLOSE,
	    "too many failed authentications" },
	[R_AUTH_REQUIRED] = { 530, "5.7.0", "Authentication required", 0,
	    NULL },
	[R_TLS_READY] = { 220, "2.0.0", "Ready to start TLS", 0, NULL },
	[R_TLS_UNAVAILABLE] = { 454, "4.7.0",
	    "TLS not available due to temporary reason", RF_NOT_COUNTED,
	    NULL },
	[R_TLS_ACTIVE] = { 554, "5.5.1", ERROR_TEXT("TLS already active"), 0,
	    NULL },
};

/*
 * What a fault on purpose says: the text of RFC 5321 4.2.2 (or of the
 * RFC that defines the code) and the enhanced code of RFC 3463 that fits
 * it; where the code means something else at one point, an entry for
 * that point comes first.  The greeting has no enhanced code (RFC 2034
 * 3) and starts with the host name (RFC 5321 4.3.1).  Not the client's
 * error, so none counts toward --max-errors (fault.c says so); 421
 * closes the session.
 */
#define FAULT(point, code, enh, text) { point, code, enh, text }

const struct fault_reply_def fault_catalogue[] = {
	FAULT(FP_CONNECT, 421, "", "%s Service not available, closing "
	    "transmission channel"),
	FAULT(FP_CONNECT, 521, "", "%s does not accept mail"),
	FAULT(FP_CONNECT, 554, "", "%s No SMTP service here"),
	FAULT(0, 421, "4.3.2", "%s Service not available, closing "
	    "transmission channel"),
	FAULT(0, 450, "4.2.0", "Requested mail action not taken: mailbox "
	    "unavailable"),
	FAULT(0, 451, "4.3.0", "Requested action aborted: local error in "
	    "processing"),
	FAULT(0, 452, "4.3.1", "Requested action not taken: insufficient "
	    "system storage"),
	FAULT(FP_STARTTLS, 454, "4.7.0", "TLS not available due to temporary "
	    "reason"),
	FAULT(0, 454, "4.7.0", "Temporary authentication failure"),
	FAULT(0, 455, "4.5.4", "Server unable to accommodate parameters"),
	FAULT(0, 500, "5.5.2", "Syntax error, command unrecognized"),
	FAULT(0, 501, "5.5.4", "Syntax error in parameters or arguments"),
	FAULT(0, 502, "5.5.1", "Command not implemented"),
	FAULT(0, 503, "5.5.1", "Bad sequence of commands"),
	FAULT(0, 504, "5.5.4", "Command parameter not implemented"),
	FAULT(0, 521, "5.3.2", "%s does not accept mail"),
	FAULT(0, 530, "5.7.0", "Authentication required"),
	FAULT(0, 534, "5.7.9", "Authentication mechanism is too weak"),
	FAULT(0, 535, "5.7.8", "Authentication credentials invalid"),
	FAULT(FP_MAIL, 550, "5.7.1", "Requested action not taken: sender "
	    "rejected"),
	FAULT(FP_RCPT, 550, "5.1.1", "Requested action not taken: mailbox "
	    "unavailable"),
	FAULT(0, 550, "5.7.1", "Requested action not taken: rejected"),
	FAULT(0, 551, "5.1.6", "User not local"),
	FAULT(FP_RCPT, 552, "5.2.2", "Requested mail action aborted: "
	    "exceeded storage allocation"),
	FAULT(0, 552, "5.3.4", "Requested mail action aborted: exceeded "
	    "storage allocation"),
	FAULT(FP_MAIL, 553, "5.1.7", "Requested action not taken: mailbox "
	    "name not allowed"),
	FAULT(0, 553, "5.1.3", "Requested action not taken: mailbox name not "
	    "allowed"),
	FAULT(0, 554, "5.3.0", "Transaction failed"),
	FAULT(0, 555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized "
	    "or not implemented"),
	/* any other code: its class's */
	FAULT(0, 400, "4.0.0", "Requested action not taken: temporary "
	    "failure"),
	FAULT(0, 500, "5.0.0", "Requested action not taken: permanent "
	    "failure"),
};
const size_t fault_catalogue_size =
    sizeof(fault_catalogue) / sizeof(fault_catalogue[0]);
