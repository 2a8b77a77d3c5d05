/*
 * confine.c: the session gives up what it does not need before it reads
 * a byte from the client (OpenSMTPD's pledge and unveil, on Linux).
 *
 *   1. PR_SET_NO_NEW_PRIVS: nothing it runs can gain privileges.
 *   2. Landlock: files may be written only below the directories it
 *      names (the Maildir, the --pipe spool directory) and read only the
 *      files it names; no TCP port may be bound or connected to.
 *   3. seccomp: only the system calls a session makes pass; execve,
 *      fork and socket fail with EACCES, and anything else not on the
 *      list kills the process.
 *
 * All three are inherited and can never be loosened.  The filter is a
 * static BPF program, not libseccomp: linking libseccomp cost every
 * session about 26,000 instructions and 27 page faults more at start
 * (callgrind and /usr/bin/time, a 60-rule filter, Debian 12), where the
 * static program costs one system call.  Descriptors opened before
 * confinement (the client, the Maildir's directories, the journal or
 * syslog socket, the runner's socket) go on working; Landlock checks
 * paths at open time.
 *
 * Invariant: confine() never fails a session; what the kernel cannot do
 * is reported, once, for the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session/confine.h"

/* ---- Landlock ------------------------------------------------------------
 * Debian 12's headers know ABI 2; newer rights are spelled out here. */

#define LL_FS_V1 ((1ULL << 13) - 1)          /* execute .. make_sym */
#define LL_FS_REFER (1ULL << 13)             /* ABI 2: rename across dirs */
#define LL_FS_TRUNCATE (1ULL << 14)          /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)         /* ABI 5 */
#define LL_NET_TCP ((1ULL << 0) | (1ULL << 1)) /* ABI 4: bind, connect */
#define LL_SCOPE_ALL ((1ULL << 0) | (1ULL << 1)) /* ABI 6: abstract, signal */

#define LL_WRITE_BELOW                                                       \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |      \
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |   \
	    LANDLOCK_ACCESS_FS_MAKE_REG | LL_FS_REFER | LL_FS_TRUNCATE)
#define LL_READ_FILE LANDLOCK_ACCESS_FS_READ_FILE

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

