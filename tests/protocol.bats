#!/usr/bin/env bats
# The protocol over the network (RFC 5321 replies, limits, bad input,
# PIPELINING), a session typed through a pipe, and the command line.

load test_helper

teardown() { stop_clean; }

# Every line of $1 is an SMTP reply: a code, a space or a dash, and an
# enhanced status code (RFC 2034: on 2xx, 4xx and 5xx replies, but not on
# the greeting, the EHLO lines or 354).
all_replies_wellformed() {
	local bad
	bad=$(sed 1d <<<"$1" |
		grep -Ev '^([245])[0-9][0-9][ -]\1\.[0-9]{1,3}\.[0-9]{1,3}( |$)' |
		grep -Ev '^(250[ -]|354 )' || true)
	[ -z "$bad" ] || {
		echo "not a reply: $bad" >&2
		return 1
	}
}

# ---- EHLO and the replies --------------------------------------------------

@test "EHLO advertises exactly the issue's keywords" {
	start_server --hostname sink.test
	run smtp_raw 'b"ehlo client.test\r\nQUIT\r\n"'
	assert_success
	assert_output "220 sink.test ESMTP smtp-sink
250-sink.test
250-PIPELINING
250-SIZE 10485760
250-8BITMIME
250-SMTPUTF8
250-ENHANCEDSTATUSCODES
250 HELP
221 2.0.0 Bye"
}

@test "EHLO with --max-size 0 advertises SIZE without a number; HELO is one line" {
	start_server --inetd --hostname sink.test --max-size 0
	run smtp_raw 'b"EHLO c.test\r\nHELO c.test\r\nHeLo\r\nQUIT\r\n"'
	assert_success
	assert_line --index 3 "250-SIZE"
	assert_line --index 8 "250 sink.test"
	assert_line --index 9 "501 5.5.4 Syntax: HELO hostname"
	assert_line --index 10 "221 2.0.0 Bye"
}

@test "RSET, NOOP, HELP, VRFY, EXPN, and not yet implemented verbs" {
	start_server --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nrset\r\nRSET x\r\nNOOP whatever\r\nHELP\r\nVRFY bob\r\nVRFY\r\nEXPN list\r\nBDAT 10 LAST\r\nSTARTTLS\r\nQUIT\r\n"'
	assert_success
	assert_output "220 sink.test ESMTP smtp-sink
250 sink.test
250 2.0.0 Ok
501 5.5.4 Syntax: RSET
250 2.0.0 Ok
214-2.0.0 smtp-sink receives mail; commands:
214-2.0.0   HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP
214 2.0.0 See smtp-session(8) and RFC 5321
252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery
501 5.5.4 Syntax: VRFY address
502 5.5.1 Error: EXPN is not enabled
502 5.5.1 Error: command not implemented
502 5.5.1 Error: command not implemented
221 2.0.0 Bye"
}

