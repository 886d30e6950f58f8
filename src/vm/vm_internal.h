/*
 * vm_internal.h - the VM, loaded programs and the run state, as the rest of
 * the library sees them (helpers, maps, loader, verifier, JIT).
 *
 * Layout of one run (see docs/Interpreter.md):
 *
 *   bxv_prog_run()      C stack: [ 8 x 512-byte frames ] [ struct bpfbox_call ]
 *                                  ^ frame 7 ... frame 0 ^ = r10 of main
 *
 * struct bpfbox_call is the whole state of one run: helpers receive a
 * pointer to it, the interpreter keeps its registers in locals and its
 * memory bounds, budget and call depth here.
 */
#ifndef BXV_VM_INTERNAL_H
#define BXV_VM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "core/prog_type.h"
#include "isa/isa.h"
#include "util/log.h"

/* ---- the VM --------------------------------------------------------------- */

struct bxv_helper {
	bpfbox_helper_fn fn;    /* NULL: no helper with this id */
	void *ctx;
	char *name;             /* owned copy */
	bool has_proto;         /* bpfbox_vm__set_helper_proto() gave one */
	uint32_t proto_ret;     /* enum bxk_ret (src/helpers/helpers.h) */
	uint32_t proto_arg[5];  /* enum bxk_arg */
};

#define BXV_MAX_CPUS 4096u          /* as the maps' limit */

struct bpfbox_prog;
struct bpfbox_call;

/*
 * A native-code engine (src/jit), as the loader installs it in a vm when
 * the host has one (the kernel's bpf_prog_select_runtime() choosing
 * bpf_func): the VM compiles, runs and frees native code through these,
 * without including the JIT (which includes the VM).
 */
struct bxv_engine {
	const char *name;
	/* compile prog now unless it already is (thread-safe): its trusted
	 * code, or with checked its checked code (every access bounds-checked,
	 * the instruction budget charged at loop heads); 0 or -errno */
	int (*compile)(struct bpfbox_prog *prog, bool checked);
	/* run call->prog's native code from slot `start` (see bxv_interp_run) */
	int (*run)(struct bpfbox_call *call, uint32_t start, const uint64_t args[5],
		   uint64_t fp, uint64_t *r0);
	/* release the program's native code (if any) */
	void (*free)(struct bpfbox_prog *prog);
};

struct bpfbox_vm {
	struct bx_log log;
	bpfbox_trace_fn trace;       /* trace log sink (bpf_printk), may be NULL */
	void *trace_ctx;
	uint32_t nr_cpus;            /* simulated CPUs (>= 1) */
	bool no_jit;                 /* BPFBOX_ENGINE_DEFAULT never picks the JIT */
	const struct bxv_engine *jit; /* the host's JIT, NULL if none (set by the loader) */
	_Atomic uint64_t prandom;    /* helpers: bpf_get_prandom_u32() state (src/helpers) */
	struct bxv_helper helpers[BPFBOX_MAX_HELPER_ID + 1]; /* [0] unused */
};

/* The number of simulated CPUs (>= 1), for per-CPU maps made for it. */
static inline uint32_t bxv_vm_nr_cpus(const struct bpfbox_vm *vm)
{
	return vm->nr_cpus;
}

/* The vm's log sink (for other modules that report through it). */
static inline const struct bx_log *bxv_vm_log(const struct bpfbox_vm *vm)
{
	return &vm->log;
}

/* The helper registered with `id`, or NULL. */
static inline const struct bxv_helper *bxv_vm_helper(const struct bpfbox_vm *vm,
						      uint64_t id)
{
	if (id == 0 || id > BPFBOX_MAX_HELPER_ID || !vm->helpers[id].fn)
		return NULL;
	return &vm->helpers[id];
}

/* ---- programs --------------------------------------------------------------- */

/*
 * One pre-decoded ("xlated") instruction slot. Index i of prog->xlated
 * is instruction slot i of prog->insns (the second half of lddw keeps its
 * slot, it is never executed), so "insn N" means the same in both.
 *
 *   lbl   address of the body in the trusted interpreter (direct threading)
 *   imm   the immediate, sign-extended to 64 bits; lddw: the whole 64-bit
 *         value; helper call: the helper id
 *   off   memory offset (loads, stores, atomics) or jump distance in slots
 *         relative to the next slot (jumps, gotol, local calls)
 *   op    enum bx_op (the checked interpreter dispatches on it)
 */
struct bxv_insn {
	const void *lbl;
	uint64_t imm;
	int32_t off;
	uint8_t op;
	uint8_t dst;
	uint8_t src;
	uint8_t pad;
};

