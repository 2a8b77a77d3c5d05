#!/usr/bin/env bats
# STARTTLS (RFC 3207), implicit TLS (RFC 8314) and AUTH PLAIN/LOGIN
# (RFC 4954) with the clients people use: swaks, curl, Python's smtplib,
# openssl s_client.  Loopback only; the certificate is made here, at test
# time, and no private key is committed.

load test_helper

setup_file() {
	local d=$BATS_FILE_TMPDIR
	throwaway_cert "$d"
	{
		echo "# smtp-sink test users"
		echo "alice:$(mkpasswd -m yescrypt secret)"
		echo "bob:$(openssl passwd -6 hunter2)"
		echo "carol:plaintext"
		echo "dave:$(mkpasswd -m bcrypt -R 5 pw4dave)"
	} >"$d/users"
}

setup() {
	CERT=$BATS_FILE_TMPDIR/cert.pem
	KEY=$BATS_FILE_TMPDIR/key.pem
	USERS=$BATS_FILE_TMPDIR/users
	TLS=(--tls-cert "$CERT" --tls-key "$KEY")
	mkdir -p "$TEST_DIR/md"
}

teardown() {
	stop_clean
}

# The one stored message.
stored() {
	cat "$TEST_DIR"/md/new/*
}

# py SCRIPT [ARG]...: Python with $PORT and $CERT in the environment.
py() {
	PORT=$PORT CERT=$CERT python3 - "$@"
}

@test "swaks: STARTTLS, AUTH PLAIN with a yescrypt hash; Received says ESMTPSA, the TLS version and the user" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}" --verbose
	run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN \
		--auth-user alice --auth-password secret \
		--from a@x.test --to b@y.test
	assert_success
	assert_output --partial "235 2.7.0 Authentication successful"
	run stored
	assert_output --regexp $'\t\\(using TLSv1\\.3 with cipher TLS_[A-Z0-9_]+\\)'
	assert_output --partial $'\t(Authenticated sender: alice)'
	assert_output --partial "with ESMTPSA id"
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=tls peer=127.0.0.1 tls=\"TLSv1.3 with cipher"
	assert_output --partial "user=alice"
	refute_output --partial secret
	refute_output --partial "AGFsaWNlAHNlY3JldA"
	assert_output --partial "line=\"AUTH PLAIN ***\""
}

@test "swaks: AUTH LOGIN with a sha512crypt hash" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}" --verbose
	run swaks --server "127.0.0.1:$PORT" --tls --auth LOGIN \
		--auth-user bob --auth-password hunter2 \
		--from a@x.test --to b@y.test
	assert_success
	assert_output --partial "334 VXNlcm5hbWU6"
	assert_output --partial "235 2.7.0"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run cat "$TEST_DIR/server.log"
	refute_output --partial hunter2
	refute_output --partial "$(printf hunter2 | base64)"
	assert_output --partial 'line=***'
}

@test "swaks: a wrong password gets 535 5.7.8 and nothing is stored" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}"
	run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN \
		--auth-user alice --auth-password wrong \
		--from a@x.test --to b@y.test
	assert_failure
	assert_output --partial "535 5.7.8"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=auth-failed peer=127.0.0.1 user=alice"
}

@test "curl --ssl-reqd --user sends over STARTTLS with AUTH" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}"
	printf 'Subject: curl\r\n\r\nover TLS\r\n' >"$TEST_DIR/msg"
	run curl -sS --ssl-reqd --cacert "$CERT" --resolve "sink.test:$PORT:127.0.0.1" \
		--user alice:secret --mail-from a@x.test --mail-rcpt b@y.test \
		--upload-file "$TEST_DIR/msg" "smtp://sink.test:$PORT"
	assert_success
	run stored
	assert_output --partial "with ESMTPSA"
	assert_output --partial "over TLS"
}

@test "Python smtplib: starttls() then login(), the certificate verified" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}"
	run py <<'PY'
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["CERT"])
with smtplib.SMTP("127.0.0.1", int(os.environ["PORT"]), "client.test") as s:
    s.ehlo()
    assert s.has_extn("starttls")
    s._host = "sink.test"
    s.starttls(context=ctx)
    s.ehlo()
    assert not s.has_extn("starttls"), s.esmtp_features
    assert s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
    s.login("alice", "secret")
    s.sendmail("a@x.test", ["b@y.test"], b"Subject: py\r\n\r\nhi\r\n")
print("sent")
PY
	assert_success
	assert_output sent
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "openssl s_client -starttls smtp: after TLS, EHLO offers AUTH and no second STARTTLS" {
	start_server --discard --auth "$USERS" "${TLS[@]}"
	run bash -c 'printf "EHLO c.test\r\nSTARTTLS\r\nQUIT\r\n" | timeout 10 openssl s_client -quiet -starttls smtp -connect "127.0.0.1:$1" 2>/dev/null' _ "$PORT"
	assert_output --partial "250-AUTH PLAIN LOGIN"
	refute_output --partial "250-STARTTLS"
	assert_output --partial "554 5.5.1 Error: TLS already active"
	assert_output --partial "221 2.0.0 Bye"
}

@test "implicit TLS: openssl s_client -connect, and smtplib SMTP_SSL with login" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" "${TLS[@]}" --tls-on-connect
	run bash -c 'printf "EHLO c.test\r\nQUIT\r\n" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$1" 2>/dev/null' _ "$PORT"
	assert_output --partial "220 "
	assert_output --partial "250-AUTH PLAIN LOGIN"
	refute_output --partial "STARTTLS"
	# TLS 1.1 is refused
	run bash -c 'timeout 10 openssl s_client -tls1_1 -connect "127.0.0.1:$1" </dev/null 2>&1' _ "$PORT"
	refute_output --partial "220 "
	run py <<'PY'
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["CERT"])
ctx.check_hostname = False
with smtplib.SMTP_SSL("127.0.0.1", int(os.environ["PORT"]), context=ctx) as s:
    s.login("bob", "hunter2")
    s.sendmail("a@x.test", ["b@y.test"], b"Subject: 465\r\n\r\nhi\r\n")
print("sent")
PY
	assert_output sent
	run stored
	assert_output --partial "with ESMTPSA"
	assert_output --partial "(Authenticated sender: bob)"
}

# CVE-2011-0411: what the client sent after STARTTLS, in the same write,
# must not be answered inside TLS.
@test "STARTTLS injection: a NOOP sent with STARTTLS in one write is never answered" {
	mkdir "$TEST_DIR/tr"
	start_server --discard "${TLS[@]}" --transcript "$TEST_DIR/tr"
	run py <<'PY'
import os, socket, ssl
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), 10)
f = s.makefile("rb")
def reply(f):
    lines = []
    while True:
        l = f.readline()
        lines.append(l)
        if l[3:4] != b"-":
            return lines
reply(f)
s.sendall(b"EHLO c.test\r\n"); reply(f)
s.sendall(b"STARTTLS\r\nNOOP\r\n")
assert reply(f)[0].startswith(b"220 2.0.0"), "no 220"
ctx = ssl.create_default_context(cafile=os.environ["CERT"])
ctx.check_hostname = False
t = ctx.wrap_socket(s, server_hostname="sink.test")
t.settimeout(1)
try:
    early = t.recv(4096)
except socket.timeout:
    early = b""
assert early == b"", "answered inside TLS: %r" % early
t.settimeout(10)
g = t.makefile("rb")
t.sendall(b"EHLO c.test\r\n")
first = reply(g)
assert first[0].startswith(b"250-"), first
t.sendall(b"QUIT\r\n")
print(reply(g)[0].decode().strip())
PY
	assert_success
	assert_output "221 2.0.0 Bye"
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=starttls-pipelining peer=127.0.0.1 dropped=6"
	run cat "$TEST_DIR"/tr/*
	assert_output --partial "# TLS handshake; 6 octets sent after STARTTLS thrown away"
}

@test "STARTTLS: 502 without TLS configured, 501 with an argument" {
	start_server --discard
	run smtp_raw 'b"EHLO c.test\r\nSTARTTLS\r\nQUIT\r\n"'
	refute_output --partial "250-STARTTLS"
	assert_output --partial "502 5.5.1"
	stop_server
	start_server --discard "${TLS[@]}"
	run smtp_raw 'b"EHLO c.test\r\nSTARTTLS now\r\nQUIT\r\n"'
	assert_output --partial "250-STARTTLS"
	assert_output --partial "501 5.5.4 Syntax: STARTTLS"
}

@test "STARTTLS: an unreadable key is a clear error in the log and 454, never a crash" {
	start_server --discard --tls-cert "$CERT" --tls-key "$TEST_DIR/missing.pem"
	run smtp_raw 'b"EHLO c.test\r\nSTARTTLS\r\nQUIT\r\n"'
	assert_output --partial "454 4.7.0 TLS not available due to temporary reason"
	assert_output --partial "221 2.0.0 Bye"
	run cat "$TEST_DIR/server.log"
	assert_output --regexp "event=tls-config reason=\"cannot use key $TEST_DIR/missing.pem: .*"
}

# After the handshake, a record that is not TLS: the session ends, and the
# log says what OpenSSL made of it; a client that just goes away without
# close_notify is a lost connection and no TLS failure.
@test "a broken TLS record after the handshake is logged with OpenSSL's reason" {
	start_server --discard "${TLS[@]}" --tls-on-connect
	run py <<'PY'
import os, socket, ssl
ctx = ssl.create_default_context(cafile=os.environ["CERT"])
ctx.check_hostname = False
for garbage in (True, False):
    s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), 10)
    t = ctx.wrap_socket(s, server_hostname="sink.test")
    f = t.makefile("rb")
    f.readline()
    if garbage:  # a record header with a bad type, under the TLS layer
        os.write(t.fileno(), b"\x99\x03\x03\x00\x05hello")
        t.settimeout(10)
        try:
            print("after garbage:", t.recv(100))
        except (ssl.SSLError, OSError) as e:
            print("closed")
    t.close()
PY
	assert_success
	assert_output closed
	sessions_clean
	run cat "$TEST_DIR/server.log"
	assert_output --regexp 'event=tls-failed peer=127\.0\.0\.1 reason="TLS read failed: [^"]+"'
	[ "$(grep -c 'TLS read failed' "$TEST_DIR/server.log")" -eq 1 ]
}

@test "--tls-on-connect with an unusable key exits 78 (EX_CONFIG) with a clear message" {
	run bash -c 'printf "" | "$1" --discard --tls-cert "$2" --tls-key "$2" --tls-on-connect 2>&1' _ "$SMTP_SESSION" "$CERT"
	assert_equal "$status" 78
	assert_output --partial "event=tls-config"
	assert_output --partial "cannot use key"
}

@test "a failed handshake is logged with OpenSSL's reason and ends the session" {
	start_server --discard "${TLS[@]}"
	run py <<'PY'
import os, socket
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), 10)
s.sendall(b"EHLO c.test\r\nSTARTTLS\r\n")
got = b""
while b"220 2.0.0" not in got:
    got += s.recv(4096)
s.sendall(b"this is not a ClientHello\r\n")
try:
    while True:
        more = s.recv(4096)
        if not more:
            break
        got += more
except ConnectionResetError:
    pass
print(got.decode().replace("\r", ""))
PY
	assert_output --partial "220 2.0.0 Ready to start TLS"
	refute_output --partial "500"
	sessions_clean
	run cat "$TEST_DIR/server.log"
	assert_output --regexp 'event=tls-failed peer=127.0.0.1 reason="TLS handshake failed: error:[0-9A-F]+:SSL routines::'
	assert_output --partial "reason=\"TLS handshake failed\""
}

# Every AUTH reply of RFC 4954, on loopback (AUTH is allowed in clear).
@test "AUTH replies: 503 before EHLO, 504, 501 on '*', 501 5.5.2, 500 past 12288, 503 in a transaction and once authenticated" {
	start_server --discard --auth "$USERS" --max-errors 0
	local long
	long=$(printf 'A%.0s' $(seq 1 12300))
	run smtp_raw "b\"AUTH PLAIN AGFsaWNlAHNlY3JldA==\\r\\nEHLO c.test\\r\\nAUTH CRAM-MD5\\r\\nAUTH PLAIN\\r\\n*\\r\\nAUTH PLAIN\\r\\n!!!!\\r\\nAUTH PLAIN $long\\r\\nMAIL FROM:<a@x.test>\\r\\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\\r\\nRSET\\r\\nAUTH LOGIN\\r\\nYWxpY2U=\\r\\nc2VjcmV0\\r\\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\\r\\nQUIT\\r\\n\""
	assert_line --index 0 --partial "220 "
	assert_line --index 1 "503 5.5.1 Error: send HELO/EHLO first"
	assert_line "250-AUTH PLAIN LOGIN"
	assert_line "504 5.5.4 Unrecognized authentication type"
	assert_line "334 "
	assert_line "501 5.7.0 Authentication aborted"
	assert_line "501 5.5.2 Error: invalid base64 data"
	assert_line "500 5.5.2 Error: line too long"
	assert_line "503 5.5.1 Error: MAIL transaction in progress"
	assert_line "334 VXNlcm5hbWU6"
	assert_line "334 UGFzc3dvcmQ6"
	assert_line "235 2.7.0 Authentication successful"
	assert_line "503 5.5.1 Error: already authenticated"
	assert_line "221 2.0.0 Bye"
}

@test "AUTH replies: 535 5.7.8, another's authorization identity refused, 421 after three failures" {
	start_server --discard --auth "$USERS"
	run smtp_raw "b\"EHLO c.test\\r\\nAUTH PLAIN $(printf 'bob\0alice\0secret' | base64)\\r\\nAUTH PLAIN $(printf '\0alice\0nope' | base64)\\r\\nAUTH PLAIN $(printf '\0nobody\0x' | base64)\\r\\nNOOP\\r\\n\""
	assert_line --index 11 "535 5.7.8 Authentication credentials invalid"
	assert_line --index 12 "535 5.7.8 Authentication credentials invalid"
	assert_line --index 13 "421 4.7.0 $(hostname) Error: too many failed authentications"
	refute_output --partial "250 2.0.0 Ok"
}

@test "a bcrypt hash (\$2b\$) is verified too; the wrong password for it is not" {
	start_server --discard --auth "$USERS"
	run smtp_raw "b\"EHLO c.test\\r\\nAUTH PLAIN $(printf '\0dave\0nope' | base64)\\r\\nAUTH PLAIN $(printf '\0dave\0pw4dave' | base64)\\r\\nQUIT\\r\\n\""
	assert_line "535 5.7.8 Authentication credentials invalid"
	assert_line "235 2.7.0 Authentication successful"
}

@test "AUTH replies: --auth-required gives 530 5.7.0 until the client authenticated" {
	start_server --maildir "$TEST_DIR/md" --auth "$USERS" --auth-required
	run smtp_raw "b\"EHLO c.test\\r\\nMAIL FROM:<a@x.test>\\r\\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\\r\\nMAIL FROM:<a@x.test>\\r\\nQUIT\\r\\n\""
	assert_line "530 5.7.0 Authentication required"
	assert_line "235 2.7.0 Authentication successful"
	assert_line "250 2.1.0 Ok"
}

# A network client in clear: a pipe with the address of a network peer
# (UCSPI's TCPREMOTEIP), so not loopback and not local.
@test "in clear from the network, AUTH is not offered and gets 538 5.7.11; --auth-insecure offers it" {
	run bash -c 'printf "EHLO c.test\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n" | TCPREMOTEIP=192.0.2.7 "$1" --discard --auth "$2" --tls-cert "$3" --tls-key "$4" 2>/dev/null | tr -d "\r"' _ "$SMTP_SESSION" "$USERS" "$CERT" "$KEY"
	assert_line "250-STARTTLS"
	refute_line "250-AUTH PLAIN LOGIN"
	assert_line "538 5.7.11 Encryption required for requested authentication mechanism"
	run bash -c 'printf "EHLO c.test\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n" | TCPREMOTEIP=192.0.2.7 "$1" --discard --auth "$2" --auth-insecure 2>/dev/null | tr -d "\r"' _ "$SMTP_SESSION" "$USERS"
	assert_line "250-AUTH PLAIN LOGIN"
	assert_line "235 2.7.0 Authentication successful"
}

@test "credentials file: plain text refused with a log line; a malformed line gives 454 naming file and line; an edit applies to the next session" {
	start_server --discard --auth "$TEST_DIR/users"
	printf 'alice:%s\ncarol:plaintext\n' "$(mkpasswd -m yescrypt secret)" >"$TEST_DIR/users"
	run smtp_raw "b\"EHLO c.test\\r\\nAUTH PLAIN $(printf '\0carol\0plaintext' | base64)\\r\\nQUIT\\r\\n\""
	assert_line "535 5.7.8 Authentication credentials invalid"
	printf 'alice:%s\nthis line is wrong\n' "$(mkpasswd -m yescrypt secret)" >"$TEST_DIR/users"
	run smtp_raw 'b"EHLO c.test\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n"'
	assert_line "454 4.7.0 Temporary authentication failure"
	chmod 000 "$TEST_DIR/users"
	rm "$TEST_DIR/users"
	run smtp_raw 'b"EHLO c.test\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n"'
	assert_line "454 4.7.0 Temporary authentication failure"
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=auth-file file=$TEST_DIR/users line=2 reason=\"plain-text password refused; store a crypt(3) hash\""
	assert_output --partial "event=auth-file file=$TEST_DIR/users line=2 reason=\"expected user:hash\""
	assert_output --partial "event=auth-file file=$TEST_DIR/users line=0 reason=\"No such file or directory\""
	refute_output --partial "plaintext\""
}

@test "--auth-any: any name and password pass; the name is in the log and Received, the password nowhere, --transcript included" {
	mkdir "$TEST_DIR/tr"
	start_server --maildir "$TEST_DIR/md" --auth-any --verbose --transcript "$TEST_DIR/tr"
	run swaks --server "127.0.0.1:$PORT" --auth LOGIN --auth-user tester \
		--auth-password Sup3rSecr3t --from a@x.test --to b@y.test
	assert_success
	run stored
	assert_output --partial "(Authenticated sender: tester)"
	assert_output --partial "with ESMTPA"
	run grep -rl -e Sup3rSecr3t -e "$(printf Sup3rSecr3t | base64)" "$TEST_DIR/server.log" "$TEST_DIR/tr" "$TEST_DIR/md"
	assert_failure
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=auth peer=127.0.0.1 user=tester detail=\"any (--auth-any)\""
}

@test "the key and certificate can come from \$CREDENTIALS_DIRECTORY (systemd LoadCredential=)" {
	mkdir "$TEST_DIR/creds"
	cp "$CERT" "$TEST_DIR/creds/tls.crt"
	cp "$KEY" "$TEST_DIR/creds/tls.key"
	cp "$USERS" "$TEST_DIR/creds/users"
	# systemd-socket-activate passes on only what -E names
	PORT=$(free_port)
	systemd-socket-activate --accept -l "127.0.0.1:$PORT" \
		-E CREDENTIALS_DIRECTORY="$TEST_DIR/creds" "$SMTP_SESSION" \
		--discard --tls-cert tls.crt --tls-key tls.key --auth users \
		--tls-on-connect 2>>"$TEST_DIR/server.log" &
	SERVER_PID=$!
	wait_port "$PORT"
	run bash -c 'printf "EHLO c.test\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$1" 2>/dev/null' _ "$PORT"
	assert_output --partial "235 2.7.0"
}

@test "--tls-on-connect behind --proxy-protocol: a v1 or v2 header is read without touching the ClientHello" {
	start_server --maildir "$TEST_DIR/md" --auth-any "${TLS[@]}" --tls-on-connect --proxy-protocol
	local v
	for v in 1 2; do
	run py "$v" <<'PY'
import os, socket, ssl, struct, sys
if sys.argv[1] == "1":
    header = b"PROXY TCP4 198.51.100.9 192.0.2.1 4711 465\r\n"
else:
    header = (b"\r\n\r\n\0\r\nQUIT\n\x21\x11" + struct.pack("!H", 12) +
              bytes([198, 51, 100, 9, 192, 0, 2, 1]) + struct.pack("!HH", 4711, 465))
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), 10)
ctx = ssl.create_default_context(cafile=os.environ["CERT"])
ctx.check_hostname = False
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
t = ctx.wrap_bio(inc, out, server_hostname="sink.test")
def pump():
    while True:
        try:
            return t.do_handshake()
        except ssl.SSLWantReadError:
            s.sendall(out.read())
            inc.write(s.recv(65536))
try:
    t.do_handshake()
except ssl.SSLWantReadError:
    pass
# the header and the ClientHello in one write, as a balancer may send them
s.sendall(header + out.read())
inc.write(s.recv(65536))
pump()
s.sendall(out.read())
def line():
    while True:
        try:
            return t.read(4096).decode()
        except ssl.SSLWantReadError:
            inc.write(s.recv(65536))
print(line().strip()[:3])
t.write(b"QUIT\r\n")
s.sendall(out.read())
print(line().strip())
PY
	assert_success
	assert_line --index 0 "220"
	assert_line --index 1 "221 2.0.0 Bye"
	done
	run grep -c "event=tls peer=198.51.100.9" "$TEST_DIR/server.log"
	assert_output 2
	run grep -c "event=proxy peer=198.51.100.9 port=4711 proxy=127.0.0.1 version=[12]" "$TEST_DIR/server.log"
	assert_output 2
}

# RFC 4954 14: the server must not tell, by time, which user names exist.
@test "an unknown user costs the same time as a wrong password (within noise)" {
	# a hash that takes about 0.9 s, so that skipping it would show
	# through the 0.5 s delay after a failure
	echo "alice:$(mkpasswd -m sha-512 -R 3000000 secret)" >"$TEST_DIR/users"
	start_server --discard --auth "$TEST_DIR/users"
	run py <<'PY'
import os, smtplib, time, statistics
port = int(os.environ["PORT"])
def attempt(user):
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.ehlo()
        t = time.monotonic()
        try:
            s.login(user, "wrong-password")
        except smtplib.SMTPAuthenticationError:
            pass
        return time.monotonic() - t
known, unknown = [], []
for _ in range(4):
    known.append(attempt("alice"))
    unknown.append(attempt("nobody"))
a, b = statistics.median(known), statistics.median(unknown)
print("known %.3f unknown %.3f" % (a, b))
assert abs(a - b) < 0.25 * max(a, b) + 0.05, (known, unknown)
PY
	assert_success
}

@test "a plain session maps neither libssl, libcrypto nor libcrypt; a session with --tls-cert maps libssl" {
	mkfifo "$TEST_DIR/in"
	"$SMTP_SESSION" --discard <"$TEST_DIR/in" >/dev/null 2>&1 &
	local pid=$!
	exec 7>"$TEST_DIR/in"
	printf 'HELO x\n' >&7
	sleep 0.3
	run grep -E 'libssl|libcrypt' "/proc/$pid/maps"
	printf 'QUIT\n' >&7
	exec 7>&-
	wait "$pid"
	assert_failure
	rm "$TEST_DIR/in"
	mkfifo "$TEST_DIR/in"
	"$SMTP_SESSION" --discard "${TLS[@]}" <"$TEST_DIR/in" >/dev/null 2>&1 &
	pid=$!
	exec 7>"$TEST_DIR/in"
	printf 'HELO x\n' >&7
	sleep 0.3
	run grep -c 'libssl.so.3' "/proc/$pid/maps"
	printf 'QUIT\n' >&7
	exec 7>&-
	wait "$pid"
	assert_success
	run readelf -d "$SMTP_SESSION"
	refute_output --partial libssl
	refute_output --partial libcrypt
}

@test "confined: a TLS session with AUTH makes no system call the filter refuses" {
	local probe
	probe=$(probe_session)
	PROBE_LOG=$TEST_DIR/probe.log
	SMTP_SESSION=$probe start_server --discard --auth "$USERS" "${TLS[@]}"
	run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN \
		--auth-user alice --auth-password secret \
		--from a@x.test --to b@y.test
	assert_success
	sessions_clean
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=accepted"
	refute_output --regexp "SIGSYS|died with code [1-9]|killed|signal"
}
