#!/usr/bin/env bats
# CHUNKING (RFC 3030): BDAT against the real, confined smtp-session under
# systemd-socket-activate.  No common client sends BDAT, so these are raw
# byte dialogues: each chunk is exactly its count, whatever it holds, and
# every refused BDAT still has its chunk read, so the session never takes
# message octets for commands.

load test_helper

teardown() { stop_clean; }

HELLO='b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n"'

# expect_body FILE PYTHON-BYTES: the stored message after the header block.
expect_body() {
	maildir_body "$1" >"$TEST_DIR/body"
	python3 -c 'import sys, ast; sys.stdout.buffer.write(ast.literal_eval(sys.argv[1]))' \
		"$2" >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body" || {
		od -c "$TEST_DIR/body" | head -20 >&2
		return 1
	}
}

@test "EHLO offers CHUNKING and BINARYMIME; HELP lists BDAT" {
	start_server --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nHELP\r\nQUIT\r\n"'
	assert_success
	assert_line --index 7 "250-CHUNKING"
	assert_line --index 8 "250-BINARYMIME"
	assert_line "214-2.0.0   HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"
}

@test "pipelined chunks in one write: answered in order, stored exactly" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw "$HELLO"' b"BDAT 21\r\nSubject: s\r\n\r\nfirst\r\nBDAT 12\r\n..dots stay\nBDAT 4 LAST\r\nlastQUIT\r\n"'
	assert_success
	run sed -n '/^250 2.1.0/,$p' <<<"$output"
	assert_output --regexp $'^250 2.1.0 Ok\n250 2.1.5 Ok\n250 2.0.0 Ok: 21 octets received\n250 2.0.0 Ok: 12 octets received\n250 2.0.0 Ok: queued as [0-9A-F]+Q1\n221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	# the bare LF became a line end; a last line without one got it
	expect_body "$TEST_DIR"/md/new/* 'b"Subject: s\n\nfirst\n..dots stay\nlast\n"'
}

@test "chunks in separate writes, a CRLF cut between two chunks" {
	start_server --maildir "$TEST_DIR/md" --bare-lf reject --hostname sink.test
	run smtp_chunks "$HELLO" 'b"BDAT 9\r\nline one"' 'b"\r"' 'b"BDAT 1\r\n\n"' \
		'b"BDAT 10 LAST\r\nline two\r\n"' 'b"QUIT\r\n"'
	assert_success
	assert_line --regexp '^250 2.0.0 Ok: queued as '
	expect_body "$TEST_DIR"/md/new/* 'b"\nline one\nline two\n"'
}

@test "a smuggling-shaped chunk is stored verbatim and starts nothing" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	local inner='Subject: s\r\n\r\nbefore\r\n.\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n'
	local n
	n=$(python3 -c 'import sys, ast; print(len(ast.literal_eval("b\"" + sys.argv[1] + "\"")))' "$inner")
	run smtp_raw "$HELLO"' b"BDAT '"$n"' LAST\r\n'"$inner"'NOOP\r\nQUIT\r\n"'
	assert_success
	run grep -c '^250 2.0.0 Ok: queued as ' <<<"$output"
	assert_output 1
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	expect_body "$TEST_DIR"/md/new/* 'b"Subject: s\n\nbefore\n.\nMAIL FROM:<evil@x.test>\nRCPT TO:<victim@y.test>\nDATA\nsmuggled\n.\nQUIT\n"'
	run grep -c "event=accepted" "$TEST_DIR/server.log"
	assert_output 1
}

@test "every malformed count gets 501 and the session stays in sync" {
	start_server --hostname sink.test --max-errors 0
	run smtp_raw "$HELLO"' b"BDAT\r\nBDAT abc\r\nBDAT -1\r\nBDAT +5\r\nBDAT 1.5\r\nBDAT 0x10\r\nBDAT 5 5\r\nBDAT 10 FIRST\r\nBDAT 10 LAST x\r\nBDAT 18446744073709551616\r\nBDAT 99999999999999999999\r\nBDAT 1234567890123456789012345\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	assert_line --index 24 "250 2.0.0 Ok"
	assert_line --index 25 "221 2.0.0 Bye"
	run grep -c '^501 5.5.4 Syntax: BDAT count \[LAST\]$' <<<"$output"
	assert_output 12
}

@test "BDAT before HELO, MAIL and RCPT: 503, and its chunk is read, not obeyed" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"BDAT 6\r\nQUIT\r\nEHLO c.test\r\nBDAT 6 LAST\r\nQUIT\r\nMAIL FROM:<a@x.test>\r\nBDAT 6\r\nQUIT\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	assert_line --index 0 "220 sink.test ESMTP smtp-sink"
	assert_line --index 1 "503 5.5.1 Error: send HELO/EHLO first"
	assert_line --index 11 "503 5.5.1 Error: need MAIL command"
	assert_line --index 12 "250 2.1.0 Ok"
	assert_line --index 13 "503 5.5.1 Error: need RCPT command"
	assert_line --index 14 "250 2.0.0 Ok"
	assert_line --index 15 "221 2.0.0 Bye"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
}

@test "DATA after BDAT gets 503; RSET ends the chunked message, nothing stored" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw "$HELLO"' b"BDAT 3\r\nabcDATA\r\nRSET\r\nQUIT\r\n"'
	assert_success
	assert_line --index 12 "250 2.0.0 Ok: 3 octets received"
	assert_line --index 13 "503 5.5.1 Error: a message in BDAT chunks is open; BDAT LAST or RSET ends it"
	assert_line --index 14 "250 2.0.0 Ok"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "past --max-size: 552 after the chunk, the next chunk 503, still in sync" {
	start_server --maildir "$TEST_DIR/md" --max-size 100 --hostname sink.test
	local x198
	x198=$(printf 'x%.0s' $(seq 198))
	run smtp_raw "$HELLO"' b"BDAT 200\r\n'"$x198"'\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	assert_line --index 12 "552 5.3.4 Error: message size exceeds fixed limit"
	assert_line --index 13 "503 5.5.1 Error: need MAIL command"
	assert_line --index 14 "250 2.0.0 Ok"
	assert_line --index 15 "221 2.0.0 Bye"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "bare LF in a chunk: stored as a line end, or 550 with --bare-lf reject" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw "$HELLO"' b"BDAT 9 LAST\r\na\nb\rc\r\n\r\nQUIT\r\n"'
	assert_success
	assert_line --regexp '^250 2.0.0 Ok: queued as '
	expect_body "$TEST_DIR"/md/new/* 'b"\na\nb\nc\n\n"'
	stop_server
	start_server --maildir "$TEST_DIR/md2" --bare-lf reject --hostname sink.test
	run smtp_raw "$HELLO"' b"BDAT 9 LAST\r\na\nb\rc\r\n\r\nQUIT\r\n"'
	assert_success
	assert_line "550 5.6.11 Error: bare <CR> or <LF> in message; lines must end in <CR><LF>"
	[ "$(maildir_count "$TEST_DIR/md2")" -eq 0 ]
}

@test "BODY=BINARYMIME with BDAT is stored; with DATA it gets 503" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test> BODY=BINARYMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\nBDAT 0 LAST\r\nMAIL FROM:<a@x.test> BODY=BINARYMIME\r\nRCPT TO:<b@y.test>\r\nBDAT 11 LAST\r\n\x00\x01\xfe\xffbin\r\nxyQUIT\r\n"'
	assert_success
	assert_line "503 5.5.1 Error: BODY=BINARYMIME needs BDAT, not DATA"
	run grep -c '^250 2.0.0 Ok: queued as ' <<<"$output"
	assert_output 2
	local f
	f=$(grep -l bin "$TEST_DIR"/md/new/*)
	expect_body "$f" 'b"\n\x00\x01\xfe\xffbin\nxy\n"'
}

@test "a 5 MiB message in 1 MiB chunks reaches the Maildir whole" {
	start_server --maildir "$TEST_DIR/md" --max-size 0 --hostname sink.test
	python3 - "$PORT" "$TEST_DIR/sent" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if l[3:4] != b"-":
            return l
line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX\r\n"
msg = b"Subject: big\r\n\r\n" + line * (5 * 1024 * 1024 // len(line))
open(sys.argv[2], "wb").write(msg.replace(b"\r\n", b"\n"))
reply()
s.sendall(b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n")
for _ in range(3):
    assert reply().startswith(b"250")
chunk = 1 << 20
for off in range(0, len(msg), chunk):
    part = msg[off:off + chunk]
    last = b" LAST" if off + chunk >= len(msg) else b""
    s.sendall(b"BDAT %d%s\r\n" % (len(part), last) + part)
for off in range(0, len(msg), chunk):
    r = reply()
    assert r.startswith(b"250"), r
s.sendall(b"QUIT\r\n")
assert reply().startswith(b"221")
PY
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* | cmp - "$TEST_DIR/sent"
}
