#!/usr/bin/env bats
# Durable delivery into a Maildir (issue 3): concurrency through the real
# systemd-socket-activate --accept, a session killed in DATA, unwritable
# and full file systems, RLIMIT_FSIZE, the stored format, the sweep of
# tmp/, and the order of write, fsync, rename, fsync and reply.

load test_helper

MNT=

# The sessions systemd-socket-activate started (its children), by PID.
session_pids() {
	local f pid comm state ppid rest
	[ -n "${SERVER_PID:-}" ] || return 0
	for f in /proc/[0-9]*/stat; do
		read -r pid comm state ppid rest <"$f" 2>/dev/null || continue
		[ "$ppid" = "$SERVER_PID" ] && echo "$pid"
	done
	return 0
}

teardown() {
	local p i rc=0
	# a sanitizer report or a session that exited non-zero fails the test
	sessions_clean || rc=1
	! grep -E "AddressSanitizer|LeakSanitizer|runtime error:" \
		"$TEST_DIR/session.log" 2>/dev/null || rc=1
	for p in $(session_pids); do
		kill -9 "$p" 2>/dev/null || true
	done
	stop_server
	if [ -n "$MNT" ]; then
		for i in $(seq 1 50); do
			umount "$MNT" 2>/dev/null && break
			sleep 0.1
		done
		mountpoint -q "$MNT" && umount -l "$MNT"
		MNT=
	fi
	return $rc
}

# local_session INPUT [COMMAND...]: one session with the file INPUT on a
# pipe as standard input (a local session: bare LF ends lines), its log
# appended to $TEST_DIR/session.log, the replies printed without their
# CR.  COMMAND (default: smtp-session) may be a wrapper such as
# without_dac (tests/abilities.bash).
local_session() {
	local in=$1
	shift
	set -o pipefail
	cat "$in" | "$@" 2>>"$TEST_DIR/session.log" | tr -d '\r'
}

@test "200 messages over 20 concurrent connections: 200 exact files" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" "$TEST_DIR/md" <<'PY'
import collections, hashlib, os, re, smtplib, sys, threading
port, md = int(sys.argv[1]), sys.argv[2]

def message(c, j):
    n = c * 10 + j
    lines = [b"Subject: message %d" % n, b"Message-ID: <%d@client.test>" % n,
             b"", b"body of message %d from connection %d" % (n, c),
             b".a line that starts with a dot", b"..two dots", b".",
             "caf\u00e9 \u2013 8-bit text".encode(), b"", b"trailing spaces  "]
    if n % 10 == 3:  # larger than the 64 KiB buffers
        lines += [b"%06d " % i + b"x" * 70 for i in range(3000)]
    return b"\r\n".join(lines) + b"\r\n"

errors, sent = [], collections.Counter()
lock = threading.Lock()

def client(c):
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=60)
        s.ehlo("client%d.test" % c)
        for j in range(10):
            m = message(c, j)
            s.sendmail("s%d@x.test" % c, ["r%d.%d@y.test" % (c, j)], m)
            with lock:
                sent[hashlib.sha256(m.replace(b"\r\n", b"\n")).hexdigest()] += 1
        s.quit()
    except Exception as e:
        with lock:
            errors.append("connection %d: %r" % (c, e))

threads = [threading.Thread(target=client, args=(c,)) for c in range(20)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors

names = os.listdir(md + "/new")
assert len(names) == 200, len(names)
assert len(set(n.split(",S=")[0] for n in names)) == 200
assert os.listdir(md + "/tmp") == [], os.listdir(md + "/tmp")
name_re = re.compile(r"^\d+\.M\d{6}P\d+Q\d+\.[^/:]+,S=(\d+)$")
stored = collections.Counter()
for n in names:
    m = name_re.match(n)
    assert m, n
    data = open(os.path.join(md, "new", n), "rb").read()
    assert int(m.group(1)) == len(data), (n, len(data))
    assert b"\r" not in data, n
    lines = data.split(b"\n")
    assert lines[0].startswith(b"Return-Path: <s"), lines[0]
    assert lines[1].startswith(b"X-Original-To: r"), lines[1]
    assert lines[2].startswith(b"Received: from client"), lines[2]
    assert lines[3].startswith(b"\tby sink.test (smtp-sink) with ESMTP id ")
    assert lines[4].startswith(b"\tfor <r"), lines[4]
    stored[hashlib.sha256(b"\n".join(lines[5:])).hexdigest()] += 1
assert stored == sent, "bodies differ from what was sent"
print("ok", len(names))
PY
	assert_success
	assert_output "ok 200"
}

