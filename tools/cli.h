/*
 * cli.h - shared pieces of the bpfbox command-line tool.
 *
 * Exit codes: 0 ok, 1 failure, 2 usage error.
 */
#ifndef BPFBOX_CLI_H
#define BPFBOX_CLI_H

#include <stdbool.h>
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

extern const struct cli_cmd cli_cmd_asm, cli_cmd_disasm, cli_cmd_run, cli_cmd_prog, cli_cmd_verify;
/* packet hooks (cmd_pkt.c) and process tracing (cmd_trace.c) */
extern const struct cli_cmd cli_cmd_xdp, cli_cmd_tc, cli_cmd_socket, cli_cmd_trace;

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

/* Parse --engine: "jit", "interp" or "default"; returns 0 or -1. */
int cli_parse_engine(const char *s, enum bpfbox_engine *out);

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

/* ---- BPF ELF objects (obj.c) ---- */

/* Does the buffer start with the ELF magic? */
bool cli_is_elf(const uint8_t *buf, size_t len);
#define CLI_MAX_SETS 64

/* What the command line changes in an object before load. */
struct cli_obj_cfg {
	const char *sets[CLI_MAX_SETS]; /* --set NAME=VALUE, in order */
	size_t nsets;
	uint32_t type;          /* --type: program type of the selected programs, 0 if none */
};

/* Record one --set NAME=VALUE (checks the form). CLI_OK or a usage error. */
int cli_add_set(const struct cli_cmd *cmd, struct cli_obj_cfg *cfg, const char *arg);

/* Prepare obj for a run of the sel[0..nsel) programs: cfg->type (if any)
 * given to them (bpfbox_program__set_type), the --set variables set
 * (bpfbox_object__set_var: errors name the variable), then autoload on
 * for them and what they need (their prog arrays' programs,
 * bpfbox_object__autoload_only) and off for every other program, so a
 * sibling that cannot load or verify does not stop the run. The selected
 * programs must be loadable (else "CMD: PATH: program 'N' cannot be
 * loaded: why"). cfg may be NULL. CLI_OK or CLI_FAIL (reported). */
int cli_autoload_selected(const char *cmd, const char *path, struct bpfbox_object *obj,
			  struct bpfbox_program *const *sel, size_t nsel,
			  const struct cli_obj_cfg *cfg);

/* Open an object from memory (named PATH in messages); the library's
 * errors go to stderr as "bpfbox CMD: PATH: ...". CLI_OK or CLI_FAIL. */
int cli_open_object(const char *cmd, const char *path, const uint8_t *buf, size_t len,
		    struct bpfbox_object **obj);
/* Read PATH and open it if it is an ELF object (else *obj = NULL). */
int cli_read_maybe_object(const char *cmd, const char *path, struct bpfbox_object **obj);
/* The program NAME, or the only program when NAME is NULL; reports and
 * returns NULL otherwise (listing the names). */
struct bpfbox_program *cli_select_prog(const char *cmd, const char *path,
				       const struct bpfbox_object *obj, const char *name);
/* Program type name ("xdp"), "unspec", or "type N" in buf. */
const char *cli_prog_type_str(uint32_t type, char *buf, size_t sz);
/* "XDP_PASS", "TC_ACT_SHOT", ... for XDP and TC programs, else NULL. */
const char *cli_action_name(uint32_t prog_type, uint64_t ret);

/* Load program p of obj (whose maps were created by bpfbox_object__load
 * with p's autoload off) as bpfbox_object__load() would, with its BTF line
 * info; base gives the other options (log_buf, no_verify, ...). *li_out
 * (free() it after the program) holds the line info. cmd_verify.c. */
int cli_load_object_prog(struct bpfbox_vm *vm, const struct bpfbox_object *obj,
			 const struct bpfbox_program *p, const struct bpfbox_prog_opts *base,
			 struct bpfbox_prog **prog, struct bpfbox_line_info **li_out);

/* "bpfbox prog dump xlated|jited ..." (cmd_dump.c); argv[0] is "dump". */
int cli_prog_dump(int argc, char **argv);

/* ---- running objects (run_obj.c, dump_maps.c) ---- */

#define CLI_MAX_PROGS 16

struct cli_run_args {
	const char *progs[CLI_MAX_PROGS]; /* --prog NAME..., run in this order */
	size_t nprogs;
	const uint8_t *data;    /* --data: the packet */
	size_t data_len;
	const uint8_t *ctx;     /* --ctx: context bytes */
	size_t ctx_len;
	uint64_t repeat;
	int64_t cpu;            /* --cpu, -1 if not given */
	bool json, dump_maps;
	bool no_verify;         /* --no-verify: load unverified, run checked */
	bool unpriv;            /* --unpriv: verify under the unprivileged rules */
	enum bpfbox_engine engine; /* --engine (default: BPFBOX_ENGINE_DEFAULT) */
	const char *trace_log;  /* NULL: stderr */
	struct cli_obj_cfg cfg; /* --set, --type */
};

/* Load obj into a fresh VM, test-run the chosen programs, print results
 * (and maps). Closes obj. CLI_OK or CLI_FAIL. */
int cli_run_object(const char *path, struct bpfbox_object *obj, const struct cli_run_args *a);
/* The trace callback: trace_pipe-style lines to the FILE * in ctx. */
void cli_trace_fn(void *ctx, const struct bpfbox_trace_rec *rec);
/* Print every map of a loaded object: text, or a JSON object
 * {NAME: [{"key": K, "value": V}, ...], ...} (no newline). */
void cli_dump_maps(FILE *out, const struct bpfbox_object *obj, bool json);

/* ---- tracing output (trace_out.c) ---- */

/* Prints ring-buffer / perf records as lines as they arrive. */
struct cli_trace_out;
/* event_type NULL: records in hex. Else the struct, union or typedef of
 * obj's BTF named so ("event" or "struct event"): records as JSON lines
 * through BTF; reports and returns NULL if there is none. json: hex records
 * as JSON lines too. */
struct cli_trace_out *cli_trace_out_new(FILE *f, const struct bpfbox_object *obj,
					const char *event_type, bool json);
/* One record of map MAP: ring buffer (cpu < 0) or perf (cpu >= 0). One
 * line, flushed. */
void cli_trace_out_record(struct cli_trace_out *o, const char *map, int cpu, const void *data,
			  size_t size);
void cli_trace_out_free(struct cli_trace_out *o);

#endif /* BPFBOX_CLI_H */
