#!/usr/bin/env bats
# tests/deploy.bats: the deployment files under the real superservers.
#
# systemd: the units are checked by systemd-analyze, then installed by
# `make install` into a temporary tree that is bound over /usr/local in a
# container whose PID 1 is the real systemd (systemd-nspawn over the host's
# /usr, volatile, in a network namespace of its own), and driven there
# with nsenter.
# xinetd and tcpserver: a private instance on a free loopback port; xinetd
# in a PID namespace of its own so that stopping it also stops its servers,
# tcpserver with its servers stopped by PID.
# Everything a test starts is stopped by PID in teardown; nothing is left
# outside the test's temporary directory.  What the machine may not allow
# (root, namespaces, booting systemd in a container) is probed with the
# operation itself, and the test skips with the reason (abilities.bash).

bats_require_minimum_version 1.5.0

setup_file() {
	# One test at a time even under bats --jobs: the tests share
	# systemd-nspawn's and systemd-analyze's state in /run (see teardown).
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

setup() {
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
	load abilities
	ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	cd "$ROOT"
	TMP=$(mktemp -d /tmp/smtp-sink-deploy.XXXXXX)
	PIDS=()
	NSPAWN_PID=
	CG=
	PRE_RUN=$(ls -d /run/systemd/nspawn /run/systemd/nspawn-root \
	    /run/systemd/systemd-units-load 2>/dev/null | paste -sd' ' || true)
	[ -x ./smtp-session ] || fail "./smtp-session is not built (make smtp-session)"
	write_helpers
}

teardown() {
	local pid
	container_stop
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	# What systemd-nspawn and systemd-analyze leave in /run, unless it
	# was there before the test.
	for f in /run/systemd/nspawn /run/systemd/nspawn-root \
	    /run/systemd/systemd-units-load; do
		case " $PRE_RUN " in *" $f "*) continue ;; esac
		if [ -d "$f" ]; then
			rmdir "$f/propagate" "$f" 2>/dev/null || true
		else
			rm -f "$f"
		fi
	done
	rm -rf "$TMP"
}

# ---- helpers ---------------------------------------------------------------

stop_pid() { # SIGTERM, then SIGKILL after 3 seconds; its children too
	local i kids
	kids=$(pgrep -P "$1" || true)
	kill "$1" 2>/dev/null || return 0
	[ -z "$kids" ] || kill $kids 2>/dev/null || true
	for i in $(seq 30); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # port [netns pid]: until it accepts a connection (5 s)
	local i
	for i in $(seq 50); do
		${2:+nsenter -t "$2" -n --} python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

write_helpers() {
	# One whole session, every byte the server sends printed a line at a
	# time; fails on any reply other than the expected one, on a line not
	# ended by CRLF, and on anything after the 221.
	cat >"$TMP/client.py" <<'EOF'
import socket, sys
port, rcpt, marker = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(('127.0.0.1', port), timeout=20)
buf = b''
def reply():
    global buf
    while True:
        while b'\r\n' not in buf:
            d = s.recv(4096)
            if not d:
                sys.exit('connection closed; got %r' % buf)
            buf += d
        line, buf = buf.split(b'\r\n', 1)
        print(line.decode('latin-1'))
        if line[3:4] != b'-':
            return line[:3].decode('latin-1')
def cmd(c, want):
    s.sendall(c + b'\r\n')
    got = reply()
    if got != want:
        sys.exit('%r: got %s, want %s' % (c[:40], got, want))
if reply() != '220':
    sys.exit('no 220 greeting')
cmd(b'EHLO client.example.test', '250')
cmd(b'MAIL FROM:<sender@example.test>', '250')
cmd(b'RCPT TO:<' + rcpt.encode() + b'>', '250')
cmd(b'DATA', '354')
cmd(b'Subject: deploy test\r\n\r\n' + marker.encode() + b'\r\n.', '250')
cmd(b'QUIT', '221')
s.settimeout(5)
while True:
    d = s.recv(4096)
    if not d:
        break
    buf += d
if buf:
    sys.exit('bytes after 221: %r' % buf)
EOF
	# N bare connections: connect and close at once, as fast as possible.
	cat >"$TMP/burst.py" <<'EOF'
import socket, sys
port, n, refused = int(sys.argv[1]), int(sys.argv[2]), 0
for i in range(n):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=5).close()
    except OSError:
        refused += 1
print('%d of %d refused' % (refused, n))
EOF
	# A syslog daemon for /dev/log: each datagram a line in a file.
	cat >"$TMP/syslogd.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b'\n') + b'\n')
EOF
}

