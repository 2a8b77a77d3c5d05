/*
 * test_confine.c: the seccomp program that confine.c builds, run here by
 * a small BPF interpreter for every system call number: each gets the
 * verdict its rule names, every other number and every other ABI kills,
 * and no lookup takes more than a few steps.  The kernel runs the same
 * program; this checks the tree's jumps without installing it.
 */
#include <stdint.h>

#include "check.h"
#include "session/confine.c"

#ifdef SECCOMP_ARCH

#define MAX_STEPS 14 /* head, about log2(RULES / LEAF) splits, a leaf */

/* What the program returns for (arch, nr); *steps counts instructions. */
static uint32_t
run(const struct filter *f, uint32_t arch, uint32_t nr, int *steps)
{
	uint32_t a = 0;
	size_t pc = 0;

	for (*steps = 0; pc < f->len; (*steps)++) {
		const struct sock_filter *i = &f->insn[pc++];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = i->k == offsetof(struct seccomp_data, arch) ? arch : nr;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			return 0xdeadbeef; /* an instruction it never emits */
		}
	}
	return 0xdeadbeef; /* ran off the end */
}

static uint32_t
expected(uint32_t nr)
{
	static const uint32_t ret[VERDICTS] = { SECCOMP_RET_ALLOW,
		SECCOMP_RET_ERRNO | EACCES, SECCOMP_RET_ERRNO | ENOTTY,
		SECCOMP_RET_KILL_PROCESS };

	for (size_t i = 0; i < RULES; i++)
		if (rules[i].nr == nr)
			return ret[rules[i].verdict];
	return SECCOMP_RET_KILL_PROCESS;
}

static void
test_every_number(const struct filter *f)
{
	int wrong = 0, most = 0, steps;

	for (uint32_t nr = 0; nr < 1024; nr++) {
		uint32_t got = run(f, SECCOMP_ARCH, nr, &steps);
		if (steps > most)
			most = steps;
		if (got != expected(nr) && wrong++ < 5)
			fprintf(stderr, "  nr %u: got %#x, expected %#x\n", nr,
			    got, expected(nr));
	}
	CHECK(wrong == 0);
	CHECK(most <= MAX_STEPS);
}

static void
test_other_abis(const struct filter *f)
{
	int steps;

	CHECK(run(f, SECCOMP_ARCH, __NR_read, &steps) == SECCOMP_RET_ALLOW);
	CHECK(run(f, AUDIT_ARCH_I386, __NR_read, &steps) ==
	    SECCOMP_RET_KILL_PROCESS);
#if defined(__x86_64__)
	CHECK(run(f, SECCOMP_ARCH, 0x40000000u | __NR_read, &steps) ==
	    SECCOMP_RET_KILL_PROCESS);
#endif
}

static void
test_shape(const struct filter *f)
{
	CHECK(f->len == HEAD + tree_size(RULES) + VERDICTS);
	CHECK(f->len <= FILTER_MAX);
	for (size_t i = 1; i < RULES; i++)
		CHECK(f->sorted[i - 1].nr < f->sorted[i].nr); /* no rule twice */
}

int
main(void)
{
	static struct filter f;

	build_filter(&f);
	test_shape(&f);
	test_every_number(&f);
	test_other_abis(&f);
	return check_finish("confine");
}
#else
int
main(void)
{
	return check_finish("confine");
}
#endif