@test "kill -9 of the session in the middle of DATA: nothing in new/" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" "$TEST_DIR/md" "$SERVER_PID" <<'PY'
import os, signal, socket, sys, time
port, md, server = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), 10)
f = s.makefile("rb")
def reply():
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line
assert reply().startswith(b"220")
for cmd in (b"EHLO c.test", b"MAIL FROM:<a@x.test>", b"RCPT TO:<b@y.test>", b"DATA"):
    s.sendall(cmd + b"\r\n")
    r = reply()
assert r.startswith(b"354"), r
# half a message, more than the 64 KiB buffer, so part of it is on disk
s.sendall(b"Subject: half\r\n\r\n" + b"y" * 76 * 2000 + b"\r\n" + b"z" * 70000)
for _ in range(100):
    tmp = os.listdir(md + "/tmp")
    if tmp and os.path.getsize(os.path.join(md, "tmp", tmp[0])) > 0:
        break
    time.sleep(0.05)
assert tmp, "nothing was written to tmp/"
kids = []
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            st = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        if st.rsplit(")", 1)[1].split()[1] == server:
            kids.append(int(p))
assert len(kids) == 1, kids
os.kill(kids[0], signal.SIGKILL)
rest = b""
s.settimeout(5)
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    rest += chunk
print("after kill:", rest)
print("new:", len(os.listdir(md + "/new")))
PY
	assert_success
	assert_line "after kill: b''"
	assert_line "new: 0"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	grep -q "died with code 9$" "$TEST_DIR/server.log"
	sed -i '/died with code 9$/d' "$TEST_DIR/server.log" # that one was us
}

@test "a Maildir under a regular file: 451 at DATA, nothing stored, the session goes on" {
	: >"$TEST_DIR/file"
	start_server --maildir "$TEST_DIR/file/md" --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nRSET\r\nNOOP\r\nQUIT\r\n"'
	assert_success
	# the reason is for the log, not the client
	assert_line "451 4.3.0 Error: local error in processing"
	refute_line --partial "354"
	assert_line --index 13 "250 2.0.0 Ok"
	assert_line --index 14 "250 2.0.0 Ok"
	assert_line --index 15 "221 2.0.0 Bye"
	[ -f "$TEST_DIR/file" ] && [ ! -s "$TEST_DIR/file" ]
	run cat "$TEST_DIR/server.log"
	assert_output --partial "event=rejected"
	assert_output --partial "Not a directory"
}

@test "new/ not writable: 451, tmp/ cleaned, nothing stored, the session goes on" {
	require_ability refused-write
	mkdir -p "$TEST_DIR/md/tmp" "$TEST_DIR/md/new" "$TEST_DIR/md/cur"
	chmod 0500 "$TEST_DIR/md/new"
	printf '%s\n' 'EHLO c.test' 'MAIL FROM:<a@x.test>' 'RCPT TO:<b@y.test>' \
		DATA 'Subject: one' '' 'first' . \
		'MAIL FROM:<a@x.test>' 'RCPT TO:<b@y.test>' DATA 'Subject: two' '' \
		'second' . QUIT >"$TEST_DIR/in"
	run local_session "$TEST_DIR/in" without_dac "$SMTP_SESSION" \
		--maildir "$TEST_DIR/md"
	assert_success
	assert_line --index 13 "451 4.3.0 Error: local error in processing"
	assert_line --index 17 "451 4.3.0 Error: local error in processing"
	assert_line --index 18 "221 2.0.0 Bye"
	grep -q 'event=rejected .*error="Permission denied"' "$TEST_DIR/session.log"
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	[ -z "$(ls -A "$TEST_DIR/md/new")" ]
	# tmp/ unwritable: refused at DATA already, before 354
	chmod 0700 "$TEST_DIR/md/new"
	chmod 0500 "$TEST_DIR/md/tmp"
	run local_session "$TEST_DIR/in" without_dac "$SMTP_SESSION" \
		--maildir "$TEST_DIR/md"
	assert_success
	assert_line --index 12 "451 4.3.0 Error: local error in processing"
	refute_line --partial "354"
	[ -z "$(ls -A "$TEST_DIR/md/new")" ]
	chmod 0700 "$TEST_DIR/md/tmp"
}

