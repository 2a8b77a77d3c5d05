# tests/mta_helper.bash: throwaway Postfix and Exim instances that relay
# into the smtp-session of start_server.  `load mta_helper` after
# test_helper.
#
# Each instance lives in the test's own directory: configuration, queue or
# spool, and log.  Neither listens on a port: mail is submitted on the
# command line (Postfix's sendmail -C, exim -C), and the instance's SMTP
# client delivers to 127.0.0.1:$PORT.  Every MTA runs under `reaped`,
# which waits for all the processes it forks: the Postfix master is
# stopped by the reaper's PID, each exim command returns only when its
# deliveries are done.  Nothing is written under /etc or /var.
#
# Other transports are one argument more, since a main.cf line given to
# postfix_init overrides the default above it (the nexthop of
# default_transport wins over relayhost):
#   LMTP:     start_server --lmtp ...  (tests/mta.bats does, with the
#             virtual_transport lines of smtp-sink(7))
#             postfix_init "default_transport = lmtp:inet:127.0.0.1:$PORT"
#   STARTTLS: start_server --tls-cert C --tls-key K ...
#             postfix_init "smtp_tls_security_level = encrypt"

PF_MASTER=/usr/lib/postfix/sbin/master

# reaped COMMAND [ARG]...: runs COMMAND in a session of its own and
# returns when it and every process it left behind have ended, with its
# exit status; SIGTERM is passed on to COMMAND.  MTAs fork delivery
# processes that outlive their parent: as a child subreaper this reaps
# them, so none is left running or as a zombie, even where PID 1 reaps
# nothing (a container without an init).
REAPER_PY='
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
pid = os.fork()
if pid == 0:
    os.setsid()
    os.execvp(sys.argv[1], sys.argv[1:])
def forward(sig, frame):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGTERM, forward)
status = 0
while True:
    try:
        p, st = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if p == pid:
        status = os.waitstatus_to_exitcode(st)
sys.exit(status if status >= 0 else 128 - status)
'
reaped() {
	python3 -c "$REAPER_PY" "$@"
}

