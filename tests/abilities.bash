# tests/abilities.bash: what this machine lets a test do, found by doing it.
# `load abilities` (test_helper.bash does).
#
# Some tests need an ability that a machine may lack: root, new
# namespaces, a tmpfs mount, ptrace, a write that root is really refused,
# a user namespace, port 2525.  A minimal Debian in a container (docker,
# podman, systemd-nspawn) lacks some of them, a developer's machine may
# lack others.  Such a test starts with `require_ability NAME...`.
#
# Invariants:
# - A probe performs the very operation the test needs, on a throwaway
#   object of its own, never a stand-in (that a command exists, that the
#   user id is 0): a capability can be dropped, a mount refused, a
#   setpriv run and still leave root able to write.
# - A missing ability skips the test with one line: what is missing and
#   how to get it.  make check (tests/run-check) lists every skip and its
#   reason at the end, so no skip is silent.
# - A missing package is never a skip: tests/packages.txt installs it, so
#   the test fails and says which package.
# - A probe cleans up after itself and leaves nothing behind.

# require_ability NAME...: skips the test, with the first probe's reason,
# unless the machine can do every NAME (root, namespaces, tmpfs,
# refused-write, ptrace, userns, port-2525).
require_ability() {
	local a fn why rc
	for a in "$@"; do
		fn=ability_${a//-/_}
		declare -F "$fn" >/dev/null || fail "require_ability: no probe '$a'"
		why=$("$fn" 2>&1) && continue
		rc=$?
		why=${why%%$'\n'*}
		[ "$rc" -eq 1 ] || fail "$why"
		skip "$why"
	done
}

# The first line of $1, for a reason that must stay one line.
ability_first_line() {
	local l=${1%%$'\n'*}
	printf '%s' "${l:-no message}"
}

# A package that tests/packages.txt installs: its absence fails (status 2).
ability_command() { # COMMAND PACKAGE
	command -v "$1" >/dev/null && return 0
	echo "$1 is missing: install $2 (tests/packages.txt; make check installs it)"
	return 2
}

ability_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "needs root: run it as root (sudo make check, or sudo bats ${BATS_TEST_FILENAME#"$PWD/"})"
	return 1
}

# New PID, mount and network namespaces, as unshare(1) and systemd-nspawn
# create them (CAP_SYS_ADMIN).
ability_namespaces() {
	local err
	ability_root || return 1
	err=$(unshare --pid --mount --net --fork true 2>&1) && return 0
	echo "cannot create PID, mount and network namespaces ($(ability_first_line "$err")):" \
	    "a container needs CAP_SYS_ADMIN (docker/podman run --privileged)"
	return 1
}

# A tmpfs mounted, then unmounted.
ability_tmpfs() {
	local d err rc=0
	ability_root || return 1
	d=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/tmpfs-probe.XXXXXX") || return 1
	if err=$(mount -t tmpfs -o size=64k,mode=0700 tmpfs "$d" 2>&1); then
		umount "$d" || rc=1
	else
		echo "cannot mount a tmpfs ($(ability_first_line "$err")):" \
		    "a container needs CAP_SYS_ADMIN (docker/podman run --privileged)"
		rc=1
	fi
	rmdir "$d"
	return $rc
}

# without_dac COMMAND...: runs COMMAND as root without CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH, so that file modes apply to it; a normal user runs
# it as it is.  The two are dropped from the inheritable set as well as
# the bounding set: systemd-nspawn (and docker before 20.10.14) give root
# a full inheritable set, and exec hands a root program every capability
# in it, whatever the bounding set says.
without_dac() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --inh-caps=-dac_override,-dac_read_search \
		    --bounding-set=-dac_override,-dac_read_search -- "$@"
	else
		"$@"
	fi
}

# A file created by without_dac in a 0500 directory is refused.
ability_refused_write() {
	local d err rc=0
	d=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/dac-probe.XXXXXX") || return 1
	chmod 0500 "$d"
	if err=$(without_dac sh -c ': >"$1/file"' sh "$d" 2>&1); then
		echo "$(id -un) still writes into a 0500 directory after without_dac" \
		    "(setpriv drops CAP_DAC_OVERRIDE from the bounding set only with CAP_SETPCAP):" \
		    "run as a normal user, or as root with CAP_SETPCAP"
		rc=1
	elif [[ $err != *"Permission denied"* ]]; then
		echo "cannot drop CAP_DAC_OVERRIDE ($(ability_first_line "$err")):" \
		    "run as a normal user, or as root with CAP_SETPCAP"
		rc=1
	fi
	chmod 0700 "$d"
	rm -rf "$d"
	return $rc
}

# strace following a child (ptrace).
ability_ptrace() {
	local err
	ability_command strace strace || return
	err=$(strace -f -o /dev/null true 2>&1) && return 0
	echo "ptrace is refused here ($(ability_first_line "$err")): strace needs it;" \
	    "allow it (kernel.yama.ptrace_scope <= 1; docker: a seccomp profile that permits ptrace)"
	return 1
}

# A user namespace with root mapped (unshare --user --map-root-user).
ability_userns() {
	local err
	err=$(unshare --user --map-root-user true 2>&1) && return 0
	echo "cannot create a user namespace ($(ability_first_line "$err")):" \
	    "sysctl user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1;" \
	    "in a container, a seccomp profile that permits unshare(CLONE_NEWUSER)"
	return 1
}

# 127.0.0.1:2525 can be bound (and is released again at once).
ability_port_2525() {
	local err
	err=$(python3 -c 'import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 2525))' 2>&1) && return 0
	echo "cannot bind 127.0.0.1:2525 (${err##*$'\n'}): stop what holds it" \
	    "(make run, smtp-sink.socket, xinetd; see ss -ltnp 'sport = :2525')"
	return 1
}