@test "a full file system: 452 4.3.1, no partial file; after freeing space the same session stores" {
	require_ability tmpfs
	MNT="$TEST_DIR/fs"
	mkdir "$MNT"
	mount -t tmpfs -o size=1m,mode=0700 tmpfs "$MNT"
	mkdir -p "$MNT/md/tmp" "$MNT/md/new" "$MNT/md/cur"
	dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null || true
	[ "$(df --output=avail -B1 "$MNT" | tail -1)" -lt 4096 ]
	start_server --maildir "$MNT/md" --hostname sink.test
	run python3 - "$PORT" "$MNT" <<'PY'
import os, smtplib, sys
port, mnt = int(sys.argv[1]), sys.argv[2]
small = b"Subject: small\r\n\r\nhello\r\n"
large = b"Subject: large\r\n\r\n" + (b"x" * 998 + b"\r\n") * 300
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("c.test")
def send(name, msg):
    try:
        s.sendmail("a@x.test", ["b@y.test"], msg)
        print(name, 250)
    except smtplib.SMTPDataError as e:
        print(name, e.smtp_code, e.smtp_error.decode())
    print(name, "files", sorted(os.listdir(mnt + "/md/tmp") + os.listdir(mnt + "/md/new")))
send("full-small", small)
send("full-large", large)
os.unlink(mnt + "/fill")
send("freed-small", small)
send("freed-large", large)
s.quit()
PY
	assert_success
	assert_line "full-small 452 4.3.1 Insufficient system storage"
	assert_line "full-small files []"
	assert_line "full-large 452 4.3.1 Insufficient system storage"
	assert_line "full-large files []"
	assert_line "freed-small 250"
	assert_line "freed-large 250"
	[ "$(maildir_count "$MNT/md")" -eq 2 ]
	[ -z "$(ls -A "$MNT/md/tmp")" ]
}

