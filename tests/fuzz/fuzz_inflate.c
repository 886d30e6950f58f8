/*
 * fuzz_inflate.c - libFuzzer target for the gzip / DEFLATE decoder
 * (src/util/inflate.c, bx_gunzip; it reads /proc/config.gz for .kconfig
 * externs). The input is a gzip file; the output is capped at 1 MiB and
 * every byte of a result is read, along with its NUL terminator. A result
 * of n bytes is decoded again with max_out = n (must succeed, same bytes)
 * and n - 1 (must fail with -E2BIG). Seeds: small gzip files made with
 * gzip(1) by tests/fuzz/run.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/inflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size ? size : 1);   /* exact size: overreads hit ASan */
	uint8_t *out = NULL, *again = NULL;
	size_t n = 0, m = 0;
	volatile size_t sink = 0;
	int err;

	if (!in)
		return 0;
	memcpy(in, data, size);
	err = bx_gunzip(in, size, 1u << 20, &out, &n);
	if (err) {
		if (out)
			abort();   /* on failure *out must be NULL */
		free(in);
		return 0;
	}
	if (n > 1u << 20 || out[n] != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		sink += out[i];
	/* exactly n bytes allowed: the same result */
	if (bx_gunzip(in, size, n, &again, &m) || m != n || memcmp(out, again, n + 1))
		abort();
	free(again);
	again = NULL;
	/* one byte less: too big */
	if (n && (bx_gunzip(in, size, n - 1, &again, &m) != -E2BIG || again))
		abort();
	(void)sink;
	free(out);
	free(in);
	return 0;
}
