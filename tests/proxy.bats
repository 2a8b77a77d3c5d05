#!/usr/bin/env bats
# The PROXY protocol (--proxy-protocol) behind a real HAProxy (Debian's
# haproxy package), started here on loopback with a configuration of the
# test's own, using send-proxy (v1) and send-proxy-v2 towards the
# socket-activated, confined smtp-session.  The client connects from
# 127.0.0.2, HAProxy from 127.0.0.1: the address in the Received header
# and the log is the one HAProxy saw.  Raw malformed, truncated, long and
# slow headers end the session with no reply and a log line.

load test_helper

teardown() {
	if [ -n "${HAPROXY_PID:-}" ]; then
		kill "$HAPROXY_PID" 2>/dev/null || true
		wait "$HAPROXY_PID" 2>/dev/null || true
	fi
	stop_clean
}

# start_haproxy SEND-PROXY-KEYWORD [BIND-ADDRESS]: HAProxy in front of
# the server at $PORT; sets HP_PORT and HAPROXY_PID.  This is the
# configuration smtp-sink(7) shows under "Behind a load balancer".
start_haproxy() {
	command -v haproxy >/dev/null || skip "haproxy not installed (tests/packages.txt)"
	local bind=${2:-127.0.0.1}
	HP_PORT=$(free_port)
	cat >"$TEST_DIR/haproxy.cfg" <<CFG
global
	maxconn 1000

defaults
	mode tcp
	timeout connect 5s
	timeout client 60s
	timeout server 60s

frontend smtp
	bind $bind:$HP_PORT
	default_backend sinks

backend sinks
	server sink1 127.0.0.1:$PORT $1
CFG
	haproxy -db -f "$TEST_DIR/haproxy.cfg" >>"$TEST_DIR/haproxy.log" 2>&1 &
	HAPROXY_PID=$!
	local i
	for i in $(seq 1 100); do
		python3 -c 'import socket,sys; socket.create_connection((sys.argv[1],int(sys.argv[2])),0.2).close()' \
			"$bind" "$HP_PORT" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$TEST_DIR/haproxy.log" >&2
	return 1
}

# through_haproxy HOST PORT SOURCE: one message from SOURCE via HAProxy.
through_haproxy() {
	python3 - "$@" <<'PY'
import socket, smtplib, sys
host, port, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = smtplib.SMTP(host, port, local_hostname="client.test",
                 source_address=(source, 0), timeout=20)
c.sendmail("a@x.test", ["b@y.test"], b"Subject: proxied\r\n\r\nhello\r\n")
c.quit()
PY
}

# raw_session LITERAL...: smtp_chunks (what the server said: nothing, for
# a refused header), then "closed after N s".
raw_session() {
	local t0=$EPOCHREALTIME
	smtp_chunks "$@" || return
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "closed after %.1f s\n", b - a }'
}