struct bpfbox_prog {
	struct bpfbox_vm *vm;
	char *name;
	size_t cnt;
	struct bpfbox_insn *insns;   /* owned copy of the program */
	int16_t *ops;                /* op of every slot, -1 for lddw second halves */
	struct bxv_insn *xlated;     /* the engine's pre-decoded form */
	bool verified;               /* set by the verifier: AUTO runs trusted */
	uint32_t prog_type;          /* enum bpfbox_prog_type; 0 = raw */
	const struct bxp_prog_type_ops *type_ops; /* its description (core/prog_type.h); NULL: raw */
	uint32_t expected_attach_type;
	char *license;               /* owned copy, may be NULL */
	bool gpl;                    /* license is GPL-compatible */
	struct bpfbox_map **maps;    /* owned copy of the table lddw pseudo forms index */
	size_t map_cnt;
	void *ctx_info;              /* hooks: per-type context conversion data */
	struct bxv_region *dv;       /* direct-value storage of its array maps (checked runs) */
	unsigned ndv;
	struct bxj_image *jit;       /* native code (src/jit), compiled on first use; atomic */
	struct bxj_image *jit_checked; /* the checked JIT's code (checked runs), the same way */
	bool mem_verified;           /* raw: verified for a buffer of mem_size bytes (opts.mem_verify) */
	size_t mem_size;
};

/*
 * (Re)build prog->xlated from prog->insns, e.g. after a rewrite of the
 * instructions. It does not re-check the program structure: a rewrite must
 * keep it valid (bx_isa_check() and registered helper ids). It resolves
 * the lddw pseudo forms into the 64-bit value the instruction loads:
 *   src 1, 5  (map fd / map index)   imm indexes prog->maps: the map pointer
 *   src 2, 6  (map value)            direct value address of that array map
 *                                    + the second half's imm (< value_size)
 *   src 4     (function)             address of the xlated slot i + 1 + imm
 *   src 3     (BTF id, ksyms)        refused
 * and records the maps' direct-value storage (prog->dv) for checked runs.
 * Returns 0, -ENOMEM, or -EINVAL / -EOPNOTSUPP with a log line naming the
 * instruction.
 */
int bxv_prog_xlate(struct bpfbox_prog *prog);

/* Is this license string GPL-compatible (as the kernel decides)? */
bool bxv_license_is_gpl(const char *license);

/* ---- one run ------------------------------------------------------------------ */

#define BXV_MAX_REGIONS 32
#define BXV_MAX_DV_REGIONS 16   /* of those, at most this many for global data */

/* A piece of memory a checked-mode program may access besides its stack
 * and its ctx. */
struct bxv_region {
	uint64_t lo;
	uint64_t len;
	bool writable;
	/* If set, [lo, lo+len) is not used: an access is allowed when it lies
	 * inside one value of this map's element storage (bxm_value_ok()), so
	 * one region covers every element a hash map can hand out. */
	const struct bpfbox_map *map;
};

struct bpfbox_call {
	struct bpfbox_vm *vm;
	struct bpfbox_prog *prog;
	void *helper_ctx;            /* of the helper being called */
	void *ctx;                   /* the run's ctx (r1 at entry) */
	uint64_t ctx_size;
	int err;                     /* set by bpfbox_call__abort() */
	bool checked;                /* checked mode */
	unsigned depth;              /* frames in use, 1 = main only */
	uint64_t stack_top;          /* r10 of the main frame */
	uint64_t stack_lo;           /* bottom of the deepest frame in use */
	uint64_t budget;             /* checked: instructions still allowed */
	uint64_t max_insns;          /* checked: the whole budget */
	uint32_t cpu;                /* simulated CPU of this run (< vm->nr_cpus) */
	const struct bpfbox_task *task; /* whom the run serves: opts->task, or NULL until
					 * bxv_call_task() fills `self` (use that) */
	struct bpfbox_task self;     /* storage when the run names no task */
	struct bpfbox_prog *tail_target; /* set by bxv_tail_call(); taken after the helper returns */
	uint32_t tail_cnt;           /* tail calls taken so far in this run */
	uint32_t may_goto_used;      /* may_goto passes so far in this run (< BX_MAX_LOOPS) */
	void *hook;                  /* hooks: internal state of the context (e.g. the xdp_buff) */
	bool jit;                    /* running native code (callbacks run native too) */
	uint64_t jit_sp;             /* JIT: native stack pointer of the innermost entry */
	uint64_t jit_rlo, jit_rlen;  /* checked JIT: the writable region an access last hit */
	unsigned nregions;
	struct bxv_region regions[BXV_MAX_REGIONS];
};

#define BXV_MAX_TAIL_CALLS 33        /* MAX_TAIL_CALL_CNT */

/*
 * From inside a helper (bpf_tail_call): once the helper returns, continue
 * in `target` from its first instruction, in the current frame, with the
 * same r1 (ctx) and stack; the frame's caller gets its r0 when it exits.
 * Returns 0 if the tail call will happen, -E2BIG if this run already took
 * BXV_MAX_TAIL_CALLS (the helper then returns its error to the program,
 * which continues, as in the kernel). As the kernel, an attempt on an
 * empty slot still counts: call it with target NULL (returns -ENOENT, no
 * jump). -EINVAL: target belongs to another vm.
 */
int bxv_tail_call(struct bpfbox_call *call, struct bpfbox_prog *target);

