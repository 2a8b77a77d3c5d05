#!/usr/bin/env bats
# The torture suite: hostile and broken clients against smtp-session under
# the real systemd-socket-activate (one process per connection).  The
# clients are in tests/torture.py; everything random there is seeded.
# After each test, every session must have exited 0 and no sanitizer may
# have spoken up in the server log.

load test_helper

TORTURE="$BATS_TEST_DIRNAME/torture.py"

# Waits up to $1 seconds (default 10) for every session of the server to
# exit; fails if one is still running.
sessions_gone() {
	local i n=$((${1:-10} * 20))
	for i in $(seq 1 "$n"); do
		pgrep -P "$SERVER_PID" >/dev/null || return 0
		sleep 0.05
	done
	echo "sessions still running after ${1:-10} s:" >&2
	pgrep -a -P "$SERVER_PID" >&2
	return 1
}

# Every session ended normally: exit status 0, no sanitizer report.
log_clean() {
	if grep -E "died with code [1-9]|killed by signal|AddressSanitizer|LeakSanitizer|runtime error:" \
		"$TEST_DIR/server.log"; then
		echo "a session failed; see the lines above" >&2
		return 1
	fi
}

teardown() {
	stop_server
}

@test "10,000 random and hostile command lines are each answered" {
	start_server --hostname sink.test --max-errors 0 --max-size 2000
	run python3 "$TORTURE" lines "$PORT" 7 10000 5
	echo "$output"
	assert_success
	assert_output --partial "10000 sent, 10000 answered"
	sessions_gone
	log_clean
}

@test "a 1 MiB line with no line end is refused, then the session goes on" {
	start_server --hostname sink.test
	run python3 "$TORTURE" longline "$PORT"
	echo "$output"
	assert_success
	sessions_gone
	log_clean
}

@test "a NUL byte at every offset of a transaction: answers, no partial file" {
	start_server --hostname sink.test --maildir "$TEST_DIR/md"
	run python3 "$TORTURE" nul "$PORT"
	echo "$output"
	assert_success
	sessions_gone
	log_clean
	stored=$(sed -n 's/^stored=//p' <<<"$output")
	[ "$(maildir_count "$TEST_DIR/md")" -eq "$stored" ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "a client sending one byte a second is cut off at --timeout" {
	start_server --hostname sink.test --timeout 2
	run python3 "$TORTURE" trickle "$PORT"
	echo "$output"
	assert_success
	seconds=$(sed -n 's/^seconds=//p' <<<"$output")
	[ "$seconds" -ge 2 ] && [ "$seconds" -le 4 ]
	sessions_gone
	log_clean
	grep -q "reason=timeout" "$TEST_DIR/server.log"
}

@test "a trickling DATA phase is cut off at 10 times --timeout" {
	start_server --hostname sink.test --timeout 1 --maildir "$TEST_DIR/md"
	run python3 "$TORTURE" trickle-data "$PORT"
	echo "$output"
	assert_success
	seconds=$(sed -n 's/^seconds=//p' <<<"$output")
	[ "$seconds" -ge 9 ] && [ "$seconds" -le 13 ]
	sessions_gone
	log_clean
	[ "$(maildir_count "$TEST_DIR/md")" -eq 0 ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
}

@test "a disconnect at every byte offset leaves no partial message" {
	start_server --hostname sink.test --maildir "$TEST_DIR/md"
	run python3 "$TORTURE" offsets "$PORT"
	echo "$output"
	assert_success
	sessions_gone
	log_clean
	# one message for each offset at or past the end of the data
	expect=$(sed -n 's/^expect=//p' <<<"$output")
	[ "$(maildir_count "$TEST_DIR/md")" -eq "$expect" ]
	[ -z "$(ls -A "$TEST_DIR/md/tmp")" ]
	! pgrep -P "$SERVER_PID"
}

@test "300 connections opened at once and abandoned; the service goes on" {
	start_server --hostname sink.test --maildir "$TEST_DIR/md"
	run python3 "$TORTURE" flood "$PORT" 300
	echo "$output"
	assert_success
	sessions_gone 30
	log_clean
	# and right after, as if nothing happened
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"'
	assert_output --partial "250 2.0.0 Ok: queued as"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 2 ]
	sessions_gone
	log_clean
}
