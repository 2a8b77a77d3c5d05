#!/usr/bin/env bats
# The address book end to end: --recipients at RCPT and VRFY, --aliases
# at EXPN, with Python's smtplib and raw dialogues over real sockets;
# harvest resistance, bad files, and a table edited between connections.

load test_helper

teardown() { stop_clean; }

# A table and aliases most tests share.
write_files() {
	cat >"$TEST_DIR/recipients" <<'EOF'
# people
bob@example.test
Alice@Example.TEST
"carol"@example.test
bob@second.test
@catch-all.test
not an address
EOF
	printf 'dave@example.test\r\n' >>"$TEST_DIR/recipients"
	cat >"$TEST_DIR/aliases" <<'EOF'
# lists
staff: bob@example.test, Alice@example.test,
  "carol"@example.test
# a comment inside the list
	dave@example.test
ops: |/usr/bin/procmail, root@example.test
EOF
}

# smtplib: each argument is "verify X" or "expn X"; prints code and text
# of each reply, the text's lines joined by " | ".
py_ask() {
	python3 - "$PORT" "$@" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.test",
                  timeout=10) as s:
    for q in sys.argv[2:]:
        verb, arg = q.split(" ", 1)
        code, text = s.verify(arg) if verb == "verify" else s.expn(arg)
        print(code, text.decode().replace("\n", " | "))
PY
}