/*
 * Allow a checked-mode program to access [ptr, ptr+len) (read, and write
 * if `writable`) for the rest of this run. Meant for helpers that hand out
 * pointers, e.g. a map lookup: register the whole backing block of the
 * map once rather than each element. A region already covered is not
 * added twice. Returns 0, -EINVAL (len 0 or wraps) or -ENOSPC (more than
 * BXV_MAX_REGIONS). In trusted mode it does nothing and returns 0.
 */
int bxv_run_add_region(struct bpfbox_call *call, const void *ptr, size_t len,
		       bool writable);

/*
 * Allow a checked-mode program to access the values of map `m` (those a
 * lookup can hand out, wherever they are in its storage) for the rest of
 * this run: one region per map however many elements are used. Returns
 * 0 or -ENOSPC; does nothing in trusted mode.
 */
int bxv_run_add_map(struct bpfbox_call *call, const struct bpfbox_map *m, bool writable);

/*
 * From inside a helper: run the subprogram of the running program that
 * starts at slot `insn_idx` (e.g. a bpf_loop callback) in a fresh frame,
 * with r1..r5, in the run's mode. Returns 0 and sets *r0, or a negative
 * errno; on error the run is stopped (as by bpfbox_call__abort()) once the
 * helper returns. -EINVAL: insn_idx is no instruction of the program;
 * -E2BIG: no frame left.
 */
int bxv_call_subprog(struct bpfbox_call *call, uint32_t insn_idx, uint64_t r1,
		     uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		     uint64_t *r0);

/* Does a run in `mode` bound-check everything (an unverified program in
 * BPFBOX_RUN_AUTO, or BPFBOX_RUN_CHECKED)? */
bool bxv_run_checked(const struct bpfbox_prog *prog, enum bpfbox_run_mode mode);

/* Are mode and engine (from a caller's options) known values? 0, or
 * -EINVAL logged against prog. The one check for every run entry. */
int bxv_check_run_opts(const struct bpfbox_prog *prog, enum bpfbox_run_mode mode,
		       enum bpfbox_engine engine);

/*
 * Does a run with `engine` (checked or not) use native code? Compiles the
 * program now if it will. Returns 1 (JIT), 0 (interpreter) or a negative
 * errno (logged) when the JIT is demanded but cannot be had. The one rule
 * for bxv_prog_run() and the hooks that call the engines directly.
 */
int bxv_pick_jit(struct bpfbox_prog *prog, enum bpfbox_engine engine, bool checked);

/*
 * The run entry for hooks (src/progtype, src/pkt, src/trace): run `prog` once as bpfbox_prog__run()
 * does (same options, same results), with call->hook = `hook` and, in
 * checked mode, the `nregions` regions (e.g. the packet buffer) registered
 * before the first instruction. bpfbox_prog__run() is
 * bxv_prog_run(prog, opts, NULL, NULL, 0). Returns 0, or a negative errno
 * (-ENOSPC if more than BXV_MAX_REGIONS regions are needed).
 */
int bxv_prog_run(struct bpfbox_prog *prog, struct bpfbox_run_opts *opts, void *hook,
		 const struct bxv_region *regions, unsigned nregions);

/*
 * From inside a helper: turn a callback value (what lddw src=4 put in a
 * register: the address of an xlated slot of the running program) back
 * into its instruction index, for bxv_call_subprog(). Returns 0, or
 * -EINVAL (logged) if fnptr is not the start of an instruction of the
 * running program.
 */
int bxv_func_idx(const struct bpfbox_call *call, uint64_t fnptr, uint32_t *insn_idx);

/* The task the run serves: opts->task, or the calling thread (filled on
 * first use, so runs that never ask pay nothing). Never NULL. */
const struct bpfbox_task *bxv_call_task(struct bpfbox_call *call);

/* Does [a, a+sz) lie in memory the checked program may access? */
bool bxv_mem_ok_slow(const struct bpfbox_call *c, uint64_t a, uint64_t sz, bool write);

static inline bool bxv_mem_ok(const struct bpfbox_call *c, uint64_t a, uint64_t sz,
			      bool write)
{
	if (a - c->stack_lo <= c->stack_top - c->stack_lo - sz)
		return true;
	if (sz <= c->ctx_size && a - (uint64_t)(uintptr_t)c->ctx <= c->ctx_size - sz)
		return true;
	return bxv_mem_ok_slow(c, a, sz, write);
}

/* ---- the interpreter (interp.c) ----------------------------------------------- */

/* The trusted interpreter's label table, indexed by enum bx_op (for
 * struct bxv_insn.lbl). */
const void *const *bxv_interp_labels(void);

/* Run from slot `start` with r1..r5 = args and r10 = fp, in the mode of
 * `call`. Returns 0 and *r0, or a negative errno (logged). */
int bxv_interp_run(struct bpfbox_call *call, uint32_t start, const uint64_t args[5],
		   uint64_t fp, uint64_t *r0);

#endif /* BXV_VM_INTERNAL_H */