# The output of a session: only SMTP replies, never a log line.
assert_only_replies() {
	local l
	[ "${#lines[@]}" -gt 5 ] || fail "too few reply lines: $output"
	for l in "${lines[@]}"; do
		[[ $l =~ ^[2-5][0-9][0-9][\ -] ]] ||
			fail "not an SMTP reply on the SMTP stream: '$l'"
	done
	refute_output --partial 'session='
	refute_output --partial 'event='
}

maildir_has() { # dir marker: exactly one message in new/ holds the marker
	local n
	n=$(grep -rlF -- "$2" "$1/new" 2>/dev/null | wc -l)
	[ "$n" = 1 ] || fail "$n messages with '$2' in $1/new: $(ls -la "$1" "$1/new" 2>&1)"
}

# ---- systemd in a container -------------------------------------------------

# The cgroup hierarchies to give the container a cgroup of its own in, so
# that what nspawn creates there (payload/, supervisor/) goes with it.
cgroup_roots() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo /sys/fs/cgroup
	else
		[ -d /sys/fs/cgroup/unified ] && echo /sys/fs/cgroup/unified
		[ -d /sys/fs/cgroup/systemd ] && echo /sys/fs/cgroup/systemd
	fi
	return 0
}

# The container's network: a namespace with loopback up, held by a
# process that sleeps until teardown.  It belongs to a user namespace of
# its own, in which root holds CAP_NET_ADMIN even where the machine's root
# does not: systemd-nspawn and docker drop it from a container, and
# without it nspawn's --private-network leaves loopback down, so that
# nothing in the container can be reached ("Network is unreachable").
container_netns() {
	local i
	ability_command ip iproute2 >/dev/null ||
		fail "ip is missing: install iproute2 (tests/deps-deploy.txt)"
	unshare --user --map-root-user --net -- sh -c \
	    'ip link set lo up && : >"$1" && exec sleep infinity' \
	    sh "$TMP/netns-up" 2>"$TMP/netns.log" &
	NETNS_PID=$!
	PIDS+=("$NETNS_PID")
	for i in $(seq 100); do
		[ -e "$TMP/netns-up" ] && return 0
		kill -0 "$NETNS_PID" 2>/dev/null || break
		sleep 0.05
	done
	skip "cannot give the container a network namespace with loopback up\
 ($(ability_first_line "$(cat "$TMP/netns.log")")): needs user namespaces\
 (sysctl user.max_user_namespaces=15000)"
}

# The line of the container's console that says why it did not boot.
console_reason() {
	local l
	l=$(grep -iE 'fail|error|cannot|denied|not permitted' "$TMP/console.log" | head -n 1)
	[ -n "$l" ] || l=$(grep -v '^[[:space:]]*$' "$TMP/console.log" | tail -n 1)
	printf '%s' "${l:-no output}"
}

