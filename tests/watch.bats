#!/usr/bin/env bats
# End-to-end tests of smtp-watch: the real binary on real Maildirs.
#
# Messages are delivered the way a Maildir writer does it (a file in tmp/,
# then rename into new/), by the deliver helper below or by smtp-session
# itself.  Nothing here waits a fixed time for the watcher: readiness is
# "the process holds an inotify watch on the directory" (read from
# /proc/PID/fdinfo), and results are polled for with generous limits.
# The only timing assertion is the --timeout bound.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
	# SMTP_WATCH / SMTP_SESSION: other builds (make sanitize's build-san/)
	WATCH="${SMTP_WATCH:-$ROOT/smtp-watch}"
	SESSION="${SMTP_SESSION:-$ROOT/smtp-session}"
	[ -x "$WATCH" ] || fail "no $WATCH: run 'make smtp-watch' first"
	T="$(mktemp -d "$BATS_TEST_TMPDIR/watch.XXXXXX")"
	M="$T/mail"
	PIDS=()
	DELIVERED=0
	export TZ=UTC # the summary shows dates in local time
	# the system's Python: a version manager's shim costs 0.1 s a start
	PYTHON=/usr/bin/python3
	[ -x "$PYTHON" ] || PYTHON=python3
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -CONT "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}

# ---- helpers ---------------------------------------------------------------

maildir() {
	mkdir -p "$1/tmp" "$1/new" "$1/cur"
}

# deliver MAILDIR SENDER RCPT[,RCPT...] SUBJECT [BODY]
# Writes a message in smtp-session's stored format into tmp/, renames it
# into new/ and prints its file name.
deliver() {
	local dir=$1 from=$2 rcpts=$3 subject=$4 body=${5:-body} now r size
	local -a list
	now=$EPOCHREALTIME
	local name="${now%.*}.M${now#*.}P${BASHPID}Q$((++DELIVERED))R$RANDOM.test"
	IFS=, read -ra list <<<"$rcpts"
	{
		printf 'Return-Path: <%s>\n' "$from"
		for r in "${list[@]}"; do
			printf 'X-Original-To: %s\n' "$r"
		done
		printf 'Received: from client.example (127.0.0.1)\n'
		printf '\tby sink.example (smtp-sink) with ESMTP id %s;\n' "$name"
		printf '\tSat, 28 Nov 2026 17:48:40 +0000\n'
		printf 'From: Sender <%s>\nTo: %s\nSubject: %s\n' \
			"$from" "${list[0]}" "$subject"
		printf 'Date: Sat, 28 Nov 2026 17:48:40 +0000\n'
		printf 'Message-ID: <%s@test>\n\n%s\n' "$name" "$body"
	} >"$dir/tmp/$name"
	size=$(stat -c %s "$dir/tmp/$name")
	mv "$dir/tmp/$name" "$dir/new/$name,S=$size"
	printf '%s\n' "$name,S=$size"
}

# start_watch OUTFILE ARGS...: runs smtp-watch in the background, its
# standard output into OUTFILE, standard error into OUTFILE.err; sets PID.
start_watch() {
	local out=$1
	shift
	"$WATCH" "$@" >"$out" 2>"$out.err" 3>&- &
	PID=$!
	PIDS+=("$PID")
}

