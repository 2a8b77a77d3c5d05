/*
 * lineend.h: the scan for the next CR or LF that every message byte
 * passes once, DATA's (data.c) and BDAT's (bdat.c) alike.  Inline, so each
 * caller's loop gets it without a call: with SSE2 (every x86-64) sixteen
 * bytes at a time, with AVX2 thirty-two, in functions the caller compiles
 * for that target and picks at run time (DATA_AVX2).
 */
#ifndef LINEEND_H
#define LINEEND_H

#include <stdbool.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The next CR or LF in [p, end), or NULL.  Every message byte passes
 * here once: with SSE2 (every x86-64) sixteen bytes are looked at in one
 * step for both, with AVX2 (where the processor has it) thirty-two,
 * instead of one memchr(3) for each. */
#if defined(__SSE2__)
static inline __attribute__((always_inline)) const char *
find_line_end(const char *p, const char *end)
{
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (m)
			return p + __builtin_ctz(m);
	}
	for (; p < end; p++)
		if (*p == '\r' || *p == '\n')
			return p;
	return NULL;
}
#else
static inline const char *
find_line_end(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	const char *cr = memchr(p, '\r', (size_t)((lf ? lf : end) - p));

	return cr ? cr : lf;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define DATA_AVX2 1
__attribute__((target("avx2"))) static inline const char *
find_line_end_avx2(const char *p, const char *end)
{
	const __m256i cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');

	for (; end - p >= 32; p += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
		unsigned m = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf)));
		if (m)
			return p + __builtin_ctz(m);
	}
	return find_line_end(p, end);
}
#endif


/* Whether the processor has AVX2.  glibc has asked the processor already,
 * before main; its answer is read here.  __builtin_cpu_supports would
 * link libgcc's constructor that asks again with CPUID at every start,
 * and CPUID traps to the hypervisor on a virtual machine: measured about
 * 5% of a whole short session's CPU. */
#ifdef DATA_AVX2
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define LINEEND_GLIBC_CPU 1
#endif
#endif
static inline bool
line_end_avx2(void)
{
#ifdef LINEEND_GLIBC_CPU
	return CPU_FEATURE_ACTIVE(AVX2);
#else
	return __builtin_cpu_supports("avx2") != 0;
#endif
}
#endif

#endif
