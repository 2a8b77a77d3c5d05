#!/usr/bin/env bats
# Real mail servers as clients: a throwaway Postfix and a throwaway Exim
# relay into smtp-session under the real systemd-socket-activate, and
# msmtp and Python's smtplib send to it directly.  Every stored message is
# compared byte for byte with what was submitted, apart from LF line ends,
# smtp-session's header block and the one Received field the MTA adds.
# The harness is tests/mta_helper.bash.

load test_helper
load mta_helper

teardown() {
	postfix_stop
	stop_clean
}

# ---- the messages ------------------------------------------------------------
# Each has the header fields a relay would otherwise add (Date,
# Message-ID), so the only field the MTA puts in is its Received.

# message_ascii ID: a plain message.
message_ascii() {
	printf 'From: Sender <sender@example.test>\nTo: r1@example.test, r2@example.test,\n r3@example.test\nSubject: three recipients\nDate: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <%s>\n\nline one\n\n  indented line\ttab\nlast line\n' "$1"
}

# message_8bit ID: 8-bit text with no MIME declaration at all.
message_8bit() {
	printf 'From: sender@example.test\nTo: r@example.test\nSubject: undeclared 8bit\nDate: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <%s>\n\nUTF-8: Gr\303\274\303\237e, \342\202\254, \360\237\223\254\nLatin-1: caf\351 \374ber\nhigh bytes: \200\201\376\377\n' "$1"
}

# message_utf8 ID: UTF-8 in the header (RFC 6532) and the body.
message_utf8() {
	printf 'From: J\303\266rg <j\303\266rg@ex\303\244mple.test>\nTo: zo\303\253@b\303\274cher.test\nSubject: \303\274ber SMTPUTF8\nDate: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <%s>\n\nGr\303\274\303\237e aus K\303\266ln\n' "$1"
}

# message_dots ID: every kind of line that starts with a dot, and a last
# line that is a single dot.
message_dots() {
	printf 'From: sender@example.test\nTo: r@example.test\nSubject: dots\nDate: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <%s>\n\n.leading dot\n..two dots\n...\n. \n.\ttab\nx\n.\n' "$1"
}

# message_long ID LINES: LINES lines of 998 octets (RFC 5321's longest).
message_long() {
	python3 - "$1" "$2" <<'PY'
import sys
out = sys.stdout.buffer
out.write(b"From: sender@example.test\nTo: r@example.test\nSubject: long lines\n"
          b"Date: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <%s>\n\n"
          % sys.argv[1].encode())
for i in range(int(sys.argv[2])):
    out.write(b"%08d " % i + b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36:i % 36 + 1] * 989 + b"\n")
PY
}

# check_stored MAILDIR ID FILE: the message ID in MAILDIR is FILE's bytes.
check_stored() {
	local f
	f=$(message_file "$1" "$2") || return 1
	mta_body "$f" >"$TEST_DIR/stored" || return 1
	cmp "$3" "$TEST_DIR/stored"
}

# ---- Postfix -----------------------------------------------------------------

@test "Postfix: three recipients in one transaction, stored byte for byte; queue id in step" {
	postfix_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	postfix_init
	postfix_start
	message_ascii three@example.test >"$TEST_DIR/m"
	postfix_sendmail -f sender@example.test r1@example.test r2@example.test \
		r3@example.test <"$TEST_DIR/m"
	postfix_wait 'status=sent' 3
	check_stored "$TEST_DIR/md" three@example.test "$TEST_DIR/m"
	f=$(message_file "$TEST_DIR/md" three@example.test)
	run grep -E '^(Return-Path|X-Original-To):' "$f"
	assert_output $'Return-Path: <sender@example.test>\nX-Original-To: r1@example.test\nX-Original-To: r2@example.test\nX-Original-To: r3@example.test'
	# Postfix heard the id in the 250; the Received field and the log
	# line of the stored file carry the same one
	id=$(sed -n 's/.*status=sent (250 2\.0\.0 Ok: queued as \([^ )]*\)).*/\1/p' "$PF/maillog" | sort -u)
	[ "$(printf '%s\n' "$id" | wc -l)" -eq 1 ]
	[[ "$id" =~ ^[0-9A-F]+Q1$ ]]
	run grep -c -E $'^\tby sink\\.test \\(smtp-sink\\) with ESMTP id '"$id"';?$' "$f"
	assert_output 1
	run grep -c "event=accepted id=$id .* file=\"\?$(basename "$f")\"\? rcpt_count=3 " "$TEST_DIR/server.log"
	assert_output 1
}

