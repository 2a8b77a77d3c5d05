# tests/test_helper.bash: shared by the bats suites.  `load test_helper`.
#
# Every test gets its own directory ($TEST_DIR, removed by bats), servers
# on free loopback ports, and every process it starts is stopped by PID.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
# require_ability, without_dac: what the machine lets a test do
load abilities

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
SMTP_SESSION="$REPO/smtp-session"
SMTP_WATCH="$REPO/smtp-watch"
TEST_DIR="$BATS_TEST_TMPDIR"

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until 127.0.0.1:$1 accepts connections (up to 10 s).
wait_port() {
	local i
	for i in $(seq 1 200); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "port $1 never opened" >&2
	return 1
}

# start_server [--inetd] [SMTP-SESSION OPTION]...
# Runs smtp-session under the real systemd-socket-activate --accept on a
# free port: with --inetd the connection is standard input and output,
# without it the LISTEN_FDS protocol passes it as fd 3.  Sets PORT and
# SERVER_PID; the sessions' standard error goes to $TEST_DIR/server.log.
start_server() {
	local mode=()
	if [ "${1:-}" = "--inetd" ]; then
		mode=(--inetd)
		shift
	fi
	PORT=$(free_port)
	systemd-socket-activate --accept "${mode[@]}" -l "127.0.0.1:$PORT" \
		"$SMTP_SESSION" "$@" 2>>"$TEST_DIR/server.log" &
	SERVER_PID=$!
	wait_port "$PORT"
}

stop_server() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

# smtp_raw PYTHON-BYTES-LITERAL: sends exactly those bytes to the server
# at $PORT in one write, then prints every byte the server sends until it
# closes the connection (or 10 s pass), CRLF shown as LF.  Example:
#   smtp_raw 'b"HELO x\r\nQUIT\r\n"'
smtp_raw() {
	smtp_chunks "$1"
}

# Messages stored in Maildir $1 (new/ only).
maildir_count() {
	find "$1/new" -type f 2>/dev/null | wc -l
}

# ---- added for clients.bats, smuggling.bats, protocol.bats ----------------

# maildir_body FILE: the stored message without the header block that
# smtp-session prepends (Return-Path, one X-Original-To per recipient,
# Received with its continuation lines), byte for byte.  Fails when the
# block is not there.
maildir_body() {
	python3 - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
m = re.match(rb"Return-Path: <[^\n]*>\n(X-Original-To: [^\n]*\n)*"
             rb"Received: from [^\n]*\n(\t[^\n]*\n)*", b)
if not m:
    sys.exit("no header block in " + sys.argv[1])
sys.stdout.buffer.write(b[m.end():])
PY
}

# smtp_chunks LITERAL...: like smtp_raw, but each Python bytes literal is
# sent in a write of its own, 0.2 s apart (TCP_NODELAY), so that the
# server reads them separately.
smtp_chunks() {
	python3 - "$PORT" "$@" <<'PY'
import socket, sys, ast, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(10)
for i, lit in enumerate(sys.argv[2:]):
    if i:
        time.sleep(0.2)
    s.sendall(ast.literal_eval(lit))
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except socket.timeout:
    pass
sys.stdout.write(out.replace(b"\r\n", b"\n").decode("utf-8", "replace"))
PY
}

# sessions_clean: waits (up to 5 s) for the sessions of the server to end,
# then fails if one of them exited non-zero or a sanitizer spoke up in
# $TEST_DIR/server.log.  For teardown, before stop_server.
sessions_clean() {
	local i
	for i in $(seq 1 100); do
		[ -n "${SERVER_PID:-}" ] && pgrep -P "$SERVER_PID" >/dev/null || break
		sleep 0.05
	done
	if grep -E "died with code [1-9]|AddressSanitizer|LeakSanitizer|runtime error:" \
		"$TEST_DIR/server.log" 2>/dev/null; then
		echo "a session failed; see $TEST_DIR/server.log" >&2
		return 1
	fi
}

# stop_clean: the usual teardown: fails the test if a session failed
# (see sessions_clean), and stops the server either way.
stop_clean() {
	local rc=0
	sessions_clean || rc=1
	stop_server
	return $rc
}

# The build that reports what its confinement refuses.  Tests run four at
# once, and two of them may ask for it together: without the lock one of
# them could exec the binary while the other's linker is writing it (126).
probe_session() {
	flock "$REPO/Makefile" make -C "$REPO" -s probe >/dev/null
	echo "$REPO/build-probe/smtp-session"
}

# throwaway_cert DIR: a self-signed P-256 certificate for sink.test, made
# at test time (no private key is committed): DIR/key.pem, DIR/cert.pem.
throwaway_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/key.pem" -out "$1/cert.pem" -days 2 \
		-subj /CN=sink.test -addext subjectAltName=DNS:sink.test \
		2>/dev/null
}