# wait_watching PID DIR: until PID holds an inotify watch on DIR.
wait_watching() {
	local pid=$1 ino i
	ino=$(printf '%x' "$(stat -c %i "$2")")
	for ((i = 0; i < 6000; i++)); do
		if grep -qs "^inotify wd:[0-9]* ino:$ino " /proc/"$pid"/fdinfo/*; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || fail "watcher $pid ended early"
		sleep 0.01
	done
	fail "watcher $pid never watched $2"
}

# wait_lines FILE N: until FILE holds at least N lines.
wait_lines() {
	local i
	for ((i = 0; i < 12000; i++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.01
	done
	fail "$1: fewer than $2 lines after two minutes"
}

# wait_grep FILE STRING: until FILE holds STRING.
wait_grep() {
	local i
	for ((i = 0; i < 12000; i++)); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.01
	done
	fail "$1: no '$2' after two minutes"
}

# wait_exit PID: waits (two minutes at most) for PID to end; its exit
# status in $status.
wait_exit() {
	local pid=$1 i
	for ((i = 0; i < 12000; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" || true
		fail "watcher $pid did not exit"
	fi
	status=0
	wait "$pid" || status=$?
}

# The "file" of each JSON line, sorted.
json_files() {
	"$PYTHON" -c '
import json, sys
for line in sys.stdin:
    print(json.loads(line)["file"])' <"$1" | sort
}

# smtp_session MAILDIR SCRIPT: one local-mode session delivering SCRIPT.
smtp_session() {
	printf '%b' "$2" | "$SESSION" --maildir "$1" >/dev/null 2>&1
}

need_session() {
	[ -x "$SESSION" ] || skip "smtp-session is not built (make smtp-session)"
	"$SESSION" --help 2>&1 | grep -q -- --maildir ||
		skip "smtp-session has no --maildir yet"
}

# ---- subscribers ---------------------------------------------------------------

@test "three subscribers, 100 messages from 10 concurrent writers: each sees what matches, once" {
	maildir "$M"
	start_watch "$T/alice" --rcpt alice@example.test --count 25 --format json "$M"
	local pa=$PID
	start_watch "$T/boss" --from boss@corp.test --count 20 --format json "$M"
	local pb=$PID
	start_watch "$T/all" --count 100 --format json "$M"
	local pc=$PID
	for p in "$pa" "$pb" "$pc"; do wait_watching "$p" "$M/new"; done

	local w writers=()
	for w in 0 1 2 3 4 5 6 7 8 9; do
		(
			for i in 0 1 2 3 4 5 6 7 8 9; do
				k=$((w * 10 + i)) from=w$w@senders.test rcpt=r$k@example.test
				((k % 4 == 0)) && rcpt="r$k@example.test,alice@EXAMPLE.test"
				((k % 5 == 0)) && from=boss@CORP.test
				deliver "$M" "$from" "$rcpt" "message $k" >/dev/null
			done
		) 3>&- &
		writers+=($!)
	done
	for w in "${writers[@]}"; do wait "$w"; done
	[ "$(ls "$M/new" | wc -l)" -eq 100 ]

	for p in "$pa" "$pb" "$pc"; do
		wait_exit "$p"
		assert_equal "$status" 0
	done
	grep -l '^X-Original-To: alice@EXAMPLE.test$' "$M"/new/* |
		xargs -n1 basename | sort >"$T/alice.want"
	grep -l '^Return-Path: <boss@CORP.test>$' "$M"/new/* |
		xargs -n1 basename | sort >"$T/boss.want"
	ls "$M/new" | sort >"$T/all.want"
	assert_equal "$(wc -l <"$T/alice.want")" 25
	assert_equal "$(wc -l <"$T/boss.want")" 20
	for s in alice boss all; do
		json_files "$T/$s" >"$T/$s.got"
		run diff "$T/$s.want" "$T/$s.got"
		assert_success
	done
}

@test "three subscribers, 100 messages over 10 concurrent smtp-session connections" {
	need_session
	maildir "$M"
	start_watch "$T/bob" --rcpt bob@example.test --count 50 --format json "$M"
	local pa=$PID
	start_watch "$T/odd" --from odd@senders.test --rcpt @Example.Test --count 25 --format json "$M"
	local pb=$PID
	start_watch "$T/all" --count 100 --format json "$M"
	local pc=$PID
	for p in "$pa" "$pb" "$pc"; do wait_watching "$p" "$M/new"; done

	local c i k script conns=()
	for c in 0 1 2 3 4 5 6 7 8 9; do
		script='HELO client.test\r\n'
		for i in 0 1 2 3 4 5 6 7 8 9; do
			k=$((c * 10 + i))
			if ((k % 2)); then
				script+='MAIL FROM:<odd@senders.test>\r\n'
			else
				script+='MAIL FROM:<even@senders.test>\r\nRCPT TO:<bob@EXAMPLE.test>\r\n'
			fi
			((k % 4 == 1)) && script+='RCPT TO:<x@example.test>\r\n'
			script+="RCPT TO:<k$k@other.test>\r\nDATA\r\nSubject: m$k\r\n\r\nbody $k\r\n.\r\n"
		done
		script+='QUIT\r\n'
		smtp_session "$M" "$script" 3>&- &
		conns+=($!)
	done
	for c in "${conns[@]}"; do wait "$c"; done
	[ "$(ls "$M/new" | wc -l)" -eq 100 ]

	for p in "$pa" "$pb" "$pc"; do
		wait_exit "$p"
		assert_equal "$status" 0
	done
	grep -l '^X-Original-To: bob@EXAMPLE.test$' "$M"/new/* |
		xargs -n1 basename | sort >"$T/bob.want"
	grep -l '^X-Original-To: x@example.test$' "$M"/new/* |
		xargs -n1 basename | sort >"$T/odd.want"
	ls "$M/new" | sort >"$T/all.want"
	assert_equal "$(wc -l <"$T/odd.want")" 25
	for s in bob odd all; do
		json_files "$T/$s" >"$T/$s.got"
		run diff "$T/$s.want" "$T/$s.got"
		assert_success
	done
}

# ---- the start-up race ---------------------------------------------------------
#
# A writer delivers a message every fraction of a millisecond into a
# Maildir that already holds 2000, while a watcher starts: messages land
# before its watch, between the watch and the scan (seen twice, to be
# reported once) and after.  The writer notes for each message whether it
# saw the flag file, which the test creates once the watch is in place:
# phase 2 messages were surely delivered after it.

# race_setup: the writer, and a Maildir holding 2000 messages of yesterday.
race_setup() {
	maildir "$M"
	cat >"$T/writer.py" <<'PY'
import os, sys, time
m, names, flag, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = open(names, "w", buffering=1)
late = 0
for q in range(1, 20000):
    phase = 2 if os.path.exists(flag) else 1
    t = time.time() - (86400 if after == 0 else 0)
    name = "%d.M%06dP%dQ%d.race" % (int(t), int(t * 1e6) % 1000000, os.getpid(), q)
    tmp = os.path.join(m, "tmp", name)
    with open(tmp, "w") as f:
        f.write("Return-Path: <a@x.test>\nX-Original-To: b@y.test\n"
                "Subject: race %d\n\nbody\n" % q)
    os.rename(tmp, os.path.join(m, "new", name))
    out.write("%d %s\n" % (phase, name))
    if after == 0:
        if q == 2000:
            break
        continue
    late += phase == 2
    if late >= after:
        break
    time.sleep(0.0002)
PY
	"$PYTHON" "$T/writer.py" "$M" "$T/old" "$T/none" 0
	assert_equal "$(ls "$M/new" | wc -l)" 2000
}

# race_check OUT NAMES SENTINEL existing|recent
race_check() {
	"$PYTHON" - "$@" "$M/new" <<'PY'
import collections, json, os, sys
out, names, sentinel, mode, new = sys.argv[1:]
got = [json.loads(line)["file"] for line in open(out)]
twice = [n for n, k in collections.Counter(got).items() if k > 1]
assert not twice, "reported twice: %s" % twice
phase = dict(reversed(line.split()) for line in open(names))
late = {n for n, p in phase.items() if p == "2"}
assert len(late) == 10, len(late)
if mode == "existing":
    missing = set(os.listdir(new)) - set(got)
    assert not missing, "not reported: %s" % sorted(missing)
else:
    lost = (late | {sentinel}) - set(got)
    assert not lost, "lost: %s" % sorted(lost)
    extra = set(got) - set(phase) - {sentinel}
    assert not extra, "not new: %s" % sorted(extra)
PY
}

# race MODE ROUND [OPTION]...: writer, watcher, flag, sentinel, check.
race() {
	local mode=$1 i=$2 writer sentinel
	shift 2
	rm -f "$T/flag" "$T/names"
	"$PYTHON" "$T/writer.py" "$M" "$T/names" "$T/flag" 10 3>&- &
	writer=$!
	PIDS+=("$writer")
	until [ -s "$T/names" ]; do sleep 0.001; done
	start_watch "$T/out$i" "$@" --format json "$M"
	wait_watching "$PID" "$M/new"
	touch "$T/flag"
	wait "$writer"
	sentinel=$(deliver "$M" a@x.test b@y.test "sentinel $i")
	wait_grep "$T/out$i" "$sentinel"
	kill -TERM "$PID"
	wait_exit "$PID"
	assert_equal "$status" 0
	run race_check "$T/out$i" "$T/names" "$sentinel" "$mode"
	assert_success
}

@test "start-up race with --existing: 50 rounds, every message reported exactly once" {
	race_setup
	for ((i = 0; i < 50; i++)); do
		race existing "$i" --existing
	done
}

@test "start-up race without --existing: 50 rounds, never twice, nothing after the watch lost" {
	race_setup
	for ((i = 0; i < 50; i++)); do
		race recent "$i"
	done
}

# The first message is renamed into new/ by the process that becomes the
# watcher, a moment before its exec: as close to the start as it gets.
@test "without --existing, mail delivered just before the start is never reported: 100 rounds" {
	maildir "$M"
	local i old new now
	for ((i = 0; i < 100; i++)); do
		now=$EPOCHREALTIME
		old="${now%.*}.M${now#*.}P$$Q$i.old"
		printf 'Return-Path: <a@x.test>\nX-Original-To: b@y.test\n\nold\n' >"$M/tmp/$old"
		(mv "$M/tmp/$old" "$M/new/$old" && exec "$WATCH" --count 1 --format json "$M") \
			>"$T/out" 2>"$T/out.err" 3>&- &
		PID=$!
		PIDS+=("$PID")
		wait_watching "$PID" "$M/new"
		new=$(deliver "$M" a@x.test b@y.test "new $i")
		wait_exit "$PID"
		assert_equal "$status" 0
		# one line, and it is the second message
		grep -qF "\"file\":\"$new\"" "$T/out" ||
			fail "round $i: reported $(cat "$T/out"), not $new"
		assert_equal "$(wc -l <"$T/out")" 1
	done
}

# ---- --count, --timeout, signals ----------------------------------------------

# The overshoot is measured against what a start and an exit cost on this
# machine now (a watcher that finds its one message at once): under ASan
# with four tests at once that alone has taken over a second.
@test "--timeout exits 1 within a second of the deadline" {
	maildir "$M"
	maildir "$T/other"
	deliver "$T/other" a@x.test b@y.test one >/dev/null
	local t0=$EPOCHREALTIME t1 base ms
	run -0 "$WATCH" --timeout 120 --existing --count 1 "$T/other"
	t1=$EPOCHREALTIME
	base=$(( (${t1/./} - ${t0/./}) / 1000 ))
	t0=$EPOCHREALTIME
	run -1 "$WATCH" --timeout 2 "$M"
	t1=$EPOCHREALTIME
	ms=$(( (${t1/./} - ${t0/./}) / 1000 ))
	[ "$ms" -ge 2000 ] || fail "exited after ${ms} ms, before the deadline"
	[ "$ms" -lt $((3000 + base)) ] ||
		fail "exited after ${ms} ms (a start and exit take ${base} ms)"
	assert_output ""
}

@test "--timeout counts while the Maildir does not exist yet" {
	run -1 --separate-stderr "$WATCH" --timeout 0.5 "$T/nowhere/mail"
	assert_output ""
	[[ "$stderr" == *"does not exist yet"* ]]
}

@test "--count exits 0 when the N-th matching message lands, not before" {
	maildir "$M"
	start_watch "$T/out" --count 2 --rcpt b@y.test "$M"
	wait_watching "$PID" "$M/new"
	deliver "$M" a@x.test b@y.test "one" >/dev/null
	deliver "$M" a@x.test other@y.test "not counted" >/dev/null
	wait_lines "$T/out" 1
	kill -0 "$PID" || fail "exited after one message"
	deliver "$M" a@x.test b@y.test "two" >/dev/null
	wait_exit "$PID"
	assert_equal "$status" 0
	run cat "$T/out"
	assert_line --index 0 --regexp '^2026-11-28 17:48:40  a@x\.test +b@y\.test +one +[0-9]+  [0-9]+\.M[0-9]+P'
	assert_line --index 1 --regexp '  two  '
	assert_equal "${#lines[@]}" 2
}

@test "--count reached by --existing alone" {
	maildir "$M"
	deliver "$M" a@x.test b@y.test "one" >/dev/null
	deliver "$M" a@x.test b@y.test "two" >/dev/null
	run -0 "$WATCH" --timeout 120 --existing --count 2 "$M"
	assert_equal "${#lines[@]}" 2
}

@test "SIGTERM and SIGINT end it with status 0" {
	maildir "$M"
	start_watch "$T/out" "$M"
	wait_watching "$PID" "$M/new"
	kill -TERM "$PID"
	wait_exit "$PID"
	assert_equal "$status" 0

	# a shell starts background jobs with SIGINT ignored; env undoes it
	env --default-signal=INT "$WATCH" "$M" >"$T/out2" 2>&1 3>&- &
	PID=$!
	PIDS+=("$PID")
	wait_watching "$PID" "$M/new"
	kill -INT "$PID"
	wait_exit "$PID"
	assert_equal "$status" 0
}

# ---- output formats --------------------------------------------------------------

@test "json: valid for invalid UTF-8, quotes, backslashes and control characters" {
	maildir "$M"
	{
		printf 'Return-Path: <"q\\"x"@example.test>\n'
		printf 'X-Original-To: "john doe"@example.test\n'
		printf 'X-Original-To: \xc3\xbc@example.test\n'
		printf 'Received: from c (127.0.0.1)\n\tby s (smtp-sink) with ESMTP id 1;\n\tdate\n'
		printf 'Subject: q"uote \\back\\slash \x01\x1b[31m\ttab \xff\xfe'
		printf ' latin \xe9 nul \x00 =?utf-8?q?=C3=A9t=C3=A9?=\n'
		printf '  =?ISO-8859-1?Q?=22caf=E9=22?= \x7f\x80 end\n'
		printf 'Message-ID: <"odd\\id"@x>\n\nbody\n'
	} >"$M/tmp/1.M1P1Q1.test"
	mv "$M/tmp/1.M1P1Q1.test" "$M/new/1.M1P1Q1.test"
	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 1 --format json "$M"
	assert_equal "${#lines[@]}" 1
	printf '%s\n' "$output" | "$PYTHON" -m json.tool >/dev/null
	printf '%s\n' "$output" >"$T/line"
	run "$PYTHON" - "$T/line" "$M/new/1.M1P1Q1.test" <<'EOF'
import json, sys
j = json.loads(open(sys.argv[1], "rb").read())
want = ('q"uote \\back\\slash \x01\x1b[31m\ttab \ufffd\ufffd latin \ufffd'
        ' nul \x00 \u00e9t\u00e9"caf\u00e9" \x7f\ufffd end')
assert j["subject"] == want, repr(j["subject"])
assert j["from"] == '"q\\"x"@example.test', j["from"]
assert j["to"] == ['"john doe"@example.test', "\u00fc@example.test"], j["to"]
assert j["date"] is None and j["header_from"] is None
assert j["message_id"] == '<"odd\\id"@x>', j["message_id"]
assert j["file"] == "1.M1P1Q1.test" and j["path"] == sys.argv[2], j["path"]
assert j["size"] > 0
print("ok")
EOF
	assert_success
	assert_output ok
}

@test "summary: one line per message, control characters never reach the terminal" {
	maildir "$M"
	deliver "$M" a@x.test b@y.test $'evil \e]0;title\a\r\x9b subject' >/dev/null
	deliver "$M" "" b@y.test,c@y.test "=?utf-8?B?R3LDvMOfZSBhdXMg?= =?utf-8?B?QmVybGlu?=" >/dev/null
	run -0 "$WATCH" --timeout 120 --existing --count 2 "$M"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --partial '  evil ?]0;title?� subject  '
	assert_line --index 1 --regexp '^2026-11-28 17:48:40  <> +b@y\.test \+1 +Grüße aus Berlin +[0-9]+  '
	[[ "$output" != *$'\e'* && "$output" != *$'\a'* ]]
}

@test "mbox: round-trips through Python's mailbox.mbox" {
	maildir "$M"
	deliver "$M" a@x.test b@y.test "one" $'From the start\n>From quoted\n>>From twice\nFrom' >/dev/null
	deliver "$M" "" b@y.test "two" $'last line empty\n' >/dev/null
	deliver "$M" '"j d"@x.test' b@y.test "three" $'x\n\nFrom \n>' >/dev/null
	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 3 --format mbox "$M"
	printf '%s\n' "$output" >"$T/out.mbox"
	run "$PYTHON" - "$T/out.mbox" "$M/new" <<'EOF'
import mailbox, os, re, sys
box = mailbox.mbox(sys.argv[1], create=False)
got = []
for key in box.keys():
    raw = box.get_bytes(key)
    got.append(re.sub(rb"(?m)^>(>*From )", rb"\1", raw))
want = []
for name in sorted(os.listdir(sys.argv[2])):
    want.append(open(os.path.join(sys.argv[2], name), "rb").read())
assert len(got) == 3, len(got)
assert got == want, (got, want)
froms = [m.get_from().split(" ")[0] for m in box]
assert froms == ["a@x.test", "MAILER-DAEMON", '"j_d"@x.test'], froms
assert [m["Subject"] for m in box] == ["one", "two", "three"]
print("ok")
EOF
	assert_success
	assert_output ok
}

@test "Unicode controls: C1, line separators and bidi overrides never come out raw" {
	maildir "$M"
	# U+0085 NEL, U+009B CSI, U+2028, U+2029, U+202E RLO, U+2066 LRI, U+202A LRE
	deliver "$M" a@x.test b@y.test $'a\u0085b\u009bc\u2028d\u2029e\u202ef\u2066g\u202ah' >/dev/null
	run -0 "$WATCH" --timeout 120 --existing --count 1 "$M"
	assert_output --partial '  a?b?c?d?e?f?g?h  '
	run -0 "$WATCH" --timeout 120 --existing --count 1 --format json "$M"
	assert_output --partial '"subject":"a\u0085b\u009bc\u2028d\u2029e\u202ef\u2066g\u202ah"'
	local c
	for c in $'\u0085' $'\u009b' $'\u2028' $'\u2029' $'\u202e' $'\u2066' $'\u202a'; do
		[[ "$output" != *"$c"* ]] || fail "raw $(printf %s "$c" | od -An -tx1)"
	done
	# mbox is the message, byte for byte
	run -0 "$WATCH" --timeout 120 --existing --count 1 --format mbox "$M"
	[[ "$output" == *$'a\u0085b\u009bc\u2028d\u2029e\u202ef\u2066g\u202ah'* ]]
}

# ---- what is reported ----------------------------------------------------------

@test "--existing reports new/ and cur/; without it, old messages are not reported" {
	maildir "$M"
	local n1 n2 c1 c2 fresh
	n1=$(deliver "$M" a@x.test b@y.test "new one")
	n2=$(deliver "$M" a@x.test b@y.test "new two")
	c1=$(deliver "$M" a@x.test b@y.test "read one")
	c2=$(deliver "$M" a@x.test b@y.test "read two")
	mv "$M/new/$c1" "$M/cur/$c1:2,S"
	mv "$M/new/$c2" "$M/cur/$c2:2,RS"
	mkdir "$M/new/.hidden" "$M/new/subdir"
	touch "$M/new/.dotfile" "$M/tmp/1.M1P1Q1.in-progress"

	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 4 --format json "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$(printf '%s\n' "$n1" "$n2" "$c1:2,S" "$c2:2,RS" | sort)"
	run "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    sub = "cur" if ":2," in j["file"] else "new"
    assert j["path"] == sys.argv[2] + "/" + sub + "/" + j["file"], j["path"]
print("ok")' "$T/out" "$M"
	assert_output ok

	start_watch "$T/out2" --count 1 --format json "$M"
	wait_watching "$PID" "$M/new"
	fresh=$(deliver "$M" a@x.test b@y.test "fresh")
	wait_exit "$PID"
	assert_equal "$status" 0
	assert_equal "$(json_files "$T/out2")" "$fresh"
}

@test "a Maildir that appears after the watcher started" {
	local m="$T/a/b/mail" name
	start_watch "$T/out" --count 2 --format json "$m"
	wait_watching "$PID" "$T"
	mkdir -p "$m/tmp" "$m/new" "$m/cur"
	# delivered at once: before or after the watch on new/, it counts
	name=$(deliver "$m" a@x.test b@y.test "first")
	wait_watching "$PID" "$m/new"
	second=$(deliver "$m" a@x.test b@y.test "second")
	wait_exit "$PID"
	assert_equal "$status" 0
	assert_equal "$(json_files "$T/out")" "$(printf '%s\n' "$name" "$second" | sort)"
	grep -q 'does not exist yet' "$T/out.err"
}

@test "a Maildir removed and created again is followed" {
	maildir "$M"
	start_watch "$T/out" --count 1 --format json "$M"
	wait_watching "$PID" "$M/new"
	rm -rf "$M"
	wait_watching "$PID" "$T"
	maildir "$M"
	local name
	name=$(deliver "$M" a@x.test b@y.test "again")
	wait_exit "$PID"
	assert_equal "$status" 0
	assert_equal "$(json_files "$T/out")" "$name"
}

@test "--rcpt and --from: the domain compares case-insensitively, the local part exactly" {
	maildir "$M"
	local m1 m2 m3 m4
	m1=$(deliver "$M" alice@Sender.TEST bob@Example.TEST one)
	m2=$(deliver "$M" alice@sender.test Bob@example.test two)
	m3=$(deliver "$M" ALICE@sender.test x@example.test three)
	m4=$(deliver "$M" alice@sender.test carol@x.test,bob@example.test four)

	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 2 --format json --rcpt bob@EXAMPLE.test "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$(printf '%s\n' "$m1" "$m4" | sort)"

	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 2 --format json --from alice@SENDER.test "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$(printf '%s\n' "$m1" "$m2" | sort)"

	# "@domain", repeated options (OR), --from with --rcpt (AND)
	m5=$(deliver "$M" '' x@example.test five)
	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 2 --format json \
		--rcpt nobody@x.test --rcpt @example.TEST --from ALICE@sender.test --from '<>' "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$(printf '%s\n' "$m3" "$m5" | sort)"
}

@test "the envelope comes only from the leading block, never from the client's headers" {
	maildir "$M"
	local fake real
	fake=$(deliver "$M" a@x.test bob@x.test "fake" body)
	# the client wrote its own Return-Path and X-Original-To further down
	sed -i 's/^Subject: fake$/Return-Path: <eve@evil.test>\nX-Original-To: eve@evil.test\nSubject: fake/' "$M/new/$fake"
	grep -q '^X-Original-To: eve@evil.test$' "$M/new/$fake"
	real=$(deliver "$M" eve@evil.test eve@evil.test "real")
	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 1 --format json --rcpt eve@evil.test "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$real"
	run -0 --separate-stderr "$WATCH" --timeout 120 --existing --count 1 --format json --from eve@evil.test "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$real"
}

# The overflow comes right after the start: the rescan must not take the
# messages new/ held before it (older than a clock tick) for new ones.
@test "an event queue overflow is followed by a rescan: nothing lost, nothing twice, nothing old" {
	local max n
	max=$(cat /proc/sys/fs/inotify/max_queued_events)
	[ "$max" -le 100000 ] || skip "max_queued_events is $max: too many files to overflow it"
	n=$((max + 1000))
	maildir "$M"
	deliver "$M" a@x.test b@y.test "old 1" >/dev/null
	deliver "$M" a@x.test b@y.test "old 2" >/dev/null
	ls "$M/new" >"$T/old"
	sleep 0.1
	start_watch "$T/out" --count "$n" --format json "$M"
	wait_watching "$PID" "$M/new"
	kill -STOP "$PID"
	"$PYTHON" - "$M" "$n" <<'EOF'
import os, sys, time
m, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    t = time.time()
    name = "%d.M%06dP%dQ%d.overflow" % (int(t), int(t * 1e6) % 1000000, os.getpid(), i)
    with open(os.path.join(m, "tmp", name), "w") as f:
        f.write("Return-Path: <a@x.test>\nX-Original-To: b@y.test\n\nmessage %d\n" % i)
    os.rename(os.path.join(m, "tmp", name), os.path.join(m, "new", name))
EOF
	kill -CONT "$PID"
	wait_exit "$PID"
	assert_equal "$status" 0
	json_files "$T/out" >"$T/got"
	ls "$M/new" | grep -vxFf "$T/old" | sort >"$T/want"
	assert_equal "$(wc -l <"$T/got")" "$n"
	run diff "$T/want" "$T/got"
	assert_success
}

@test "smtp-session delivers, smtp-watch reports the envelope and decoded subject" {
	need_session
	maildir "$M"
	start_watch "$T/out" --rcpt b@Y.TEST --count 1 --format json "$M"
	wait_watching "$PID" "$M/new"
	smtp_session "$M" 'HELO x\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\nSubject: not this\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: =?utf-8?q?h=C3=AF?=\r\n\r\nbody\r\n.\r\nQUIT\r\n'
	wait_exit "$PID"
	assert_equal "$status" 0
	run "$PYTHON" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
assert (j["from"], j["to"], j["subject"]) == ("a@x.test", ["b@y.test"], "h\u00ef"), j
print("ok")' "$T/out"
	assert_output ok
}

@test "--rcpt: a recipient cut by the end of a 64 KiB read is not taken whole; one past it matches" {
	need_session
	maildir "$M"
	# 300 long recipients put "victim@example.test" of the recipient
	# victim@example.test.evil.example exactly at the end of 64 KiB
	"$PYTHON" - >"$T/script" <<'PY'
head = len("Return-Path: <a@x.test>\n")
victim, tag, n = "victim@example.test", len("X-Original-To: "), 300
fill = 65536 - head - tag - len(victim) - (tag + 1) * n
print("HELO x\nMAIL FROM:<a@x.test>")
for i in range(n):
    length = fill // n + (1 if i < fill % n else 0)
    local = ("r%d-" % i).ljust(60, "x")
    left, labels = length - len(local) - 1 - len(".test"), []
    while left > 51:
        labels.append("d" * 50)
        left -= 51
    labels.append("d" * left)
    print("RCPT TO:<%s@%s.test>" % (local, ".".join(labels)))
print("RCPT TO:<victim@example.test.evil.example>")
print("RCPT TO:<carol@real.test>\nDATA\nSubject: many\n\nbody\n.\nQUIT")
PY
	# a pipe, so the session is local and a lone "." ends the message
	cat "$T/script" | "$SESSION" --maildir "$M" --max-recipients 1000 >/dev/null 2>&1
	local f
	f=$(ls "$M/new")
	assert_equal "$(head -c 65536 "$M/new/$f" | tail -c 20)" " victim@example.test"

	run -1 --separate-stderr "$WATCH" --existing --rcpt victim@example.test --count 1 --timeout 1 "$M"
	assert_output ""
	run -1 --separate-stderr "$WATCH" --existing --rcpt @example.test --count 1 --timeout 1 "$M"
	assert_output ""
	run -0 --separate-stderr "$WATCH" --existing --rcpt carol@real.test --count 1 --timeout 120 --format json "$M"
	printf '%s\n' "$output" >"$T/out"
	run "$PYTHON" -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
assert len(j["to"]) == 302, len(j["to"])
assert j["to"][-2:] == ["victim@example.test.evil.example", "carol@real.test"], j["to"][-2:]
assert j["subject"] == "many", j["subject"]
print("ok")' "$T/out"
	assert_output ok
	run -0 "$WATCH" --existing --rcpt victim@example.test.evil.example --count 1 --timeout 120 "$M"
	assert_output --regexp '  a@x\.test +r0-x+@d[d.]+\.test \+301  many +[0-9]+  '
}

# ---- symbolic links ---------------------------------------------------------------

# secret_dir: a directory outside the Maildir holding a message-like file.
secret_dir() {
	mkdir -p "$T/secret"
	printf 'Return-Path: <a@x.test>\nX-Original-To: b@y.test\nSubject: secret\n\nthe secret\n' \
		>"$T/secret/1.M1P1Q1.secret"
}

# refused SUB ARGS...: smtp-watch ARGS... MAILDIR exits 2, says that
# MAILDIR/SUB is a symbolic link, and writes nothing out.
refused() {
	local sub=$1
	shift
	run -2 --separate-stderr "$WATCH" "$@" "$M"
	assert_output ""
	[[ "$stderr" == *"$M/$sub: a symbolic link, not followed"* ]] ||
		fail "stderr: $stderr"
}

@test "a symbolic link for new/ is refused, with or without --existing" {
	secret_dir
	mkdir -p "$M/tmp" "$M/cur"
	ln -s "$T/secret" "$M/new"
	refused new --existing --count 1 --timeout 5 --format mbox
	refused new --count 1 --timeout 5
	# a dangling one too: it is not a Maildir that has yet to appear
	rm "$M/new"
	ln -s "$T/nowhere" "$M/new"
	refused new --timeout 5
}

@test "a symbolic link for cur/ is refused" {
	secret_dir
	mkdir -p "$M/tmp" "$M/new"
	ln -s "$T/secret" "$M/cur"
	refused cur --existing --count 1 --timeout 5 --format mbox
	refused cur --count 1 --timeout 5
}

@test "new/ replaced by a symbolic link while it is followed: refused, exit 2" {
	secret_dir
	maildir "$M"
	start_watch "$T/out" --timeout 10 --format mbox "$M"
	wait_watching "$PID" "$M/new"
	mv "$M/new" "$M/new.old"
	ln -s "$T/secret" "$M/new"
	# an event from the watched directory, named like the secret file
	touch "$M/new.old/1.M1P1Q1.secret"
	wait_exit "$PID"
	assert_equal "$status" 2
	run ! grep -q 'the secret' "$T/out"
	grep -qF "$M/new: a symbolic link" "$T/out.err" || fail "$(cat "$T/out.err")"
}

@test "a message file that is a symbolic link is skipped, found by a scan or by an event" {
	secret_dir
	maildir "$M"
	local real later
	ln -s "$T/secret/1.M1P1Q1.secret" "$M/new/1.M0P1Q1.link"
	real=$(deliver "$M" a@x.test b@y.test "real")
	run -0 --separate-stderr "$WATCH" --existing --count 1 --timeout 120 --format mbox "$M"
	[[ "$output" != *"the secret"* ]] || fail "followed the link"
	[[ "$output" == *"Subject: real"* ]]

	start_watch "$T/out" --count 1 --format mbox "$M"
	wait_watching "$PID" "$M/new"
	ln -s "$T/secret/1.M1P1Q1.secret" "$M/new/2.M0P1Q1.link"
	later=$(deliver "$M" a@x.test b@y.test "later")
	wait_exit "$PID"
	assert_equal "$status" 0
	run ! grep -q 'the secret' "$T/out"
	grep -q '^Subject: later$' "$T/out"
}

@test "MAILDIR itself may be a symbolic link: the user chose it" {
	maildir "$T/real"
	ln -s "$T/real" "$M"
	local name
	name=$(deliver "$T/real" a@x.test b@y.test "via link")
	run -0 --separate-stderr "$WATCH" --existing --count 1 --timeout 120 --format json "$M"
	printf '%s\n' "$output" >"$T/out"
	assert_equal "$(json_files "$T/out")" "$name"
	grep -qF "\"path\":\"$M/new/$name\"" "$T/out"
}

# ---- errors ------------------------------------------------------------------------

@test "usage errors exit 2 with a message" {
	run -2 --separate-stderr "$WATCH"
	[[ "$stderr" == *"missing MAILDIR"* ]]
	run -2 --separate-stderr "$WATCH" --bogus "$M"
	run -2 --separate-stderr "$WATCH" --count 0 "$M"
	[[ "$stderr" == *"--count"* ]]
	run -2 --separate-stderr "$WATCH" --timeout soon "$M"
	[[ "$stderr" == *"--timeout"* ]]
	run -2 --separate-stderr "$WATCH" --format xml "$M"
	[[ "$stderr" == *"--format"* ]]
	run -2 --separate-stderr "$WATCH" "$M" "$M"
	run -0 "$WATCH" --help
	assert_line --partial "  -e, --existing"
	run -0 "$WATCH" --version
}

@test "a Maildir that cannot be read exits 2 with a clear message" {
	mkdir -p "$M"
	touch "$M/new"
	run -2 --separate-stderr "$WATCH" "$M"
	[[ "$stderr" == *"$M/new: not a Maildir"* ]]

	rm "$M/new"
	maildir "$M"
	chmod 0700 "$T" "$M"
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is needed to drop root"
		run -2 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$WATCH" "$M"
	else
		chmod 0 "$M/new"
		run -2 --separate-stderr "$WATCH" "$M"
	fi
	[[ "$stderr" == *"Permission denied"* ]]
	assert_output ""
}
