/*
 * verifier.h - the path-sensitive verifier (modelled on the kernel's
 * kernel/bpf/verifier.c): its environment, register and stack state, and
 * the passes, one file per concern:
 *
 *   verifier.c  entry point bxr_verify() and the pass pipeline, do_check
 *   cfg.c       subprograms, CFG checks, reachability, liveness, stack depth
 *   tnum.c      tristate numbers (kernel/bpf/tnum.c)
 *   range.c     scalar bounds: 64/32-bit, sync and deduce (reg_bounds_sync)
 *   alu.c       ALU on scalars and pointers (driven by the FMT/SEM columns)
 *   jmp.c       conditional jumps: dead branches, refinement, null checks,
 *               packet ranges
 *   mem.c       loads, stores and atomics against every memory region
 *   calls.c     helper calls, bpf-to-bpf calls, callbacks, references
 *   state.c     verifier states, copies, pruning (regsafe / stacksafe)
 *   log.c       the kernel-style log and the error report
 *
 *   precise.c   precision tracking: backtracking over the instruction
 *               history marks the scalars whose value mattered
 *   btf_access.c BTF-typed pointers (PTR_TO_BTF_ID): tracing and lsm
 *               programs' arguments and the kernel objects they point to,
 *               checked against the kernel BTF
 *
 *   unpriv.c    the rules for an unprivileged loader (opts->unpriv)
 *
 * Simplifications (all sound): by default the
 * verifier assumes a privileged (root) loader, as the kernel with
 * CAP_BPF + CAP_PERFMON (reading uninitialised stack gives an unknown
 * number); env->unpriv applies the kernel's unprivileged rules. Register liveness (for pruning) is a static backward analysis.
 * The context rewriting that follows verification (src/progtype, through
 * ctx_flow.c) must agree with the walk on which accesses go through the
 * context; programs where it would not are rejected (verifier.c).
 */
#ifndef BXR_VERIFIER_H
#define BXR_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "isa/isa.h"
#include "vm/vm_internal.h"

/* Load a program's verification: 0 = verified (trusted runs are safe),
 * 1 = accepted but unproven (it calls an embedder helper that has no
 * prototype: run it checked), < 0 = rejected (-EACCES / -EINVAL / -E2BIG,
 * the report is in the log). */
int bxr_verify(struct bpfbox_prog *prog, const struct bpfbox_prog_opts *opts);

/* ---- tnum ------------------------------------------------------------------ */

struct bxr_tnum {
	uint64_t value;
	uint64_t mask;
};