@test "HAProxy send-proxy (v1): the client's address is in Received and the log" {
	start_server --proxy-protocol --maildir "$TEST_DIR/md" --hostname sink.test
	start_haproxy send-proxy
	run through_haproxy 127.0.0.1 "$HP_PORT" 127.0.0.2
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run grep '^Received: from client.test' "$TEST_DIR"/md/new/*
	assert_output "Received: from client.test ([127.0.0.2])"
	sessions_clean
	run grep -c 'event=proxy peer=127.0.0.2 port=[0-9]* proxy=127.0.0.1 version=1' "$TEST_DIR/server.log"
	assert_output 1
	run grep -c 'event=accepted .*peer=127.0.0.2 ' "$TEST_DIR/server.log"
	assert_output 1
}

@test "HAProxy send-proxy-v2: the client's address is in Received and the log" {
	start_server --proxy-protocol --maildir "$TEST_DIR/md" --hostname sink.test
	start_haproxy send-proxy-v2
	run through_haproxy 127.0.0.1 "$HP_PORT" 127.0.0.2
	assert_success
	run grep '^Received: from client.test' "$TEST_DIR"/md/new/*
	assert_output "Received: from client.test ([127.0.0.2])"
	sessions_clean
	run grep -c 'event=proxy peer=127.0.0.2 port=[0-9]* proxy=127.0.0.1 version=2' "$TEST_DIR/server.log"
	assert_output 1
}

@test "HAProxy send-proxy-v2 over IPv6: an IPv6 address literal in Received" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
		skip "no IPv6 loopback here"
	start_server --proxy-protocol --maildir "$TEST_DIR/md" --hostname sink.test
	start_haproxy send-proxy-v2 ::1
	run through_haproxy ::1 "$HP_PORT" ::1
	assert_success
	run grep '^Received: from client.test' "$TEST_DIR"/md/new/*
	assert_output "Received: from client.test ([IPv6:::1])"
}

@test "many sessions through HAProxy: every one is served" {
	start_server --proxy-protocol --discard --hostname sink.test
	start_haproxy send-proxy-v2
	run python3 - "$HP_PORT" <<'PY'
import smtplib, sys
for i in range(30):
    c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="c.test",
                     source_address=("127.0.0.%d" % (2 + i % 3), 0), timeout=20)
    c.sendmail("a@x.test", ["b@y.test"], b"Subject: %d\r\n\r\nx\r\n" % i)
    c.quit()
print("ok")
PY
	assert_success
	sessions_clean
	run grep -c 'event=accepted .*peer=127.0.0.[234] ' "$TEST_DIR/server.log"
	assert_output 30
}

@test "the header and the first commands in one write: nothing is lost" {
	start_server --proxy-protocol --hostname sink.test
	run raw_session 'b"PROXY TCP6 2001:db8::7 2001:db8::1 40000 25\r\nEHLO c.test\r\nQUIT\r\n"'
	assert_success
	assert_line --index 0 "220 sink.test ESMTP smtp-sink"
	assert_line --index 1 "250-sink.test"
	assert_line --regexp '^221 2.0.0 Bye$'
	sessions_clean
	grep -q 'event=proxy peer=2001:db8::7 port=40000 proxy=127.0.0.1 version=1' "$TEST_DIR/server.log"
}

SIG='\r\n\r\n\x00\r\nQUIT\n'
MSG='HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n'

@test "v2 with TLVs is read whole; LOCAL keeps the connection's address" {
	start_server --proxy-protocol --maildir "$TEST_DIR/md" --hostname sink.test
	# PROXY over TCP/IPv4 from 198.51.100.9:4660, with an ALPN and a NOOP TLV
	run raw_session "b'$SIG\\x21\\x11\\x00\\x18\\xc6\\x33\\x64\\x09\\xc0\\x00\\x02\\x01\\x12\\x34\\x00\\x19\\x01\\x00\\x04smtp\\x04\\x00\\x02\\x00\\x00$MSG'"
	assert_success
	assert_line --regexp '^250 2.0.0 Ok: queued as '
	run grep -h '^Received: from c.test' "$TEST_DIR"/md/new/*
	assert_output "Received: from c.test ([198.51.100.9])"
	# LOCAL (a balancer's own health check): the connection's address
	run raw_session "b'$SIG\\x20\\x00\\x00\\x00$MSG'"
	assert_success
	assert_line --regexp '^250 2.0.0 Ok: queued as '
	sessions_clean
	grep -q 'event=proxy peer=198.51.100.9 port=4660 proxy=127.0.0.1 version=2' "$TEST_DIR/server.log"
	grep -q 'event=proxy peer=127.0.0.1 proxy=127.0.0.1 version=2 command=local' "$TEST_DIR/server.log"
	run grep -c 'event=accepted .*peer=127.0.0.1 ' "$TEST_DIR/server.log"
	assert_output 1
}

# refused LITERAL... : the header is refused: no byte of reply, the
# connection closed, a log line that says why.
refused() {
	run raw_session "$@"
	assert_success
	assert_output --regexp '^closed after [0-9.]+ s$'
	sessions_clean
	# (wait_port's probe connected without a header too: one line more)
	grep -q 'event=disconnect peer=127.0.0.1 reason="bad PROXY header"' "$TEST_DIR/server.log"
}

@test "a malformed v1 header: closed without a reply" {
	start_server --proxy-protocol --hostname sink.test
	refused 'b"PROXY TCP4 203.0.113.9 nonsense 1 25\r\nEHLO c.test\r\n"'
	grep -q 'detail="v1: bad address"' "$TEST_DIR/server.log"
}

@test "a v1 header without CRLF in 107 octets: closed at once, no reply" {
	start_server --proxy-protocol --hostname sink.test
	refused 'b"PROXY UNKNOWN 11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"'
	grep -q 'detail="v1: line too long"' "$TEST_DIR/server.log"
	assert_output --regexp '^closed after 0\.[0-9] s$' # at once
}

@test "a v2 header longer than 4096 octets: closed, no reply" {
	start_server --proxy-protocol --hostname sink.test
	refused "b'$SIG\\x21\\x11\\x13\\x88'"
	grep -q 'detail="v2: header too long"' "$TEST_DIR/server.log"
	assert_output --regexp '^closed after 0\.[0-9] s$' # at once
}

@test "a truncated header and then EOF: closed, no reply" {
	start_server --proxy-protocol --hostname sink.test
	refused 'b"PROXY TCP4 203.0.113.9 192.0.2"'
	grep -q 'detail="connection closed before the header"' "$TEST_DIR/server.log"
}

@test "a plain SMTP client (no header): closed, no reply, no greeting" {
	start_server --proxy-protocol --hostname sink.test
	refused 'b"EHLO c.test\r\n"'
	grep -q 'detail="not a PROXY protocol header"' "$TEST_DIR/server.log"
	assert_output --regexp '^closed after 0\.[0-9] s$' # at once
}

@test "a slow header: closed after its own short wait (here --timeout 1)" {
	start_server --proxy-protocol --timeout 1 --hostname sink.test
	python3 - "$PORT" >"$TEST_DIR/out" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
t0 = time.monotonic()
s.sendall(b"PROX")
out = s.recv(100)
print(repr(out), "%.1f" % (time.monotonic() - t0))
PY
	run cat "$TEST_DIR/out"
	assert_output --regexp "^b'' [0-2]\.[0-9]$"
	sessions_clean
	grep -q 'detail="no header in time"' "$TEST_DIR/server.log"
}

@test "without --proxy-protocol a PROXY line is just a bad command" {
	start_server --hostname sink.test
	run smtp_raw 'b"PROXY TCP4 203.0.113.9 192.0.2.1 4711 25\r\nHELO c.test\r\nQUIT\r\n"'
	assert_success
	assert_output "220 sink.test ESMTP smtp-sink
500 5.5.1 Error: command not recognized
250 sink.test
221 2.0.0 Bye"
}
