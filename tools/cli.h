/*
 * cli.h - shared pieces of the bpfbox command-line tool.
 *
 * Exit codes: 0 ok, 1 failure, 2 usage error.
 */
#ifndef BPFBOX_CLI_H
#define BPFBOX_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfbox/bpfbox.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* One subcommand. */
struct cli_cmd {
	const char *name;
	const char *summary;   /* one line for "bpfbox help" */
	const char *usage;     /* "bpfbox run PROG [...]" */
	int (*main)(int argc, char **argv);
	void (*help)(FILE *out);
};

extern const struct cli_cmd cli_cmd_asm, cli_cmd_disasm, cli_cmd_run;

/* Report to stderr as "bpfbox CMD: ..." */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message, the command's usage line and a hint; returns CLI_USAGE. */
int cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Handle a getopt_long() failure ('?' or ':'); returns CLI_USAGE. */
int cli_bad_opt(const struct cli_cmd *cmd, int c, char **argv);

/* Log sink for the library: prints "PREFIX: msg" (or just msg if PREFIX is
 * NULL) to stderr for errors and warnings, and counts errors. */
struct cli_log {
	const char *prefix;
	unsigned nerr;
};
void cli_log_fn(void *ctx, enum bpfbox_log_level level, const char *msg);

/* Read a whole file ("-" is stdin). Reports "cannot open" / read errors;
 * returns 0 or -1. */
int cli_read_file(const char *cmd, const char *path, uint8_t **buf, size_t *len);

/* Is this path assembly source (.s or .asm)? */
int cli_is_asm_path(const char *path);

/* Parse --syntax; returns 0 or -1. */
int cli_parse_syntax(const char *s, enum bpfbox_asm_syntax *out);

/* Parse a decimal or 0x-hex unsigned number; returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Parse hex bytes ("00 01 02" or "000102"). On error returns -1 and puts
 * the reason in why. */
int cli_parse_hex(const char *s, uint8_t **out, size_t *len, char *why, size_t why_sz);

/* Get a program's instructions from PATH: assembled if it is .s/.asm,
 * else raw little-endian bytecode. Errors are reported (named by file);
 * returns 0 or CLI_FAIL. */
int cli_load_insns(const char *cmd, const char *path, enum bpfbox_asm_syntax syntax,
		   struct bpfbox_insn **insns, size_t *cnt);

/* Print s as a JSON string literal. */
void cli_json_str(FILE *out, const char *s);

#endif /* BPFBOX_CLI_H */
