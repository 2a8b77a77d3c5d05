#!/usr/bin/env bats
# The double for testing mail-sending code (issue 16), end to end under
# the real systemd-socket-activate, seen from real clients: --fail at each
# point with each kind of WHICH, the odds over 1000 sessions and their
# replay with --seed, codes chosen by the address (swaks, smtplib), drop
# and hang, --delay against a clock and a client that gives up, and every
# keyword --withhold knows.

load test_helper

teardown() { stop_clean; }

# lockstep LINE...: one session at $PORT: reads the greeting, then sends
# each line and reads its reply; prints the code of every reply (the
# greeting first), one a line, and "closed" when the server hangs up.
lockstep() {
	python3 - "$PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def reply():
    while True:
        try:
            line = f.readline()
        except ConnectionResetError:
            line = b""
        if not line:
            print("closed")
            sys.exit(0)
        if line[3:4] != b"-":
            print(line[:3].decode())
            return
reply()
for cmd in sys.argv[2:]:
    try:
        s.sendall(cmd.encode("utf-8", "surrogateescape") + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    reply()
PY
}

# The commands of each point, three of each where a session can have
# three (a refused DATA makes "." a bad command; RSET clears either way).
declare -A SCRIPT=(
	[helo]="HELO a|EHLO b|HELO c"
	[mail]="EHLO a|MAIL FROM:<a@x>|RSET|MAIL FROM:<b@x>|RSET|MAIL FROM:<c@x>"
	[rcpt]="EHLO a|MAIL FROM:<a@x>|RCPT TO:<a@y>|RCPT TO:<b@y>|RCPT TO:<c@y>"
	[data]="EHLO a|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|.|RSET|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|.|RSET|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|."
	[dot]="EHLO a|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|.|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|.|MAIL FROM:<a@x>|RCPT TO:<a@y>|DATA|."
	[rset]="EHLO a|RSET|RSET|RSET"
	[noop]="EHLO a|NOOP|NOOP|NOOP"
	[vrfy]="EHLO a|VRFY a|VRFY b|VRFY c"
	[expn]="EHLO a|EXPN a|EXPN b|EXPN c"
	[auth]="EHLO a|AUTH PLAIN|AUTH LOGIN|AUTH PLAIN"
	[starttls]="EHLO a|STARTTLS|STARTTLS|STARTTLS"
	[quit]="EHLO a|QUIT"
	[connect]="QUIT"
)

@test "--fail: each WHEN with each kind of WHICH: every time, #2, 100%" {
	local when which code expect got
	for when in "${!SCRIPT[@]}"; do
		for which in "" ":#2" ":100%"; do
			code=555
			[ "$when" = connect ] && code=554
			start_server --discard --hostname sink.test --max-errors 0 \
				--fail "$when:$code$which"
			IFS='|' read -ra cmds <<<"${SCRIPT[$when]}"
			run lockstep "${cmds[@]}"
			assert_success
			got=$(grep -c "^$code\$" <<<"$output" || true)
			case "$when$which" in
			quit | quit:100% | connect | connect:100%) expect=1 ;;
			quit:#2 | connect:#2) expect=0 ;;
			*:#2) expect=1 ;;
			*) expect=3 ;;
			esac
			[ "$got" -eq "$expect" ] || {
				echo "--fail $when:$code$which: $got of $expect" >&2
				echo "$output" >&2
				return 1
			}
			stop_clean
		done
	done
}

