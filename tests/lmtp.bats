#!/usr/bin/env bats
# LMTP (RFC 2033, --lmtp) with real clients: Python's smtplib.LMTP and
# Postfix's smtp-source -L, against smtp-session under the real
# systemd-socket-activate.  After the message comes one reply per
# accepted recipient, in RCPT order; with --maildir one stored file
# serves them all.

load test_helper

teardown() { stop_clean; }

@test "smtplib.LMTP: LHLO, three recipients, three replies, one stored file" {
	start_server --lmtp --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
code, _ = c.ehlo("client.test")          # smtplib.LMTP says LHLO
assert code == 250 and c.has_extn("chunking") and c.has_extn("pipelining"), c.esmtp_features
assert c.mail("a@x.test")[0] == 250
rcpts = ["b@y.test", "c@y.test", "d@y.test"]
for r in rcpts:
    assert c.rcpt(r)[0] == 250
code, msg = c.data(b"Subject: lmtp\r\n\r\nhello\r\n")
replies = [(code, msg)] + [c.getreply() for _ in rcpts[1:]]
for r, (code, msg) in zip(rcpts, replies):
    print(code, msg.decode())
c.quit()
PY
	assert_success
	assert_line --index 0 --regexp '^250 2.0.0 <b@y.test> Ok: queued as [0-9A-F]+Q1$'
	assert_line --index 1 --regexp '^250 2.0.0 <c@y.test> Ok: queued as [0-9A-F]+Q1$'
	assert_line --index 2 --regexp '^250 2.0.0 <d@y.test> Ok: queued as [0-9A-F]+Q1$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run grep -c '^X-Original-To: ' "$TEST_DIR"/md/new/*
	assert_output 3
	run grep -h '^Received:\|with LMTP' "$TEST_DIR"/md/new/*
	assert_output --partial "with LMTP id"
}

@test "smtplib.LMTP: a message past --max-size gets 552 for each recipient, counted once" {
	start_server --lmtp --maildir "$TEST_DIR/md" --max-size 100 --max-errors 2 --hostname sink.test
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
c.ehlo("client.test")
c.mail("a@x.test")
for i in range(5):
    c.rcpt("r%d@y.test" % i)
code, msg = c.data(b"x" * 300 + b"\r\n")
codes = [code] + [c.getreply()[0] for _ in range(4)]
print(" ".join(map(str, codes)))
print(c.noop()[0])
PY
	assert_success
	assert_line --index 0 "552 552 552 552 552"
	assert_line --index 1 "250"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
}

@test "HELO and EHLO get 500 under --lmtp; LHLO gets 500 without it" {
	start_server --lmtp --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nEHLO c.test\r\nMAIL FROM:<a@x.test>\r\nLHLO c.test\r\nQUIT\r\n"'
	assert_success
	assert_line --index 0 "220 sink.test LMTP smtp-sink"
	assert_line --index 1 "500 5.5.1 Error: command not recognized"
	assert_line --index 2 "500 5.5.1 Error: command not recognized"
	assert_line --index 3 "503 5.5.1 Error: send LHLO first"
	assert_line --index 4 "250-sink.test"
	stop_server
	start_server --hostname sink.test
	run smtp_raw 'b"LHLO c.test\r\nQUIT\r\n"'
	assert_line --index 1 "500 5.5.1 Error: command not recognized"
}

@test "LMTP with BDAT: one reply per recipient after BDAT LAST" {
	start_server --lmtp --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"LHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nBDAT 8\r\nSubject:BDAT 10 LAST\r\n s\r\n\r\nhi\r\nQUIT\r\n"'
	assert_success
	run sed -n '/^250 2.1.0/,$p' <<<"$output"
	assert_output --regexp $'^250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.1.5 Ok\n250 2.0.0 Ok: 8 octets received\n250 2.0.0 <b@y.test> Ok: queued as [0-9A-F]+Q1\n250 2.0.0 <c@y.test> Ok: queued as [0-9A-F]+Q1\n221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "1000 recipients: 1000 replies in RCPT order, none cut" {
	start_server --lmtp --discard --max-recipients 1000 --hostname sink.test
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
c.ehlo("client.test")
c.mail("a@x.test")
n = 1000
for i in range(n):
    assert c.rcpt("r%04d@y.test" % i)[0] == 250
code, msg = c.data(b"Subject: many\r\n\r\nhello\r\n")
replies = [msg] + [c.getreply()[1] for _ in range(n - 1)]
for i, m in enumerate(replies):
    assert m.startswith(b"2.0.0 <r%04d@y.test> Ok" % i), (i, m)
assert c.noop()[0] == 250
print("ok", len(replies))
PY
	assert_success
	assert_output "ok 1000"
}

@test "smtp-source -L: 20 messages of 3 recipients over LMTP" {
	command -v smtp-source >/dev/null || skip "smtp-source (Debian's postfix) not installed"
	start_server --lmtp --maildir "$TEST_DIR/md" --hostname sink.test
	run timeout 60 smtp-source -L -s 2 -m 20 -r 3 -l 2000 -f a@x.test -t b@y.test "127.0.0.1:$PORT"
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -eq 20 ]
	run grep -c "event=accepted" "$TEST_DIR/server.log"
	assert_output 20
	run grep -c '^X-Original-To: ' $(find "$TEST_DIR/md/new" -type f | head -1)
	assert_output 3
}
