/*
 * jit_int.h - what the parts of the x86-64 JIT share: the compiled image,
 * the code generator's state and labels (see docs/JIT.md).
 *
 * Layout of an image:
 *
 *   [ prologue / epilogue ][ insn 0 ... insn cnt-1 ][ shared stubs ][ per-site stubs ]
 *
 * The entry (offset 0) is a C function
 *   int entry(struct bpfbox_call *call, const void *start, const uint64_t args[5],
 *             uint64_t fp, uint64_t *r0)
 * that saves the callee-saved registers, loads the eBPF registers and
 * `call`s `start`: every eBPF exit is a `ret`, so exits of subprograms and
 * of the main program are the same instruction.
 */
#ifndef BXJ_JIT_INT_H
#define BXJ_JIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "jit.h"
#include "vm/vm_internal.h"

typedef int (*bxj_entry_fn)(struct bpfbox_call *call, const void *start, const uint64_t *args,
			    uint64_t fp, uint64_t *r0);

struct bxj_image {
	uint8_t *map;           /* the mapping (read+execute) */
	size_t map_len;         /* bytes mapped */
	uint8_t *code;          /* the image, at a random 64-byte multiple inside map */
	size_t len;             /* bytes of code */
	uint32_t *addrs;        /* cnt + 1 offsets: start of each slot's code, end of body */
	uint8_t *entry;         /* per slot: code may be entered there (a jump target) */
	size_t cnt;
	uint64_t compile_ns;
};

/* labels beyond the instructions (index cnt is the end of the body) */
enum {
	BXJ_L_EPI = 1,          /* epilogue: restore and return eax */
	BXJ_L_STOP_ERR,         /* stop with call->err */
	BXJ_L_STOP_EAX,         /* stop with the error in eax */
	BXJ_L_EXIT0,            /* end the run with r0 = 0 (legacy packet load out of bounds) */
	BXJ_L_TAIL,             /* a helper asked for a tail call */
	BXJ_L_ERR,              /* log an error (esi kind, edx insn, rcx value) and stop */
	BXJ_L_MEMCHK,           /* checked JIT: bxj_mem_check() for a memory stub */
	BXJ_L__SHARED
};

/* error kinds for bxj_error() */
enum { BXJ_E_DEPTH = 1, BXJ_E_CALLX, BXJ_E_KFUNC, BXJ_E_BUDGET };

/* One per-site stub: a cold path that names the instruction. */
struct bxj_site {
	uint32_t insn;
	uint8_t kind;
	uint8_t reg;            /* eBPF register whose value goes to rcx */
	uint8_t mem;            /* checked JIT: 1 memory access, 2 atomic (jit_checked.c) */
	uint32_t info;          /* memory: what bxj_mem_check() gets */
	uint32_t back;          /* memory: offset of the access to return to (this pass) */
};

/* what bxj_analyse() knows of a slot (bxj_gen.info) */
#define BXJ_I_TARGET 1u         /* entered other than from the slot before: no fusion into it */
#define BXJ_I_ENTRY  2u         /* a function's first slot (main, local call, callback) */
#define BXJ_I_LOOP   4u         /* target of a backward jump: placed by bxj_loop_pad() */

struct bxj_gen {
	struct bxj_buf b;
	const struct bpfbox_prog *prog;
	size_t cnt;
	bool checked;           /* the checked JIT's code (jit_checked.c) */
	uint32_t *charge;       /* checked: per slot, the budget entering it costs */
	uint32_t *lab;          /* this pass: label offsets (cnt + 1 + BXJ_L__SHARED + cnt) */
	uint32_t *prev;         /* the previous pass */
	bool first;             /* first pass: every jump is long */
	bool force_long;        /* no convergence: long jumps only */
	struct bxj_site *sites;
	size_t nsites;
	uint8_t *info;          /* per slot: BXJ_I_* */
	uint16_t *upz;          /* per slot: eBPF registers whose upper 32 bits are zero on entry */
	uint32_t *loop_end;     /* per loop head: the slot after its last backward jump */
	uint16_t *live;         /* per slot: eBPF registers live after it */
	size_t skip;            /* slots still covered by the last fused sequence */
	int zf;                 /* register whose value ZF reflects after this slot (| 0x100:
				 * a 64-bit result), -1: none */
	int zf_prev;            /* the same after the previous slot */
};

/* hardware register of each eBPF register (r0..r10) */
extern const uint8_t bxj_reg[BX_NREGS];

/* label index of a shared stub / a per-site stub */
static inline size_t bxj_lbl(const struct bxj_gen *g, int shared)
{
	return g->cnt + (size_t)shared;
}

/* jmp (cc < 0) or jcc to label `l` */
void bxj_jump(struct bxj_gen *g, int cc, size_t l);
/* a jcc to a new per-site error stub for instruction `insn` */
void bxj_jump_site(struct bxj_gen *g, int cc, uint32_t insn, int kind, int reg);

/* jit_peep.c: jump targets and upper-half facts (g->info, g->upz) */
int bxj_analyse(struct bxj_gen *g);
/* jit_peep.c: nop bytes to put before loop head i at the current offset */
size_t bxj_loop_pad(const struct bxj_gen *g, size_t i);
/* jit_peep.c: fused code from slot i on; the number of further slots covered */
size_t bxj_peep(struct bxj_gen *g, size_t i);

/* jit_x86.c: the body of instruction i */
void bxj_gen_insn(struct bxj_gen *g, size_t i);
/* jit_call.c: calls, exit, prologue and stubs */
void bxj_gen_call(struct bxj_gen *g, size_t i, const struct bxv_insn *x, int sem);
void bxj_gen_callx(struct bxj_gen *g, size_t i, const struct bxv_insn *x);
void bxj_gen_prologue(struct bxj_gen *g);
void bxj_gen_stubs(struct bxj_gen *g);

/* jit_checked.c: the checked JIT (see there) */
int bxj_checked_charges(struct bxj_gen *g);
void bxj_checked_charge(struct bxj_gen *g, size_t i);
void bxj_mem_addr(struct bxj_gen *g, size_t i, int ereg, int32_t off, int sz, bool write,
		  bool atomic, int *base, int32_t *disp);
void bxj_checked_mem_stub(struct bxj_gen *g, const struct bxj_site *s);
void bxj_checked_shared_stub(struct bxj_gen *g);
/* Is [addr, addr + size) accessible (and an atomic aligned)? 0, or -EFAULT
 * with the checked interpreter's message. info: see jit_checked.c. */
int bxj_mem_check(struct bpfbox_call *call, uint64_t addr, uint64_t info);

/* run-time entries called from the code */
int bxj_error(struct bpfbox_call *call, int kind, uint32_t insn, uint64_t value);
const void *bxj_tail_enter(struct bpfbox_call *call, uint64_t *saved, uint64_t fp);

#endif /* BXJ_JIT_INT_H */
