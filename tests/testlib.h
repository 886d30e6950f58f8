/*
 * testlib.h - a tiny test framework for bpfbox's C tests.
 *
 *   CHECK(cond)                     a condition
 *   CHECK_MSG(cond, fmt, ...)       the same, with a message on failure
 *   CHECK_EQ_INT(got, want)         signed integers (long long)
 *   CHECK_EQ_U64(got, want)         unsigned 64-bit values, printed in hex
 *   CHECK_STR(got, want)            C strings (NULL-safe)
 *   CHECK_MEM(got, want, len)       byte ranges
 *   TL_SKIP(fmt, ...)               count one skipped test, print "SKIP: ..."
 *   TL_RUN(test_fn);                call test_fn() unless TL_CASE (a shell
 *                                   pattern, `make test T=x CASE=pat`) is set
 *                                   and does not match "test_fn"
 *   return tl_summary();            from main(): prints the last line
 *                                   "N passed, N failed[, N skipped]" and
 *                                   returns the exit status (1 if any failed)
 *
 * Each CHECK counts one pass or one fail; a fail prints
 * "FAIL file:line: what" and the test continues. The macros evaluate each
 * argument exactly once and yield 1 if the check passed, 0 otherwise.
 * The counters live in tests/testlib.c, linked into every test binary.
 */
#ifndef BPFBOX_TESTLIB_H
#define BPFBOX_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

extern unsigned long tl_passed, tl_failed, tl_skipped;

/* The functions behind the macros; each returns 1 on pass, 0 on fail. */
int tl_check(int ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tl_check_u64(uint64_t got, uint64_t want, const char *file, int line,
		 const char *expr);
int tl_check_int(long long got, long long want, const char *file, int line,
		 const char *expr);
int tl_check_str(const char *got, const char *want, const char *file, int line,
		 const char *expr);
int tl_check_mem(const void *got, const void *want, size_t len,
		 const char *file, int line, const char *expr);
void tl_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Is the case `name` selected? True unless $TL_CASE is set and neither
 * matches it as a shell pattern nor is a substring of it. */
int tl_case(const char *name);
int tl_summary(void);
/* The engine the environment asks the loader tests to force:
 * BPFBOX_TEST_ENGINE=jit|interp gives BPFBOX_ENGINE_JIT / _INTERP (an
 * enum bpfbox_engine value), unset or anything else the default (0).
 * tests/test_engine_jit.sh runs those tests once with each. */
int tl_engine(void);
/* The same for a run in `mode` (enum bpfbox_run_mode): checked runs (1)
 * never take the JIT, so they keep the default. */
int tl_engine_for(int mode);

#define CHECK(cond) tl_check(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define CHECK_MSG(cond, ...) tl_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ_U64(got, want) \
	tl_check_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_INT(got, want) \
	tl_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_STR(got, want) \
	tl_check_str((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_MEM(got, want, len) \
	tl_check_mem((got), (want), (len), __FILE__, __LINE__, #got " == " #want)
#define TL_SKIP(...) tl_skip(__VA_ARGS__)
#define TL_RUN(fn) \
	do { \
		if (tl_case(#fn)) \
			fn(); \
	} while (0)

#endif /* BPFBOX_TESTLIB_H */
