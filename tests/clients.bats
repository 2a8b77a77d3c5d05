#!/usr/bin/env bats
# Real SMTP clients (swaks, curl, Python's smtplib) against smtp-session
# under the real systemd-socket-activate, in both its --inetd and its
# LISTEN_FDS modes.  Each stored message must be the client's message byte
# for byte, apart from the header block in front and CRLF turned into LF.

load test_helper

teardown() { stop_clean; }

# The one file in Maildir $1's new/ (fails unless there is exactly one).
only_message() {
	local files
	files=$(find "$1/new" -type f)
	[ "$(printf '%s\n' "$files" | grep -c .)" -eq 1 ] || {
		echo "expected one message in $1/new, found: $files" >&2
		return 1
	}
	printf '%s\n' "$files"
}

# A message with a dot-stuffed line, a line of dots, 8-bit text and
# trailing blanks; LF line ends, no LF after the last line.
message_lf() {
	printf 'From: a@x.test\nTo: b@y.test\nSubject: clients\n\nline one\n.leading dot\n..two dots\n.\n8bit: \303\244\303\266\303\274\ntrailing blanks   \nlast line'
}

@test "swaks (--inetd): the stored body is the message, byte for byte" {
	start_server --inetd --maildir "$TEST_DIR/md" --hostname sink.test
	message_lf >"$TEST_DIR/msg"
	run swaks --server "127.0.0.1:$PORT" --helo client.test \
		--from a@x.test --to b@y.test --data @"$TEST_DIR/msg"
	assert_success
	assert_output --partial "<-  250 2.0.0 Ok: queued as"
	assert_output --partial "<-  221 2.0.0 Bye"
	f=$(only_message "$TEST_DIR/md")
	# swaks ends the data with CRLF . CRLF after the last line
	{ message_lf; printf '\n'; } >"$TEST_DIR/expected"
	maildir_body "$f" >"$TEST_DIR/body"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	run sed -n 1,5p "$f"
	assert_line --index 0 "Return-Path: <a@x.test>"
	assert_line --index 1 "X-Original-To: b@y.test"
	assert_line --index 2 "Received: from client.test ([127.0.0.1])"
	assert_line --index 3 --regexp $'^\tby sink\\.test \\(smtp-sink\\) with ESMTP id [0-9A-F]+Q1$'
	assert_line --index 4 --regexp $'^\tfor <b@y\\.test>; [A-Z][a-z]{2}, '
	[[ "$f" == *",S=$(stat -c %s "$f")" ]]
}

@test "swaks --pipeline (LISTEN_FDS): two recipients, one batch" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	message_lf >"$TEST_DIR/msg"
	run swaks --server "127.0.0.1:$PORT" --helo client.test --pipeline \
		--from a@x.test --to b@y.test,c@z.test --data @"$TEST_DIR/msg"
	assert_success
	# swaks refuses --pipeline unless PIPELINING is advertised
	assert_output --partial "<-  250-PIPELINING"
	assert_output --partial "<-  250 2.0.0 Ok: queued as"
	refute_output --partial "<** "
	f=$(only_message "$TEST_DIR/md")
	{ message_lf; printf '\n'; } >"$TEST_DIR/expected"
	maildir_body "$f" >"$TEST_DIR/body"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	run grep -c '^X-Original-To: ' "$f"
	assert_output 2
	run grep -x 'X-Original-To: c@z.test' "$f"
	assert_success
}

@test "swaks with HELO (no ESMTP): Received says SMTP" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run swaks --server "127.0.0.1:$PORT" --helo client.test --protocol SMTP \
		--from a@x.test --to b@y.test --data 'Subject: s\n\nbody'
	assert_success
	assert_output --partial "-> HELO client.test"
	assert_output --partial "<-  250 2.0.0 Ok: queued as"
	f=$(only_message "$TEST_DIR/md")
	run grep -E $'^\tby sink\\.test \\(smtp-sink\\) with SMTP id ' "$f"
	assert_success
}

