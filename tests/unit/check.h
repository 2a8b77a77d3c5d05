/*
 * check.h: the smallest assert library that keeps going after a failure.
 *
 *   CHECK(cond); CHECK_STR_EQ(a, b); CHECK_MEM_EQ(a, alen, b, blen);
 *   return check_finish("name");   prints "name: N passed, M failed"
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline void
check_report(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_STR_EQ(a, b)                                                   \
	do {                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                 \
		int check_ok_ = check_a_ && check_b_ &&                      \
		    strcmp(check_a_, check_b_) == 0;                         \
		check_report(check_ok_, __FILE__, __LINE__, #a " == " #b);   \
		if (!check_ok_)                                              \
			fprintf(stderr, "  got:      \"%s\"\n  expected: \"%s\"\n", \
			    check_a_ ? check_a_ : "(null)",                  \
			    check_b_ ? check_b_ : "(null)");                 \
	} while (0)

#define CHECK_MEM_EQ(a, alen, b, blen)                                       \
	do {                                                                 \
		size_t check_al_ = (alen), check_bl_ = (blen);               \
		int check_ok_ = check_al_ == check_bl_ &&                    \
		    memcmp((a), (b), check_al_) == 0;                        \
		check_report(check_ok_, __FILE__, __LINE__,                  \
		    #a " == " #b);                                           \
		if (!check_ok_)                                              \
			fprintf(stderr, "  got %zu bytes: \"%.*s\"\n"          \
			    "  expected %zu bytes: \"%.*s\"\n", check_al_,     \
			    (int)check_al_, (const char *)(a), check_bl_,    \
			    (int)check_bl_, (const char *)(b));              \
	} while (0)

static inline int
check_finish(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
