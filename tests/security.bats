#!/usr/bin/env bats
# The security review (issue 12): front ends that put a network client on a
# pipe or a pty, symbolic links in the Maildir, limits a client must not
# dodge, forged Received and log lines, --pipe's environment, Unicode
# controls, SIGTERM inside DATA, and the session's own confinement.

load test_helper

FRONT_PID=

teardown() {
	if [ -n "$FRONT_PID" ]; then
		kill "$FRONT_PID" 2>/dev/null || true
		wait "$FRONT_PID" 2>/dev/null || true
		FRONT_PID=
	fi
	stop_clean
}

# The review's reproduction: an LF-only end of data, then a second
# transaction, in one write.
SMUGGLE='b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhello\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<e@x>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n"'

# One message stored, from a@b, holding the would-be second transaction.
one_message_only() {
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	grep -q '^Return-Path: <a@b>$' "$TEST_DIR"/md/new/*
	grep -q '^MAIL FROM:<evil@x>$' "$TEST_DIR"/md/new/*
}

# socat_front OPTIONS...: smtp-session behind socat's EXEC with the given
# address options (pipes, pty); sets PORT and FRONT_PID.
socat_front() {
	command -v socat >/dev/null || skip "socat is not installed (apt-get install socat)"
	PORT=$(free_port)
	socat "TCP-LISTEN:$PORT,bind=127.0.0.1,fork,reuseaddr" \
		"EXEC:$SMTP_SESSION --maildir $TEST_DIR/md --timeout 2,$1" \
		2>>"$TEST_DIR/server.log" &
	FRONT_PID=$!
	wait_port "$PORT"
}

# ---- a network client is never local --------------------------------------------

@test "socat with pipes: no LF-only end of data, one message" {
	socat_front pipes
	run smtp_raw "$SMUGGLE"
	assert_success
	one_message_only
	grep -q 'peer=127.0.0.1' "$TEST_DIR/server.log"
}

@test "socat with a pty: no LF-only end of data, one message" {
	socat_front pty,rawer
	run smtp_raw "$SMUGGLE"
	one_message_only
}

@test "stunnel with pty = yes: a network client, no LF-only end of data" {
	command -v stunnel4 >/dev/null || skip "stunnel4 is not installed (apt-get install stunnel4)"
	PORT=$(free_port)
	throwaway_cert "$TEST_DIR"
	cat >"$TEST_DIR/stunnel.conf" <<EOF
foreground = yes
pid =
[smtp]
accept = 127.0.0.1:$PORT
cert = $TEST_DIR/cert.pem
key = $TEST_DIR/key.pem
exec = $SMTP_SESSION
execArgs = smtp-session --maildir $TEST_DIR/md
pty = yes
EOF
	stunnel4 "$TEST_DIR/stunnel.conf" 2>>"$TEST_DIR/server.log" &
	FRONT_PID=$!
	wait_port "$PORT"
	run python3 - "$PORT" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10))
s.settimeout(10)
s.sendall(b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhello\n.\n"
          b"MAIL FROM:<evil@x>\r\nRCPT TO:<e@x>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n")
out = b""
try:
    while b"221 " not in out:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except (socket.timeout, ssl.SSLError):
    pass
print(out.count(b"queued as"))
PY
	# a pty in cooked mode turns CR into LF, so SMTP hardly works
	# through it at all; what matters is that the session knows a
	# network client from REMOTE_HOST, and that nothing is smuggled
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -le 1 ]
	! grep -qs '^Return-Path: <evil@x>' "$TEST_DIR"/md/new/*
	for _ in $(seq 50); do
		grep -q 'event=connect' "$TEST_DIR/server.log" && break
		sleep 0.1
	done
	grep -q 'event=connect peer=127.0.0.1' "$TEST_DIR/server.log"
}

@test "tcpserver: a network client, whatever it sends" {
	command -v tcpserver >/dev/null || skip "tcpserver is not installed (apt-get install ucspi-tcp)"
	PORT=$(free_port)
	tcpserver -HRl0 127.0.0.1 "$PORT" "$SMTP_SESSION" --maildir "$TEST_DIR/md" \
		2>>"$TEST_DIR/server.log" &
	FRONT_PID=$!
	wait_port "$PORT"
	run smtp_raw "$SMUGGLE"
	one_message_only
}

@test "a pipe with a UCSPI variable, or --network, follows the network rules" {
	local in='EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhello\n.\nQUIT\r\n'
	# as a person types it: the LF-only dot ends the message
	run bash -c 'printf "$1" | "$2" --discard 2>/dev/null' _ "$in" "$SMTP_SESSION"
	assert_output --partial "queued as"
	for v in PROTO=TCP TCPREMOTEIP=192.0.2.7 SSLREMOTEIP=192.0.2.7 \
		TCP6REMOTEIP=2001:db8::7 SOCAT_PEERADDR=192.0.2.7 \
		REMOTE_HOST=192.0.2.7 REMOTE_ADDR=192.0.2.7; do
		run bash -c 'printf "$1" | env "$3" "$2" --discard 2>/dev/null' _ "$in" "$SMTP_SESSION" "$v"
		refute_output --partial "queued as"
	done
	run bash -c 'printf "$1" | "$2" --discard --network 2>/dev/null' _ "$in" "$SMTP_SESSION"
	refute_output --partial "queued as"
	# and the peer named in the variable is the client address
	run bash -c 'printf "HELO x\r\nQUIT\r\n" | TCPREMOTEIP=192.0.2.7 "$1" --discard 2>&1 >/dev/null' _ "$SMTP_SESSION"
	assert_output --partial "peer=192.0.2.7"
}

@test "a client behind socat that never reads its replies is cut off after --timeout" {
	socat_front pipes
	local t0=$SECONDS
	run python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(30)
try:
    for _ in range(4000):   # 4000 x 64 KiB of NOOPs, never a read
        s.sendall(b"NOOP\r\n" * 10000)
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
print("done")
PY
	# --timeout 2: well before the client's own 30 s
	[ $((SECONDS - t0)) -lt 25 ]
	for _ in $(seq 50); do
		grep -q 'event=disconnect' "$TEST_DIR/server.log" && break
		sleep 0.1
	done
	grep -q 'event=disconnect' "$TEST_DIR/server.log"
}

# ---- no symbolic link is followed ---------------------------------------------------

@test "a symlinked tmp/: 451, and nothing of the link's target is touched or removed" {
	mkdir -p "$TEST_DIR/md/new" "$TEST_DIR/md/cur" "$TEST_DIR/victim"
	echo precious >"$TEST_DIR/victim/important.db"
	touch -d '3 days ago' "$TEST_DIR/victim/important.db"
	ln -s ../victim "$TEST_DIR/md/tmp"
	run bash -c 'printf "HELO x\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nQUIT\n" |
		"$1" --maildir "$2/md" 2>"$2/err" | tr -d "\r"' _ "$SMTP_SESSION" "$TEST_DIR"
	assert_line "451 4.3.0 Error: local error in processing"
	[ -f "$TEST_DIR/victim/important.db" ]
	[ "$(ls "$TEST_DIR/victim")" = important.db ]
	grep -q 'maildir .*/md/tmp: a symbolic link, refused' "$TEST_DIR/err"
	# new/ as a link is refused too
	rm "$TEST_DIR/md/tmp"
	mkdir "$TEST_DIR/md/tmp"
	rmdir "$TEST_DIR/md/new"
	ln -s ../victim "$TEST_DIR/md/new"
	run bash -c 'printf "HELO x\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nx\n.\nQUIT\n" |
		"$1" --maildir "$2/md" 2>/dev/null | tr -d "\r"' _ "$SMTP_SESSION" "$TEST_DIR"
	assert_line "451 4.3.0 Error: local error in processing"
	[ "$(ls "$TEST_DIR/victim")" = important.db ]
}