#define BXR_TNUM_UNKNOWN ((struct bxr_tnum){ 0, ~0ull })
struct bxr_tnum bxr_tnum_const(uint64_t v);
struct bxr_tnum bxr_tnum_range(uint64_t min, uint64_t max);
struct bxr_tnum bxr_tnum_add(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_sub(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_and(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_or(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_xor(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_mul(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_lshift(struct bxr_tnum a, uint8_t shift);
struct bxr_tnum bxr_tnum_rshift(struct bxr_tnum a, uint8_t shift);
struct bxr_tnum bxr_tnum_arshift(struct bxr_tnum a, uint8_t min_shift, uint8_t insn_bitness);
struct bxr_tnum bxr_tnum_intersect(struct bxr_tnum a, struct bxr_tnum b);
struct bxr_tnum bxr_tnum_cast(struct bxr_tnum a, uint8_t size);
struct bxr_tnum bxr_tnum_subreg(struct bxr_tnum a);
struct bxr_tnum bxr_tnum_clear_subreg(struct bxr_tnum a);
struct bxr_tnum bxr_tnum_with_subreg(struct bxr_tnum reg, struct bxr_tnum subreg);
bool bxr_tnum_in(struct bxr_tnum a, struct bxr_tnum b);   /* b ⊆ a */
bool bxr_tnum_is_aligned(struct bxr_tnum a, uint64_t size);
static inline bool bxr_tnum_is_const(struct bxr_tnum a) { return !a.mask; }
int bxr_tnum_str(char *buf, size_t n, struct bxr_tnum a);

/* ---- register state ---------------------------------------------------------- */

enum bxr_type {
	BXR_NOT_INIT = 0,
	BXR_SCALAR,
	BXR_CTX,          /* the program's context */
	BXR_MAP_PTR,      /* CONST_PTR_TO_MAP: aux = map index */
	BXR_MAP_VALUE,    /* aux = map index */
	BXR_MAP_KEY,      /* for_each_map_elem callback key: aux = map index */
	BXR_STACK,        /* frameno = frame */
	BXR_PKT,
	BXR_PKT_META,
	BXR_PKT_END,
	BXR_MEM,          /* sized memory (ringbuf record): aux = size */
	BXR_FUNC,         /* callback address: aux = subprog start insn */
	BXR_BTF_ID,       /* PTR_TO_BTF_ID: a kernel object; aux = its struct's
			   * type id in env->btf (btf_access.c) */
	BXR__TYPES
};

#define BXR_ID_ADD_CONST 0x80000000u

/* packet pointers' range when a comparison put them at or beyond the end */
#define BXR_AT_PKT_END (-1)
#define BXR_BEYOND_PKT_END (-2)

#define BXR_MAYBE_NULL 0x1u   /* ..._or_null: must be null-checked */
#define BXR_RDONLY     0x2u   /* read-only memory (.rodata) */
#define BXR_RINGBUF    0x4u   /* MEM: a ringbuf record */
#define BXR_TRUSTED    0x8u   /* BTF_ID: PTR_TRUSTED */
#define BXR_UNTRUSTED  0x10u  /* BTF_ID: PTR_UNTRUSTED (MEM: a walked non-struct pointer) */
#define BXR_RCU        0x20u  /* BTF_ID: MEM_RCU */

struct bxr_reg {
	uint8_t type;              /* enum bxr_type */
	uint8_t flags;             /* BXR_MAYBE_NULL, ... */
	uint8_t frameno;           /* STACK: which frame */
	uint8_t precise;           /* scalars: its exact value mattered (precise.c) */
	int32_t off;               /* pointers: fixed offset */
	int32_t range;             /* PKT, PKT_META: bytes known beyond the base */
	uint32_t aux;              /* map index / mem size / subprog insn */
	uint32_t id;               /* null checks, packet ids, linked scalars
				    * (scalars: | BXR_ID_ADD_CONST when the value
				    * is its linked copies' plus `off`) */
	uint32_t ref_obj_id;       /* acquired reference (ringbuf record) */
	struct bxr_tnum var;       /* scalars: the value; pointers: variable offset */
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max;
	uint32_t u32min, u32max;
};

/* stack slot byte states */
enum { BXR_ST_INVALID = 0, BXR_ST_SPILL, BXR_ST_MISC, BXR_ST_ZERO };

struct bxr_slot {
	uint8_t st[8];             /* st[k]: byte fp - 8*(j+1) + k */
	struct bxr_reg spill;      /* valid if st[0] == SPILL: the bytes marked SPILL
				    * (all 8, or the low ones of a narrow scalar
				    * spill) hold the low bytes of this register */
};

#define BXR_NSLOTS (BX_STACK_SIZE / 8)
#define BXR_MAX_REFS 32

struct bxr_func {
	struct bxr_reg regs[BX_NREGS];
	int callsite;              /* insn of the call (-1: main) */
	int subprog;               /* index in env->subprogs */
	uint8_t cb;                /* 0, or the helper that calls it back (181, 164) */
	int nslots;                /* slots in use (allocated) */
	struct bxr_slot stack[BXR_NSLOTS]; /* stack[j]: bytes [fp-8(j+1), fp-8j) */
};

/* one entry of a state's instruction history (the kernel's jmp history):
 * insn idx was reached from prev; flags: a fixed-offset stack access
 * (frame, slot) or the linked scalars a branch refined together */
struct bxr_hist {
	int idx, prev;
	uint32_t flags;            /* BXR_H_STACK | frame << 8 | slot << 16 */
	uint64_t linked;           /* up to 6 packed (is_reg, frame, index) of 10 bits */
};
#define BXR_H_STACK 1u

struct bxr_state {
	struct bxr_func *frame[BX_MAX_CALL_DEPTH];
	int curframe;
	int insn;                  /* where this state was saved / continues */
	int from;                  /* pushed branches: the jump that made them */
	int nrefs;
	struct { uint32_t id; int insn; } refs[BXR_MAX_REFS];
	struct bxr_state *parent;  /* explored state this path descends from */
	uint32_t may_goto_depth;   /* may_goto fall-throughs taken on this path */
	uint32_t branches;         /* unfinished paths below (explored states) */
	uint32_t hit, miss;
	bool evicted;              /* no longer in an explored list (env->limbo) */
	struct bxr_state *next;    /* explored list at one insn */
	int first_insn, last_insn; /* insns this state covers (precision backtracking) */
	struct bxr_hist *hist;     /* jumps and stack accesses since first_insn */
	uint32_t nhist, caphist;
};

/* ---- environment ---------------------------------------------------------------- */

struct bxr_map {
	const struct bpfbox_map *map;  /* NULL for an inner-map template */
	uint32_t type, key_size, value_size, max_entries, flags;
	int inner;                     /* map-in-map: index of the inner template, or -1 */
	char name[24];
};

struct bxr_subprog {
	int start;
	int end;                   /* one past the last insn */
	int stack_depth;           /* bytes used (max over paths) */
	bool has_tail_call;
	/* holds LD_ABS / LD_IND or a tail call (found statically, the kernel's
	 * has_abnormal_return): it can return another r0 than its exit's */
	bool abnormal_ret;
	bool is_cb;
	/* a global function (BTF): verified on its own once called */
	bool global, called, verified;
	uint8_t nargs;
	uint8_t arg[5];            /* enum bpfbox_func_arg */
	uint32_t arg_size[5];
	const char *name;
};

struct bxr_aux {
	uint8_t prune;             /* a pruning point */
	uint8_t seen;              /* visited by the verifier */
	uint8_t cb_call;           /* helper call with a callback */
	uint16_t live;             /* registers live at entry (bit r) */
	uint8_t jmp_point;         /* reached by a jump: recorded in the history */
	uint8_t force_ckpt;        /* always save a state here (callback calls) */
	uint8_t ptr_type;          /* loads/stores: base register type seen first */
	int16_t subprog;
	uint8_t alu_state;         /* unpriv: the Spectre-v1 masking of this pointer
				    * arithmetic (unpriv.c), the same on every path */
	uint32_t alu_limit;
	struct bxr_state *explored; /* states saved here */
};

struct bxr_elem {              /* a branch still to explore */
	struct bxr_state *st;
};

#define BXR_MAX_SUBPROGS 256
#define BXR_MAX_MAPS 64

struct bxr_env {
	struct bpfbox_prog *prog;
	const struct bpfbox_insn *insns;
	const int16_t *ops;
	int cnt;
	uint32_t prog_type;
	const struct bpfbox_prog_opts *opts;
	const struct bx_log *log;
	struct bxr_aux *aux;
	struct bxr_subprog subprogs[BXR_MAX_SUBPROGS];
	int nsub;
	struct bxr_map maps[BXR_MAX_MAPS];
	int nmaps;
	struct bxr_state *cur;
	struct bxr_elem *stack;    /* branches to explore */
	int nstack, capstack;
	int insn;                  /* instruction being verified */
	int prev_insn;             /* the insn processed before env->insn */
	int hist_cur;              /* the history entry of env->insn, or -1 */
	uint64_t jmps_processed, prev_jmps_processed, prev_insn_processed;
	struct bxr_state *limbo;   /* evicted states children may still point to */
	uint32_t id_gen;
	uint64_t insn_processed;
	uint64_t states_total;
	uint64_t states_cur, states_peak; /* explored states kept now, at most */
	size_t state_bytes;        /* memory of the explored states */
	bool unproven;             /* calls a helper without a prototype, or
				    * reads kernel objects (BTF-typed pointers) */
	/* BTF-typed programs (btf_access.c): the kernel BTF, the attach
	 * target's name and FUNC_PROTO, how many arguments it has (tp_btf:
	 * without the leading void *) and the first one's index */
	const struct bpfbox_btf *btf;
	const char *attach_name;
	uint32_t attach_proto;
	int attach_nargs, attach_arg0;
	bool allow_uninit_stack;
	/* opts->unpriv: the kernel's rules for a loader without CAP_BPF /
	 * CAP_PERFMON (its allow_ptr_leaks, bypass_spec_v1/v4,
	 * allow_uninit_stack and bpf_capable all false); see bxr_unpriv_* */
	bool unpriv;
	bool explore_alu_limits;   /* unpriv: a pointer moved by an unknown scalar (unpriv.c) */
	bool helper_access;        /* checking a helper's memory argument (no alignment rule) */
	int walk_sub;              /* the function whose own walk runs: 0 main, or a global one */
	bool tail_call_seen;
	int max_states_per_insn;
	/* log */
	char *lbuf;
	size_t lsize, llen;
	uint32_t level;
	/* the error */
	bool failed;
	int err_insn;
	int err_regs[3];
	char reason[512];
	char kmsg[384];
	char hint[256];
};


/* ---- the SEM column as data (enum bxr_sem, bxr_sem_of[op]) ----------------------- */

#define BXR_SEM_LIST(S) \
  S(_) S(ADD) S(SUB) S(MUL) S(DIV) S(SDIV) S(OR) S(AND) S(LSH) S(RSH) S(NEG) S(MOD) \
  S(SMOD) S(XOR) S(MOV) S(ARSH) S(S8) S(S16) S(S32) S(SWAP) S(LE) S(BE) S(EQ) S(GT) \
  S(GE) S(SET) S(NE) S(SGT) S(SGE) S(LT) S(SLT) S(SLE) S(HELPER) S(LOCAL) S(KFUNC) \
  S(IMM64) S(MAP_FD) S(MAP_VALUE) S(BTF_ID) S(FUNC) S(MAP_IDX) S(MAP_IDX_VALUE)

enum bxr_sem {
#define BXR__S(n) BXR_S_##n,
	BXR_SEM_LIST(BXR__S)
#undef BXR__S
};

/* the SEM of every op, generated from insn_table.h (alu.c) */
extern const uint8_t bxr_sem_of[BX_OP__COUNT];

/* ---- the passes and their parts ----------------------------------------------------- */

/* log.c */
void bxr_log(struct bxr_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reject: kernel message (kmsg) and plain reason; returns -EACCES. Only the first
 * call counts. regs: up to 2 registers to show (-1: none). */
int bxr_reject(struct bxr_env *env, int err, int r1, int r2, const char *kmsg_fmt, ...)
	__attribute__((format(printf, 5, 6)));
void bxr_reason(struct bxr_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bxr_hint(struct bxr_env *env, const char *text);
const char *bxr_type_str(const struct bxr_reg *r);
int bxr_reg_str(struct bxr_env *env, char *buf, size_t n, const struct bxr_reg *r);
void bxr_log_insn(struct bxr_env *env, int i);
void bxr_log_state(struct bxr_env *env, const char *prefix);
void bxr_report(struct bxr_env *env);

/* cfg.c */
int bxr_check_cfg(struct bxr_env *env);
int bxr_check_reserved(struct bxr_env *env);
int bxr_check_reserved_at(struct bxr_env *env, int i);
int bxr_check_func_info(struct bxr_env *env);
int bxr_compute_liveness(struct bxr_env *env);
int bxr_check_stack_depth(struct bxr_env *env);
int bxr_subprog_of(const struct bxr_env *env, int insn);

/* range.c */
void bxr_mark_unknown(struct bxr_reg *r);
void bxr_mark_const(struct bxr_reg *r, uint64_t v);
void bxr_mark_not_init(struct bxr_reg *r);
void bxr_reset_bounds_unknown(struct bxr_reg *r);
void bxr_bounds_sync(struct bxr_reg *r);
void bxr_bounds_from_var(struct bxr_reg *r);
bool bxr_bounds_sane(const struct bxr_reg *r);
bool bxr_is_const(const struct bxr_reg *r);
void bxr_zext32(struct bxr_reg *r);
void bxr_sext(struct bxr_reg *r, int bytes);
void bxr_coerce_sx(struct bxr_reg *r, int bytes);          /* kernel: coerce_reg_to_size_sx */
void bxr_coerce_subreg_sx(struct bxr_reg *r, int bytes);   /* kernel: coerce_subreg_to_size_sx */
void bxr_trunc(struct bxr_reg *r, int bytes);
void bxr_mark_ptr(struct bxr_reg *r, int type);

/* alu.c */
int bxr_check_alu(struct bxr_env *env, const struct bpfbox_insn *in, int op);
void bxr_scalar_add_const(struct bxr_reg *r, int64_t v);
void bxr_assign_id(struct bxr_env *env, struct bxr_reg *r);
int bxr_reg_width(const struct bxr_reg *r);

/* jmp.c */
int bxr_check_cond_jmp(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next);
int bxr_check_may_goto(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next);

/* btf_access.c: BTF-typed pointers (the kernel's btf_ctx_access,
 * btf_struct_walk / check_ptr_to_btf_access) */
int bxr_btf_init(struct bxr_env *env);
bool bxr_btf_ctx(const struct bxr_env *env);
int bxr_btf_ctx_access(struct bxr_env *env, int regno, int off, int size, bool write,
		       int value_regno, bool sx);
int bxr_btf_access(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off, int size,
		   bool write, int value_regno, bool sx);
uint32_t bxr_btf_find_struct(const struct bxr_env *env, const char *name);
const char *bxr_btf_name(const struct bxr_env *env, uint32_t id);

/* mem.c */
int bxr_check_mem(struct bxr_env *env, int regno, int off, int size, bool write,
		  int value_regno, bool sx, bool atomic);
int bxr_check_ldst(struct bxr_env *env, const struct bpfbox_insn *in, int op);
int bxr_check_ld_abs(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next);
int bxr_check_lddw(struct bxr_env *env, const struct bpfbox_insn *in);
int bxr_check_helper_mem(struct bxr_env *env, int regno, int64_t size, bool zero_ok,
			 bool write, bool uninit);
void bxr_update_stack_depth(struct bxr_env *env, int frameno, int off);

/* calls.c */
int bxr_check_helper_call(struct bxr_env *env, const struct bpfbox_insn *in);
int bxr_check_local_call(struct bxr_env *env, const struct bpfbox_insn *in, int *next);
int bxr_check_exit(struct bxr_env *env, int *next, bool *done);
int bxr_check_ref_leak(struct bxr_env *env);

/* state.c */
struct bxr_state *bxr_state_new(void);
void bxr_state_free(struct bxr_state *st);
struct bxr_state *bxr_state_ancestor_at(struct bxr_state *from, int insn, int curframe);
struct bxr_state *bxr_state_copy(const struct bxr_state *src);
struct bxr_func *bxr_func_new(int callsite, int subprog);
int bxr_push_branch(struct bxr_env *env, int insn);
struct bxr_state *bxr_pop_branch(struct bxr_env *env);
void bxr_path_done(struct bxr_env *env, struct bxr_state *st);
int bxr_is_state_visited(struct bxr_env *env, int insn, bool *prune);
void bxr_free_all(struct bxr_env *env);
/* the frame / registers of the current state */
static inline struct bxr_func *bxr_curf(struct bxr_env *env)
{
	return env->cur->frame[env->cur->curframe];
}
static inline struct bxr_reg *bxr_regs(struct bxr_env *env)
{
	return bxr_curf(env)->regs;
}
/* precise.c: precision tracking (mark_chain_precision) */
int bxr_push_hist(struct bxr_env *env, struct bxr_state *st, uint32_t flags, uint64_t linked);
int bxr_mark_precise(struct bxr_env *env, int regno);
int bxr_mark_precise_slot(struct bxr_env *env, int frameno, int slot);
uint64_t bxr_linked(const struct bxr_state *st, uint32_t id, uint32_t id2);
int bxr_propagate_precision(struct bxr_env *env, const struct bxr_state *old, int insn);
/* for every register and spilled register of every frame */
void bxr_for_each_reg(struct bxr_state *st, void (*fn)(struct bxr_reg *r, void *arg), void *arg);

/* unpriv.c: the rules for an unprivileged loader (env->unpriv) */
struct bxr_sanitize {
	bool left;
	uint32_t state, limit;
};
int bxr_unpriv_check_prog_type(struct bxr_env *env);
int bxr_unpriv_check_prog(struct bxr_env *env);
bool bxr_unpriv_helper_ok(const struct bxr_env *env, uint32_t id);
int bxr_unpriv_sanitize(struct bxr_env *env, const struct bpfbox_insn *in, const struct bxr_reg *ptr,
			const struct bxr_reg *off, bool off_is_dst, bool commit, struct bxr_sanitize *st);
int bxr_unpriv_check_bounds(struct bxr_env *env, int regno, const struct bxr_reg *r);
/* a pointer an unprivileged program may not leak (the kernel's is_pointer_value) */
static inline bool bxr_leaks(const struct bxr_env *env, const struct bxr_reg *r)
{
	return env->unpriv && r->type != BXR_NOT_INIT && r->type != BXR_SCALAR;
}

/* common checks */
int bxr_check_reg_read(struct bxr_env *env, int regno);
int bxr_check_reg_write(struct bxr_env *env, int regno);
static inline bool bxr_is_ptr(const struct bxr_reg *r)
{
	return r->type != BXR_NOT_INIT && r->type != BXR_SCALAR;
}
static inline bool bxr_is_pkt(const struct bxr_reg *r)
{
	return r->type == BXR_PKT || r->type == BXR_PKT_META;
}

#define BXR_MAX_VAR_OFF (1ll << 29)
#define BXR_MAX_PACKET_OFF 0xffff
#define BXR_COMPLEXITY_LIMIT 1000000
#define BXR_MAX_STATE_BYTES (256u << 20)

#endif /* BXR_VERIFIER_H */