@test "Postfix: an undeclared 8-bit body, UTF-8 addresses (SMTPUTF8), dot lines" {
	postfix_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	postfix_init
	postfix_start
	message_8bit eight@example.test >"$TEST_DIR/m8"
	message_utf8 utf8@example.test >"$TEST_DIR/mu"
	message_dots dots@example.test >"$TEST_DIR/md."
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/m8"
	postfix_sendmail -f 'jörg@exämple.test' 'zoë@bücher.test' <"$TEST_DIR/mu"
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/md."
	postfix_wait 'status=sent' 3
	run grep -c 'status=sent' "$PF/maillog"
	assert_output 3
	check_stored "$TEST_DIR/md" eight@example.test "$TEST_DIR/m8"
	check_stored "$TEST_DIR/md" utf8@example.test "$TEST_DIR/mu"
	check_stored "$TEST_DIR/md" dots@example.test "$TEST_DIR/md."
	f=$(message_file "$TEST_DIR/md" utf8@example.test)
	run sed -n 1,3p "$f"
	assert_line --index 0 'Return-Path: <jörg@exämple.test>'
	assert_line --index 1 'X-Original-To: zoë@bücher.test'
	# SMTPUTF8 was used: RFC 6531 names the protocol UTF8SMTP
	assert_line --index 2 --partial 'Received: from mta.test ([127.0.0.1])'
	run grep -c $'^\tby sink\\.test (smtp-sink) with UTF8SMTP id ' "$f"
	assert_output 1
}

@test "Postfix: lines of 998 octets and a 20 MiB message are stored byte for byte" {
	postfix_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --max-size 30000000
	postfix_init "message_size_limit = 30000000"
	postfix_start
	message_long long@example.test 20 >"$TEST_DIR/ml"
	message_long big@example.test 21000 >"$TEST_DIR/mb" # 20.0 MiB
	[ "$(stat -c %s "$TEST_DIR/mb")" -gt $((20 * 1024 * 1024)) ]
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/ml"
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/mb"
	postfix_wait 'status=sent' 2 120
	check_stored "$TEST_DIR/md" long@example.test "$TEST_DIR/ml"
	check_stored "$TEST_DIR/md" big@example.test "$TEST_DIR/mb"
}

@test "Postfix: 200 messages over one reused connection, conn_use past 110, none deferred" {
	postfix_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	# one connection at a time, so that every message waits for it
	postfix_init "smtp_destination_concurrency_limit = 1" \
		"smtp_connection_cache_on_demand = yes"
	# queued while the master is down, so all 200 wait when it starts
	for i in $(seq -w 1 200); do
		printf 'Subject: reuse %s\nMessage-ID: <reuse%s@example.test>\n\nmessage %s\n' "$i" "$i" "$i" |
			postfix_sendmail -f sender@example.test "reuse$i@example.test"
	done
	postfix_start
	postfix_wait 'status=(sent|deferred|bounced)' 200 180
	run grep -c 'status=sent' "$PF/maillog"
	assert_output 200
	run grep -E 'status=(deferred|bounced)' "$PF/maillog"
	assert_output ''
	# one connection carried them past the 110th message
	max=$(grep -o 'conn_use=[0-9]*' "$PF/maillog" | cut -d= -f2 | sort -n | tail -1)
	echo "largest conn_use: $max"
	[ "${max:-0}" -gt 110 ]
	[ "$(maildir_count "$TEST_DIR/md")" -eq 200 ]
	run grep -c 'event=refused\|event=rejected\|too many errors' "$TEST_DIR/server.log"
	assert_output 0
}