# ---- limits that cannot be dodged --------------------------------------------------

@test "HELP, HELO and EHLO count as junk: a flood of them ends in 421" {
	start_server --hostname sink.test
	run python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(b"HELP\r\nEHLO x\r\nHELO x\r\n" * 1400)
out = b""
s.settimeout(10)
while True:
    c = s.recv(65536)
    if not c:
        break
    out += c
print(out.count(b"\r\n214 "), out.count(b"421 4.7.0"))
PY
	assert_success
	# 100 free, then 10 errors (--max-errors), at one of the three each
	assert_output --regexp '^3[67] 1$'
}

@test "5000 refused recipients write a dozen log lines, not 5000" {
	start_server --hostname sink.test --max-errors 0
	run python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
s.sendall(b"EHLO x\r\nMAIL FROM:<a@b.test>\r\n" +
          b"".join(b"RCPT TO:<bad address %d>\r\n" % i for i in range(5000)) + b"QUIT\r\n")
s.settimeout(30)
while s.recv(65536):
    pass
PY
	sessions_clean
	run grep -c 'event=refused' "$TEST_DIR/server.log"
	assert_output 11
	grep -q 'event=refused .*not_logged=4990' "$TEST_DIR/server.log"
}

@test "--max-session-time ends a session that keeps itself busy" {
	start_server --hostname sink.test --max-session-time 2
	run python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
s.recv(1000)
t0 = time.time()
try:
    while time.time() - t0 < 8:
        s.sendall(b"NOOP\r\n")
        r = s.recv(1000)
        if b"421" in r:
            print(r.decode().strip().split("\r\n")[-1], round(time.time() - t0))
            break
        time.sleep(0.3)
except OSError as e:
    print("error", e)
PY
	assert_output --regexp '^421 4\.4\.2 sink\.test Error: session time limit exceeded [23]$'
	sessions_clean
	grep -q 'reason="session time limit"' "$TEST_DIR/server.log"
}

