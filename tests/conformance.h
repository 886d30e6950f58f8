/*
 * conformance.h - the bpf_conformance suite from ../shared, for tests and
 * benchmarks.
 *
 * bpf_conformance.jsonl lists the programs (name, cpu_version, code_hex,
 * mem_hex, result_hex); each is joined by name with its *.data file, which
 * gives the assembly source ("-- asm"). The suite lives in
 * $BPFBOX_SHARED/conformance, or ../shared/conformance relative to the
 * current directory (tests run from the repo root).
 */
#ifndef BPFBOX_TESTS_CONFORMANCE_H
#define BPFBOX_TESTS_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"

struct bxt_conf_test {
	char *name;          /* "add.data" */
	int cpu_version;     /* 1..4 */
	char *asm_text;      /* the "-- asm" section, NUL-terminated; NULL if no .data */
	size_t asm_len;
	uint8_t *mem;        /* "-- mem" bytes (NULL, 0 if none) */
	size_t mem_len;
	uint8_t *code;       /* code_hex bytes */
	size_t code_len;
	uint64_t result;     /* expected r0 */
};

struct bxt_conf {
	char dir[4096];      /* the conformance directory that was read */
	struct bxt_conf_test *tests;
	size_t cnt;
};

/* The shared data directory: $BPFBOX_SHARED if set, else "../shared". */
const char *bxt_shared_dir(void);

/* Load the whole suite. Returns 0; -ENOENT if the suite is absent (why
 * then holds e.g. "../shared/conformance not found"); another negative
 * errno if a file is malformed (why says which). */
int bxt_conf_load(struct bxt_conf *conf, char *why, size_t why_sz);
void bxt_conf_free(struct bxt_conf *conf);

/* Find one test by name ("prime.data" or "prime"), or NULL. */
const struct bxt_conf_test *bxt_conf_find(const struct bxt_conf *conf, const char *name);

/* Read a whole file into a NUL-terminated heap buffer. Returns 0 or -errno. */
int bxt_read_file(const char *path, char **buf, size_t *len);

/* Parse hex bytes ("b7 00 01" or "b70001"). Returns 0 or -EINVAL. */
int bxt_parse_hex(const char *s, size_t n, uint8_t **out, size_t *len);

#endif /* BPFBOX_TESTS_CONFORMANCE_H */