@test "Postfix: a message over --max-size is bounced by Postfix from the advertised SIZE" {
	postfix_probe
	# the bounce holds the first 50000 octets of the message
	# (bounce_size_limit) and must fit
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --max-size 200000
	postfix_init
	postfix_start
	message_long small@example.test 20 >"$TEST_DIR/ms"
	message_long large@example.test 300 >"$TEST_DIR/mL"
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/ms"
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/mL"
	# the small one and the bounce to sender@example.test are sent
	postfix_wait 'status=bounced' 1
	postfix_wait 'status=sent' 2
	run grep 'status=bounced' "$PF/maillog"
	assert_output --partial 'message size'
	assert_output --partial 'exceeds size limit 200000 of server 127.0.0.1'
	check_stored "$TEST_DIR/md" small@example.test "$TEST_DIR/ms"
	# Postfix never sent the large one: no MAIL with its size was refused
	run grep -c 'event=refused\|event=rejected' "$TEST_DIR/server.log"
	assert_output 0
	# the bounce came back through the same relay, from the null sender
	run grep -l '^Return-Path: <>$' "$TEST_DIR"/md/new/*
	assert_success
	run grep -c "^X-Original-To: sender@example.test$" "$output"
	assert_output 1
}

# ---- Exim ---------------------------------------------------------------------

@test "Postfix over LMTP (lmtp:inet): a reply per recipient, mixed results, one stored file" {
	postfix_probe
	printf 'r1@example.test\nr3@example.test\n' >"$TEST_DIR/recipients"
	start_server --lmtp --maildir "$TEST_DIR/md" --hostname sink.test \
		--recipients "$TEST_DIR/recipients"
	# the main.cf lines smtp-sink(7) gives under "As an LMTP target"
	postfix_init "virtual_mailbox_domains = example.test" \
		"virtual_transport = lmtp:inet:127.0.0.1:$PORT"
	postfix_start
	message_ascii lmtp@example.test >"$TEST_DIR/m"
	postfix_sendmail -f sender@elsewhere.test r1@example.test r2@example.test \
		r3@example.test <"$TEST_DIR/m"
	# (the sender's domain is not the sink's: the bounce for r2 goes to
	# the relayhost, never into the Maildir counted below)
	postfix_wait 'status=(sent|bounced)' 3
	# r2 is refused at RCPT; r1 and r3 hear each their own 250 after DATA
	run grep -c 'to=<r[13]@example.test>, relay=127.0.0.1\[127.0.0.1\]:[0-9]*, .*status=sent (250 2.0.0 <r[13]@example.test> Ok: queued as [0-9A-F]*Q1)' "$PF/maillog"
	assert_output 2
	run grep -c 'to=<r2@example.test>, .*status=bounced .*550 5.1.1' "$PF/maillog"
	assert_output 1
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	check_stored "$TEST_DIR/md" lmtp@example.test "$TEST_DIR/m"
	f=$(message_file "$TEST_DIR/md" lmtp@example.test)
	run grep -E '^X-Original-To:' "$f"
	assert_output $'X-Original-To: r1@example.test\nX-Original-To: r3@example.test'
	run grep -c $'^\tby sink\\.test (smtp-sink) with LMTP id ' "$f"
	assert_output 1
}

@test "Postfix over LMTP: a message over --max-size is bounced for each recipient" {
	postfix_probe
	start_server --lmtp --maildir "$TEST_DIR/md" --hostname sink.test --max-size 2000
	postfix_init "virtual_mailbox_domains = example.test" \
		"virtual_transport = lmtp:inet:127.0.0.1:$PORT"
	postfix_start
	message_long big@example.test 5 >"$TEST_DIR/m"
	postfix_sendmail -f sender@elsewhere.test r1@example.test r2@example.test <"$TEST_DIR/m"
	postfix_wait 'status=bounced' 2
	run grep -c 'to=<r[12]@example.test>, .*status=bounced' "$PF/maillog"
	assert_output 2
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
}

# Postfix's own SMTP client as a submission client: TLS required, SASL
# PLAIN with a password from a map, against --auth and --auth-required.
@test "Postfix: smtp_tls_security_level = encrypt and SASL, stored with ESMTPSA" {
	postfix_probe
	throwaway_cert "$TEST_DIR"
	echo "relay:$(mkpasswd -m yescrypt s3cret)" >"$TEST_DIR/users"
	start_server --maildir "$TEST_DIR/md" --hostname sink.test \
		--tls-cert "$TEST_DIR/cert.pem" --tls-key "$TEST_DIR/key.pem" \
		--auth "$TEST_DIR/users" --auth-required
	postfix_init "smtp_tls_security_level = encrypt" "smtp_tls_loglevel = 1" \
		"smtp_sasl_auth_enable = yes" \
		"smtp_sasl_password_maps = inline:{[127.0.0.1]:$PORT=relay:s3cret}" \
		"smtp_sasl_security_options = noanonymous" \
		"smtp_sasl_tls_security_options = noanonymous"
	# TLS in Postfix's client needs its TLS manager (the entropy source)
	echo "tlsmgr    unix  -       -       n       1000?   1       tlsmgr" \
		>>"$PF/etc/master.cf"
	postfix_start
	message_ascii submitted@example.test >"$TEST_DIR/m"
	postfix_sendmail -f sender@example.test r@example.test <"$TEST_DIR/m"
	postfix_wait 'status=sent' 1
	check_stored "$TEST_DIR/md" submitted@example.test "$TEST_DIR/m"
	f=$(message_file "$TEST_DIR/md" submitted@example.test)
	run grep -E $'^\t\\(Authenticated sender: relay\\)$|with ESMTPSA id|^\t\\(using TLSv1\\.[23] with cipher ' "$f"
	assert_equal "${#lines[@]}" 3
	run grep -E 'Untrusted TLS connection established to 127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+: TLSv1\.[23]' "$PF/maillog"
	assert_success
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=auth peer=127.0.0.1 user=relay detail=ok"
	refute_output --partial s3cret
}

@test "Exim: three recipients, 8-bit, dot lines, long lines, stored byte for byte" {
	exim_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	exim_init
	message_ascii three@example.test >"$TEST_DIR/m"
	message_8bit eight@example.test >"$TEST_DIR/m8"
	message_dots dots@example.test >"$TEST_DIR/md."
	message_long long@example.test 20 >"$TEST_DIR/ml"
	exim_run -odq -i -f sender@example.test r1@example.test r2@example.test \
		r3@example.test <"$TEST_DIR/m"
	for m in m8 md. ml; do
		exim_run -odq -i -f sender@example.test r@example.test <"$TEST_DIR/$m"
	done
	exim_queue_run
	exim_wait ' Completed$' 4
	run grep -c ' => ' "$EX/log/mainlog"
	assert_output 4
	check_stored "$TEST_DIR/md" three@example.test "$TEST_DIR/m"
	check_stored "$TEST_DIR/md" eight@example.test "$TEST_DIR/m8"
	check_stored "$TEST_DIR/md" dots@example.test "$TEST_DIR/md."
	check_stored "$TEST_DIR/md" long@example.test "$TEST_DIR/ml"
	f=$(message_file "$TEST_DIR/md" three@example.test)
	run grep -c '^X-Original-To: r[123]@example.test$' "$f"
	assert_output 3
	# each id Exim heard in a 250 is in the Received field of one file
	for id in $(grep -o 'queued as [0-9A-F]*Q[0-9]*' "$EX/log/mainlog" | cut -d' ' -f3); do
		run grep -lE $'^\tby sink\\.test \\(smtp-sink\\) with ESMTP id '"$id"';?$' "$TEST_DIR"/md/new/*
		assert_success
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "Exim: UTF-8 addresses over SMTPUTF8" {
	exim_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	exim_init
	message_utf8 utf8@example.test >"$TEST_DIR/mu"
	# only a message that came with SMTPUTF8 is sent with it: submit over
	# SMTP on standard input (exim -bs)
	python3 - "$TEST_DIR/mu" >"$TEST_DIR/bs" <<'PY'
import sys
msg = open(sys.argv[1], "rb").read().replace(b"\n", b"\r\n")
sys.stdout.buffer.write(
    b"EHLO submit.test\r\n"
    b"MAIL FROM:<j\xc3\xb6rg@ex\xc3\xa4mple.test> SMTPUTF8\r\n"
    b"RCPT TO:<zo\xc3\xab@b\xc3\xbccher.test>\r\nDATA\r\n" + msg + b".\r\nQUIT\r\n")
PY
	exim_run -bs -odq <"$TEST_DIR/bs" >"$TEST_DIR/bs.out"
	run grep -c '^250 OK id=' "$TEST_DIR/bs.out"
	assert_output 1
	exim_queue_run
	exim_wait ' Completed$' 1
	check_stored "$TEST_DIR/md" utf8@example.test "$TEST_DIR/mu"
	f=$(message_file "$TEST_DIR/md" utf8@example.test)
	run sed -n 1,2p "$f"
	assert_line --index 0 'Return-Path: <jörg@exämple.test>'
	assert_line --index 1 'X-Original-To: zoë@bücher.test'
	run grep -c $'^\tby sink\\.test (smtp-sink) with UTF8SMTP id ' "$f"
	assert_output 1
}

@test "Exim: 200 messages over one connection, none deferred" {
	exim_probe
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	exim_init
	for i in $(seq -w 1 200); do
		printf 'Subject: reuse %s\nMessage-ID: <reuse%s@example.test>\n\nmessage %s\n' "$i" "$i" "$i" |
			exim_run -odq -f sender@example.test "reuse$i@example.test"
	done
	exim_queue_run
	exim_wait ' Completed$| == | \*\* ' 200 180
	run grep -c ' => ' "$EX/log/mainlog"
	assert_output 200
	run grep -E ' (==|\*\*) ' "$EX/log/mainlog"
	assert_output ''
	# "*" after the host: down a connection that was already open
	run grep -c ' => .* \[127\.0\.0\.1\]\* ' "$EX/log/mainlog"
	assert_output 199
	[ "$(maildir_count "$TEST_DIR/md")" -eq 200 ]
	run grep -c 'too many errors' "$TEST_DIR/server.log"
	assert_output 0
}

@test "Exim: a message over --max-size is refused at MAIL from the advertised SIZE and bounced" {
	exim_probe
	# the bounce holds the first 100 KiB of the message
	# (bounce_return_size_limit) and must fit
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --max-size 200000
	exim_init
	message_long large@example.test 300 >"$TEST_DIR/mL"
	exim_run -odq -i -f sender@example.test r@example.test <"$TEST_DIR/mL"
	exim_queue_run
	exim_wait ' \*\* ' 1
	# with CHUNKING Exim pipelines MAIL and its BDAT, and its log names
	# the data block; the session's log shows the refusal came at MAIL
	run grep ' \*\* ' "$EX/log/mainlog"
	assert_output --partial '552 5.3.4 Error: message size exceeds fixed limit'
	run grep -c 'event=refused .*command="MAIL FROM:<sender@example.test> SIZE=' "$TEST_DIR/server.log"
	assert_output 1
	# the bounce went out through the same router, from the null sender
	exim_queue_run
	exim_wait '<> R=' 1
	exim_wait ' Completed$' 2
	run grep -l '^Return-Path: <>$' "$TEST_DIR"/md/new/*
	assert_success
}

# ---- msmtp and Python's smtplib ---------------------------------------------------

@test "msmtp: 8-bit and dot lines stored byte for byte" {
	command -v msmtp >/dev/null || skip "msmtp is not installed (tests/deps-mta.txt lists it)"
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	message_8bit eight@example.test >"$TEST_DIR/m8"
	message_dots dots@example.test >"$TEST_DIR/md."
	for m in m8 md.; do
		msmtp --host=127.0.0.1 --port="$PORT" --domain=msmtp.test --auth=off \
			--tls=off -f sender@example.test r@example.test <"$TEST_DIR/$m"
	done
	for m in eight dots; do
		f=$(message_file "$TEST_DIR/md" "$m@example.test")
		maildir_body "$f" >"$TEST_DIR/stored"
		[ "$m" = eight ] && cmp "$TEST_DIR/m8" "$TEST_DIR/stored"
		[ "$m" = dots ] && cmp "$TEST_DIR/md." "$TEST_DIR/stored"
	done
}

@test "smtplib send_message with mail_options=['SMTPUTF8'] and a non-ASCII address (SMTPUTF8 twice)" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --verbose
	run python3 - "$PORT" <<'PY'
import smtplib, sys
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "J\u00f6rg <j\u00f6rg@ex\u00e4mple.test>"
msg["To"] = "zo\u00eb@b\u00fccher.test"
msg["Subject"] = "send_message"
msg.set_content("Gr\u00fc\u00dfe\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    print("refused", s.send_message(msg, mail_options=["SMTPUTF8"]))
PY
	assert_success
	assert_output "refused {}"
	# the issue's line: smtplib adds SMTPUTF8 itself and then the option
	run grep -c 'event=command line="mail FROM:<jörg@exämple.test> size=[0-9]* SMTPUTF8 SMTPUTF8 BODY=8BITMIME"' "$TEST_DIR/server.log"
	assert_output 1
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}