@test "ulimit -f below the message size: 451, no SIGXFSZ, no partial file, the session goes on" {
	python3 - "$TEST_DIR/in" <<'PY'
import sys
big = "Subject: big\n\n" + ("x" * 76 + "\n") * 200
small = "Subject: small\n\nhello\n"
env = "MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nDATA\n"
open(sys.argv[1], "w").write("EHLO c.test\n" + env + big + ".\n" + env + small + ".\nQUIT\n")
PY
	run bash -c '(ulimit -f 1; cat "$3" | "$1" --maildir "$2"; echo "exit=$?") 2>/dev/null | tr -d "\r"' \
		_ "$SMTP_SESSION" "$TEST_DIR/md" "$TEST_DIR/in"
	assert_success
	assert_line "451 4.3.0 Error: local error in processing"
	assert_line --partial "250 2.0.0 Ok: queued as"
	assert_line "221 2.0.0 Bye"
	assert_line "exit=0"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	grep -q "^Subject: small" "$TEST_DIR"/md/new/*
}

@test "Python's mailbox.Maildir reads every stored message and its headers parse" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run python3 - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("c.test")
s.sendmail("a@x.test", ["one@y.test"], b"Subject: one\r\n\r\nfirst\r\n")
s.sendmail("a@x.test", ["two@y.test", "three@z.test"],
           b"Subject: =?utf-8?q?caf=C3=A9?=\r\nX-Folded: a\r\n\tb\r\n\r\nsecond\r\n")
s.sendmail("", ["bounce@y.test"], b"\r\nno header section at all\r\n")
s.sendmail("j\u00f6rg@x.test", ["\u00fc@y.test"],
           "Subject: utf8\r\n\r\n\u00fcber\r\n".encode(), mail_options=["SMTPUTF8"])
s.quit()
PY
	assert_success
	run python3 - "$TEST_DIR/md" <<'PY'
import email.parser, email.policy, email.utils, mailbox, re, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
want = {"first": (["one@y.test"], "<a@x.test>"),
        "second": (["two@y.test", "three@z.test"], "<a@x.test>"),
        "no header section at all": (["bounce@y.test"], "<>"),
        "\u00fcber": (["\u00fc@y.test"], "<j\u00f6rg@x.test>")}
seen = set()
for key in md.keys():
    raw = md.get_file(key).read()
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    assert not msg.defects, (key, msg.defects)
    body = msg.get_payload(decode=True).decode().strip()
    rcpts, sender = want[body]
    assert msg["Return-Path"] == sender, msg["Return-Path"]
    assert [str(h) for h in msg.get_all("X-Original-To")] == rcpts
    rec = " ".join(str(msg["Received"]).split())
    assert re.match(r"from c\.test \(\[127\.0\.0\.1\]\) by sink\.test \(smtp-sink\) "
                    r"with (ESMTP|UTF8SMTP) id \S+", rec), rec
    assert email.utils.parsedate_to_datetime(rec.rsplit(";", 1)[1].strip())
    assert ("for <%s>" % rcpts[0] in rec) == (len(rcpts) == 1), rec
    assert mailbox.MaildirMessage(raw).get_subdir() == "new"
    seen.add(body)
print(len(md), sorted(seen) == sorted(want))
PY
	assert_success
	assert_output "4 True"
}

@test "files in tmp/ older than 36 hours are removed by a later session, younger ones kept" {
	mkdir -p "$TEST_DIR/md/tmp" "$TEST_DIR/md/new" "$TEST_DIR/md/cur"
	echo stale >"$TEST_DIR/md/tmp/1.M1P1Q1.old"
	echo young >"$TEST_DIR/md/tmp/2.M1P1Q1.young"
	echo fresh >"$TEST_DIR/md/tmp/3.M1P1Q1.fresh"
	touch -d '40 hours ago' "$TEST_DIR/md/tmp/1.M1P1Q1.old"
	touch -d '30 hours ago' "$TEST_DIR/md/tmp/2.M1P1Q1.young"
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	assert_output --partial "250 2.0.0 Ok: queued as"
	run ls "$TEST_DIR/md/tmp"
	assert_output "2.M1P1Q1.young
3.M1P1Q1.fresh"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
}

@test "durability order under strace: write, fsync, rename into new/, fsync of new/, then 250" {
	require_ability ptrace
	printf '%s\r\n' 'EHLO c.test' 'MAIL FROM:<a@x.test>' 'RCPT TO:<b@y.test>' \
		DATA 'Subject: order' '' 'body' . QUIT >"$TEST_DIR/in"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		run strace -f -y -qq -s 4096 \
		-e trace=openat,write,writev,fsync,fdatasync,rename,renameat,renameat2,linkat \
		-o "$TEST_DIR/trace" "$SMTP_SESSION" --maildir "$TEST_DIR/md" \
		<"$TEST_DIR/in" 2>/dev/null
	assert_success
	assert_output --partial "250 2.0.0 Ok: queued as"
	run python3 - "$TEST_DIR/trace" "$TEST_DIR/md" <<'PY'
import os, re, sys
trace, md = sys.argv[1], os.path.realpath(sys.argv[2])
name = os.listdir(md + "/new")[0]
tmpname = name.split(",S=")[0]
steps = []
for line in open(trace):
    line = line.split(None, 1)[1]          # drop the pid
    if re.match(r'openat\(\d+<%s/tmp>, "%s", .*O_EXCL' % (re.escape(md), re.escape(tmpname)), line):
        steps.append("open")
    elif re.match(r'writev?\(\d+<%s/tmp/%s>' % (re.escape(md), re.escape(tmpname)), line):
        steps.append("write")
    elif re.match(r'f(data)?sync\(\d+<%s/tmp/%s>\) = 0' % (re.escape(md), re.escape(tmpname)), line):
        steps.append("fsync-file")
    elif re.match(r'(renameat2?|linkat)\(\d+<%s/tmp>, "%s", \d+<%s/new>, "%s".*= 0' % (
            re.escape(md), re.escape(tmpname), re.escape(md), re.escape(name)), line):
        steps.append("rename")
    elif re.match(r'f(data)?sync\(\d+<%s/new>\) = 0' % re.escape(md), line):
        steps.append("fsync-new")
    elif re.match(r'writev?\(1<[^>]*>, .*"[^"]*250 2\.0\.0 Ok', line):
        steps.append("reply-250")
# one or more writes, collapsed
out = []
for s in steps:
    if not out or out[-1] != s:
        out.append(s)
print(" ".join(out))
PY
	assert_success
	assert_output "open write fsync-file rename fsync-new reply-250"
}

@test "stored lines end in LF only, and no HELO name can inject a header line" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	# control characters in HELO are refused outright
	run smtp_raw 'b"HELO a\x01b\r\nHELO a\rX-Injected: 1\r\nMAIL FROM:<a\x00@x.test>\r\nQUIT\r\n"'
	assert_success
	assert_line --index 1 --partial "500 5.5.2"
	assert_line --index 2 --partial "500 5.5.2"
	assert_line --index 3 --partial "500 5.5.2"
	# what does reach the header: a 255-octet name, UTF-8 with U+2028,
	# U+0085 and a NEL-like byte sequence
	local long
	long=$(printf 'h%.0s' $(seq 1 255))
	run smtp_raw "b\"EHLO ${long}x\\r\\nEHLO ${long}\\r\\nMAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\nSubject: crlf\\r\\n\\r\\nline one\\r\\nline two\\r\\n.\\r\\nQUIT\\r\\n\""
	assert_success
	assert_line "501 5.5.4 Error: EHLO name too long"
	assert_output --partial "250 2.0.0 Ok: queued as"
	run smtp_raw "b'EHLO \\xe2\\x80\\xa8X-Injected: 1\\xc2\\x85X-Injected: 2\\xe2\\x80\\xa9.test\\r\\nMAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\nSubject: utf8 helo\\r\\n\\r\\nbody\\r\\n.\\r\\nQUIT\\r\\n'"
	assert_success
	assert_output --partial "250 2.0.0 Ok: queued as"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 2 ]
	run python3 - "$TEST_DIR/md" "$long" <<'PY'
import email.parser, email.policy, os, sys
md, long = sys.argv[1], sys.argv[2]
for n in sorted(os.listdir(md + "/new")):
    raw = open(os.path.join(md, "new", n), "rb").read()
    assert b"\r" not in raw, n
    head = raw.split(b"\n\n", 1)[0]
    # every line of the header section is a field or a continuation
    for line in head.split(b"\n"):
        assert line[:1] in (b"\t", b" ") or b":" in line, line
    names = [l.split(b":", 1)[0] for l in head.split(b"\n") if l[:1] not in (b"\t", b" ")]
    assert names == [b"Return-Path", b"X-Original-To", b"Received", b"Subject"], names
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    assert msg.keys() == ["Return-Path", "X-Original-To", "Received", "Subject"], msg.keys()
    rec = raw.split(b"\n")[2]
    # neither HELO is a domain (a label over 63 octets; separators), so
    # each stays in the comment, quoted, its controls shown as "?"
    if msg["Subject"] == "crlf":
        assert rec == b'Received: from [127.0.0.1] ([127.0.0.1] helo="%s")' % long.encode(), rec
        assert raw.endswith(b"\n\nline one\nline two\n"), raw
    else:
        assert rec == (b'Received: from [127.0.0.1] ([127.0.0.1] '
                       b'helo="?X-Injected: 1?X-Injected: 2?.test")'), rec
print("ok")
PY
	assert_success
	assert_output "ok"
}

@test "a message without a header section: the file's header holds only our fields" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	# the first line ".", an empty first line, a command-like first
	# line, and (to compare) one that is a header field
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n..\r\nSubject: not a header\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n\r\nSubject: body\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nMAIL FROM:<x>\r\nSubject: body\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: real\r\n\r\nbody\r\n.\r\nQUIT\r\n"'
	assert_success
	[ "$(maildir_count "$TEST_DIR/md")" -eq 4 ]
	run python3 - "$TEST_DIR/md" <<'PY'
import email.parser, email.policy, os, sys
md = sys.argv[1]
seen = []
for n in sorted(os.listdir(md + "/new"), key=lambda n: int(n.split("Q")[1].split(".")[0])):
    raw = open(os.path.join(md, "new", n), "rb").read()
    # the header section ends at the first empty line, for every reader
    head = raw.split(b"\n\n", 1)[0].decode()
    names = [l.split(":")[0] for l in head.split("\n") if l[:1] != "\t"]
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    assert names == msg.keys(), (names, msg.keys())
    assert not msg.defects, msg.defects
    seen.append((msg.keys(), msg.get_payload()))
ours = ["Return-Path", "X-Original-To", "Received"]
assert seen[0] == (ours, ".\nSubject: not a header\n"), seen[0]
assert seen[1] == (ours, "Subject: body\n"), seen[1]
assert seen[2] == (ours, "MAIL FROM:<x>\nSubject: body\n"), seen[2]
assert seen[3] == (ours + ["Subject"], "body\n"), seen[3]
print("ok")
PY
	assert_success
	assert_output "ok"
}

@test "--print also prints the stored message to standard error" {
	start_server --maildir "$TEST_DIR/md" --print --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: printed\r\n\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	assert_output --partial "250 2.0.0 Ok: queued as"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run cat "$TEST_DIR/server.log"
	assert_output --partial "Subject: printed"
}