@test "curl smtp:// (--inetd): CRLF message, two recipients, byte for byte" {
	start_server --inetd --maildir "$TEST_DIR/md" --hostname sink.test
	{ message_lf; printf '\n'; } | sed 's/$/\r/' >"$TEST_DIR/msg"
	run curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/client.test" \
		--mail-from a@x.test --mail-rcpt b@y.test --mail-rcpt c@z.test \
		-T "$TEST_DIR/msg"
	assert_success
	f=$(only_message "$TEST_DIR/md")
	{ message_lf; printf '\n'; } >"$TEST_DIR/expected"
	maildir_body "$f" >"$TEST_DIR/body"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	run sed -n 1,4p "$f"
	assert_line --index 0 "Return-Path: <a@x.test>"
	assert_line --index 1 "X-Original-To: b@y.test"
	assert_line --index 2 "X-Original-To: c@z.test"
	assert_line --index 3 "Received: from client.test ([127.0.0.1])"
	# curl sent SIZE=; the logged size is the CRLF size of what it sent
	run grep -c "event=accepted .*size=$(stat -c %s "$TEST_DIR/msg") " "$TEST_DIR/server.log"
	assert_output 1
}

@test "curl smtp:// sending bare LF lines: normalized by default" {
	start_server --maildir "$TEST_DIR/md"
	message_lf >"$TEST_DIR/msg"
	printf '\n' >>"$TEST_DIR/msg"
	run curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/client.test" \
		--mail-from a@x.test --mail-rcpt b@y.test -T "$TEST_DIR/msg"
	assert_success
	f=$(only_message "$TEST_DIR/md")
	# curl sends the file as it is and then CRLF . CRLF: one empty line more
	{ message_lf; printf '\n\n'; } >"$TEST_DIR/expected"
	maildir_body "$f" >"$TEST_DIR/body"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}

@test "curl smtp:// sending bare LF lines with --bare-lf reject: 550, nothing stored" {
	start_server --inetd --maildir "$TEST_DIR/md" --bare-lf reject
	message_lf >"$TEST_DIR/msg"
	run curl -sS -v --max-time 10 "smtp://127.0.0.1:$PORT/client.test" \
		--mail-from a@x.test --mail-rcpt b@y.test -T "$TEST_DIR/msg"
	assert_failure
	assert_output --partial "< 550 5.6.11"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "smtplib send_message: three recipients, none refused, Bcc not stored" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" "$TEST_DIR/expected" <<'PY'
import smtplib, sys
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "Alice <alice@x.test>"
msg["To"] = "Bob <bob@y.test>"
msg["Cc"] = "carol@z.test"
msg["Bcc"] = "dave@w.test"
msg["Subject"] = "three recipients"
msg["Message-ID"] = "<m1@x.test>"
msg.set_content("Hello,\n.dot line\n\nbye\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.test", timeout=10) as s:
    refused = s.send_message(msg)
    print("refused", refused)
    assert refused == {}, refused
# what send_message put on the wire, with LF for CRLF
del msg["Bcc"]
open(sys.argv[2], "wb").write(msg.as_bytes(policy=msg.policy.clone(linesep="\n")))
PY
	assert_success
	assert_output "refused {}"
	f=$(only_message "$TEST_DIR/md")
	maildir_body "$f" >"$TEST_DIR/body"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	# one line each, in the order smtplib sent RCPT (To, Bcc, Cc)
	run grep '^X-Original-To: ' "$f"
	assert_output $'X-Original-To: bob@y.test\nX-Original-To: dave@w.test\nX-Original-To: carol@z.test'
	run grep -c '^Bcc:' "$f"
	assert_output 0
	run grep -cE 'event=accepted .*from=<?alice@x\.test>? .*rcpt_count=3 rcpt=bob@y\.test rcpt=dave@w\.test rcpt=carol@z\.test$' "$TEST_DIR/server.log"
	assert_output 1
}