@test "SIZE= with 20 digits is over the limit: 552, not 501" {
	start_server --hostname sink.test
	run smtp_raw 'b"EHLO x\r\nMAIL FROM:<a@b> SIZE=99999999999999999999\r\nMAIL FROM:<a@b> SIZE=100000000000000000000\r\nQUIT\r\n"'
	assert_line --index 10 "552 5.3.4 Error: message size exceeds fixed limit"
	assert_line --index 11 "501 5.5.4 Error: bad MAIL parameter syntax"
}

# ---- what a client can put into our headers and logs ---------------------------------

@test "Unicode controls: refused in addresses, escaped in the log" {
	start_server --hostname sink.test
	# U+0085 (C1), U+2028, U+202E (bidi override), U+2066 (isolate)
	run smtp_raw "b'EHLO x\\r\\nMAIL FROM:<a\\xc2\\x85b@x.test> SMTPUTF8\\r\\nMAIL FROM:<a\\xe2\\x80\\xa8b@x.test> SMTPUTF8\\r\\nMAIL FROM:<ab@x\\xe2\\x80\\xaey.test> SMTPUTF8\\r\\nMAIL FROM:<ab@x\\xe2\\x81\\xa6y.test> SMTPUTF8\\r\\nMAIL FROM:<\\xc3\\xa4b@x.test> SMTPUTF8\\r\\nQUIT\\r\\n'"
	assert_line --index 10 "501 5.1.7 Error: bad sender address syntax"
	assert_line --index 11 "501 5.1.7 Error: bad sender address syntax"
	assert_line --index 12 "501 5.1.7 Error: bad sender address syntax"
	assert_line --index 13 "501 5.1.7 Error: bad sender address syntax"
	assert_line --index 14 "250 2.1.0 Ok"
	sessions_clean
	grep -q 'command="MAIL FROM:<ab@x\\u202ey.test> SMTPUTF8"' "$TEST_DIR/server.log"
	! grep -q $'\xe2\x80\xae' "$TEST_DIR/server.log"
}

@test "--print: a message line never passes for a log line, and escapes are shown" {
	start_server --hostname sink.test
	run smtp_raw 'b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: s\r\n\r\nsmtp-session[1]: session=FAKE event=accepted\r\n\x1b[2Jcleared\xe2\x80\xaeevil\r\n.\r\nQUIT\r\n"'
	sessions_clean
	run grep -c '^smtp-session\[[0-9]*\]: session=FAKE' "$TEST_DIR/server.log"
	assert_output 0
	grep -q '^| smtp-session\[1\]: session=FAKE event=accepted$' "$TEST_DIR/server.log"
	grep -qF '| \x1b[2Jcleared\u202eevil' "$TEST_DIR/server.log"
	! grep -q $'\x1b' "$TEST_DIR/server.log"
	# and the session id does not give the pid away
	local pid id
	read -r pid id < <(sed -n 's/^smtp-session\[\([0-9]*\)\]: session=\([0-9A-F]*\) event=accepted.*/\1 \2/p' "$TEST_DIR/server.log")
	[ -n "$id" ]
	[[ "$id" != *"$(printf '%X' "$pid")" ]]
}

# ---- --pipe -------------------------------------------------------------------

@test "--pipe with 1000 long recipients: the command runs; RECIPIENTS_COUNT, the headers name all" {
	cat >"$TEST_DIR/cmd" <<'EOF'
#!/bin/sh
echo "count=$RECIPIENTS_COUNT set=${RECIPIENTS+yes}" >"$OUT/env"
grep -c '^X-Original-To: ' >"$OUT/headers"
EOF
	chmod +x "$TEST_DIR/cmd"
	python3 - "$TEST_DIR/in" <<'PY'
import sys
dom = ".".join(["d" * 60] * 2) + ".test"   # 190 octets an address
rc = "".join("RCPT TO:<%s%04d@%s>\n" % ("r" * 60, i, dom) for i in range(1000))
open(sys.argv[1], "w").write("HELO x\nMAIL FROM:<a@b>\n" + rc + "DATA\nSubject: s\n\nx\n.\nQUIT\n")
PY
	run bash -c 'cat "$1/in" | OUT="$1" "$2" --max-recipients 1000 --pipe "$1/cmd" 2>/dev/null | tail -2' _ "$TEST_DIR" "$SMTP_SESSION"
	assert_line --index 0 --partial "250 2.0.0 Ok: queued as"
	run cat "$TEST_DIR/env" "$TEST_DIR/headers"
	assert_output "count=1000 set=
1000"
}

