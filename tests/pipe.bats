#!/usr/bin/env bats
# Delivery to a command (issue 3): --pipe CMD through the real
# systemd-socket-activate --accept.  Exit status to reply, the message on
# standard input, the envelope in the environment and never in a shell
# command line, the timeout, and --pipe with --maildir.

load test_helper

setup() {
	PY=$(python3 -c 'import sys; print(sys.executable)')
	OUT="$TEST_DIR/out"
	mkdir -p "$OUT"
	# The command of most tests: records its environment, standard input
	# and open descriptors in $OUT/NNN.json, then exits with the status
	# the message asks for in an "X-Exit:" header (KILL: SIGKILL to the
	# shell that runs it).
	cat >"$TEST_DIR/deliver.py" <<'PY'
import json, os, re, signal, sys
out = sys.argv[1]
data = sys.stdin.buffer.read()
fds = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink("/proc/self/fd/" + fd)
    except OSError:
        pass
rec = {k: os.environ.get(k) for k in ("SENDER", "RECIPIENTS", "CLIENT_ADDRESS",
                                      "HELO", "SIZE", "SESSION_ID")}
rec["stdin"] = data.decode("utf-8", "surrogateescape")
rec["fds"] = fds
rec["shell"] = open("/proc/%d/cmdline" % os.getppid(), "rb").read().decode(
    "utf-8", "surrogateescape")
n = len(os.listdir(out))
with open(os.path.join(out, "%03d.json" % n), "w") as f:
    json.dump(rec, f)
m = re.search(rb"^X-Exit: (\w+)$", data, re.M)
code = m.group(1).decode() if m else "0"
if code == "KILL":  # the command (the shell) dies by a signal
    os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(0)
sys.exit(int(code))
PY
	DELIVER="$(printf '%q %q %q' "$PY" "$TEST_DIR/deliver.py" "$OUT")"
}