@test "503 for commands out of sequence; the session goes on" {
	start_server --inetd --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nEHLO c.test\r\nRCPT TO:<b@y.test>\r\nDATA\r\nMAIL FROM:<a@x.test>\r\nMAIL FROM:<a@x.test>\r\nDATA\r\nRSET\r\nDATA\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nok\r\n.\r\nQUIT\r\n"'
	assert_success
	run sed -n '1,4p;12,$p' <<<"$output"
	assert_output --regexp '^220 sink.test ESMTP smtp-sink
503 5.5.1 Error: send HELO/EHLO first
503 5.5.1 Error: send HELO/EHLO first
503 5.5.1 Error: send HELO/EHLO first
503 5.5.1 Error: need MAIL command
503 5.5.1 Error: need MAIL command
250 2.1.0 Ok
503 5.5.1 Error: nested MAIL command
503 5.5.1 Error: need RCPT command
250 2.0.0 Ok
503 5.5.1 Error: need MAIL command
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q1
221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "501 for bad arguments, 555 for unknown parameters, 500 for unknown commands" {
	start_server --hostname sink.test --max-errors 0
	run smtp_raw 'b"EHLO c.test\r\nMAIL TO:<a@x.test>\r\nMAIL FROM:a@\r\nMAIL FROM:<a@x.test> SIZE=ten\r\nMAIL FROM:<a@x.test> BODY=9BIT\r\nMAIL FROM:<a@x.test> FOO=bar\r\nMAIL FROM:<a@x.test> SIZE=10 BODY=8BITMIME\r\nRCPT FROM:<b@y.test>\r\nRCPT TO:<>\r\nRCPT TO:<b@y.test> NOTIFY=NEVER\r\nDATA now\r\nXYZZY\r\n\r\nMAILFROM:<a@x.test>\r\nQUIT\r\n"'
	assert_success
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp "^501 5.5.4 Syntax: MAIL FROM:<address>
501 5.1.7 Error: bad sender address syntax
501 5.5.4 Error: bad MAIL parameter syntax
(501 5.5.4 Error: bad MAIL parameter syntax|555 5.5.4 Error: unsupported MAIL parameter)
555 5.5.4 Error: unsupported MAIL parameter
250 2.1.0 Ok
501 5.5.4 Syntax: RCPT TO:<address>
501 5.1.3 Error: bad recipient address syntax
555 5.5.4 Error: unsupported RCPT parameter
501 5.5.4 Syntax: DATA
500 5.5.1 Error: command not recognized
500 5.5.2 Error: bad syntax
500 5.5.1 Error: command not recognized
221 2.0.0 Bye\$"
}

@test "addresses: null sender, source route, quoted local part, literals, limits" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	local long_domain
	long_domain=$(python3 -c 'print(".".join(["d" * 63] * 4))')
	run smtp_raw "b\"EHLO c.test\\r\\nMAIL FROM:<a@x.test>\\r\\nRSET\\r\\nMAIL FROM:<$(printf 'l%.0s' {1..64})@$long_domain>\\r\\nMAIL FROM:<$(printf 'l%.0s' {1..65})@x.test>\\r\\nMAIL FROM:<>\\r\\nRCPT TO:<@a.test,@b.test:c@d.test>\\r\\nRCPT TO:<\\\"john doe\\\"@x.test>\\r\\nRCPT TO:<u@[192.0.2.1]>\\r\\nRCPT TO:<u@[IPv6:2001:db8::1]>\\r\\nRCPT TO:<Postmaster>\\r\\nRCPT TO:<u@[999.0.0.1]>\\r\\nRCPT TO:<u@x..test>\\r\\nRCPT TO:<\\xc3\\xa4@x.test>\\r\\nDATA\\r\\nhi\\r\\n.\\r\\nQUIT\\r\\n\""
	assert_success
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp '^250 2.1.0 Ok
250 2.0.0 Ok
501 5.1.7 Error: sender address too long
501 5.1.7 Error: sender address too long
250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
250 2.1.5 Ok
250 2.1.5 Ok
250 2.1.5 Ok
501 5.1.3 Error: bad recipient address syntax
501 5.1.3 Error: bad recipient address syntax
553 5.6.7 Error: non-ASCII recipient needs SMTPUTF8
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q1
221 2.0.0 Bye$'
	run grep -E '^(Return-Path|X-Original-To):' "$TEST_DIR"/md/new/*
	assert_output 'Return-Path: <>
X-Original-To: c@d.test
X-Original-To: "john doe"@x.test
X-Original-To: u@[192.0.2.1]
X-Original-To: u@[IPv6:2001:db8::1]
X-Original-To: Postmaster'
}

# ---- limits ------------------------------------------------------------------

@test "552 at MAIL for SIZE= over --max-size; SIZE= at the limit is fine" {
	start_server --hostname sink.test --max-size 1000
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test> SIZE=1001\r\nMAIL FROM:<a@x.test> SIZE=99999999999999999999999\r\nMAIL FROM:<a@x.test> SIZE=1000\r\nQUIT\r\n"'
	assert_success
	assert_line --index 3 "250-SIZE 1000"
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp '^552 5.3.4 Error: message size exceeds fixed limit
(552 5.3.4 Error: message size exceeds fixed limit|501 5.5.4 Error: bad MAIL parameter syntax)
250 2.1.0 Ok
221 2.0.0 Bye$'
}

@test "552 after the end of data when the message runs over; the session goes on" {
	start_server --inetd --maildir "$TEST_DIR/md" --hostname sink.test --max-size 1000
	run python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode().rstrip("\r\n")
        lines.append(l)
        if l[3:4] != "-":
            return lines
reply()
s.sendall(b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n")
reply(); reply(); reply()
assert reply()[0].startswith("354 "), "no 354"
s.sendall(b"Subject: big\r\n\r\n" + (b"x" * 78 + b"\r\n") * 100)
time.sleep(0.5)
s.setblocking(False)
try:
    early = s.recv(1000)
except BlockingIOError:
    early = b""
s.setblocking(True)
print("early:", early)
s.sendall(b".\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nsmall\r\n.\r\nQUIT\r\n")
for _ in range(6):
    print(reply()[0])
PY
	assert_success
	assert_output --regexp "^early: b''
552 5.3.4 Error: message size exceeds fixed limit
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q2
221 2.0.0 Bye$"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	# no header section of its own: the empty line ends ours
	printf '\nsmall\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	run grep -c "event=rejected" "$TEST_DIR/server.log"
	assert_output 1
}

@test "452 past --max-recipients; the message goes to the accepted ones" {
	start_server --maildir "$TEST_DIR/md" --max-recipients 2
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b1@y.test>\r\nRCPT TO:<b2@y.test>\r\nRCPT TO:<b3@y.test>\r\nRCPT TO:<b4@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	run sed -n '3,7p' <<<"$output"
	assert_output '250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
452 4.5.3 Error: too many recipients
452 4.5.3 Error: too many recipients'
	run grep '^X-Original-To:' "$TEST_DIR"/md/new/*
	assert_output $'X-Original-To: b1@y.test\nX-Original-To: b2@y.test'
}

@test "--max-errors 3: the third bad command gets 421 and the connection closes" {
	start_server --hostname sink.test --max-errors 3
	SECONDS=0
	run smtp_raw 'b"HELO c.test\r\nXYZZY\r\nMAIL FROM:bad\r\nNOOP\r\nFOO\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	[ "$SECONDS" -lt 5 ]
	assert_output "220 sink.test ESMTP smtp-sink
250 sink.test
500 5.5.1 Error: command not recognized
501 5.1.7 Error: bad sender address syntax
250 2.0.0 Ok
500 5.5.1 Error: command not recognized
421 4.7.0 sink.test Error: too many errors"
}

@test "--timeout 1: 421 4.4.2 and the connection closes within seconds" {
	start_server --hostname sink.test --timeout 1
	run python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
s.sendall(b"EHLO c.test\r\n")
t0 = time.monotonic()
out = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    out += c
print(out.decode().replace("\r\n", "\n"), end="")
print("closed after %.1f s" % (time.monotonic() - t0))
PY
	assert_success
	assert_line --index 8 "421 4.4.2 sink.test Error: timeout exceeded"
	assert_line --index 9 --regexp '^closed after [0-3]\.[0-9] s$'
	run grep -c 'reason=timeout' "$TEST_DIR/server.log"
	assert_output 1
}

@test "--timeout 1 inside DATA: 421, and nothing is stored" {
	start_server --inetd --maildir "$TEST_DIR/md" --hostname sink.test --timeout 1
	SECONDS=0
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: half\r\n\r\nhalf a mess"'
	assert_success
	[ "$SECONDS" -lt 5 ]
	assert_line --index 11 "421 4.4.2 sink.test Error: timeout exceeded"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "a client that vanishes inside DATA leaves nothing in new/ or tmp/" {
	start_server --maildir "$TEST_DIR/md"
	python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: cut\r\n\r\n" + b"y" * 100000)
time.sleep(0.3)
s.close()
PY
	sessions_clean
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	run grep -c 'reason="lost connection in DATA"' "$TEST_DIR/server.log"
	assert_output 1
}

@test "Received headers: 100 are accepted, 101 are a mail loop (554 5.4.6)" {
	start_server --maildir "$TEST_DIR/md"
	run smtp_raw "b\"EHLO c.test\\r\\nMAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\n\" $(printf 'b\"Received: from h%s by x; Sat, 1 Jan 2000 00:00:00 +0000\\r\\n\" ' {1..101}) b\"\\r\\nloop\\r\\n.\\r\\nMAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\n\" $(printf 'b\"received: from h%s by x; Sat, 1 Jan 2000 00:00:00 +0000\\r\\n\" ' {1..100}) b\"\\r\\n\" $(printf 'b\"Received: in the body %s\\r\\n\" ' {1..20}) b\".\\r\\nQUIT\\r\\n\""
	assert_success
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp '^250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
554 5.4.6 Error: too many hops \(mail loop\)
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q2
221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run grep -ci '^received:' "$TEST_DIR"/md/new/*
	assert_output 121
}

# ---- bad input -----------------------------------------------------------------

@test "a 1 MiB line without a newline: 500 line too long, then the session goes on" {
	start_server --hostname sink.test
	run python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
s.sendall(b"EHLO c.test\r\n" + b"A" * (1 << 20))
time.sleep(0.5)
s.sendall(b"\r\nNOOP\r\nNOOP " + b"x" * 505 + b"\r\nNOOP " + b"x" * 506 + b"\r\nQUIT\r\n")
out = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    out += c
print(out.decode().replace("\r\n", "\n"), end="")
PY
	assert_success
	run sed -n '9,$p' <<<"$output"
	# the limit is 512 octets with the CRLF (RFC 5321 4.5.3.1.4)
	assert_output "500 5.5.2 Error: line too long
250 2.0.0 Ok
250 2.0.0 Ok
500 5.5.2 Error: line too long
221 2.0.0 Bye"
}

@test "memory does not grow with a 16 MiB line or a 32 MiB message" {
	start_server --discard --max-size 0
	run python3 - "$PORT" "$SERVER_PID" <<'PY'
import socket, subprocess, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 20)
s.settimeout(20)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if l[3:4] != b"-":
            return l.decode().rstrip()
reply()
s.sendall(b"EHLO c.test\r\n")
reply()
pid = subprocess.run(["pgrep", "-n", "-P", sys.argv[2]], capture_output=True,
                     text=True).stdout.split()[0]
def hwm():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmHWM:"):
            return int(l.split()[1])
before = hwm()
chunk = b"A" * (1 << 20)
for _ in range(16):
    s.sendall(chunk)
s.sendall(b"\r\n")
print(reply())
s.sendall(b"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n")
print(reply(), reply(), reply())
line = b"B" * 998 + b"\r\n"
chunk = line * 1024
for _ in range(32):
    s.sendall(chunk)
s.sendall(b".\r\n")
print(reply())
after = hwm()
s.sendall(b"QUIT\r\n")
print(reply())
print("growth %d KiB" % (after - before))
assert after - before < 2048, (before, after)
PY
	assert_success
	assert_line --index 0 "500 5.5.2 Error: line too long"
	assert_line --index 1 "250 2.1.0 Ok 250 2.1.5 Ok 354 End data with <CR><LF>.<CR><LF>"
	assert_line --index 2 --regexp '^250 2.0.0 Ok: queued as '
	assert_line --index 3 "221 2.0.0 Bye"
}

@test "NUL bytes in commands: 500, and the session goes on" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"HELO a\x00b\r\n\x00\r\nEHLO c.test\r\nMAIL FROM:<a\x00@x.test>\r\nMAIL\x00FROM:<a@x.test>\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\x00\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	run sed -n '2,3p;11,$p' <<<"$output"
	assert_output --regexp '^500 5.5.2 Error: bad syntax
500 5.5.2 Error: bad syntax
500 5.5.2 Error: bad syntax
500 5.5.2 Error: bad syntax
250 2.1.0 Ok
500 5.5.2 Error: bad syntax
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q1
221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "invalid UTF-8 in addresses: 501 even with SMTPUTF8" {
	start_server --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<\xff\xfe@x.test> SMTPUTF8\r\nMAIL FROM:<a@\xc3.test> SMTPUTF8\r\nMAIL FROM:<\xc0\xaf@x.test> SMTPUTF8\r\nMAIL FROM:<\xed\xa0\x80@x.test> SMTPUTF8\r\nMAIL FROM:<\xc3\xa4@x.test> SMTPUTF8\r\nRCPT TO:<\xe2\x82@x.test>\r\nRCPT TO:<\xe2\x82\xac@x.test>\r\nEHLO \xff\xfe\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp '^501 5.1.7 Error: bad sender address syntax
501 5.1.7 Error: bad sender address syntax
501 5.1.7 Error: bad sender address syntax
501 5.1.7 Error: bad sender address syntax
250 2.1.0 Ok
501 5.1.3 Error: bad recipient address syntax
250 2.1.5 Ok
(250-sink.test
(250-.*
)*250 HELP|501 5.5.4 .*)
250 2.0.0 Ok
221 2.0.0 Bye$'
}

@test "binary garbage: well-formed replies, then 421, the connection closes" {
	start_server --hostname sink.test
	SECONDS=0
	run python3 - "$PORT" <<'PY'
import random, socket, sys
data = random.Random(2).randbytes(1 << 16)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
try:
    s.sendall(data)
except (BrokenPipeError, ConnectionResetError):
    pass
out = b""
try:
    while True:
        c = s.recv(65536)
        if not c:
            break
        out += c
except ConnectionResetError:
    pass
print(out.decode().replace("\r\n", "\n"), end="")
PY
	assert_success
	[ "$SECONDS" -lt 5 ]
	all_replies_wellformed "$output"
	assert_line --index 0 "220 sink.test ESMTP smtp-sink"
	run tail -n 1 <<<"$output"
	assert_output "421 4.7.0 sink.test Error: too many errors"
}

@test "an HTTP request gets 421 and the connection closes" {
	start_server --hostname sink.test
	SECONDS=0
	run smtp_raw 'b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl\r\n\r\n"'
	assert_success
	[ "$SECONDS" -lt 5 ]
	assert_output "220 sink.test ESMTP smtp-sink
421 4.7.0 sink.test Error: this is an SMTP server, not HTTP"
	run curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/"
	[ "$status" -ne 28 ] # not a time-out: the server hung up
}

@test "bare LF command lines: accepted by default, 500 with --bare-lf reject" {
	start_server --hostname sink.test
	run smtp_raw 'b"HELO c.test\nNOOP\r\nQUIT\n"'
	assert_success
	assert_output "220 sink.test ESMTP smtp-sink
250 sink.test
250 2.0.0 Ok
221 2.0.0 Bye"
	stop_server
	start_server --hostname sink.test --bare-lf reject
	run smtp_raw 'b"HELO c.test\nNOOP\r\nQUIT\r\n"'
	assert_success
	assert_output "220 sink.test ESMTP smtp-sink
500 5.5.2 Error: bare <LF> received; lines end in <CR><LF>
250 2.0.0 Ok
221 2.0.0 Bye"
}

# ---- PIPELINING ------------------------------------------------------------------

# LeakSanitizer cannot run under ptrace: off for the traced runs of a
# sanitized build.
NO_LSAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# reply_writes STRACE-FILE FD: the write calls on FD.
reply_writes() {
	grep -E "^[0-9]+ +(write|writev|sendto|sendmsg)\\($2," "$1"
}

@test "PIPELINING (pipe): EHLO MAIL RCPT RCPT DATA in one write get one write back" {
	printf 'EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n' |
		ASAN_OPTIONS=$NO_LSAN strace -f -s 4096 -e trace=write,writev,sendto,sendmsg -o "$TEST_DIR/strace" \
			"$SMTP_SESSION" --hostname sink.test >"$TEST_DIR/out" 2>"$TEST_DIR/err"
	run reply_writes "$TEST_DIR/strace" 1
	assert_line --index 0 --partial '"220 sink.test ESMTP smtp-sink\r\n"'
	assert_line --index 1 --partial '"250-sink.test\r\n250-PIPELINING\r\n'
	assert_line --index 1 --partial '250 HELP\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"'
	[ "${#lines[@]}" -eq 2 ]
	run grep -c '^354 ' "$TEST_DIR/out"
	assert_output 1
}

@test "PIPELINING (socket): a whole session in one write gets the replies in one write" {
	cat >"$TEST_DIR/traced" <<EOF
#!/bin/sh
ASAN_OPTIONS="$NO_LSAN"; export ASAN_OPTIONS
exec strace -f -s 4096 -e trace=write,writev,sendto,sendmsg -o "$TEST_DIR/strace.\$\$" "$SMTP_SESSION" "\$@"
EOF
	chmod +x "$TEST_DIR/traced"
	SMTP_SESSION="$TEST_DIR/traced" start_server --inetd --hostname sink.test --discard
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	assert_line --regexp '^250 2.0.0 Ok: queued as '
	sessions_clean
	# one trace per session; start_server's probe connection had one too
	run grep -l 'queued as' "$TEST_DIR"/strace.*
	[ "${#lines[@]}" -eq 1 ]
	run reply_writes "${lines[0]}" 1
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --partial '"220 sink.test ESMTP smtp-sink\r\n"'
	assert_line --index 1 --partial '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as '
	assert_line --index 1 --partial '221 2.0.0 Bye\r\n"'
}

@test "PIPELINING: replies come back in order for 200 pipelined commands" {
	start_server --hostname sink.test --max-errors 0
	run python3 - "$PORT" <<'PY'
import socket, sys
cmds = b"EHLO c.test\r\n"
for i in range(100):
    cmds += b"MAIL FROM:<a%d@x.test>\r\nRSET\r\n" % i
cmds += b"QUIT\r\n"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
s.sendall(cmds)
out = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    out += c
lines = out.decode().split("\r\n")[8:-1]
assert lines == ["250 2.1.0 Ok", "250 2.0.0 Ok"] * 100 + ["221 2.0.0 Bye"], lines
print(len(lines))
PY
	assert_success
	assert_output 201
}

# ---- a session typed by hand -------------------------------------------------------

@test "local mode: LF-only lines through a pipe, exit 0, logs only on stderr" {
	run bash -c 'printf "HELO x\nMAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\nDATA\nhi\n..dot\n.\nQUIT\n" |
		"$1" --hostname sink.test >"$2/out" 2>"$2/err"' _ "$SMTP_SESSION" "$TEST_DIR"
	assert_success
	run tr -d '\r' <"$TEST_DIR/out"
	assert_output --regexp '^220 sink.test ESMTP smtp-sink
250 sink.test
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as [0-9A-F]+Q1
221 2.0.0 Bye$'
	all_replies_wellformed "$output"
	run grep -c $'\r$' "$TEST_DIR/out"
	assert_output 7
	run cat "$TEST_DIR/err"
	assert_output --partial "event=accepted"
	# each line of a printed message behind "| ", so none passes for a
	# log line
	assert_output --partial "| Received: from x (local)"
	assert_line "| hi"
	assert_line "| .dot"
}

@test "local mode with --maildir: the message is stored; EOF without QUIT exits 0" {
	run bash -c 'printf "EHLO x\nMAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\nDATA\nSubject: t\n\nhi\n.\n" |
		"$1" --maildir "$2/md" >"$2/out" 2>"$2/err"' _ "$SMTP_SESSION" "$TEST_DIR"
	assert_success
	run grep -c 'event=' "$TEST_DIR/out"
	assert_output 0
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	printf 'Subject: t\n\nhi\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
	run grep -c 'event=accepted' "$TEST_DIR/err"
	assert_output 1
}

# ---- the command line ---------------------------------------------------------------

@test "--verbose logs each command and reply line in the order they happened" {
	start_server --hostname sink.test --verbose --discard
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: s\r\n\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	sessions_clean
	# the session that spoke (wait_port's probe connected first)
	local id
	id=$(sed -n 's/.*session=\([0-9A-F]*\) event=command .*/\1/p' "$TEST_DIR/server.log" | head -1)
	run sed -n "/session=$id /{s/.* event=\([a-z]*\) .*line=\"\{0,1\}\([^ \"]*\).*/\1 \2/p; s/.* event=\(accepted\|disconnect\) .*/\1/p}" "$TEST_DIR/server.log"
	assert_output "reply 220
command EHLO
reply 250-sink.test
reply 250-PIPELINING
reply 250-SIZE
reply 250-8BITMIME
reply 250-SMTPUTF8
reply 250-ENHANCEDSTATUSCODES
reply 250
command MAIL
reply 250
command RCPT
reply 250
command DATA
reply 354
accepted
reply 250
command QUIT
reply 221
disconnect"
}

@test "--help and --version exit 0 and print to standard output" {
	run "$SMTP_SESSION" --help
	assert_success
	assert_line --index 0 "usage: smtp-session [OPTION]..."
	assert_output --partial "--maildir DIR"
	run "$SMTP_SESSION" --version
	assert_success
	assert_output --regexp '^smtp-session \(smtp-sink\) [0-9]+\.[0-9]+'
}

@test "bad options and bad numbers exit 64 with a message on standard error" {
	local args
	for args in "--no-such-option" "--max-size 10k" "--max-size -1" "--timeout 0" \
		"--max-recipients 0" "--bare-lf sometimes" "--hostname" "extra-argument"; do
		# shellcheck disable=SC2086
		run bash -c '"$0" "$@" </dev/null 2>&1 >/dev/null' "$SMTP_SESSION" $args
		[ "$status" -eq 64 ] || {
			echo "smtp-session $args: exit $status" >&2
			return 1
		}
		assert_output --partial "smtp-session: "
	done
}