container_boot() { # tree: boots with TREE/usr/local bound over /usr/local
	local tree=$1 i h
	require_ability root namespaces
	ability_command systemd-nspawn systemd-container >/dev/null ||
		fail "systemd-nspawn is missing: install systemd-container (tests/deps-deploy.txt)"
	container_netns
	systemd-id128 new >"$TMP/machine-id"
	MACHINE=smtp-sink-test-$$
	CG=smtp-sink-test-$$
	(
		for h in $(cgroup_roots); do
			mkdir -p "$h/$CG"
			echo "$BASHPID" >"$h/$CG/cgroup.procs"
		done
		exec env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn -D / \
		    --volatile=yes --register=no --keep-unit --console=pipe \
		    --machine="$MACHINE" \
		    --network-namespace-path="/proc/$NETNS_PID/ns/net" \
		    --bind-ro="$tree/usr/local:/usr/local" \
		    --bind-ro="$TMP/machine-id:/etc/machine-id" \
		    -b systemd.unit=basic.target \
		    systemd.mask=systemd-machine-id-commit.service \
		    </dev/null
	) >"$TMP/console.log" 2>&1 &
	NSPAWN_PID=$!
	PID1=
	# Booting systemd in a container is the ability probed: where the
	# machine cannot (a container without the rights, a kernel without
	# the cgroups), the test skips with the console's reason.  60 s,
	# because make check runs other tests beside this one.
	for i in $(seq 600); do
		kill -0 "$NSPAWN_PID" 2>/dev/null ||
			skip "systemd-nspawn cannot boot systemd here\
 ($(console_reason)): run on a VM or host, or in a container that can boot systemd"
		PID1=$(pgrep -P "$NSPAWN_PID" -x systemd || true)
		if [ -n "$PID1" ]; then
			case $(in_ct systemctl is-system-running 2>/dev/null) in
			running|degraded) return 0 ;;
			esac
		fi
		sleep 0.1
	done
	skip "systemd in a container did not reach basic.target in 60 s\
 ($(console_reason)): run on a VM or host, or in a container that can boot systemd"
}

in_ct() { nsenter -t "$PID1" -m -p -- "$@"; }

container_stop() {
	local sig i h
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		# The first SIGTERM halts the container, a second one ends it.
		for sig in TERM TERM KILL; do
			kill -s "$sig" "$NSPAWN_PID" 2>/dev/null || true
			for i in $(seq 30); do
				kill -0 "$NSPAWN_PID" 2>/dev/null || break 2
				sleep 0.1
			done
		done
		wait "$NSPAWN_PID" 2>/dev/null || true
	fi
	NSPAWN_PID=
	[ -n "${MACHINE:-}" ] && rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
	if [ -n "$CG" ]; then
		for h in $(cgroup_roots); do
			[ -d "$h/$CG" ] &&
				find "$h/$CG" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	CG=
}

# Every session so far ended well: a failed instance stays listed.
assert_no_failed_instance() {
	local i
	for i in $(seq 100); do
		[ -z "$(in_ct systemctl list-units --no-legend --state=active,activating,deactivating 'smtp-sink@*.service')" ] && break
		sleep 0.1
	done
	run in_ct systemctl list-units --all --no-legend --state=failed 'smtp-sink@*.service'
	assert_output ''
	[ -z "$output" ] || fail "$(in_ct journalctl --no-pager -n 30 -u 'smtp-sink@*')"
}

# make install into TMP/root with the default PREFIX, started in a container
# with smtp-sink.socket running.
container_with_socket() {
	run make -s install DESTDIR="$TMP/root" PREFIX=/usr/local
	assert_success
	container_boot "$TMP/root"
	# LeakSanitizer needs ptrace(2), which the unit forbids: the
	# sanitizer pass of make check runs here with the leak check off and
	# its other options passed on (a non-sanitized program ignores them).
	in_ct mkdir -p /run/systemd/system/smtp-sink@.service.d
	printf '[Service]\nEnvironment="ASAN_OPTIONS=%s" "UBSAN_OPTIONS=%s"\n' \
	    "${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "${UBSAN_OPTIONS:-}" |
	    in_ct tee /run/systemd/system/smtp-sink@.service.d/sanitizers.conf >/dev/null
	in_ct systemctl daemon-reload
	run in_ct systemctl start smtp-sink.socket
	assert_success
	run in_ct systemctl is-active smtp-sink.socket
	assert_output active
}

@test "systemd-analyze verify: all units print nothing" {
	run make -s install PREFIX="$TMP/p"
	assert_success
	# verify also runs man(1) on Documentation=: the installed pages.
	MANPATH=$TMP/p/share/man run systemd-analyze verify \
	    "$TMP/p/lib/systemd/system/smtp-sink.socket" \
	    "$TMP/p/lib/systemd/system/smtp-sink@.service" \
	    "$TMP/p/lib/systemd/system/smtp-submission.socket" \
	    "$TMP/p/lib/systemd/system/smtp-submission@.service"
	assert_output ''
	assert_success
}