@test "--recipients: listed addresses in any form are accepted, others get 550" {
	write_files
	start_server --hostname sink.test --maildir "$TEST_DIR/md" \
		--recipients "$TEST_DIR/recipients"
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@EXAMPLE.Test>\r\nRCPT TO:<\"bob\"@example.test>\r\nRCPT TO:<@relay.test:alice@example.test>\r\nRCPT TO:<Alice@example.test>\r\nRCPT TO:<carol@example.test>\r\nRCPT TO:<dave@example.test>\r\nRCPT TO:<anyone@Catch-All.test>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<POSTMASTER@elsewhere.test>\r\nRCPT TO:<Bob@example.test>\r\nDATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_success
	run sed -n '9,$p' <<<"$output"
	assert_output --regexp '^250 2\.1\.0 Ok
250 2\.1\.5 Ok
250 2\.1\.5 Ok
550 5\.1\.1 <alice@example\.test>: Recipient address rejected: User unknown
250 2\.1\.5 Ok
250 2\.1\.5 Ok
250 2\.1\.5 Ok
250 2\.1\.5 Ok
250 2\.1\.5 Ok
250 2\.1\.5 Ok
550 5\.1\.1 <Bob@example\.test>: Recipient address rejected: User unknown
354 End data with <CR><LF>\.<CR><LF>
250 2\.0\.0 Ok: queued as [0-9A-F]+Q1
221 2\.0\.0 Bye$'
	run grep -c '^X-Original-To: ' "$TEST_DIR"/md/new/*
	assert_output 8
	# the malformed line is logged with its file and line number
	run grep 'event=table' "$TEST_DIR/server.log"
	assert_output --partial "table=$TEST_DIR/recipients line=7 reason=\"bad address\""
	run grep -c 'event=refused' "$TEST_DIR/server.log"
	assert_output 2
}

@test "smtplib verify(): 250, 553 with the candidates, 550; 252 without a table" {
	write_files
	start_server --hostname sink.test --recipients "$TEST_DIR/recipients" \
		--max-errors 0
	run py_ask "verify bob@example.test" "verify <bob@Example.TEST>" \
		"verify Alice" "verify bob" "verify nobody@example.test" \
		"verify zed" "verify postmaster"
	assert_success
	assert_output '250 2.1.5 <bob@example.test>
250 2.1.5 <bob@Example.TEST>
553 5.1.4 Ambiguous; possibilities are | 5.1.4 <Alice@example.test> | 5.1.4 <Alice@catch-all.test>
553 5.1.4 Ambiguous; possibilities are | 5.1.4 <bob@example.test> | 5.1.4 <bob@second.test> | 5.1.4 <bob@catch-all.test>
550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown
250 2.1.5 <zed@catch-all.test>
250 2.1.5 <postmaster>'
	stop_clean
	start_server --hostname sink.test
	run py_ask "verify bob@example.test" "expn staff"
	assert_output '252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery
502 5.5.1 Error: EXPN is not enabled'
}

@test "smtplib expn(): the members one a line; 550 for no list; HELP lists EXPN" {
	write_files
	start_server --hostname sink.test --aliases "$TEST_DIR/aliases"
	run py_ask "expn staff" "expn <staff@example.test>" "expn ops" \
		"expn nolist" "verify bob"
	assert_success
	assert_output '250 2.1.5 <bob@example.test> | 2.1.5 <Alice@example.test> | 2.1.5 <"carol"@example.test> | 2.1.5 <dave@example.test>
250 2.1.5 <bob@example.test> | 2.1.5 <Alice@example.test> | 2.1.5 <"carol"@example.test> | 2.1.5 <dave@example.test>
250 2.1.5 <root@example.test>
550 5.1.1 <nolist>: Mailing list unknown
252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery'
	run grep 'event=table' "$TEST_DIR/server.log"
	assert_output --partial 'line=6 reason="a command or file is not an address"'
	run smtp_raw 'b"HELO c.test\r\nHELP\r\nQUIT\r\n"'
	assert_line --index 3 '214-2.0.0   HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY EXPN HELP'
}

@test "an alias name is a recipient when both files are given" {
	write_files
	printf 'bob@example.test\n' >"$TEST_DIR/recipients"
	start_server --hostname sink.test --recipients "$TEST_DIR/recipients" \
		--aliases "$TEST_DIR/aliases"
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<staff@example.test>\r\nRCPT TO:<ops@other.test>\r\nRCPT TO:<staffs@example.test>\r\nVRFY staff\r\nQUIT\r\n"'
	assert_success
	assert_line --index 3 '250 2.1.5 Ok'
	assert_line --index 4 '250 2.1.5 Ok'
	assert_line --index 5 '550 5.1.1 <staffs@example.test>: Recipient address rejected: User unknown'
	assert_line --index 6 '250 2.1.5 <staff>'
}

@test "harvest resistance: VRFY and EXPN refusals count toward --max-errors" {
	write_files
	start_server --hostname sink.test --recipients "$TEST_DIR/recipients" \
		--aliases "$TEST_DIR/aliases" --max-errors 3
	run smtp_raw 'b"HELO c.test\r\nVRFY a1@example.test\r\nVRFY bob@example.test\r\nEXPN list1\r\nVRFY a2@example.test\r\nVRFY a3@example.test\r\nQUIT\r\n"'
	assert_success
	assert_output '220 sink.test ESMTP smtp-sink
250 sink.test
550 5.1.1 <a1@example.test>: Recipient address rejected: User unknown
250 2.1.5 <bob@example.test>
550 5.1.1 <list1>: Mailing list unknown
550 5.1.1 <a2@example.test>: Recipient address rejected: User unknown
421 4.7.0 sink.test Error: too many errors'
	run grep -c 'reason="too many errors"' "$TEST_DIR/server.log"
	assert_output 1
}

@test "the table is read per session: an edit applies to the next connection" {
	printf 'old@example.test\n' >"$TEST_DIR/recipients"
	start_server --hostname sink.test --recipients "$TEST_DIR/recipients"
	run smtp_raw 'b"HELO c.test\r\nVRFY new@example.test\r\nVRFY old@example.test\r\nQUIT\r\n"'
	assert_line --index 2 --partial '550 5.1.1 <new@example.test>'
	assert_line --index 3 '250 2.1.5 <old@example.test>'
	# an editor's way: a new file renamed over the old one
	printf 'new@example.test\n' >"$TEST_DIR/recipients.tmp"
	mv "$TEST_DIR/recipients.tmp" "$TEST_DIR/recipients"
	run smtp_raw 'b"HELO c.test\r\nVRFY new@example.test\r\nVRFY old@example.test\r\nQUIT\r\n"'
	assert_line --index 2 '250 2.1.5 <new@example.test>'
	assert_line --index 3 --partial '550 5.1.1 <old@example.test>'
	# and in place
	printf 'other@example.test\n' >"$TEST_DIR/recipients"
	run smtp_raw 'b"HELO c.test\r\nVRFY new@example.test\r\nVRFY other@example.test\r\nQUIT\r\n"'
	assert_line --index 2 --partial '550 5.1.1 <new@example.test>'
	assert_line --index 3 '250 2.1.5 <other@example.test>'
}

@test "files that cannot be read: 451 4.3.0 and a log line; postmaster still accepted" {
	mkdir "$TEST_DIR/a-directory"
	start_server --hostname sink.test --recipients "$TEST_DIR/missing" \
		--aliases "$TEST_DIR/a-directory"
	run smtp_raw 'b"HELO c.test\r\nVRFY bob\r\nEXPN staff\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<postmaster@example.test>\r\nQUIT\r\n"'
	assert_success
	assert_output '220 sink.test ESMTP smtp-sink
250 sink.test
451 4.3.0 <bob>: Temporary lookup failure
451 4.3.0 <staff>: Temporary lookup failure
250 2.1.0 Ok
451 4.3.0 <bob@example.test>: Temporary lookup failure
250 2.1.5 Ok
221 2.0.0 Bye'
	run grep -c "event=error table=$TEST_DIR/missing error=\"No such file or directory\"" "$TEST_DIR/server.log"
	assert_output 2
	run grep -c "event=error table=$TEST_DIR/a-directory error=\"Is a directory\"" "$TEST_DIR/server.log"
	assert_output 1
}

@test "an EXPN of a 10,000-address list arrives whole" {
	python3 - "$TEST_DIR/aliases" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("big: " + ",\n  ".join("member%05d@example.test" % i
                                    for i in range(10000)) + "\n")
PY
	start_server --hostname sink.test --aliases "$TEST_DIR/aliases"
	run python3 - "$PORT" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    code, text = s.expn("big")
    lines = [l.removeprefix("2.1.5 ") for l in text.decode().split("\n")]
    want = ["<member%05d@example.test>" % i for i in range(10000)]
    print(code, len(lines), lines == want)
    print(s.noop()[0])
PY
	assert_success
	assert_output '250 10000 True
250'
}

@test "a 100,000-line sorted table: listed addresses accepted, others refused" {
	python3 - "$TEST_DIR/recipients" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.writelines(sorted("user%06d@example.test\n" % i for i in range(0, 200000, 2)))
PY
	start_server --hostname sink.test --recipients "$TEST_DIR/recipients"
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<user000000@example.test>\r\nRCPT TO:<user123456@example.test>\r\nRCPT TO:<user199998@EXAMPLE.TEST>\r\nRCPT TO:<user123457@example.test>\r\nQUIT\r\n"'
	assert_success
	assert_line --index 3 '250 2.1.5 Ok'
	assert_line --index 4 '250 2.1.5 Ok'
	assert_line --index 5 '250 2.1.5 Ok'
	assert_line --index 6 --partial '550 5.1.1 <user123457@example.test>'
}
