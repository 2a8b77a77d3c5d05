#!/usr/bin/env bats
# SMTP smuggling (CVE-2023-51764 and relatives): on a network connection
# only <CRLF>.<CRLF> ends DATA.  Each test hides a whole second
# transaction behind a look-alike end of data and checks that exactly one
# message is stored, that it holds the hidden text, and that the client
# heard exactly one "250 ... queued"; with --bare-lf reject the message is
# refused whole with 550 5.6.11 and nothing is stored.

load test_helper

teardown() { stop_clean; }

HEAD='b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: s\r\n\r\nbefore"'
SMUGGLED='b"MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nsmuggled\r\n.\r\n"'
TAIL='b"\r\n.\r\nQUIT\r\n"'

# What the client hears when the look-alike is ignored: the one message
# ends at the first real <CRLF>.<CRLF> (after "smuggled"); the left-over
# "\r\n.\r\n" are two bad commands.
expect_one_queued() {
	assert_line --index 0 "220 sink.test ESMTP smtp-sink"
	run grep -c '^250 2.0.0 Ok: queued as ' <<<"$replies"
	assert_output 1
	run grep -c '^354 ' <<<"$replies"
	assert_output 1
	run grep -c '^250 2.1.0 Ok' <<<"$replies"
	assert_output 1
	run sed -n '/^354 /,$p' <<<"$replies"
	assert_output --regexp $'^354 End data with <CR><LF>.<CR><LF>\n250 2.0.0 Ok: queued as [0-9A-F]+Q1\n500 5.5.2 Error: bad syntax\n500 5.5.1 Error: command not recognized\n221 2.0.0 Bye$'
}

# smuggle [OPTION]... -- VARIANT: runs the script with VARIANT (a Python
# bytes literal) between "before" and the hidden transaction; sets
# $replies.
smuggle() {
	local opts=()
	while [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	start_server --maildir "$TEST_DIR/md" --hostname sink.test "${opts[@]}"
	run smtp_raw "$HEAD $2 $SMUGGLED $TAIL"
	assert_success
	replies=$output
}

# normalized VARIANT EXPECTED-BODY: the default policy stores one message
# whose body (after the header block) is exactly EXPECTED-BODY.
normalized() {
	smuggle -- "$1"
	expect_one_queued
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	python3 -c 'import sys, ast; sys.stdout.buffer.write(ast.literal_eval(sys.argv[1]))' \
		"$2" >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body" || {
		od -c "$TEST_DIR/body" >&2
		return 1
	}
	run grep -c "event=accepted" "$TEST_DIR/server.log"
	assert_output 1
}

# rejected VARIANT: with --bare-lf reject, 550 5.6.11 and nothing stored.
rejected() {
	smuggle --bare-lf reject -- "$1"
	run grep -c '^250 2.0.0 Ok: queued' <<<"$replies"
	assert_output 0
	run sed -n '/^354 /,$p' <<<"$replies"
	assert_output --regexp $'^354 End data with <CR><LF>.<CR><LF>\n550 5.6.11 Error: bare <CR> or <LF> in message; lines must end in <CR><LF>\n500 5.5.2 Error: bad syntax\n500 5.5.1 Error: command not recognized\n221 2.0.0 Bye$'
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	run grep -c "event=rejected" "$TEST_DIR/server.log"
	assert_output 1
}

BODY='b"Subject: s\n\nbefore\n.\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'

@test "<LF>.<LF> does not end DATA (normalize)" {
	normalized 'b"\n.\n"' "$BODY"
}

@test "<LF>.<LF> with --bare-lf reject: 550 5.6.11, nothing stored" {
	rejected 'b"\n.\n"'
}

@test "<CR>.<CR> does not end DATA (normalize)" {
	normalized 'b"\r.\r"' "$BODY"
}

@test "<CR>.<CR> with --bare-lf reject: 550 5.6.11, nothing stored" {
	rejected 'b"\r.\r"'
}

@test "<LF>.<CRLF> does not end DATA (normalize)" {
	normalized 'b"\n.\r\n"' "$BODY"
}

@test "<LF>.<CRLF> with --bare-lf reject: 550 5.6.11, nothing stored" {
	rejected 'b"\n.\r\n"'
}