@test "systemd-analyze security: smtp-sink@.service and smtp-submission@.service are exposed 1.5 or less" {
	run make -s install PREFIX="$TMP/p"
	assert_success
	local unit
	for unit in smtp-sink@.service smtp-submission@.service; do
		run systemd-analyze security --offline=true --no-pager \
		    "$TMP/p/lib/systemd/system/$unit"
		assert_success
		level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$output")
		[ -n "$level" ] || fail "no exposure level in: $output"
		awk -v l="$level" 'BEGIN { exit !(l <= 1.5) }' ||
			fail "$unit: exposure $level > 1.5: $output"
	done
}

@test "systemd: a message through smtp-sink.socket lands in the Maildir and the journal" {
	container_with_socket
	# Options from the environment file, split into words.
	in_ct sh -c 'mkdir -p /etc/default && echo "SMTP_SESSION_OPTS=\"--hostname env.example.test --max-size 12345\"" >/etc/default/smtp-sink'
	run nsenter -t "$PID1" -n -- python3 "$TMP/client.py" 2525 \
	    rcpt-journal@example.test marker-systemd-$$
	assert_success
	assert_only_replies
	assert_line --regexp '^220 env\.example\.test '
	assert_line '250-SIZE 12345'

	run in_ct sh -c 'grep -rlF marker-systemd-'$$' /var/lib/smtp-sink/Maildir/new'
	assert_success
	[ "${#lines[@]}" = 1 ] || fail "expected one message: $output"
	run in_ct stat -c '%U %a' "${lines[0]}"
	assert_output 'smtp-sink 600'

	# The session's structured fields, found by recipient.
	for i in $(seq 50); do
		run in_ct journalctl --no-pager -o verbose SMTP_RCPT=rcpt-journal@example.test
		[[ $output == *SMTP_SIZE=* ]] && break
		sleep 0.1
	done
	assert_line --regexp '^ +SMTP_FROM=<?sender@example.test>?$'
	assert_line --regexp '^ +SMTP_PEER=127\.0\.0\.1$'
	assert_line --regexp '^ +SMTP_SIZE=[1-9][0-9]*$'
	assert_line --regexp '^ +SMTP_ID=.+'
	assert_line --regexp '^ +SMTP_SESSION=.+'
	assert_line --regexp '^ +SMTP_EVENT=.+'
	assert_line --regexp '^ +_SYSTEMD_UNIT=smtp-sink@.+\.service$'
	assert_line '    SYSLOG_IDENTIFIER=smtp-session'
	assert_no_failed_instance
}

# The submission units as shipped: port 465, implicit TLS, AUTH, and the
# key, certificate and users' file as systemd credentials that the
# service's user could not read itself (root's, mode 0600).
@test "systemd: smtp-submission.socket on 465: implicit TLS and AUTH, credentials by LoadCredential=" {
	container_with_socket
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$TMP/tls.key" -out "$TMP/tls.crt" -days 2 \
	    -subj /CN=sink.test 2>/dev/null
	echo "alice:$(mkpasswd -m yescrypt s3cret)" >"$TMP/users"
	in_ct install -d -m 0700 /etc/smtp-sink
	local f
	for f in tls.key tls.crt users; do
		in_ct sh -c "cat >/etc/smtp-sink/$f && chmod 0600 /etc/smtp-sink/$f" <"$TMP/$f"
	done
	run in_ct systemctl start smtp-submission.socket
	assert_success
	run nsenter -t "$PID1" -n -- python3 - <<'PY'
import smtplib, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", 465, context=ctx, timeout=20) as s:
    try:
        s.sendmail("a@example.test", ["b@example.test"], b"Subject: x\r\n\r\nx\r\n")
        print("sent without AUTH")
    except smtplib.SMTPSenderRefused as e:
        print("refused", e.smtp_code)
    s.login("alice", "s3cret")
    s.sendmail("a@example.test", ["b@example.test"],
               b"Subject: submission\r\n\r\nmarker-submission\r\n")
print("sent", s.sock is None)
PY
	assert_success
	assert_line "refused 530"
	assert_line "sent True"
	run in_ct sh -c 'grep -rl marker-submission /var/lib/smtp-sink/Maildir/new | xargs cat'
	assert_output --partial "with ESMTPSA id"
	assert_output --partial "(Authenticated sender: alice)"
	for f in $(seq 100); do
		[ -z "$(in_ct systemctl list-units --no-legend --state=active,activating,deactivating 'smtp-submission@*.service')" ] && break
		sleep 0.1
	done
	run in_ct systemctl list-units --all --no-legend --state=failed 'smtp-submission@*.service'
	assert_output ''
}

