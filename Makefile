# smtp-sink: one Makefile, no autotools.  GNU make.
#
#   make                 ./smtp-session and ./smtp-watch
#   make check           installs what is missing, builds, runs every test
#   make check-fast      unit, transcript, layer and man page checks (seconds)
#   make run             serves 127.0.0.1:2525 through systemd-socket-activate
#   make install         PREFIX, DESTDIR, BINDIR, MANDIR, UNITDIR honoured
#   make SYSTEMD=no      no journal support at all (never loads libsystemd)
#   make CONFINE=no      no Landlock and seccomp (valgrind cannot run them)

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# /usr installs its configuration into /etc, as Debian's packages do
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
DESTDIR    ?=

CC         ?= cc
CFLAGS     ?= -O2 -g
WARN       = -std=c17 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
             -Wno-format-nonliteral
CPPFLAGS_ALL = -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc $(CPPFLAGS)
SYSTEMD    ?= yes
ifeq ($(SYSTEMD),no)
CPPFLAGS_ALL += -DNO_SYSTEMD
endif
# CONFINE=no: a session without Landlock and seccomp (for valgrind, and
# for measuring what confinement costs)
CONFINE    ?= yes
ifeq ($(CONFINE),no)
CPPFLAGS_ALL += -DNO_CONFINE
endif
LDFLAGS    ?=
LDLIBS     ?=
# --as-needed: nothing is mapped at exec that the session does not use.
LDFLAGS_ALL = -Wl,--as-needed $(LDFLAGS)

# The folders are the architecture; every list below comes from them.
#   src/lib/      small helpers both programs may use (UTF-8, clock, writes)
#   src/core/     the SMTP core: pure, no I/O, no clock, no exit
#   src/session/  smtp-session's edge: options, connection, delivery, log
#   src/watch/    smtp-watch
LIB_SRCS     = $(sort $(wildcard src/lib/*.c))
CORE_SRCS    = $(sort $(wildcard src/core/*.c))
EDGE_SRCS    = $(sort $(wildcard src/session/*.c))
WATCH_SRCS   = $(sort $(wildcard src/watch/*.c))
# smtp-watch's own edge (directories, inotify, the clock, exits); the rest
# of src/watch/ is pure and is unit-tested and fuzzed like the core.
WATCH_EDGE   = $(addprefix src/watch/,main.c follow.c scan.c report.c maildir.c output.c)
WATCH_PURE   = $(filter-out $(WATCH_EDGE),$(WATCH_SRCS))
# What the unit tests and the fuzzers link (tests/fuzz/run asks for it).
PURE_SRCS    = $(LIB_SRCS) $(CORE_SRCS) $(WATCH_PURE)
SESSION_SRCS = $(LIB_SRCS) $(CORE_SRCS) $(EDGE_SRCS)
WATCH_ALL    = $(LIB_SRCS) $(WATCH_SRCS)
HEADERS      = $(wildcard src/*/*.h)

BUILD      ?= build
objs       = $(patsubst src/%.c,$(BUILD)/%.o,$(1))
SESSION_OBJS = $(call objs,$(SESSION_SRCS))
LIB_OBJS   = $(call objs,$(PURE_SRCS))
WATCH_OBJS = $(call objs,$(WATCH_ALL))

all: smtp-session smtp-watch

# libcrypt (--auth) and libssl (--tls-cert) are loaded with dlopen, only
# by a session that uses them (session/credentials.c, session/tls.c).
SESSION_LIBS =

smtp-session: $(SESSION_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS_ALL) -o $@ $(SESSION_OBJS) $(SESSION_LIBS) $(LDLIBS)

smtp-watch: $(WATCH_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS_ALL) -o $@ $(WATCH_OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

# ---- tests -----------------------------------------------------------------

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(sort $(wildcard tests/unit/test_*.c)))
TRANSCRIPT = $(BUILD)/unit/transcript

# Each test links the pure modules and the test double of the edge.
$(BUILD)/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/fake.c \
    tests/unit/fake.h $(LIB_OBJS)
	@mkdir -p $(BUILD)/unit
	@echo "CC $<"
	@$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS_ALL) -Itests/unit -o $@ $< \
	    tests/unit/fake.c $(LIB_OBJS) $(LDFLAGS_ALL) $(LDLIBS)
$(BUILD)/unit/test_confine: src/session/confine.c src/session/confine.h

unit: $(UNIT_TESTS) $(TRANSCRIPT)
	@tests/run-unit $(BUILD)

