/*
 * fuzz_inflate.c - libFuzzer target for the gzip / DEFLATE decoder
 * (src/util/inflate.c, bx_gunzip; it reads /proc/config.gz for .kconfig
 * externs). The input is a gzip file; the output is capped at 1 MiB (and
 * at 0 and 1 bytes once, for the limit paths) and every byte of a result
 * is read, along with its NUL terminator. Seeds: small gzip files made
 * with gzip(1) by tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/inflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 1u << 20, 0, 1 };
	uint8_t *in = malloc(size ? size : 1);   /* exact size: overreads hit ASan */
	volatile size_t sink = 0;

	if (!in)
		return 0;
	memcpy(in, data, size);
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		uint8_t *out = NULL;
		size_t n = 0;

		if (bx_gunzip(in, size, caps[c], &out, &n) == 0) {
			if (n > caps[c] || out[n] != 0)
				abort();
			for (size_t i = 0; i < n; i++)
				sink += out[i];
			free(out);
		} else if (out) {
			abort();   /* on failure *out must be NULL */
		}
	}
	(void)sink;
	free(in);
	return 0;
}