@test "systemd: 250 bare connections leave smtp-sink.socket listening" {
	container_with_socket
	run nsenter -t "$PID1" -n -- python3 "$TMP/burst.py" 2525 250
	assert_success
	# The instances of the burst end by themselves (EOF from the client).
	assert_no_failed_instance
	run in_ct systemctl is-active smtp-sink.socket
	assert_output active
	run in_ct systemctl show -P Result smtp-sink.socket
	assert_output success
	run nsenter -t "$PID1" -n -- python3 "$TMP/client.py" 2525 \
	    rcpt@example.test marker-burst-$$
	assert_success
	assert_only_replies
}

# ---- xinetd -------------------------------------------------------------------

@test "xinetd: a message through the project's xinetd/smtp-sink, no log text on the stream" {
	# root: xinetd runs its service as another user; namespaces and a
	# tmpfs: the private /dev below
	require_ability root namespaces tmpfs
	port=$(free_port)
	# The service as shipped, on a free loopback port, running the built
	# program as nobody (the smtp-sink user exists where sysusers ran),
	# from a copy that nobody can reach: the checkout may be where it
	# cannot (under /root, mode 0700 on Debian), and exec would fail.
	mkdir -p "$TMP/Maildir" "$TMP/dev" "$TMP/bin"
	install -m 0755 ./smtp-session "$TMP/bin/smtp-session"
	chown nobody "$TMP/Maildir"
	chmod 0755 "$TMP"
	sed -e "s|^\([[:space:]]*port[[:space:]]*=\).*|\1 $port\n\tbind = 127.0.0.1|" \
	    -e "s|^\([[:space:]]*server[[:space:]]*=\).*|\1 $TMP/bin/smtp-session|" \
	    -e "s|^\([[:space:]]*server_args[[:space:]]*=\).*|\1 --maildir $TMP/Maildir --verbose|" \
	    -e "s|^\([[:space:]]*user[[:space:]]*=\).*|\1 nobody|" \
	    -e "s|^\([[:space:]]*disable[[:space:]]*=\).*|\1 no|" \
	    xinetd/smtp-sink >"$TMP/xinetd.conf"
	grep -q "port.*= $port" "$TMP/xinetd.conf" || fail "no port line in xinetd/smtp-sink"
	grep -q "server.*= $TMP/bin/smtp-session" "$TMP/xinetd.conf" || fail "no server line"
	# Its own PID namespace (stopping xinetd stops the sessions) and
	# mount namespace, where /dev is a copy with /dev/log our syslog.
	unshare --pid --fork --kill-child --mount -- sh -ec '
		d=$1/dev
		mount -t tmpfs -o mode=0755 tmpfs "$d"
		for n in null zero full random urandom tty; do
			touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"
		done
		ln -s /proc/self/fd "$d/fd"
		mount --move "$d" /dev
		python3 "$1/syslogd.py" /dev/log "$1/syslog.txt" &
		while [ ! -S /dev/log ]; do sleep 0.05; done
		exec xinetd -dontfork -f "$1/xinetd.conf"
	' sh "$TMP" >"$TMP/xinetd.out" 2>&1 &
	PIDS+=($!)
	wait_port "$port" || fail "xinetd is not listening: $(cat "$TMP/xinetd.out")"

	run python3 "$TMP/client.py" "$port" rcpt@example.test marker-xinetd-$$
	[ "$status" -eq 0 ] ||
		fail "$output; xinetd's log: $(cat "$TMP/syslog.txt" "$TMP/xinetd.out" 2>&1)"
	assert_only_replies
	maildir_has "$TMP/Maildir" marker-xinetd-$$
	# The log went to syslog, facility mail (2), as smtp-session.
	for i in $(seq 30); do
		grep -q 'smtp-session\[[0-9]*\]: .*event=disconnect' "$TMP/syslog.txt" 2>/dev/null && break
		sleep 0.1
	done
	run grep 'smtp-session\[' "$TMP/syslog.txt"
	assert_success
	assert_line --regexp 'event=accepted .*from=<?sender@example\.test>?( |$)'
	for l in "${lines[@]}"; do
		p=${l#<}; p=${p%%>*}
		[ $((p >> 3)) = 2 ] || fail "not facility mail: $l"
	done
}

# ---- tcpserver ----------------------------------------------------------------

@test "tcpserver: a message, the client address (TCPREMOTEIP) in the log" {
	command -v tcpserver >/dev/null || fail "tcpserver is missing (apt-get install ucspi-tcp)"
	port=$(free_port)
	mkdir "$TMP/Maildir"
	tcpserver -HRl0 127.0.0.1 "$port" "$ROOT/smtp-session" \
	    --maildir "$TMP/Maildir" --verbose >"$TMP/tcpserver.out" 2>"$TMP/log" &
	PIDS+=($!)
	wait_port "$port" || fail "tcpserver is not listening: $(cat "$TMP/log")"

	run python3 "$TMP/client.py" "$port" rcpt@example.test marker-tcpserver-$$
	assert_success
	assert_only_replies
	maildir_has "$TMP/Maildir" marker-tcpserver-$$
	for i in $(seq 30); do
		grep -q 'event=disconnect' "$TMP/log" && break
		sleep 0.1
	done
	run cat "$TMP/log"
	assert_line --regexp 'event=connect .*peer=127\.0\.0\.1'
	assert_output --partial 'rcpt=rcpt@example.test'
}

# ---- make install ---------------------------------------------------------------

@test "make install DESTDIR PREFIX=/usr: the tree, paths into PREFIX; make uninstall" {
	d=$TMP/d
	run make -s install DESTDIR="$d" PREFIX=/usr
	assert_success
	for f in usr/bin/smtp-session usr/bin/smtp-watch \
	    usr/share/man/man1/smtp-watch.1 usr/share/man/man7/smtp-sink.7 \
	    usr/share/man/man8/smtp-session.8 \
	    usr/lib/systemd/system/smtp-sink.socket \
	    usr/lib/systemd/system/smtp-sink@.service \
	    usr/lib/sysusers.d/smtp-sink.conf usr/lib/tmpfiles.d/smtp-sink.conf \
	    etc/xinetd.d/smtp-sink; do
		[ -f "$d/$f" ] || fail "make install did not install /$f: $(cd "$d" && find . -type f)"
	done
	[ -x "$d/usr/bin/smtp-session" ] || fail "smtp-session is not executable"
	run grep -h '^ExecStart=' "$d/usr/lib/systemd/system/smtp-sink@.service"
	assert_output --regexp '^ExecStart=/usr/bin/smtp-session( |$)'
	run grep -hE '^[[:space:]]*server[[:space:]]*=' "$d/etc/xinetd.d/smtp-sink"
	assert_output --regexp '= /usr/bin/smtp-session$'
	run grep -l '@[A-Z_]*@' "$d/usr/lib/systemd/system/smtp-sink.socket" \
	    "$d/usr/lib/systemd/system/smtp-sink@.service" "$d/etc/xinetd.d/smtp-sink"
	refute_output

	run make -s uninstall DESTDIR="$d" PREFIX=/usr
	assert_success
	run find "$d" -type f
	assert_output ''
}

# ---- man pages -------------------------------------------------------------------

@test "mandoc -Tlint: the man pages are clean" {
	run mandoc -Tlint -W warning man/*.[1-8]
	assert_output ''
	assert_success
}