# Everything a test needs is installed first (apt-get, as root); a normal
# user is told the one line to run.  `make run` needs only a compiler,
# make and systemd-socket-activate (tests/deps-run.txt).
deps:
	@tests/deps check

deps-run:
	@tests/deps run

check: deps
	@tests/run-check

check-fast: deps
	@tests/run-check --fast

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The same tree built with sanitizers, in its own build directory.
sanitize:
	$(MAKE) BUILD=build-san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    SESSION_BIN=build-san/smtp-session all-san

all-san: $(SESSION_OBJS) $(WATCH_OBJS) $(UNIT_TESTS) $(TRANSCRIPT)
	$(CC) $(CFLAGS) $(LDFLAGS_ALL) -o $(BUILD)/smtp-session $(SESSION_OBJS) $(SESSION_LIBS) $(LDLIBS)
	$(CC) $(CFLAGS) $(LDFLAGS_ALL) -o $(BUILD)/smtp-watch $(WATCH_OBJS) $(LDLIBS)

# A build whose confinement reports what it refuses (tests/confine.bats),
# and one without confinement (valgrind), each in its own directory.
probe:
	@$(MAKE) -s BUILD=build-probe CPPFLAGS="$(CPPFLAGS) -DCONFINE_PROBE" \
	    build-probe/smtp-session
unconfined:
	@$(MAKE) -s BUILD=build-noconf CONFINE=no build-noconf/smtp-session

$(BUILD)/smtp-session: $(SESSION_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS_ALL) -o $@ $(SESSION_OBJS) $(SESSION_LIBS) $(LDLIBS)

run: deps-run
	@$(MAKE) -s all
	@tests/run-server

fuzz:
	@tests/fuzz/run $(FUZZ_SECONDS)

coverage:
	@tests/run-coverage

bench: all
	@tests/bench/run

# `make -s print-PURE_SRCS`: a list, for the scripts under tests/.
print-%:
	@echo $($*)

# ---- install ---------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 smtp-session smtp-watch $(DESTDIR)$(BINDIR)
	install -m 0644 man/smtp-watch.1 $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/smtp-session.8 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/smtp-sink.7 $(DESTDIR)$(MANDIR)/man7
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSCONFDIR)/xinetd.d
	install -m 0644 systemd/smtp-sink.socket $(DESTDIR)$(UNITDIR)/smtp-sink.socket
	install -m 0644 systemd/smtp-submission.socket \
	    $(DESTDIR)$(UNITDIR)/smtp-submission.socket
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/smtp-sink@.service \
	    >$(DESTDIR)$(UNITDIR)/smtp-sink@.service
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/smtp-submission@.service \
	    >$(DESTDIR)$(UNITDIR)/smtp-submission@.service
	sed 's|@BINDIR@|$(BINDIR)|g' xinetd/smtp-sink \
	    >$(DESTDIR)$(SYSCONFDIR)/xinetd.d/smtp-sink
	chmod 0644 $(DESTDIR)$(UNITDIR)/smtp-sink@.service \
	    $(DESTDIR)$(UNITDIR)/smtp-submission@.service \
	    $(DESTDIR)$(SYSCONFDIR)/xinetd.d/smtp-sink
	install -m 0644 systemd/smtp-sink.sysusers $(DESTDIR)$(SYSUSERSDIR)/smtp-sink.conf
	install -m 0644 systemd/smtp-sink.tmpfiles $(DESTDIR)$(TMPFILESDIR)/smtp-sink.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/smtp-session $(DESTDIR)$(BINDIR)/smtp-watch \
	    $(DESTDIR)$(MANDIR)/man1/smtp-watch.1 \
	    $(DESTDIR)$(MANDIR)/man7/smtp-sink.7 \
	    $(DESTDIR)$(MANDIR)/man8/smtp-session.8 \
	    $(DESTDIR)$(UNITDIR)/smtp-sink.socket \
	    $(DESTDIR)$(UNITDIR)/smtp-sink@.service \
	    $(DESTDIR)$(UNITDIR)/smtp-submission.socket \
	    $(DESTDIR)$(UNITDIR)/smtp-submission@.service \
	    $(DESTDIR)$(SYSUSERSDIR)/smtp-sink.conf \
	    $(DESTDIR)$(TMPFILESDIR)/smtp-sink.conf \
	    $(DESTDIR)$(SYSCONFDIR)/xinetd.d/smtp-sink

clean:
	rm -rf build build-san build-fuzz build-cov build-probe build-noconf \
	    smtp-session smtp-watch

.PHONY: all unit deps deps-run check check-fast sanitize all-san probe unconfined run fuzz coverage bench install uninstall clean