@test "smtplib sendmail (--inetd): raw CRLF bytes with 8BITMIME, two messages in one session" {
	start_server --inetd --maildir "$TEST_DIR/md"
	run python3 - "$PORT" "$TEST_DIR" <<'PY'
import smtplib, sys
raw = (b"Subject: raw\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
       b"\xc3\xa4 8-bit\r\n.\r\n..\r\n. dot space\r\n\tindented\r\n"
       + b"x" * 998 + b"\r\nend\r\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    for i in (1, 2):
        r = s.sendmail("<>" if i == 2 else "a@x.test", ["b@y.test"],
                       raw.replace(b"raw", b"raw%d" % i), mail_options=["BODY=8BITMIME"])
        assert r == {}, r
        open("%s/expected%d" % (sys.argv[2], i), "wb").write(
            raw.replace(b"raw", b"raw%d" % i).replace(b"\r\n", b"\n"))
print("ok")
PY
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -eq 2 ]
	for i in 1 2; do
		f=$(grep -l "^Subject: raw$i\$" "$TEST_DIR"/md/new/*)
		maildir_body "$f" >"$TEST_DIR/body$i"
		cmp "$TEST_DIR/expected$i" "$TEST_DIR/body$i"
	done
	# the null sender is kept as <>
	run grep -l '^Return-Path: <>$' "$TEST_DIR"/md/new/*
	assert_success
	# message ids are distinct: <session>Q1 and <session>Q2
	run grep -ho ' id [0-9A-F]*Q[0-9]*' "$TEST_DIR"/md/new/*
	assert_line --regexp 'Q1$'
	assert_line --regexp 'Q2$'
}

@test "smtplib with SMTPUTF8: UTF-8 addresses are accepted and recorded" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" <<'PY'
import smtplib, sys
body = "Subject: \u00fcmlaut\r\n\r\nGr\u00fc\u00dfe\r\n".encode()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.test", timeout=10) as s:
    s.ehlo()
    assert s.has_extn("smtputf8")
    r = s.sendmail("j\u00f6rg@ex\u00e4mple.test", ["zo\u00eb@b\u00fccher.test", "plain@y.test"],
                   body, mail_options=["SMTPUTF8"])
    print("refused", r)
PY
	assert_success
	assert_output "refused {}"
	f=$(only_message "$TEST_DIR/md")
	run sed -n 1,4p "$f"
	assert_line --index 0 "Return-Path: <jörg@exämple.test>"
	assert_line --index 1 "X-Original-To: zoë@bücher.test"
	assert_line --index 2 "X-Original-To: plain@y.test"
	run grep -E $'^\tby sink\\.test \\(smtp-sink\\) with UTF8SMTP id ' "$f"
	assert_success
	maildir_body "$f" >"$TEST_DIR/body"
	printf 'Subject: \303\274mlaut\n\nGr\303\274\303\237e\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}

@test "smtplib without SMTPUTF8: a UTF-8 sender is refused with 553" {
	start_server --maildir "$TEST_DIR/md"
	run python3 - "$PORT" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.command_encoding = "utf-8"  # but no SMTPUTF8 parameter
    try:
        s.sendmail("j\u00f6rg@ex\u00e4mple.test",
                   ["b@y.test"], b"Subject: x\r\n\r\nx\r\n")
    except smtplib.SMTPSenderRefused as e:
        print(e.smtp_code, e.smtp_error.decode())
PY
	assert_success
	assert_output "553 5.6.7 Error: non-ASCII sender needs SMTPUTF8"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
}

@test "smtplib past --max-recipients: the refused dict names the extra one" {
	start_server --inetd --maildir "$TEST_DIR/md" --max-recipients 2
	run python3 - "$PORT" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    r = s.sendmail("a@x.test", ["b@y.test", "c@y.test", "d@y.test"],
                   b"Subject: x\r\n\r\nx\r\n")
    for k, v in r.items():
        print(k, v[0], v[1].decode())
PY
	assert_success
	assert_output "d@y.test 452 4.5.3 Error: too many recipients"
	f=$(only_message "$TEST_DIR/md")
	run grep '^X-Original-To: ' "$f"
	assert_output $'X-Original-To: b@y.test\nX-Original-To: c@y.test'
}