@test "<CRLF>.<LF> does not end DATA (normalize)" {
	normalized 'b"\r\n.\n"' "$BODY"
}

@test "<CRLF>.<LF> with --bare-lf reject: 550 5.6.11, nothing stored" {
	rejected 'b"\r\n.\n"'
}

@test "<CRLF>.<CR> does not end DATA (normalize)" {
	normalized 'b"\r\n.\r"' "$BODY"
}

@test "<CRLF>.<CR> with --bare-lf reject: 550 5.6.11, nothing stored" {
	rejected 'b"\r\n.\r"'
}

@test "<CR><LF>.<LF> with <CR> and <LF> in separate writes does not end DATA" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_chunks "$HEAD b\"\\r\"" 'b"\n"' 'b"."' "b\"\\n\" $SMUGGLED" "$TAIL"
	assert_success
	replies=$output
	expect_one_queued
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	python3 -c 'import sys, ast; sys.stdout.buffer.write(ast.literal_eval(sys.argv[1]))' \
		"$BODY" >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}

@test "<CR>.<CR><LF> and <CRLF>.<CR><CR><LF> do not end DATA" {
	normalized 'b"\r.\r\nx\r\n.\r\r\n"' \
		'b"Subject: s\n\nbefore\n.\nx\n.\n\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'
}

@test "<CRLF>.<LF><CRLF>: the bare LF is a line end, not an end of data" {
	normalized 'b"\r\n.\n\r\n"' \
		'b"Subject: s\n\nbefore\n.\n\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'
}

@test "NUL after the dot: <CRLF>.<NUL><CRLF> is a dot-stuffed line" {
	normalized 'b"\r\n.\x00\r\n"' \
		'b"Subject: s\n\nbefore\n\x00\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'
}

@test "NUL before the dot: <CRLF><NUL>.<CRLF> is text" {
	normalized 'b"\r\n\x00.\r\n"' \
		'b"Subject: s\n\nbefore\n\x00.\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'
}

@test "NUL after the dot with bare LF: <LF>.<NUL><LF> is text" {
	normalized 'b"\n.\x00\n"' \
		'b"Subject: s\n\nbefore\n.\x00\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n"'
}

@test "NUL next to the dot with bare LF or CR, --bare-lf reject: 550 5.6.11" {
	rejected 'b"\n.\x00\n"'
	stop_server
	rm -rf "$TEST_DIR/md" "$TEST_DIR/server.log"
	rejected 'b"\r\x00.\r"'
}

@test "a look-alike at the very start of the data does not end it" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw "b\"EHLO c.test\\r\\nMAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\n.\\n\" $SMUGGLED $TAIL"
	assert_success
	replies=$output
	expect_one_queued
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	# no header section of its own: the empty line ends ours
	printf '\n.\nMAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\nsmuggled\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}

@test "the real <CRLF>.<CRLF> split over four writes still ends DATA once" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_chunks "$HEAD b\"\\r\"" 'b"\n"' 'b".\r"' 'b"\nQUIT\r\n"'
	assert_success
	assert_line --index 10 --regexp '^354 '
	assert_line --index 11 --regexp '^250 2.0.0 Ok: queued as '
	assert_line --index 12 "221 2.0.0 Bye"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	printf 'Subject: s\n\nbefore\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}

@test "a clean CRLF message after a smuggling attempt is stored on its own" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test --bare-lf reject
	run smtp_raw "$HEAD b\"\\n.\\n\" $SMUGGLED b\"MAIL FROM:<a@x.test>\\r\\nRCPT TO:<b@y.test>\\r\\nDATA\\r\\nclean\\r\\n.\\r\\nQUIT\\r\\n\""
	assert_success
	assert_line --partial "550 5.6.11"
	run grep -c '^250 2.0.0 Ok: queued as ' <<<"$output"
	assert_output 1
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	maildir_body "$TEST_DIR"/md/new/* >"$TEST_DIR/body"
	printf '\nclean\n' >"$TEST_DIR/expected"
	cmp "$TEST_DIR/expected" "$TEST_DIR/body"
}