@test "--fail rcpt:451:#3: exactly the third RCPT, through swaks" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test \
		--fail rcpt:451:#3
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from a@x.test \
		--to one@y.test,two@y.test,three@y.test,four@y.test
	assert_success
	assert_output --partial $'-> RCPT TO:<three@y.test>\n<** 451 4.3.0 Requested action aborted: local error in processing'
	[ "$(grep -c '^<-  250 2.1.5 Ok' <<<"$output")" -eq 3 ]
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	# the refused recipient is not recorded
	run grep '^X-Original-To: ' "$TEST_DIR"/md/new/*
	assert_output "X-Original-To: one@y.test
X-Original-To: two@y.test
X-Original-To: four@y.test"
	grep -q 'event=injected .*when=rcpt fault="451 4.3.0' "$TEST_DIR/server.log"
}

@test "--fail dot:554 stores nothing; --fail data:451 begins nothing (smtplib)" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test \
		--fail dot:554:#1 --fail data:451:#2
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
for i in range(3):
    try:
        c.sendmail("a@x.test", ["b@y.test"], b"Subject: %d\r\n\r\nbody\r\n" % i)
        print(i, "sent")
    except smtplib.SMTPDataError as e:
        print(i, e.smtp_code)
        c.rset() # smtplib leaves it to us after a refused DATA
c.quit()
PY
	assert_success
	assert_output "0 554
1 451
2 sent"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	grep -q '^Subject: 2$' "$TEST_DIR"/md/new/*
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	grep -q 'event=rejected .*reply="554 5.3.0 Transaction failed"' "$TEST_DIR/server.log"
}

@test "--fail connect:554 waits for QUIT; connect:421 and mail:421 close" {
	start_server --discard --hostname sink.test --fail connect:554
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x>\r\nQUIT\r\n"'
	assert_output "554 sink.test No SMTP service here
503 5.5.1 Error: no SMTP service here; send QUIT
503 5.5.1 Error: no SMTP service here; send QUIT
221 2.0.0 Bye"
	stop_clean
	start_server --discard --hostname sink.test --fail connect:421
	run smtp_raw 'b""'
	assert_output "421 sink.test Service not available, closing transmission channel"
	stop_clean
	start_server --discard --hostname sink.test --fail mail:421
	run lockstep "EHLO c.test" "MAIL FROM:<a@x>" NOOP
	assert_output "220
250
421
closed"
}

# ---- odds and seeds ------------------------------------------------------

@test "--fail noop:451:30%: 1000 sessions fail near 30%, each with its own logged seed" {
	start_server --discard --fail noop:451:30%
	run python3 - "$PORT" <<'PY'
import socket, sys
n = 0
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"NOOP\r\nQUIT\r\n")
    n += f.readline().startswith(b"451 ")
    f.readline()
    s.close()
print(n)
PY
	assert_success
	# binomial(1000, 0.3): sd 14.5; 5 sd either side
	[ "$output" -gt 227 ] && [ "$output" -lt 373 ] || {
		echo "451 in $output of 1000 sessions" >&2
		return 1
	}
	sessions_clean
	# (wait_port's probe is a session too)
	[ "$(grep -c 'event=faults seed=' "$TEST_DIR/server.log")" -eq 1001 ]
	[ "$(grep -o 'seed=[0-9]*' "$TEST_DIR/server.log" | sort -u | wc -l)" -gt 990 ]
}

# rcpts N: a session with N recipients; prints the code of each RCPT.
rcpts() {
	local cmds=("EHLO a" "MAIL FROM:<a@x>") i
	for i in $(seq 1 "$1"); do cmds+=("RCPT TO:<r$i@y>"); done
	lockstep "${cmds[@]}" | tail -n "$1" | tr '\n' ' '
}

@test "--seed replays a session's faults; the logged seed of a random one replays it too" {
	start_server --discard --fail rcpt:451:50% --delay rcpt:0.001:50%
	local random_run seed replay
	random_run=$(rcpts 40)
	sessions_clean
	# the last session's (wait_port's probe was the first)
	seed=$(sed -n 's/.*event=faults seed=\([0-9]*\).*/\1/p' "$TEST_DIR/server.log" | tail -1)
	[ -n "$seed" ]
	stop_clean
	start_server --discard --fail rcpt:451:50% --delay rcpt:0.001:50% --seed "$seed"
	replay=$(rcpts 40)
	assert_equal "$replay" "$random_run"
	assert_equal "$(rcpts 40)" "$random_run"
	[[ "$random_run" == *451* && "$random_run" == *250* ]]
	sessions_clean
	grep -q "event=faults seed=$seed\$" "$TEST_DIR/server.log"
	stop_clean
	start_server --discard --fail rcpt:451:50% --delay rcpt:0.001:50% \
		--seed "$([ "$seed" = 1 ] && echo 2 || echo 1)"
	[ "$(rcpts 40)" != "$random_run" ]
}

# ---- chosen by the client ----------------------------------------------------

@test "--fail-by-address through swaks: 451@ at MAIL, user+552@ at RCPT" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --fail-by-address
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from 451@x.test --to b@y.test
	assert_failure
	assert_output --partial "<** 451 4.3.0 Requested action aborted: local error in processing"
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from a@x.test --to user+552@y.test
	assert_failure
	assert_output --partial "<** 552 5.2.2 Requested mail action aborted: exceeded storage allocation"
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from a@x.test --to user+dot-451@y.test
	assert_failure
	assert_output --partial $'<-  250 2.1.5 Ok'
	assert_output --partial "<** 451 4.3.0 Requested action aborted: local error in processing"
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from a@x.test --to plain@y.test
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "--fail-by-address through smtplib: refused recipients, and +dot-451 after the message" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --fail-by-address
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
refused = c.sendmail("a@x.test", ["ok@y.test", "550@y.test", "x+452@y.test"],
                     b"Subject: one\r\n\r\nbody\r\n")
