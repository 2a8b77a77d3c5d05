#!/usr/bin/env bats
# --transcript DIR (issue 16): the record of every byte of a session, read
# back and compared with what a real client sent and received, under the
# real systemd-socket-activate and the real confinement.

load test_helper

teardown() { stop_clean; }

# decode FILE: the client's and the server's bytes as the transcript
# gives them (escapes undone, \{...} kept as <...>), into $TEST_DIR/c and
# $TEST_DIR/s; fails if any line of FILE is not a record or a note.
decode() {
	python3 - "$1" "$TEST_DIR" <<'PY'
import re, sys
rec = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ([CS])([:+]) (.*)$")
note = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z )?# ")
esc = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
out = {"C": b"", "S": b""}
for line in open(sys.argv[1], "rb").read().decode("utf-8").split("\n")[:-1]:
    m = rec.match(line)
    if not m:
        if not note.match(line):
            sys.exit("not a record: %r" % line)
        continue
    text, i, b = m.group(3), 0, b""
    while i < len(text):
        c = text[i]
        if c != "\\":
            b += c.encode("utf-8")
            i += 1
        elif text[i + 1] == "x":
            b += bytes([int(text[i + 2:i + 4], 16)])
            i += 4
        elif text[i + 1] == "{":
            j = text.index("}", i)
            b += b"<" + text[i + 2:j].encode() + b">"
            i = j + 1
        else:
            b += esc[text[i + 1]]
            i += 2
    out[m.group(1)] += b
open(sys.argv[2] + "/c", "wb").write(out["C"])
open(sys.argv[2] + "/s", "wb").write(out["S"])
PY
}

# in_data CODE: a session at $PORT that waits for each reply up to 354,
# then runs the Python CODE with the socket s and its file f.
in_data() {
	python3 -c "
import socket, sys, time
s = socket.create_connection(('127.0.0.1', $PORT), 10)
f = s.makefile('rb')
f.readline()
for cmd in (b'EHLO c.test', b'MAIL FROM:<a@x.test>', b'RCPT TO:<b@y.test>', b'DATA'):
    s.sendall(cmd + b'\r\n')
    while f.readline()[3:4] == b'-':
        pass
$1"
}

# The one transcript in $TEST_DIR/tr in which the client said something
# (wait_port's probe is a session too, and leaves one without).
only_transcript() {
	local files
	files=$(grep -lE '^[0-9-]+T[0-9:.]+Z C: ' $(find "$TEST_DIR/tr" -type f))
	[ "$(grep -c . <<<"$files")" -eq 1 ] || {
		echo "transcripts: $files" >&2
		return 1
	}
	echo "$files"
}

@test "every byte as sent: pipelining, a bare LF, a NUL, controls, UTF-8; AUTH masked" {
	mkdir "$TEST_DIR/tr"
	start_server --discard --hostname sink.test --transcript "$TEST_DIR/tr"
	run python3 - "$PORT" "$TEST_DIR" <<'PY'
import socket, sys, time
sent = [b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n",
        b"line one\nbare LF\r\nNUL\0here \x1b[31m esc \\ back \xc3\xa4 \xe2\x80\xae\xff\r\n",
        b"..dot\r\n.\r\nAUTH PLAIN AGpvZQBzM2NyM3Q=\r\nAUTH LOGIN\r\nQU",
        b"IT\r\n"]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
got = b""
for chunk in sent:
    time.sleep(0.2)
    s.sendall(chunk)
s.settimeout(5)
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
open(sys.argv[2] + "/sent", "wb").write(b"".join(sent))
open(sys.argv[2] + "/got", "wb").write(got)
PY
	assert_success
	sessions_clean
	f=$(only_transcript)
	decode "$f"
	python3 - "$TEST_DIR" <<'PY'
import sys
c = open(sys.argv[1] + "/c", "rb").read()
s = open(sys.argv[1] + "/s", "rb").read()
sent = open(sys.argv[1] + "/sent", "rb").read()
got = open(sys.argv[1] + "/got", "rb").read()
want = sent.replace(b"AGpvZQBzM2NyM3Q=", b"<masked: 16 bytes>")
assert c == want, (c, want)
assert s == got, (s, got)
PY
	# the credential is nowhere, nor what it encodes
	run grep -c -e AGpvZQBzM2NyM3Q -e s3cr3t "$f"
	assert_output 0
	# named by the session's id, as the log gives it; mode 0600
	grep -q "session=$(basename "$f") event=connect" "$TEST_DIR/server.log"
	[ "$(stat -c %a "$f")" = 600 ]
	# C+ goes on with the line that QU began
	grep -q ' C+ IT\\r\\n$' "$f"
	grep -q ' C: NUL\\0here \\x1b\[31m esc \\\\ back ä \\xe2\\x80\\xae\\xff\\r\\n$' "$f"
}