static uint64_t
fs_rights(long abi)
{
	uint64_t r = LL_FS_V1 | LL_FS_REFER;

	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

static int
allow_path(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb;
	int fd = open(path, O_PATH | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	pb.allowed_access = access;
	pb.parent_fd = fd;
	r = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(fd);
	return r;
}

/* 0 when the ruleset is in force, -1 (with *why) when it is not. */
static int
landlock(const struct confine_rules *cr, const char **why)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	struct ll_ruleset_attr attr = { 0, 0, 0 };
	size_t size = sizeof(attr.handled_access_fs);
	int rs, r = 0;

	if (abi < 2) { /* ABI 1 refuses every rename from tmp/ to new/ */
		*why = abi < 0 ? "no Landlock in this kernel" :
		    "Landlock ABI 1 cannot allow Maildir renames";
		return -1;
	}
	attr.handled_access_fs = fs_rights(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ALL;
		size = sizeof(attr);
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0) {
		*why = "landlock_create_ruleset failed";
		return -1;
	}
	for (size_t i = 0; i < CONFINE_DIRS && r == 0; i++)
		if (cr->write_dirs[i])
			r = allow_path(rs, cr->write_dirs[i],
			    LL_WRITE_BELOW & attr.handled_access_fs);
	for (size_t i = 0; i < CONFINE_FILES && r == 0; i++)
		if (cr->read_files[i])
			r = allow_path(rs, cr->read_files[i], LL_READ_FILE);
	if (r == 0)
		r = (int)syscall(SYS_landlock_restrict_self, rs, 0);
	close(rs);
	if (r < 0)
		*why = "a Landlock rule could not be added";
	return r;
}

/* ---- seccomp -------------------------------------------------------------- */

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef SECCOMP_ARCH

/* What the kernel does with a system call. */
enum verdict { ALLOW, REFUSE_EACCES, REFUSE_ENOTTY, KILL, VERDICTS };

struct rule {
	uint32_t nr;
	enum verdict verdict;
};

/* What a session does once it is confined: read the client, write
 * replies and log lines, look addresses up in the tables opened before,
 * deliver into the Maildir (open in tmp/, write, fsync, rename, unlink,
 * sweep), spool for the runner, and end.  Anything not here kills. */
static const struct rule rules[] = {
#if defined(__x86_64__)
	{ __NR_poll, ALLOW },
#endif
	{ __NR_read, ALLOW }, { __NR_write, ALLOW }, { __NR_writev, ALLOW },
	{ __NR_pread64, ALLOW }, /* the address book's tables */
	{ __NR_readv, ALLOW }, { __NR_close, ALLOW }, { __NR_lseek, ALLOW },
	{ __NR_openat, ALLOW }, { __NR_newfstatat, ALLOW },
	{ __NR_fstat, ALLOW }, { __NR_statx, ALLOW }, { __NR_fsync, ALLOW },
	{ __NR_fdatasync, ALLOW }, { __NR_renameat2, ALLOW },
	{ __NR_linkat, ALLOW }, { __NR_unlinkat, ALLOW },
	{ __NR_getdents64, ALLOW }, { __NR_dup, ALLOW }, { __NR_fcntl, ALLOW },
	{ __NR_ppoll, ALLOW }, { __NR_sendmsg, ALLOW }, { __NR_sendto, ALLOW },
	{ __NR_recvmsg, ALLOW }, { __NR_exit_group, ALLOW },
	{ __NR_exit, ALLOW }, { __NR_rt_sigreturn, ALLOW },
	{ __NR_rt_sigprocmask, ALLOW }, { __NR_rt_sigaction, ALLOW },
	{ __NR_restart_syscall, ALLOW }, { __NR_getpid, ALLOW },
	{ __NR_gettid, ALLOW }, { __NR_tgkill, ALLOW },
	{ __NR_clock_gettime, ALLOW }, { __NR_gettimeofday, ALLOW },
	{ __NR_clock_nanosleep, ALLOW }, { __NR_nanosleep, ALLOW },
	{ __NR_brk, ALLOW }, { __NR_mmap, ALLOW }, { __NR_munmap, ALLOW },
	{ __NR_mremap, ALLOW }, { __NR_madvise, ALLOW }, { __NR_futex, ALLOW },
	{ __NR_getrandom, ALLOW }, { __NR_memfd_create, ALLOW },
	{ __NR_uname, ALLOW },
	/* refused, not fatal: what an attacker would want first */
	{ __NR_execve, REFUSE_EACCES }, { __NR_execveat, REFUSE_EACCES },
	{ __NR_clone, REFUSE_EACCES }, { __NR_clone3, REFUSE_EACCES },
#if defined(__x86_64__)
	{ __NR_fork, REFUSE_EACCES }, { __NR_vfork, REFUSE_EACCES },
#endif
	{ __NR_socket, REFUSE_EACCES }, { __NR_connect, REFUSE_EACCES },
	{ __NR_ioctl, REFUSE_ENOTTY },
};
#define RULES (sizeof(rules) / sizeof(rules[0]))

/*
 * The program is a binary search over the sorted numbers, not a list of
 * comparisons.  Installing a filter, the kernel runs it once for every
 * system call number to find those it may always allow (the seccomp
 * action cache), so its cost grows with the steps a lookup takes: with
 * the list (117 instructions) seccomp(2) took 135 us of a session's
 * ~1000 us of CPU; with the tree (78) it takes 64 us, where a
 * one-instruction filter takes 21 (a loop of 1000 installs in fresh
 * processes, Debian 12 under KVM).  Every lookup passes a few JGE
 * splits, then at most LEAF equality tests.
 */
#define LEAF 4
#if defined(__x86_64__)
#define HEAD 5 /* check the arch, load nr, refuse the x32 ABI's numbers */
#else
#define HEAD 4
#endif
/* A subtree over n rules takes fewer than 2n instructions: n tests, and
 * a split and a kill per leaf, each leaf holding two rules or more. */
#define FILTER_MAX (HEAD + 2 * RULES + VERDICTS)
_Static_assert(FILTER_MAX < 256, "a BPF jump reaches 255 instructions");

struct filter {
	struct sock_filter insn[FILTER_MAX];
	size_t len;
	size_t verdict_at[VERDICTS]; /* where each verdict's return is */
	struct rule sorted[RULES];
};

static void
sort_rules(struct rule *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rule key = r[i];
		size_t j = i;
		for (; j > 0 && r[j - 1].nr > key.nr; j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
}

/* Instructions the subtree over n rules takes. */
static size_t
tree_size(size_t n)
{
	if (n <= LEAF)
		return n + 1; /* the tests, and the kill when none matched */
	return 1 + tree_size(n / 2) + tree_size(n - n / 2);
}

static void
emit(struct filter *f, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	f->insn[f->len++] = (struct sock_filter){ code, jt, jf, k };
}

static uint8_t
jump_to(const struct filter *f, size_t target)
{
	return (uint8_t)(target - (f->len + 1));
}

static void
emit_tree(struct filter *f, const struct rule *r, size_t n)
{
	if (n <= LEAF) {
		for (size_t i = 0; i < n; i++)
			emit(f, BPF_JMP | BPF_JEQ | BPF_K,
			    jump_to(f, f->verdict_at[r[i].verdict]), 0, r[i].nr);
		emit(f, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
		return;
	}
	/* nr >= the right half's first: jump over the left half */
	emit(f, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)tree_size(n / 2), 0,
	    r[n / 2].nr);
	emit_tree(f, r, n / 2);
	emit_tree(f, r + n / 2, n - n / 2);
}

static void
build_filter(struct filter *f)
{
	static const uint32_t ret[VERDICTS] = { SECCOMP_RET_ALLOW,
		SECCOMP_RET_ERRNO | EACCES, SECCOMP_RET_ERRNO | ENOTTY,
		SECCOMP_RET_KILL_PROCESS };
	for (size_t i = 0; i < RULES; i++)
		f->sorted[i] = rules[i];
	sort_rules(f->sorted, RULES);
	f->len = 0;
	emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, arch));
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, SECCOMP_ARCH);
	emit(f, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, nr));
	for (int v = 0; v < VERDICTS; v++)
		f->verdict_at[v] = HEAD + tree_size(RULES) + (size_t)v;