print(sorted((k, v[0]) for k, v in refused.items()))
try:
    c.sendmail("a@x.test", ["ok@y.test", "later+dot-451@y.test"],
               b"Subject: two\r\n\r\nbody\r\n")
except smtplib.SMTPDataError as e:
    print("data", e.smtp_code, e.smtp_error.decode())
try:
    c.sendmail("a@x.test", ["550@y.test"], b"Subject: three\r\n\r\n")
except smtplib.SMTPRecipientsRefused as e:
    print("all refused", e.recipients["550@y.test"][0])
c.quit()
PY
	assert_success
	assert_output "[('550@y.test', 550), ('x+452@y.test', 452)]
data 451 4.3.0 Requested action aborted: local error in processing
all refused 550"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	grep -q '^Subject: one$' "$TEST_DIR"/md/new/*
	run grep -c '^X-Original-To: ' "$TEST_DIR"/md/new/*
	assert_output 1
}

# ---- drop and hang --------------------------------------------------------

@test "--fail rcpt:drop: smtplib sees the server disconnect" {
	start_server --maildir "$TEST_DIR/md" --fail rcpt:drop
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
try:
    c.sendmail("a@x.test", ["b@y.test"], b"Subject: x\r\n\r\n")
except smtplib.SMTPServerDisconnected as e:
    print("disconnected")
PY
	assert_success
	assert_output "disconnected"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	sessions_clean
	grep -q 'event=injected .*when=rcpt fault=drop' "$TEST_DIR/server.log"
	grep -q 'event=disconnect .*reason="injected drop"' "$TEST_DIR/server.log"
}

@test "--fail mail:hang: a client with a timeout gives up; the server says nothing until --timeout" {
	start_server --discard --timeout 2 --fail mail:hang
	run python3 - "$PORT" <<'PY'
import smtplib, socket, sys, time
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=0.5)
c.ehlo("c.test")
try:
    c.mail("a@x.test")
except smtplib.SMTPServerDisconnected as e: # how smtplib says it timed out
    print("client gave up" if "timed out" in str(e) else e)
# another client waits: no byte comes, and the connection ends at --timeout
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO c\r\n")
while f.readline().startswith(b"250-"):
    pass
start = time.monotonic()
s.sendall(b"MAIL FROM:<a@x>\r\nNOOP\r\nQUIT\r\n")
rest = f.read()
print("after hang: %r, closed after %s s" % (rest, "2" if time.monotonic() - start >= 1.9 else "less than 2"))
PY
	assert_success
	assert_output "client gave up
after hang: b'', closed after 2 s"
	sessions_clean
	[ "$(grep -c 'event=injected .*when=mail fault=hang' "$TEST_DIR/server.log")" -eq 2 ]
	grep -q 'event=disconnect .*reason=timeout' "$TEST_DIR/server.log"
}

@test "--fail connect:hang: the greeting never comes" {
	start_server --discard --timeout 1 --fail connect:hang
	run smtp_raw 'b"EHLO c.test\r\n"'
	assert_success
	assert_output ""
}

# ---- delays -----------------------------------------------------------------

@test "--delay rcpt:1.5: the reply waits, by the clock; a client with a shorter timeout gives up" {
	start_server --discard --delay rcpt:1.5 --delay connect:0.3:#1
	run python3 - "$PORT" <<'PY'
import smtplib, socket, sys, time
t0 = time.monotonic()
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
t1 = time.monotonic()
c.ehlo("c.test")
c.mail("a@x.test")
t2 = time.monotonic()
code, _ = c.rcpt("b@y.test")
t3 = time.monotonic()
c.noop()
t4 = time.monotonic()
print("greeting waited", t1 - t0 >= 0.3)
print("rcpt", code, "waited", t3 - t2 >= 1.5)
print("noop did not", t4 - t3 < 1.0)
c.quit()
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=1.0)
c.ehlo("c.test")
c.mail("a@x.test")
try:
    c.rcpt("b@y.test")
except smtplib.SMTPServerDisconnected as e:
    print("impatient client gave up" if "timed out" in str(e) else e)
PY
	assert_success
	assert_output "greeting waited True
rcpt 250 waited True
noop did not True
impatient client gave up"
}

@test "--delay counts against no server timeout: a 3 s wait with --timeout 1" {
	start_server --discard --timeout 1 --delay rcpt:3 --delay data:1.5
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print(c.sendmail("a@x.test", ["b@y.test"], b"Subject: x\r\n\r\nbody\r\n"))
c.quit()
PY
	assert_success
	assert_output "{}"
	sessions_clean
	refute grep -q 'reason=timeout' "$TEST_DIR/server.log"
	[ "$(grep -c 'event=injected .*fault="delay' "$TEST_DIR/server.log")" -eq 2 ]
}

@test "SIGTERM during a --delay: the waiting reply, then 421" {
	mkfifo "$TEST_DIR/in"
	"$SMTP_SESSION" --discard --delay noop:30 <"$TEST_DIR/in" >"$TEST_DIR/out" 2>"$TEST_DIR/err" &
	local pid=$! i
	exec 7>"$TEST_DIR/in"
	printf 'HELO x\nNOOP\n' >&7
	for i in $(seq 1 100); do
		grep -q 'fault="delay 30 s"' "$TEST_DIR/err" && break
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid" || true
	exec 7>&-
	run tr -d '\r' <"$TEST_DIR/out"
	assert_line --index 2 "250 2.0.0 Ok"
	assert_line --index 3 --partial "421 4.3.2"
	grep -q 'reason=shutdown' "$TEST_DIR/err"
}

# ---- withheld keywords ------------------------------------------------------

# ehlo_keywords OPTION...: the EHLO keywords a server with those options
# offers, one a line.
ehlo_keywords() {
	start_server --discard --hostname sink.test "$@"
	smtp_raw 'b"EHLO c.test\r\nQUIT\r\n"' | sed -n 's/^250[- ]//p' | sed 1d
	stop_clean
}

@test "--withhold: each keyword is gone from EHLO, and only it" {
	local k all
	all=$(ehlo_keywords)
	for k in PIPELINING SIZE 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES BINARYMIME; do
		run ehlo_keywords --withhold "$k"
		assert_success
		refute_line --regexp "^$k( |\$)"
		assert_equal "$(grep -c . <<<"$output")" "$(($(grep -c . <<<"$all") - 1))"
	done
	# CHUNKING takes BINARYMIME with it (RFC 3030: it needs CHUNKING)
	run ehlo_keywords --withhold chunking
	assert_output "$(grep -v -e '^CHUNKING$' -e '^BINARYMIME$' <<<"$all")"
	# STARTTLS and AUTH are not offered here anyway
	run ehlo_keywords --withhold starttls --withhold auth
	assert_output "$all"
	run "$SMTP_SESSION" --withhold DSN
	assert_failure 64
	assert_output --partial "--withhold: 'DSN' is not one of"
}

@test "--withhold CHUNKING, STARTTLS, AUTH: their verbs are unknown commands (500)" {
	start_server --discard --hostname sink.test --withhold CHUNKING \
		--withhold STARTTLS --withhold AUTH
	run smtp_raw 'b"EHLO c.test\r\nBDAT 5 LAST\r\nSTARTTLS\r\nAUTH PLAIN AGEAYg==\r\nQUIT\r\n"'
	assert_line --index 8 "500 5.5.1 Error: command not recognized"
	assert_line --index 9 "500 5.5.1 Error: command not recognized"
	assert_line --index 10 "500 5.5.1 Error: command not recognized"
	stop_clean
	# not withheld, BDAT is known: before MAIL its chunk is read, and 503
	start_server --discard --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nBDAT 5 LAST\r\nhelloQUIT\r\n"'
	assert_line --index 10 "503 5.5.1 Error: need MAIL command"
	assert_line --index 11 "221 2.0.0 Bye"
}

@test "--withhold SIZE, 8BITMIME, SMTPUTF8: their parameters are refused; a UTF-8 address is 553" {
	start_server --discard --hostname sink.test --withhold SIZE \
		--withhold 8BITMIME --withhold SMTPUTF8
	run lockstep "EHLO c" "MAIL FROM:<a@x> SIZE=10" "MAIL FROM:<a@x> BODY=8BITMIME" \
		"MAIL FROM:<a@x> SMTPUTF8" $'MAIL FROM:<\xc3\xa4@x> SMTPUTF8' \
		"MAIL FROM:<a@x>" $'RCPT TO:<\xc3\xb6@y>' "RCPT TO:<b@y>" QUIT
	assert_output "220
250
555
555
555
553
250
553
250
221"
	stop_clean
	# swaks asks for 8BITMIME only when offered; a UTF-8 recipient fails
	start_server --maildir "$TEST_DIR/md" --withhold SMTPUTF8
	run python3 - "$PORT" <<'PY'
import smtplib, sys
c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
c.ehlo("c.test")
print("smtputf8" in c.esmtp_features)
try:
    c.sendmail("a@x.test", ["j\u00f6rg@y.test"], b"x\r\n", mail_options=["SMTPUTF8"])
except smtplib.SMTPNotSupportedError:
    print("client knows")
c.command_encoding = "utf-8" # a client that sends UTF-8 anyway
code, _ = c.docmd("MAIL FROM:<a@x.test>")
code2, _ = c.docmd("RCPT TO:<j\u00f6rg@y.test>")
print(code, code2)
PY
	assert_output "False
client knows
250 553"
}

@test "--withhold ENHANCEDSTATUSCODES: no reply carries one, after EHLO or HELO" {
	start_server --discard --hostname sink.test --withhold ENHANCEDSTATUSCODES
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nx\r\n.\r\nVRFY\r\nHELO c.test\r\nNOOP\r\nBOGUS\r\nQUIT\r\n"'
	assert_success
	refute_output --regexp '^[245][0-9][0-9][ -][245]\.[0-9]'
	assert_line "250 Ok"
	assert_line "501 Syntax: VRFY address"
	assert_line "500 Error: command not recognized"
	assert_line "221 Bye"
	stop_clean
	# the default: every reply has one, in a HELO session too (Postfix)
	start_server --discard --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nNOOP\r\nQUIT\r\n"'
	assert_line "250 2.0.0 Ok"
}

@test "--withhold PIPELINING: swaks does not pipeline; a client that does is logged, and answered one by one" {
	start_server --discard --hostname sink.test --withhold PIPELINING
	run swaks --server "127.0.0.1:$PORT" --helo c.test --from a@x.test \
		--to b@y.test --pipeline
	assert_success
	refute_output --partial "PIPELINING"
	# a pipelining client: every command still answered, in order
	run python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(5)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO c.test\r\nNOOP\r\nNOOP\r\nNOOP\r\nQUIT\r\n")
print(" ".join(l[:4].decode() for l in f.read().split(b"\r\n") if l))
PY
	assert_success
	assert_output "250- 250- 250- 250- 250- 250- 250- 250  250  250  250  221 "
	sessions_clean
	grep -q 'event=improper_pipelining .*after="EHLO c.test"' "$TEST_DIR/server.log"
	[ "$(grep -c 'event=improper_pipelining' "$TEST_DIR/server.log")" -eq 1 ]
}

@test "--withhold PIPELINING: each reply in a write of its own (strace)" {
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	local batch='EHLO c\r\nNOOP\r\nNOOP\r\nQUIT\r\n'
	# LeakSanitizer cannot run under ptrace (make check's ASan pass)
	export ASAN_OPTIONS=detect_leaks=0
	printf "$batch" | strace -e trace=write -o "$TEST_DIR/trace" \
		"$SMTP_SESSION" --discard --withhold PIPELINING >/dev/null 2>&1
	# the greeting, EHLO, NOOP, NOOP, QUIT
	[ "$(grep -c '^write(1,' "$TEST_DIR/trace")" -eq 5 ]
	# with PIPELINING, the batch is answered in one write
	printf "$batch" | strace -e trace=write -o "$TEST_DIR/trace" \
		"$SMTP_SESSION" --discard >/dev/null 2>&1
	[ "$(grep -c '^write(1,' "$TEST_DIR/trace")" -eq 2 ]
}

@test "the option grammar: bad specs are usage errors that say why" {
	run "$SMTP_SESSION" --fail rcpt:250
	assert_failure 64
	assert_output --partial "--fail 'rcpt:250': CODE must be a reply code from 400 to 599, drop or hang"
	run "$SMTP_SESSION" --fail connect:451
	assert_failure 64
	assert_output --partial "connect takes 421, 521, 554, drop or hang"
	run "$SMTP_SESSION" --fail lunch:451
	assert_failure 64
	assert_output --partial "WHEN must be one of connect, helo"
	run "$SMTP_SESSION" --delay rcpt:1.2345
	assert_failure 64
	run "$SMTP_SESSION" --fail rcpt:451:#0
	assert_failure 64
	run "$SMTP_SESSION" --seed -1
	assert_failure 64
}
