/*
 * bpfbox.h - the public API of libbpfbox, an eBPF runtime in userspace.
 *
 * Conventions (as in libbpf):
 *  - objects are opaque and named bpfbox_<object>__<verb>();
 *  - functions return 0 or a positive count on success, a negative errno on
 *    failure; details of a failure go to the log callback, never to a
 *    heap-allocated string;
 *  - every options struct starts with `size_t sz`, set with BPFBOX_OPTS(),
 *    so that new fields can be added without breaking old callers. The
 *    ABI is libbpf's: the macro zeroes the whole struct (padding too); the
 *    library reads a field the caller's sz does not cover as 0, and
 *    refuses (-EINVAL, with a log line) a larger struct from a newer
 *    caller whose bytes past the fields it knows are not all zero;
 *  - the library keeps no mutable global state: everything lives in a
 *    struct bpfbox_vm and the objects made from it.
 */
#ifndef BPFBOX_BPFBOX_H
#define BPFBOX_BPFBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>   /* memset, for BPFBOX_OPTS() */

#ifdef __cplusplus
extern "C" {
#endif

#define BPFBOX_API __attribute__((visibility("default")))

/* Declare an options struct, zeroed byte for byte (padding included, so
 * that a later library never sees stray bytes where it has new fields),
 * with its size set (as libbpf's LIBBPF_OPTS):
 *   BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = buf, .ctx_size = len); */
#define BPFBOX_OPTS(TYPE, NAME, ...)                                  \
	struct TYPE NAME = ({                                         \
		memset(&NAME, 0, sizeof(struct TYPE));                \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

/* One instruction slot, byte-compatible with the kernel's struct bpf_insn
 * (little-endian hosts). */
struct bpfbox_insn {
	uint8_t code;
	uint8_t dst_reg : 4;
	uint8_t src_reg : 4;
	int16_t off;
	int32_t imm;
};

/* ---- logging ------------------------------------------------------------ */

enum bpfbox_log_level {
	BPFBOX_LOG_ERROR = 0,
	BPFBOX_LOG_WARN = 1,
	BPFBOX_LOG_INFO = 2,
	BPFBOX_LOG_DEBUG = 3,
};

/* Receives one message (one or more whole lines, no trailing newline). */
typedef void (*bpfbox_log_fn)(void *log_ctx, enum bpfbox_log_level level,
			      const char *msg);

/* ---- assembler and disassembler ----------------------------------------- */

enum bpfbox_asm_syntax {
	BPFBOX_SYNTAX_AUTO = 0,     /* decide per line */
	BPFBOX_SYNTAX_LLVM = 1,     /* r0 = *(u32 *)(r1 + 4) */
	BPFBOX_SYNTAX_MNEMONIC = 2, /* ldxw %r0, [%r1+4] */
};

struct bpfbox_asm_opts {
	size_t sz;
	const char *filename;       /* for messages "FILE:LINE: error: ..." */
	enum bpfbox_asm_syntax syntax;
	bpfbox_log_fn log;
	void *log_ctx;
};

/* Assemble `len` bytes of source text. On success *insns_out holds
 * *cnt_out instruction slots (release with free()) and 0 is returned;
 * on error a negative errno, with each error logged as
 * "FILE:LINE: error: ...". */
BPFBOX_API int bpfbox_asm(const char *text, size_t len,
			  const struct bpfbox_asm_opts *opts,
			  struct bpfbox_insn **insns_out, size_t *cnt_out);

enum bpfbox_disasm_flags {
	BPFBOX_DISASM_RAW = 1u << 0,      /* prefix "  idx:\tbb bb ...\t" as llvm-objdump -d */
	BPFBOX_DISASM_MNEMONIC = 1u << 1, /* conformance-suite syntax instead of LLVM */
};

struct bpfbox_disasm_opts {
	size_t sz;
	unsigned flags;             /* enum bpfbox_disasm_flags */
};

/* Print instruction `idx` of `insns[0..cnt)` into buf (always NUL-terminated
 * when size > 0). Returns the number of slots it took (1, or 2 for lddw),
 * or -EINVAL if the slot is not a valid instruction (buf then describes
 * it), or -ERANGE if idx >= cnt. */
BPFBOX_API int bpfbox_disasm_insn(const struct bpfbox_insn *insns, size_t cnt,
				  size_t idx, const struct bpfbox_disasm_opts *opts,
				  char *buf, size_t size);

/* ---- the VM: helpers, settings, log -------------------------------------- */

struct bpfbox_vm;
struct bpfbox_call;

/* The task a run serves (what bpf_get_current_pid_tgid() and friends
 * report). Hooks fill it from the traced process; when a run names none,
 * it is the calling thread. */
struct bpfbox_task {
	uint32_t pid;      /* thread id (the kernel's "pid") */
	uint32_t tgid;     /* process id */
	uint32_t uid;
	uint32_t gid;
	char comm[16];
};

/* One line of the trace log (bpf_printk / bpf_trace_printk). */
struct bpfbox_trace_rec {
	const char *msg;               /* formatted message, NUL-terminated */
	size_t len;                    /* strlen(msg) */
	const struct bpfbox_task *task;
	uint32_t cpu;
	uint64_t ts_ns;                /* CLOCK_MONOTONIC, as the kernel's trace clock */
};
typedef void (*bpfbox_trace_fn)(void *trace_ctx, const struct bpfbox_trace_rec *rec);

struct bpfbox_vm_opts {
	size_t sz;
	bpfbox_log_fn log;
	void *log_ctx;
	bpfbox_trace_fn trace;         /* trace log sink; NULL: lines are dropped */
	void *trace_ctx;
	uint32_t nr_cpus;              /* simulated CPUs for per-CPU maps; 0 = the host's */
	bool no_kernel_helpers;        /* start with an empty helper registry */
	/* BPFBOX_ENGINE_DEFAULT runs the interpreter only (as does the
	 * environment variable BPFBOX_NO_JIT=1 at bpfbox_vm__new()) */
	bool no_jit;
};

BPFBOX_API int bpfbox_vm__new(const struct bpfbox_vm_opts *opts,
			      struct bpfbox_vm **vm_out);
BPFBOX_API void bpfbox_vm__free(struct bpfbox_vm *vm);

/* A helper function: r1..r5 in, r0 out. */
typedef uint64_t (*bpfbox_helper_fn)(struct bpfbox_call *call, uint64_t r1,
				     uint64_t r2, uint64_t r3, uint64_t r4,
				     uint64_t r5);

#define BPFBOX_MAX_HELPER_ID 4095

/* Register (or replace) helper `id` (0 < id <= BPFBOX_MAX_HELPER_ID).
 * `name` is copied; it appears in disassembly and logs. */
BPFBOX_API int bpfbox_vm__register_helper(struct bpfbox_vm *vm, uint32_t id,
					  const char *name, bpfbox_helper_fn fn,
					  void *helper_ctx);
/* The helper's name, or NULL if no helper has that id. */
BPFBOX_API const char *bpfbox_vm__helper_name(const struct bpfbox_vm *vm,
					      uint32_t id);

/* A helper's prototype, so the verifier checks calls to it (as the
 * kernel's bpf_func_proto) and a verified program calling it runs trusted.
 * Without one, a call to an embedder helper is accepted unproven and the
 * program runs checked. */
enum bpfbox_arg_kind {
	BPFBOX_ARG_NONE = 0,            /* unused (the helper must ignore it) */
	BPFBOX_ARG_ANYTHING,            /* any initialised value */
	BPFBOX_ARG_PTR_TO_MEM,          /* initialised memory the helper reads; size in the next arg */
	BPFBOX_ARG_PTR_TO_UNINIT_MEM,   /* memory the helper writes (all of it); size in the next arg */
	BPFBOX_ARG_CONST_SIZE,          /* size > 0 of the previous memory arg */
	BPFBOX_ARG_CONST_SIZE_OR_ZERO,  /* size >= 0 of the previous memory arg */
	BPFBOX_ARG_PTR_TO_CTX,          /* the program's unmodified context pointer */
	BPFBOX_ARG_CONST_MAP_PTR,       /* a map (lddw r, map[...]) */
};

enum bpfbox_ret_kind {
	BPFBOX_RET_INTEGER = 0,         /* a scalar in r0 */
	BPFBOX_RET_VOID,                /* r0 unreadable after the call */
};

struct bpfbox_helper_proto {
	size_t sz;
	enum bpfbox_ret_kind ret;
	enum bpfbox_arg_kind args[5];   /* r1..r5 */
};

/* Give helper `id` a prototype (copied; also for kernel-helper ids, whose
 * built-in prototype it replaces; NULL removes it). Memory args must be
 * followed by a size arg and size args preceded by a memory arg.
 * Re-registering the helper drops the prototype. Applies to programs
 * loaded afterwards. -ENOENT if no helper has that id, -EINVAL if the
 * prototype is malformed. */
BPFBOX_API int bpfbox_vm__set_helper_proto(struct bpfbox_vm *vm, uint32_t id,
					   const struct bpfbox_helper_proto *proto);

/* Inside a helper: what it was registered with, the program's context
 * pointer, and a way to stop the program once the helper returns
 * (bpfbox_prog__run() then returns `err`, a negative errno). */
BPFBOX_API void *bpfbox_call__helper_ctx(const struct bpfbox_call *call);
BPFBOX_API void *bpfbox_call__ctx(const struct bpfbox_call *call);
BPFBOX_API void bpfbox_call__abort(struct bpfbox_call *call, int err);
/* In checked mode: 0 if [ptr, ptr+len) is memory the program may read
 * (write = false) or write (write = true), -EFAULT otherwise. In trusted
 * mode always 0. */
BPFBOX_API int bpfbox_call__check_mem(const struct bpfbox_call *call,
				      uint64_t ptr, uint64_t len, bool write);

/* ---- programs ------------------------------------------------------------ */

/* Two names, two things: struct bpfbox_prog is a LOADED program (verified,
 * runnable, made by bpfbox_prog__load() in a vm); struct bpfbox_program
 * (object.h) is a program IN AN OBJECT file, its code and section, which
 * bpfbox_object__load() turns into a bpfbox_prog (bpfbox_program__prog());
 * as libbpf's struct bpf_program vs the kernel's struct bpf_prog. */
struct bpfbox_prog;

struct bpfbox_map;

/* What a global function's argument is, from its BTF prototype and its
 * decl tags (__arg_ctx, __arg_nonnull, ...), as the kernel's
 * btf_prepare_func_args() decides it. */
enum bpfbox_func_arg {
	BPFBOX_ARG_SCALAR = 0,      /* an int or an enum */
	BPFBOX_ARG_CTX,             /* the program's context */
	BPFBOX_ARG_MEM_OR_NULL,     /* a pointer to arg_size bytes, or NULL */
	BPFBOX_ARG_MEM,             /* the same, never NULL (__arg_nonnull) */
	BPFBOX_ARG_UNSUPPORTED,     /* a kind bpfbox cannot check (e.g. __arg_trusted) */
};

/* A function of the program, from BTF func_info: its first instruction and
 * whether BTF says it returns a scalar (an int or an enum). A global
 * function (BTF linkage global) is verified on its own, for any arguments
 * its prototype allows, and its callers only check that they pass such
 * arguments, as in the kernel. */
struct bpfbox_func_info {
	uint32_t insn_off;
	bool ret_scalar;
	bool global;
	const char *name;           /* for messages; may be NULL */
	uint8_t nargs;              /* global functions: at most 5 */
	uint8_t arg[5];             /* enum bpfbox_func_arg */
	uint32_t arg_size[5];       /* BPFBOX_ARG_MEM*: the bytes behind the pointer */
};

/* Where instruction insn_off (and those after it, up to the next entry)
 * came from in the source. */
struct bpfbox_line_info {
	uint32_t insn_off;
	uint32_t line;
	uint32_t col;
	const char *file;
	const char *text;           /* the source line, may be NULL */
};

struct bpfbox_prog_opts {
	size_t sz;
	const char *name;           /* for messages; copied */
	uint32_t prog_type;         /* the kernel's enum bpf_prog_type; 0 = none (raw bytecode) */
	uint32_t expected_attach_type;
	const char *license;        /* "GPL" etc.; gpl_only helpers need a GPL-compatible one */
	/* Maps that lddw pseudo forms name: src 1 (map fd) and 5 (map index)
	 * take imm as an index into this table, src 2 and 6 its value. The
	 * program keeps a reference; the maps must outlive it. */
	struct bpfbox_map *const *maps;
	size_t map_cnt;
	/* Verification (typed programs, prog_type != 0, are verified at load
	 * as the kernel does; raw programs never are). */
	bool no_verify;             /* load unverified: AUTO runs it in checked mode */
	uint32_t prog_flags;        /* the kernel's BPF_F_* load flags (BPF_F_ANY_ALIGNMENT, ...) */
	char *log_buf;              /* verifier log, NUL-terminated; NULL: none */
	size_t log_size;
	uint32_t log_level;         /* 0: the error only; 1: also the path to it; 2: every instruction */
	/* Source lines for messages (from BTF line info), sorted by insn_off. */
	const struct bpfbox_line_info *line_info;
	size_t line_info_cnt;
	/* The functions (BTF func_info), one per bpf-to-bpf function, the
	 * main program first. As in the kernel, without them a subprogram
	 * may not use LD_ABS / LD_IND or tail calls; with them, only a
	 * subprogram that returns a scalar may. */
	const struct bpfbox_func_info *func_info;
	size_t func_info_cnt;
	/* Raw programs (prog_type 0) on a caller's buffer, as `bpfbox run PROG
	 * --mem` runs them (r1 = its address, r2 = its length): with mem_verify
	 * (and not no_verify) the program is verified for a buffer of exactly
	 * mem_size bytes: r1 points to mem_size readable and writable bytes,
	 * r2 is the constant mem_size. A rejection fails the load, as for
	 * typed programs (load again without mem_verify to run it checked).
	 * A verified program runs trusted (BPFBOX_RUN_AUTO), and such a run
	 * must pass a non-NULL ctx with ctx_size == mem_size (-EINVAL otherwise). */
	bool mem_verify;
	size_t mem_size;
	/* Verify under the kernel's rules for an unprivileged loader (no
	 * CAP_BPF / CAP_PERFMON / CAP_SYS_ADMIN; the kernel's allow_ptr_leaks,
	 * bypass_spec_v1/v4, allow_uninit_stack and bpf_capable all false):
	 * only socket filter and cgroup skb programs, no pointer leaks
	 * (pointers stored to maps, returned, compared with scalars), only the
	 * pointer arithmetic the kernel allows and masks against Spectre v1,
	 * no reads of uninitialised stack, no bpf-to-bpf calls, no loops.
	 * For hosts that run programs from people they do not trust; see
	 * docs/VERIFIER.md "Unprivileged mode". */
	bool unpriv;
	/* BTF-typed programs: tracing (fentry/fexit/fmod_ret, tp_btf, iter)
	 * and lsm, as the kernel's attach_btf_obj_fd + attach_btf_id. The
	 * kernel BTF (e.g. bpfbox_object__target_btf(), or any BTF with the
	 * kernel's types) and the attach target in it: the FUNC of the
	 * traced function (fentry/fexit/fmod_ret), of bpf_lsm_<hook> (lsm)
	 * or of bpf_iter_<name> (iter), or the btf_trace_<name> TYPEDEF
	 * (tp_btf); bpfbox_btf__find_attach() finds it. With them the
	 * context is the target's arguments, each a u64 (the kernel's
	 * btf_ctx_access): pointers to structs load as PTR_TO_BTF_ID, and
	 * loads through those are checked against the struct's BTF. Such a
	 * program is verified but never runs trusted (its loads read kernel
	 * objects, which exist only in the kernel): runs are checked. The BTF
	 * must outlive the load. Without them (0), tracing and lsm programs
	 * keep the raw tracepoint's context (u64 scalars). */
	const struct bpfbox_btf *attach_btf;
	uint32_t attach_btf_id;
};

/* Copy and check `cnt` instruction slots: every opcode is known, registers
 * are r0..r10, jumps and calls land on instructions inside the program,
 * lddw has both halves, and the last instruction is exit or a jump.
 * Failures name the instruction index in the log and return -EINVAL. */
BPFBOX_API int bpfbox_prog__load(struct bpfbox_vm *vm,
				 const struct bpfbox_insn *insns, size_t cnt,
				 const struct bpfbox_prog_opts *opts,
				 struct bpfbox_prog **prog_out);
BPFBOX_API void bpfbox_prog__free(struct bpfbox_prog *prog);
BPFBOX_API const char *bpfbox_prog__name(const struct bpfbox_prog *prog);
BPFBOX_API size_t bpfbox_prog__insn_cnt(const struct bpfbox_prog *prog);
BPFBOX_API const struct bpfbox_insn *bpfbox_prog__insns(const struct bpfbox_prog *prog);
BPFBOX_API uint32_t bpfbox_prog__type(const struct bpfbox_prog *prog);

enum bpfbox_run_mode {
	/* Trusted if the program was verified, checked otherwise. */
	BPFBOX_RUN_AUTO = 0,
	/* Bounds-check every memory access, the call depth and the
	 * instruction budget; a violation stops the program with -EFAULT,
	 * -E2BIG or -ELOOP and a log line naming the instruction. */
	BPFBOX_RUN_CHECKED = 1,
	/* No run-time checks: the caller vouches that the program is safe
	 * (verified, or written by the caller). */
	BPFBOX_RUN_TRUSTED = 2,
};

enum bpfbox_engine {
	BPFBOX_ENGINE_DEFAULT = 0,  /* the fastest available: the JIT for trusted runs on x86-64 */
	BPFBOX_ENGINE_INTERP = 1,
	/* native code; -EOPNOTSUPP where there is no JIT. A checked run
	 * (BPFBOX_RUN_CHECKED, or AUTO on an unverified program) runs on the
	 * checked JIT: the checked interpreter's bounds checks (same regions,
	 * same faults and messages) and call-depth limit, with the instruction
	 * budget charged at loop heads and function entries (see docs/JIT.md) */
	BPFBOX_ENGINE_JIT = 2,
};

struct bpfbox_run_opts {
	size_t sz;
	void *ctx;                  /* in r1 */
	size_t ctx_size;            /* in r2; also the readable/writable extent of ctx in checked mode */
	enum bpfbox_run_mode mode;
	enum bpfbox_engine engine;
	uint64_t max_insns;         /* checked mode: instruction budget; 0 = 1e9 (the checked
				     * JIT charges a loop's length per iteration and a function's
				     * length per call instead of counting each instruction) */
	const struct bpfbox_task *task; /* NULL: the calling thread */
	int32_t cpu;                /* simulated CPU for per-CPU maps; -1 = sched_getcpu() % nr_cpus */
	/* out */
	uint64_t retval;            /* r0 at exit */
	uint64_t insn_executed;     /* checked mode only: instructions executed (checked JIT:
				     * the budget charged) */
};

/* Run the program once. Returns 0 and sets opts->retval, or a negative
 * errno if the program was stopped (by a checked-mode violation or a
 * helper's bpfbox_call__abort()). */
BPFBOX_API int bpfbox_prog__run(struct bpfbox_prog *prog,
				struct bpfbox_run_opts *opts);

/* The program's native code (x86-64 JIT), compiled now if it was not
 * yet: *code / *len stay valid until the program is freed; insn_off (may
 * be NULL) receives the offset of each instruction slot's code, cnt + 1
 * entries (the last is the end of the program's body). -EOPNOTSUPP where
 * there is no JIT; the compiler's error if it cannot compile it. */
BPFBOX_API int bpfbox_prog__jited(struct bpfbox_prog *prog, const uint8_t **code, size_t *len,
				  const uint32_t **insn_off);

/* ---- test runs, as BPF_PROG_TEST_RUN does them --------------------------- */

/*
 * Build the context the program's type expects from data_in / ctx_in
 * (xdp_md over a packet with headroom, __sk_buff, raw tracepoint args,
 * user-supplied bytes for kprobe/tracepoint/syscall), run it `repeat`
 * times, and copy out the packet and context as the kernel does. Refuses
 * (-EINVAL, logged) whatever BPF_PROG_TEST_RUN refuses.
 */
struct bpfbox_test_run_opts {
	size_t sz;
	const void *data_in;        /* packet */
	void *data_out;             /* packet after the run (may be NULL) */
	uint32_t data_size_in;
	uint32_t data_size_out;     /* in: size of data_out; out: bytes of the output packet */
	const void *ctx_in;
	void *ctx_out;
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;      /* in: size of ctx_out; out: bytes written */
	uint32_t retval;            /* out: r0, truncated to 32 bits as the kernel does */
	int repeat;                 /* 0 or 1: once */
	uint32_t duration;          /* out: mean ns per run, around the program alone */
	uint32_t flags;             /* BPF_F_TEST_* */
	uint32_t cpu;
	enum bpfbox_run_mode mode;
	enum bpfbox_engine engine;
	const struct bpfbox_task *task;
	uint64_t r0;                /* out: the full 64-bit r0 */
};

BPFBOX_API int bpfbox_prog__test_run(struct bpfbox_prog *prog,
				     struct bpfbox_test_run_opts *opts);

/* ---- version --------------------------------------------------------------- */

BPFBOX_API const char *bpfbox_version(void);

#ifdef __cplusplus
}
#endif

#include "bpfbox/map.h"
#include "bpfbox/object.h"

#endif /* BPFBOX_BPFBOX_H */
