#!/usr/bin/env bats
# The session under the real systemd-socket-activate, both modes.

load test_helper

teardown() { stop_server; }

@test "a message through systemd-socket-activate --inetd is printed" {
	start_server --inetd --hostname sink.test
	run smtp_raw 'b"EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: t\r\n\r\nhello\r\n.\r\nQUIT\r\n"'
	assert_success
	assert_line --index 0 "220 sink.test ESMTP smtp-sink"
	assert_output --partial "250 2.0.0 Ok: queued as"
	assert_line --partial "221 2.0.0 Bye"
	run cat "$TEST_DIR/server.log"
	assert_output --partial "Return-Path: <a@x.test>"
	assert_output --partial "event=accepted"
}

@test "LISTEN_FDS mode: the connection is fd 3" {
	start_server --maildir "$TEST_DIR/md" --hostname sink.test
	run smtp_raw 'b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n"'
	assert_success
	assert_output --partial "250 2.0.0 Ok: queued as"
	[ "$(maildir_count "$TEST_DIR/md")" -eq 1 ]
	run grep -h "^Received: from c.test (\[127.0.0.1\])" "$TEST_DIR"/md/new/*
	assert_success
}