#if defined(__x86_64__)
	emit(f, BPF_JMP | BPF_JGE | BPF_K,
	    jump_to(f, f->verdict_at[KILL]), 0, 0x40000000);
#endif
	emit_tree(f, f->sorted, RULES);
	for (int v = 0; v < VERDICTS; v++)
		emit(f, BPF_RET | BPF_K, 0, 0, ret[v]);
}

static int
seccomp_filter(const char **why)
{
	static struct filter f;
	struct sock_fprog prog;

	build_filter(&f);
	prog.len = (unsigned short)f.len;
	prog.filter = f.insn;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		*why = "seccomp is not available";
		return -1;
	}
	return 0;
}
#else
static int
seccomp_filter(const char **why)
{
	*why = "no seccomp filter for this architecture";
	return -1;
}
#endif

int
confine(const struct confine_rules *cr, const char **why)
{
	const char *w1 = NULL, *w2 = NULL;
	int partial = 0;

#if defined(NO_CONFINE) || defined(__SANITIZE_ADDRESS__)
	(void)cr;
	*why = "built without confinement";
	return 1;
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*why = "PR_SET_NO_NEW_PRIVS failed";
		return 1;
	}
	partial |= landlock(cr, &w1) < 0;
	partial |= seccomp_filter(&w2) < 0;
	*why = w1 ? w1 : w2;
	return partial;
}

#ifdef CONFINE_PROBE
/*
 * Test builds only (make probe): after confinement, try what an attacker
 * would, as SMTP_SESSION_PROBE lists it ("read:PATH write:PATH socket
 * exec kill"), and tell standard error how each attempt ended.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

static void
probe_say(const char *what, int r)
{
	fprintf(stderr, "probe %s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

void
confine_probe(void)
{
	const char *list = getenv("SMTP_SESSION_PROBE");
	char buf[512], *save = NULL;

	if (list == NULL || strlen(list) >= sizeof(buf))
		return;
	strcpy(buf, list);
	for (char *w = strtok_r(buf, " ", &save); w;
	    w = strtok_r(NULL, " ", &save)) {
		int fd = -1;
		if (strncmp(w, "read:", 5) == 0)
			fd = open(w + 5, O_RDONLY);
		else if (strncmp(w, "write:", 6) == 0)
			fd = open(w + 6, O_WRONLY | O_CREAT, 0600);
		else if (strcmp(w, "socket") == 0)
			fd = socket(AF_INET, SOCK_STREAM, 0);
		else if (strcmp(w, "exec") == 0)
			fd = execl("/bin/true", "true", (char *)NULL);
		else if (strcmp(w, "kill") == 0)
			fd = (int)syscall(SYS_getppid); /* on no list */
		probe_say(w, fd);
		if (fd >= 0)
			close(fd);
	}
}
#endif
