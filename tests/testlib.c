/*
 * testlib.c - counters and checks behind tests/testlib.h.
 */
#include "testlib.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long tl_passed, tl_failed, tl_skipped;

/* Count one result; on failure print "FAIL file:line: <message>". */
int tl_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		tl_passed++;
		return 1;
	}
	tl_failed++;
	fprintf(stdout, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return 0;
}

/* Unsigned 64-bit equality, both values shown in hex and decimal. */
int tl_check_u64(uint64_t got, uint64_t want, const char *file, int line,
		 const char *expr)
{
	return tl_check(got == want, file, line,
			"%s: got 0x%llx (%llu), want 0x%llx (%llu)", expr,
			(unsigned long long)got, (unsigned long long)got,
			(unsigned long long)want, (unsigned long long)want);
}

/* Signed integer equality. */
int tl_check_int(long long got, long long want, const char *file, int line,
		 const char *expr)
{
	return tl_check(got == want, file, line, "%s: got %lld, want %lld",
			expr, got, want);
}

/* String equality; NULL equals only NULL. */
int tl_check_str(const char *got, const char *want, const char *file, int line,
		 const char *expr)
{
	int ok = (!got || !want) ? got == want : strcmp(got, want) == 0;

	return tl_check(ok, file, line, "%s: got \"%s\", want \"%s\"", expr,
			got ? got : "(null)", want ? want : "(null)");
}

/* Byte-range equality; names the first differing offset. */
int tl_check_mem(const void *got, const void *want, size_t len,
		 const char *file, int line, const char *expr)
{
	const unsigned char *g = got, *w = want;
	size_t i = 0;

	if (g && w)
		while (i < len && g[i] == w[i])
			i++;
	if (g && w && i == len)
		return tl_check(1, file, line, "%s", expr);
	if (!g || !w)
		return tl_check(0, file, line, "%s: NULL pointer", expr);
	return tl_check(0, file, line, "%s: differ at byte %zu: got 0x%02x, want 0x%02x",
			expr, i, g[i], w[i]);
}

/* Count one skipped test and say why. */
void tl_skip(const char *fmt, ...)
{
	va_list ap;

	tl_skipped++;
	fputs("SKIP: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* tl_case - see testlib.h. */
int tl_case(const char *name)
{
	const char *pat = getenv("TL_CASE");

	return !pat || !*pat || !fnmatch(pat, name, 0) || strstr(name, pat);
}

/* Print the final line and return the exit status. */
int tl_summary(void)
{
	if (tl_skipped)
		printf("%lu passed, %lu failed, %lu skipped\n", tl_passed, tl_failed, tl_skipped);
	else
		printf("%lu passed, %lu failed\n", tl_passed, tl_failed);
	fflush(stdout);
	return tl_failed ? 1 : 0;
}

/* tl_engine - see testlib.h (values of enum bpfbox_engine: 1 interp, 2 jit). */
int tl_engine(void)
{
	const char *e = getenv("BPFBOX_TEST_ENGINE");

	if (e && !strcmp(e, "jit"))
		return 2;
	if (e && !strcmp(e, "interp"))
		return 1;
	return 0;
}

/* tl_engine_for - see testlib.h. */
int tl_engine_for(int mode)
{
	return mode == 1 ? 0 : tl_engine();
}