@test "--pipe: a command that cannot be started is a permanent 554 and a logged reason" {
	# with a small stack, execve takes 128 KiB of arguments and
	# environment: an inherited 80 KiB and 300 long recipients in
	# RECIPIENTS do not fit (E2BIG)
	python3 - "$TEST_DIR/in" <<'PY'
import sys
dom = ".".join(["d" * 60] * 2) + ".test"
rc = "".join("RCPT TO:<%s%04d@%s>\n" % ("r" * 60, i, dom) for i in range(300))
open(sys.argv[1], "w").write("HELO x\nMAIL FROM:<a@b>\n" + rc + "DATA\nx\n.\nQUIT\n")
PY
	run bash -c 'ulimit -s 256; export BIG=$(head -c 80000 /dev/zero | tr "\0" x); cat "$2/in" | "$1" --max-recipients 300 --pipe true 2>"$2/err" | tr -d "\r" | tail -2' _ "$SMTP_SESSION" "$TEST_DIR"
	assert_line --index 0 "554 5.3.0 Error: delivery failed"
	grep -q 'cannot start /bin/sh: Argument list too long' "$TEST_DIR/err"
}

# ---- SIGTERM in the middle of DATA --------------------------------------------------

@test "SIGTERM inside DATA: 421, the tmp file removed, nothing in new/" {
	mkfifo "$TEST_DIR/in"
	"$SMTP_SESSION" --maildir "$TEST_DIR/md" <"$TEST_DIR/in" >"$TEST_DIR/out" 2>"$TEST_DIR/err" &
	local pid=$!
	exec 7>"$TEST_DIR/in"
	printf 'HELO x\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nSubject: s\n\n' >&7
	head -c 200000 /dev/zero | tr '\0' 'y' >&7
	for _ in $(seq 50); do
		[ -n "$(ls -A "$TEST_DIR/md/tmp" 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -n "$(ls -A "$TEST_DIR/md/tmp")" ]
	kill -TERM "$pid"
	wait "$pid" || true
	exec 7>&-
	grep -q '^421 4.3.2 .* Error: service shutting down' "$TEST_DIR/out"
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	[ -z "$(ls -A "$TEST_DIR/md/new")" ]
	grep -q 'reason=shutdown' "$TEST_DIR/err"
}

# ---- confinement ------------------------------------------------------------------

@test "confinement bites: outside the Maildir no file opens, no socket, no exec; the rest kills" {
	local probe out
	probe=$(probe_session)
	grep -q landlock /proc/self/status 2>/dev/null || true
	echo secret >"$TEST_DIR/outside"
	out=$(printf 'HELO x\nQUIT\n' | SMTP_SESSION_PROBE="read:$TEST_DIR/outside write:$TEST_DIR/new-file write:$TEST_DIR/md/tmp/inside socket exec" \
		"$probe" --maildir "$TEST_DIR/md" 2>&1 >/dev/null)
	if grep -q 'event=confinement level=partial' <<<"$out"; then
		skip "this kernel confines only in part: $(sed -n 's/.*reason=//p' <<<"$out")"
	fi
	grep -q "probe read:$TEST_DIR/outside: Permission denied" <<<"$out"
	grep -q "probe write:$TEST_DIR/new-file: Permission denied" <<<"$out"
	grep -q "probe write:$TEST_DIR/md/tmp/inside: ok" <<<"$out"
	grep -q "probe socket: Permission denied" <<<"$out"
	grep -q "probe exec: Permission denied" <<<"$out"
	[ ! -e "$TEST_DIR/new-file" ]
	# a system call no session makes kills it (SIGSYS)
	run bash -c 'printf "HELO x\nQUIT\n" | SMTP_SESSION_PROBE=kill "$1" --discard >/dev/null 2>&1' _ "$probe"
	assert_equal "$status" 159
}

@test "a running session has no new privileges and a seccomp filter" {
	mkfifo "$TEST_DIR/in"
	"$SMTP_SESSION" --discard <"$TEST_DIR/in" >/dev/null 2>"$TEST_DIR/err" &
	local pid=$!
	exec 7>"$TEST_DIR/in"
	printf 'HELO x\n' >&7
	sleep 0.3
	run grep -E '^(NoNewPrivs|Seccomp):' "/proc/$pid/status"
	printf 'QUIT\n' >&7
	exec 7>&-
	wait "$pid"
	if grep -q 'reason="built without confinement"' "$TEST_DIR/err"; then
		skip "this binary is built without confinement (ASan)"
	fi
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
}