@test "a message past 64 KiB: its first 65536 bytes, the count of the rest, the commands after it" {
	mkdir "$TEST_DIR/tr"
	start_server --maildir "$TEST_DIR/md" --transcript "$TEST_DIR/tr"
	run python3 - "$PORT" <<'PY'
import smtplib, sys
body = b"".join(b"line %06d %s\r\n" % (i, b"x" * 60) for i in range(3000))
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print(c.sendmail("a@x.test", ["b@y.test"], body))
c.quit()
print(len(body) + 3)
PY
	assert_success
	local total=${lines[1]}
	sessions_clean
	f=$(only_transcript)
	grep -q '# the message is longer than 65536 bytes: the rest of it is left out' "$f"
	decode "$f"
	python3 - "$total" "$TEST_DIR" <<'PY'
import re, sys
c = open(sys.argv[2] + "/c", "rb").read()
s = open(sys.argv[2] + "/s", "rb").read()
msg = c[c.index(b"data\r\n") + 6:] # smtplib's verbs are lower case
m = re.search(rb"<left out: (\d+) bytes>", msg)
assert m, msg[-200:]
shown = m.start()
assert shown == 65536, shown
assert shown + int(m.group(1)) == int(sys.argv[1]), (shown, m.group(1))
assert msg[m.end():] == b"quit\r\n", msg[m.end():]
assert b"250 2.0.0 Ok: queued as" in s
PY
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "past the limit, what follows the message in the same read is shown as commands, AUTH masked" {
	mkdir "$TEST_DIR/tr"
	start_server --discard --transcript "$TEST_DIR/tr"
	run in_data "
s.sendall((b'y' * 70 + b'\r\n') * 2000 + b'.\r\nAUTH PLAIN AGpvZQBzM2NyM3Q=\r\nQUIT\r\n')
print(f.read().count(b'\r\n'))"
	assert_success
	assert_output 3
	sessions_clean
	f=$(only_transcript)
	decode "$f"
	python3 - "$TEST_DIR" <<'PY'
import re, sys
c = open(sys.argv[1] + "/c", "rb").read()
msg = c[c.index(b"DATA\r\n") + 6:]
m = re.search(rb"<left out: (\d+) bytes>", msg)
assert m and m.start() == 65536 and 65536 + int(m.group(1)) == 72 * 2000 + 3, m
assert msg[m.end():] == b"AUTH PLAIN <masked: 16 bytes>\r\nQUIT\r\n", msg[m.end():]
PY
	run grep -c AGpvZQBzM2NyM3Q "$f"
	assert_output 0
}

@test "a session killed in the middle of DATA leaves a readable transcript" {
	mkdir "$TEST_DIR/tr"
	start_server --maildir "$TEST_DIR/md" --transcript "$TEST_DIR/tr"
	in_data "
s.sendall(b'Subject: cut short\r\n\r\nthe first line\r\nhalf a li')
time.sleep(30)" &
	local client=$! child i f
	for i in $(seq 1 200); do
		f=$(grep -l 'half a li' $(find "$TEST_DIR/tr" -type f) 2>/dev/null || true)
		[ -n "$f" ] && break
		sleep 0.05
	done
	child=$(pgrep -P "$SERVER_PID")
	kill -KILL "$child"
	kill "$client"
	wait "$client" || true
	for i in $(seq 1 100); do
		grep -q "died with code\|killed by signal\|Child $child died" "$TEST_DIR/server.log" && break
		sleep 0.05
	done
	: >"$TEST_DIR/server.log" # the kill is ours, not a failure
	decode "$f"
	[[ "$(cat "$TEST_DIR/c")" == *$'DATA\r\nSubject: cut short\r\n\r\nthe first line\r\nhalf a li' ]]
	grep -q "354 End data with" "$TEST_DIR/s"
	grep -q ' C+\{0,1\}.* half a li$' "$f" || grep -q ' C: half a li$' "$f"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
}

@test "an overlong command line shows its first 16 KiB; the rest is counted" {
	mkdir "$TEST_DIR/tr"
	start_server --discard --transcript "$TEST_DIR/tr"
	run smtp_raw "b'NOOP $(head -c 20000 /dev/zero | tr '\0' x)\\r\\nQUIT\\r\\n'"
	assert_line --index 1 "500 5.5.2 Error: line too long"
	sessions_clean
	f=$(only_transcript)
	decode "$f"
	[[ "$(cat "$TEST_DIR/c")" == "NOOP xxx"*$'x<left out: 3621 bytes>\r\nQUIT\r' ]]
	[ "$(grep -o x "$f" | wc -l)" -lt 16400 ]
}

@test "--delay shows in the transcript as a note, and the replies' times" {
	mkdir "$TEST_DIR/tr"
	start_server --discard --transcript "$TEST_DIR/tr" --delay noop:0.5
	run smtp_raw 'b"NOOP\r\nQUIT\r\n"'
	sessions_clean
	f=$(only_transcript)
	grep -q '# waiting 0.500 s (--delay)' "$f"
	run grep -A1 'waiting' "$f"
	assert_line --index 1 --partial ' S: 250 2.0.0 Ok\r\n'
}

@test "the transcript is written under the real confinement; nothing else can be" {
	mkdir "$TEST_DIR/tr"
	local probe out
	probe=$(probe_session)
	out=$(printf 'HELO x\nQUIT\n' | SMTP_SESSION_PROBE="write:$TEST_DIR/tr/other write:$TEST_DIR/else" \
		"$probe" --discard --transcript "$TEST_DIR/tr" 2>&1 >/dev/null)
	if grep -q 'event=confinement level=partial' <<<"$out"; then
		skip "this kernel confines only in part: $(sed -n 's/.*reason=//p' <<<"$out")"
	fi
	grep -q "probe write:$TEST_DIR/tr/other: Permission denied" <<<"$out"
	grep -q "probe write:$TEST_DIR/else: Permission denied" <<<"$out"
	f=$(only_transcript)
	grep -q ' S: 221 2.0.0 Bye\\r\\n$' "$f"
	grep -q '# end of session$' "$f"
}

@test "a transcript directory that cannot be written: the session goes on, the log says why" {
	start_server --discard --transcript "$TEST_DIR/missing"
	run smtp_raw 'b"HELO x\r\nQUIT\r\n"'
	assert_line --index 2 "221 2.0.0 Bye"
	sessions_clean
	grep -q "event=error text=\"transcript: cannot create $TEST_DIR/missing/[0-9A-F]*: No such file or directory\"" "$TEST_DIR/server.log"
}