teardown() {
	local p rc=0
	sessions_clean || rc=1 # no sanitizer report, no session exited non-zero
	stop_server
	for p in $(cat "$TEST_DIR"/*.pid 2>/dev/null); do
		kill -9 "$p" 2>/dev/null || true
	done
	rm -f /tmp/smtp-sink-pwned
	return $rc
}

# running PID: the process exists and is not a zombie.
running() {
	local state
	state=$(sed -n 's/^State:\t\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# send_messages SPEC...: one SMTP session to $PORT; each SPEC is
# "SENDER|RCPT[,RCPT...]|X-EXIT" (no | in SENDER, no , in a RCPT) and
# becomes one message.  Prints one
# line per message: its reply to the end of data, CR removed.
send_messages() {
	"$PY" - "$PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
f = s.makefile("rb")
def cmd(line):
    if line is not None:
        s.sendall(line + b"\r\n")
    r = f.readline()
    while r[3:4] == b"-":
        r = f.readline()
    return r.rstrip(b"\r\n").decode("utf-8", "replace")
assert cmd(None).startswith("220")
assert cmd(b"EHLO c.test").startswith("250")
for spec in sys.argv[2:]:
    sender, rest = spec.encode("utf-8", "surrogateescape").split(b"|", 1)
    rcpts, code = rest.rsplit(b"|", 1)
    r = cmd(b"MAIL FROM:<" + sender + b">")
    if not r.startswith("250"):
        print("MAIL", r); continue
    for rc in rcpts.split(b","):
        r = cmd(b"RCPT TO:<" + rc + b">")
        if not r.startswith("250"):
            print("RCPT", r)
    r = cmd(b"DATA")
    if not r.startswith("354"):
        print("DATA", r); continue
    s.sendall(b"X-Exit: " + code + b"\r\nSubject: pipe\r\n\r\nbody\r\n..dot\r\n")
    print(cmd(b"."))
print(cmd(b"NOOP"))
print(cmd(b"QUIT"))
PY
}

@test "exit 0, 75 and 1 give 250, 451 4.3.0 and 554 5.3.0; EX_OSERR and a signal 451; the session goes on" {
	start_server --pipe "$DELIVER" --hostname sink.test
	run send_messages 'a@x.test|b@y.test|0' 'a@x.test|b@y.test|75' \
		'a@x.test|b@y.test|1' 'a@x.test|b@y.test|71' \
		'a@x.test|b@y.test|KILL' 'a@x.test|b@y.test|2' \
		'a@x.test|b@y.test|0'
	assert_success
	assert_line --index 0 --regexp '^250 2\.0\.0 Ok: queued as [0-9A-F]+Q[0-9]+$'
	assert_line --index 1 "451 4.3.0 Error: delivery failed temporarily"
	assert_line --index 2 "554 5.3.0 Error: delivery failed"
	assert_line --index 3 "451 4.3.0 Error: delivery failed temporarily"
	assert_line --index 4 "451 4.3.0 Error: delivery failed temporarily"
	assert_line --index 5 "554 5.3.0 Error: delivery failed"
	assert_line --index 6 --regexp '^250 2\.0\.0 Ok: queued as [0-9A-F]+Q[0-9]+$'
	assert_line --index 7 "250 2.0.0 Ok"
	assert_line --index 8 "221 2.0.0 Bye"
	[ "$(ls "$OUT" | wc -l)" -eq 7 ]
	run grep -c "event=rejected" "$TEST_DIR/server.log"
	assert_output 5
}

@test "the command gets the message with the header block on stdin and the envelope in its environment" {
	start_server --pipe "$DELIVER" --hostname sink.test
	run "$PY" - "$PORT" "$OUT" <<'PY'
import glob, hashlib, json, smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("c.test")
small = b"Subject: env\r\n\r\nhello\r\n.leading dot\r\n"
large = b"Subject: large\r\n\r\n" + b"".join(b"%07d " % i + b"z" * 90 + b"\r\n"
                                             for i in range(11000))
s.sendmail("s@x.test", ["r1@y.test", "r2@y.test"], small)
s.sendmail("s@x.test", ["r3@y.test"], large)
code, reply = s.quit()
recs = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[2] + "/*.json"))]
assert len(recs) == 2, recs
r = recs[0]
assert r["SENDER"] == "s@x.test", r["SENDER"]
assert r["RECIPIENTS"] == "r1@y.test\nr2@y.test", r["RECIPIENTS"]
assert r["CLIENT_ADDRESS"] == "127.0.0.1", r["CLIENT_ADDRESS"]
assert r["HELO"] == "c.test", r["HELO"]
assert r["SIZE"] == str(len(small)), (r["SIZE"], len(small))
assert len(r["SESSION_ID"]) >= 8 and r["SESSION_ID"].isalnum(), r["SESSION_ID"]
head = ("Return-Path: <s@x.test>\nX-Original-To: r1@y.test\nX-Original-To: r2@y.test\n"
        "Received: from c.test ([127.0.0.1])\n\tby sink.test (smtp-sink) with ESMTP id %sQ1;\n\t"
        % r["SESSION_ID"])
assert r["stdin"].startswith(head), r["stdin"]
assert r["stdin"].endswith("\n" + small.decode().replace("\r\n", "\n")), r["stdin"]
assert "\r" not in r["stdin"]
for rec in recs:
    # only the descriptors it was given: never the client's socket
    assert not [l for l in rec["fds"].values() if l.startswith("socket:")], rec["fds"]
    assert set(rec["fds"]) >= {"0", "1", "2"}, rec["fds"]
    assert rec["shell"].split("\0")[:2] == ["/bin/sh", "-c"] or \
        rec["shell"].split("\0")[:2] == ["sh", "-c"], rec["shell"]
    assert "x.test" not in rec["shell"], rec["shell"]
r = recs[1]
assert r["RECIPIENTS"] == "r3@y.test"
assert r["SIZE"] == str(len(large))
body = r["stdin"].encode("utf-8", "surrogateescape").split(b"\n", 5)[5]
assert body == large.replace(b"\r\n", b"\n"), "large message differs"
assert "\n\tfor <r3@y.test>; " in r["stdin"]
print("ok", r["SESSION_ID"])
PY
	assert_success
	assert_output --regexp '^ok [0-9A-F]+$'
	run grep -c "session=${output#ok } event=accepted" "$TEST_DIR/server.log"
	assert_output 2
}

@test "hostile addresses arrive unchanged in the environment and run nothing" {
	cd "$TEST_DIR"
	start_server --pipe "$DELIVER" --hostname sink.test
	local s1='"$(touch pwned1)"@x.test'
	local s2='"$(touch /tmp/smtp-sink-pwned)"@x.test'
	local r1='"`touch pwned2`;touch pwned3"@y.test'
	local r2='"a;touch pwned4;'"'"'\"b\"'"'"'"@y.test'
	local r3='a|touch${IFS}pwned5&&`id`@y.test'
	local r4="it's'\$HOME'\`id\`@y.test"
	local r5='"\$HOME \" $((1+1)) > pwned6 <"@y.test'
	run send_messages "$s1|$r1,$r2|0" "$s2|$r3,$r4,$r5|0"
	assert_success
	assert_line --index 0 --partial "250 2.0.0 Ok: queued as"
	assert_line --index 1 --partial "250 2.0.0 Ok: queued as"
	run "$PY" - "$OUT" "$s1" "$r1
$r2" "$s2" "$r3
$r4
$r5" <<'PY'
import glob, json, sys
recs = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + "/*.json"))]
assert len(recs) == 2, len(recs)
for rec, sender, rcpts in zip(recs, sys.argv[2::2], sys.argv[3::2]):
    assert rec["SENDER"] == sender, (rec["SENDER"], sender)
    assert rec["RECIPIENTS"] == rcpts, (rec["RECIPIENTS"], rcpts)
    assert rec["stdin"].startswith("Return-Path: <%s>\n" % sender), rec["stdin"]
    assert "touch" not in rec["shell"], rec["shell"]
print("ok")
PY
	assert_success
	assert_output "ok"
	run ls "$TEST_DIR"
	refute_output --partial pwned
	[ ! -e /tmp/smtp-sink-pwned ]
	[ ! -e "$REPO/pwned1" ]
}

@test "a command running past --timeout is killed, with what it started, and gives 451" {
	cat >"$TEST_DIR/slow.sh" <<SH
#!/bin/sh
echo \$\$ >"$TEST_DIR/sh.pid"
sleep 30 &
echo \$! >"$TEST_DIR/sleep.pid"
cat >/dev/null
wait
SH
	chmod +x "$TEST_DIR/slow.sh"
	start_server --pipe "$TEST_DIR/slow.sh" --timeout 2 --hostname sink.test
	SECONDS=0
	run send_messages 'a@x.test|b@y.test|0'
	assert_success
	[ "$SECONDS" -lt 10 ]
	assert_line --index 0 --regexp '^451 4\.3\.0 '
	assert_line --index 1 "250 2.0.0 Ok"
	assert_line --index 2 "221 2.0.0 Bye"
	local p i
	for p in $(cat "$TEST_DIR/sh.pid" "$TEST_DIR/sleep.pid"); do
		for i in $(seq 1 20); do
			running "$p" || break
			sleep 0.1
		done
		! running "$p" || { echo "process $p survived the timeout" >&2; return 1; }
	done
}

@test "--maildir and --pipe: 250 only when both succeed, and both get the same bytes" {
	cat >"$TEST_DIR/both.sh" <<SH
#!/bin/sh
cat >"$OUT/\$(date +%s%N)"
exit \$(sed -n 's/^X-Exit: //p' "$OUT"/* | tail -1)
SH
	chmod +x "$TEST_DIR/both.sh"
	start_server --maildir "$TEST_DIR/md" --pipe "$TEST_DIR/both.sh" --hostname sink.test
	run send_messages 'a@x.test|b@y.test|1'
	assert_success
	assert_line --index 0 "554 5.3.0 Error: delivery failed"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	rm -f "$OUT"/*
	run send_messages 'a@x.test|b@y.test|75'
	assert_success
	assert_line --index 0 "451 4.3.0 Error: delivery failed temporarily"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	rm -f "$OUT"/*
	run send_messages 'a@x.test|b@y.test|0'
	assert_success
	assert_line --index 0 --partial "250 2.0.0 Ok: queued as"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	cmp "$OUT"/* "$TEST_DIR"/md/new/*
}

@test "the command's output goes to the log, never to the SMTP stream" {
	start_server --inetd --pipe 'echo "250 2.0.0 forged on stdout"; echo "forged on stderr" >&2; cat >/dev/null' --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	refute_output --partial forged
	assert_output --partial "250 2.0.0 Ok: queued as"
	run cat "$TEST_DIR/server.log"
	assert_output --partial "250 2.0.0 forged on stdout"
	assert_output --partial "forged on stderr"
}