# searchable_path DIR: lets every user pass through the directories from
# bats's run directory down to DIR (o+x: search, no listing).  Postfix
# opens its data directory and Exim its spool by absolute path under
# their own unprivileged users, and bats makes its directories 0700; it
# removes them all afterwards.
searchable_path() {
	local d=$1
	while [ "$d" != / ] && [ "${d#"$BATS_RUN_TMPDIR"}" != "$d" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# ---- Postfix ---------------------------------------------------------------

# Skips unless a Postfix instance can run here.  Postfix's master(8) must
# start as root (it drops to mail_owner itself): that is its design.
postfix_probe() {
	[ -x "$PF_MASTER" ] && [ -x /usr/sbin/postfix ] ||
		skip "Postfix is not installed (tests/deps-mta.txt lists it)"
	getent passwd postfix >/dev/null && getent group postdrop >/dev/null ||
		skip "the postfix user or the postdrop group is missing"
	[ "$(id -u)" -eq 0 ] ||
		skip "Postfix's master(8) is reserved for the superuser, by design"
}

# postfix_init [MAIN.CF LINE]...: a Postfix instance in $PF that sends all
# mail to smtp-session at 127.0.0.1:$PORT (start_server first).  Lines
# given here come after the defaults and override them.
postfix_init() {
	PF=$TEST_DIR/postfix
	mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
	searchable_path "$PF"
	chown postfix "$PF/data"
	cat >"$PF/etc/main.cf" <<-EOF
		# a throwaway instance: every path in the test's directory
		compatibility_level = 3.6
		queue_directory = $PF/queue
		data_directory = $PF/data
		maillog_file = $PF/maillog
		maillog_file_prefixes = $PF
		myhostname = mta.test
		mydomain = mta.test
		myorigin = mta.test
		mydestination =
		local_transport = error:5.1.1 no local delivery here
		alias_maps =
		alias_database =
		inet_interfaces = loopback-only
		inet_protocols = ipv4
		# the lines smtp-sink(7) gives under "Behind a real MTA"
		relayhost = [127.0.0.1]:$PORT
		smtputf8_enable = yes
	EOF
	printf '%s\n' "$@" >>"$PF/etc/main.cf"
	# no chroot (the queue is not a chroot jail), no listener, no local
	# delivery: only what a relay needs
	cat >"$PF/etc/master.cf" <<-'EOF'
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		relay     unix  -       -       n       -       -       smtp
		lmtp      unix  -       -       n       -       -       lmtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# creates the queue's directories with their owners and modes
	postfix -c "$PF/etc" check
}

# postfix_sendmail SENDMAIL-ARGUMENT...: submits standard input (LF line
# ends; -i: a line with a single dot is text).  Works while the master is
# stopped too: the message waits in maildrop/.
postfix_sendmail() {
	/usr/sbin/sendmail -C "$PF/etc" -i "$@" 2>>"$PF/sendmail.err"
}

# postfix_start: runs the master in the foreground (-d) of its own
# session, so that on SIGTERM it stops every child of its process group;
# PF_PID is reaped's, which passes SIGTERM on and waits for them all.
postfix_start() {
	local i
	# not through the function: $! must be the reaper itself; and not
	# holding bats's fd 3
	python3 -c "$REAPER_PY" "$PF_MASTER" -c "$PF/etc" -d \
		>>"$PF/master.out" 2>&1 3>&- &
	PF_PID=$!
	for i in $(seq 1 200); do
		[ -S "$PF/queue/public/pickup" ] && [ -S "$PF/queue/public/qmgr" ] &&
			return 0
		kill -0 "$PF_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "postfix master did not come up" >&2
	cat "$PF/master.out" "$PF/maillog" >&2 2>/dev/null
	return 1
}

# postfix_stop: SIGTERM to the reaper, which passes it to the master and
# returns once the master and all its children are gone.  (bats runs
# teardown in the test's shell, so the reaper is its child to wait for.)
postfix_stop() {
	local i
	[ -n "${PF_PID:-}" ] || return 0
	kill "$PF_PID" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$PF_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$PF_PID" 2>/dev/null
	PF_PID=
	return 0
}

# log_wait LOG PATTERN COUNT [SECONDS]: waits until file LOG has COUNT
# lines matching the grep -E PATTERN (default 60 s).
log_wait() {
	local i n
	for i in $(seq 1 $((${4:-60} * 10))); do
		n=$(grep -cE "$2" "$1" 2>/dev/null) || true
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "$1: $n of $3 lines match '$2'" >&2
	tail -n 20 "$1" >&2
	return 1
}

# postfix_wait PATTERN COUNT [SECONDS]: log_wait on the instance's log.
postfix_wait() {
	log_wait "$PF/maillog" "$@"
}

# ---- Exim -------------------------------------------------------------------
#
# exim4-daemon-light conflicts with postfix as a package, so its binary is
# taken out of the .deb (apt-get download, dpkg -x, as tests/bench/run does
# for smtp-sink) and run from the test's directory.  It runs as an
# unprivileged user: its set-uid bit is dropped, and nss_wrapper gives it
# the Debian-exim user it was built for, so nothing is added to
# /etc/passwd.

EXIM_UID=65534 # nobody: Exim's user when the tests run as root

# Skips unless the extracted Exim runs here; sets EXIM_BIN.
exim_probe() {
	local deb dir=$BATS_FILE_TMPDIR/exim4
	EXIM_NSS=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1)
	[ -n "$EXIM_NSS" ] ||
		skip "libnss-wrapper is not installed (tests/deps-mta.txt lists it)"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	mkdir -p "$dir"
	# tests of this file run side by side (bats --jobs): one extracts,
	# the others wait for it
	exec 9>"$dir.lock"
	flock 9
	if [ ! -x "$dir/usr/sbin/exim4" ]; then
		mkdir -p "$dir/deb"
		# as tests/bench/run does: the package lists may be gone
		(cd "$dir/deb" && { apt-get download exim4-daemon-light ||
			{ [ "$(id -u)" -eq 0 ] && apt-get update -qq &&
				apt-get download exim4-daemon-light; }; } >/dev/null 2>&1) ||
			skip "apt-get download exim4-daemon-light failed (no Debian mirror?)"
		deb=$(ls "$dir"/deb/exim4-daemon-light_*.deb)
		dpkg -x "$deb" "$dir" || skip "dpkg -x $deb failed"
		# never a set-uid root binary in a temporary directory
		chmod 0755 "$dir/usr/sbin/exim4"
		rm -rf "$dir/deb"
	fi
	exec 9>&-
	EXIM_BIN=$dir/usr/sbin/exim4
	if ldd "$EXIM_BIN" | grep -q 'not found'; then
		skip "exim4's libraries are missing: $(ldd "$EXIM_BIN" | grep 'not found' | tr -s ' \n' ' ')"
	fi
}

# exim_init [MAIN OPTION LINE]...: an Exim instance in $EX whose one
# router sends all mail to 127.0.0.1:$PORT.
exim_init() {
	EX=$TEST_DIR/exim
	mkdir -p "$EX/spool" "$EX/log"
	if [ "$(id -u)" -eq 0 ]; then
		EXIM_AS=$EXIM_UID
		searchable_path "$EX"
		chown -R "$EXIM_AS:$EXIM_AS" "$EX"
	else
		EXIM_AS=$(id -u)
	fi
	printf 'root:x:0:0::/root:/bin/sh\nDebian-exim:x:%s:%s::/nonexistent:/bin/false\n' \
		"$EXIM_AS" "$(id -g "$EXIM_AS" 2>/dev/null || echo "$EXIM_AS")" >"$EX/passwd"
	printf 'root:x:0:\nDebian-exim:x:%s:\n' \
		"$(id -g "$EXIM_AS" 2>/dev/null || echo "$EXIM_AS")" >"$EX/group"
	cat >"$EX/exim.conf" <<-EOF
		# a throwaway instance: every path in the test's directory
		primary_hostname = exim.test
		spool_directory = $EX/spool
		log_file_path = $EX/log/%slog
		exim_user = Debian-exim
		exim_group = Debian-exim
		# Exim runs itself again (bounces, deliveries): from here, with
		# the user nss_wrapper gives it
		exim_path = $EXIM_BIN
		keep_environment = LD_PRELOAD : NSS_WRAPPER_PASSWD : NSS_WRAPPER_GROUP
		untrusted_set_sender = *
		local_from_check = false
		message_size_limit = 0
		# mail submitted over SMTP on standard input (exim -bs) is taken
		acl_smtp_rcpt = accept_all
	EOF
	printf '%s\n' "$@" >>"$EX/exim.conf"
	cat >>"$EX/exim.conf" <<-EOF

		begin acl
		accept_all:
		  accept

		begin routers
		# the router and transport smtp-sink(7) gives under "Behind a real MTA"
		smtp_sink:
		  driver = manualroute
		  route_list = * 127.0.0.1::$PORT
		  self = send
		  transport = smtp_sink

		begin transports
		smtp_sink:
		  driver = smtp
	EOF
	[ "$(id -u)" -ne 0 ] || chown "$EXIM_AS" "$EX/exim.conf" "$EX/passwd" "$EX/group"
}

# exim_run EXIM-ARGUMENT...: the instance's exim, as its own user; returns
# when it and every process it forked have ended.
exim_run() {
	local run=()
	[ "$(id -u)" -ne 0 ] ||
		run=(setpriv --reuid="$EXIM_AS" --regid="$EXIM_AS" --clear-groups)
	reaped "${run[@]}" env LD_PRELOAD="$EXIM_NSS" \
		NSS_WRAPPER_PASSWD="$EX/passwd" NSS_WRAPPER_GROUP="$EX/group" \
		"$EXIM_BIN" -C "$EX/exim.conf" "$@"
}

# exim_queue_run: delivers everything queued, in two passes (-qq), so
# that messages for the same host share a connection; returns when every
# delivery process has ended.
exim_queue_run() {
	exim_run -qqff
}

# exim_wait PATTERN COUNT [SECONDS]: log_wait on Exim's main log.
exim_wait() {
	log_wait "$EX/log/mainlog" "$@"
}

# ---- what arrived ------------------------------------------------------------

# mta_body FILE: the stored message without smtp-session's header block
# and without the one Received field the MTA put on top: what was
# submitted, byte for byte.
mta_body() {
	python3 - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
m = re.match(rb"Return-Path: <[^\n]*>\n(X-Original-To: [^\n]*\n)*"
             rb"Received: from [^\n]*\n(\t[^\n]*\n)*"
             rb"Received: [^\n]*\n([ \t][^\n]*\n)*", b)
if not m:
    sys.exit("no header block and MTA Received field in " + sys.argv[1])
sys.stdout.buffer.write(b[m.end():])
PY
}

# message_file MAILDIR MESSAGE-ID: the stored file of that message.
message_file() {
	local f
	f=$(grep -rlF -- "Message-ID: <$2>" "$1/new" | head -2)
	[ -n "$f" ] && [ "$(printf '%s\n' "$f" | wc -l)" -eq 1 ] || {
		echo "expected one message <$2> in $1/new, found: $f" >&2
		return 1
	}
	printf '%s\n' "$f"
}
