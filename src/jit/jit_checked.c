/*
 * jit_checked.c - the checked JIT: what the x86-64 code of a checked run
 * adds to the trusted code (see docs/JIT.md, "The checked JIT").
 *
 *  - Memory. Every load, store and atomic first computes its address into
 *    r11 and checks it inline against the current frame ([stack_lo,
 *    stack_lo + 512): one subtraction and one compare); an access through
 *    r10 (read-only, so always the current frame) with an offset inside
 *    its frame needs no check at all. A miss goes to the access's cold
 *    stub, which tries the range an access last hit outside the stack
 *    (call->jit_rlo/len: the ctx at first, then e.g. the packet), every
 *    frame in use ([stack_lo, stack_top): the callers' frames), the ctx
 *    ([ctx, ctx + ctx_size)), and then calls bxj_mem_check() for the helper-registered regions (map
 *    values, global data, packets): the checked interpreter's
 *    bxv_mem_ok(), so the same accesses pass and the same ones fault,
 *    with its message. Atomics must also be aligned (always through
 *    bxj_mem_check()).
 *  - Budget. Instead of one unit per instruction, each loop head charges
 *    the length of its loop (slots from the head to its last back-edge)
 *    and each function entry (main, bpf-to-bpf callee, callback, tail-call
 *    target) the length of its function, from call->budget; a charge
 *    larger than what is left stops the run with the interpreter's
 *    message at that slot. Straight-line code needs no count: without a
 *    back-edge or a call it cannot run longer than the program is.
 *  - Calls: the depth limit, callx and tail calls are the trusted code's
 *    (those checks are always there).
 */
#include <errno.h>
#include <stdlib.h>

#include "jit_int.h"

#if defined(__x86_64__)

#define CALL_OFF(field) ((int32_t)offsetof(struct bpfbox_call, field))

/* what a memory stub passes to bxj_mem_check() (pushed as an imm32) */
#define MI_LOG2SZ(v)  ((v) & 3)
#define MI_ATOMIC     4u
#define MI_WRITE      8u
#define MI_REG(v)     (((v) >> 4) & 15)
#define MI_INSN(v)    ((v) >> 8)

/*
 * bxj_checked_charges - g->charge[i]: what entering slot i costs in a
 * checked run (0: nothing): a loop head its loop's length, a function's
 * first slot its function's length (a function ends where the next one
 * starts), the larger of the two when a slot is both.
 */
int bxj_checked_charges(struct bxj_gen *g)
{
	size_t cnt = g->cnt, end = cnt;

	g->charge = calloc(cnt + 1, sizeof(*g->charge));
	if (!g->charge)
		return -ENOMEM;
	for (size_t i = cnt; i-- > 0;) {
		uint32_t c = 0;

		if (g->info[i] & BXJ_I_LOOP)
			c = g->loop_end[i] - (uint32_t)i;
		if (g->info[i] & BXJ_I_ENTRY) {
			if (end - i > c)
				c = (uint32_t)(end - i);
			end = i;
		}
		g->charge[i] = c;
	}
	return 0;
}

/*
 * bxj_checked_charge - at the start of slot i: take its charge from the
 * budget, or stop (per-site stub: "the instruction budget ... is
 * exhausted" at insn i).
 */
void bxj_checked_charge(struct bxj_gen *g, size_t i)
{
	uint32_t c = g->charge[i];

	if (!c)
		return;
	if (c > INT32_MAX)
		c = INT32_MAX;
	bxj_alu_mem_imm(&g->b, true, 5, BXJ_R12, CALL_OFF(budget), (int32_t)c);   /* sub */
	bxj_jump_site(g, BXJ_CC_B, (uint32_t)i, BXJ_E_BUDGET, 0);
}

/*
 * bxj_mem_addr - the address operand of a memory access at slot i:
 * [ereg + off] with `sz` bytes. Trusted code: (reg, off) as they are. A
 * checked run: the address in r11 (base r11, disp 0), checked first
 * (inline against the stack, else through the site's stub); frame-pointer
 * accesses inside the current frame are left as they are.
 */
void bxj_mem_addr(struct bxj_gen *g, size_t i, int ereg, int32_t off, int sz, bool write,
		  bool atomic, int *base, int32_t *disp)
{
	struct bxj_buf *b = &g->b;
	size_t k, l;

	*base = bxj_reg[ereg];
	*disp = off;
	if (!g->checked)
		return;
	/* r10 is read-only and 16-byte aligned: its own frame is always in use */
	if (ereg == BX_REG_FP && off >= -BX_STACK_SIZE && off + sz <= 0 &&
	    !(atomic && (off & (sz - 1))))
		return;
	k = g->nsites++;
	l = g->cnt + BXJ_L__SHARED + k;
	g->sites[k] = (struct bxj_site){
		.insn = (uint32_t)i, .reg = (uint8_t)ereg, .mem = atomic ? 2 : 1,
		.info = (uint32_t)i << 8 | (uint32_t)ereg << 4 | (write ? MI_WRITE : 0) |
			(atomic ? MI_ATOMIC : 0) | (uint32_t)__builtin_ctz((unsigned)sz),
	};
	/* inline: the current (deepest) frame, [stack_lo, stack_lo + 512):
	 * a - lo <= 512 - sz, one compare; anything else goes to the stub */
	bxj_lea(b, BXJ_R11, *base, off);
	bxj_mov_rr(b, true, BXJ_R10, BXJ_R11);
	bxj_op_rm(b, BXJ_W, 0x2b, 1, BXJ_R10, BXJ_R12, CALL_OFF(stack_lo));  /* sub r10, lo */
	bxj_alu_imm(b, true, 7, BXJ_R10, BX_STACK_SIZE - sz);                /* cmp */
	bxj_jump(g, BXJ_CC_A, l);
	if (atomic) {
		bxj_op_rr(b, 0, 0xf7, 1, 0, BXJ_R11);                        /* test r11d, sz-1 */
		bxj_u32(b, (uint32_t)(sz - 1));
		bxj_jump(g, BXJ_CC_NE, l);
	}
	g->sites[k].back = (uint32_t)b->len;
	*base = BXJ_R11;
	*disp = 0;
}

/* rel32 - a jump/call displacement from the end of a 4-byte field at b->len. */
static void rel32(struct bxj_buf *b, int64_t target)
{
	bxj_u32(b, (uint32_t)(int32_t)(target - (int64_t)(b->len + 4)));
}

/*
 * bxj_checked_mem_stub - the cold path of one memory site (r11 = the
 * address): the ctx, then bxj_mem_check() through the shared stub, then
 * back to the access. Its size does not depend on the pass.
 */
void bxj_checked_mem_stub(struct bxj_gen *g, const struct bxj_site *s)
{
	struct bxj_buf *b = &g->b;
	size_t j = 0;

	/* the range last hit (the ctx at first, e.g. the packet later), every
	 * frame in use ([stack_lo, stack_top), r9 = its length), the ctx:
	 * a - lo + sz <= len, without wrapping */
	for (int k = 0; s->mem == 1 && k < 3; k++) {
		static const int32_t lo[3] = { CALL_OFF(jit_rlo), CALL_OFF(stack_lo), CALL_OFF(ctx) };

		bxj_mov_rr(b, true, BXJ_R10, BXJ_R11);
		bxj_op_rm(b, BXJ_W, 0x2b, 1, BXJ_R10, BXJ_R12, lo[k]);           /* sub */
		bxj_alu_imm(b, true, 0, BXJ_R10, 1 << MI_LOG2SZ(s->info));
		j = bxj_jfwd8(b, BXJ_CC_B);                                       /* carry */
		if (k == 1) {
			bxj_load(b, true, BXJ_R9, BXJ_R12, CALL_OFF(stack_top));
			bxj_op_rm(b, BXJ_W, 0x2b, 1, BXJ_R9, BXJ_R12, CALL_OFF(stack_lo));
			bxj_op_rr(b, BXJ_W, 0x39, 1, BXJ_R9, BXJ_R10);            /* cmp r10, r9 */
		} else {
			bxj_op_rm(b, BXJ_W, 0x3b, 1, BXJ_R10, BXJ_R12,
				  k == 0 ? CALL_OFF(jit_rlen) : CALL_OFF(ctx_size));
		}
		bxj_byte(b, 0x0f);
		bxj_byte(b, 0x86);                                                /* jbe back */
		rel32(b, s->back);
		bxj_patch8(b, j);
	}
	bxj_byte(b, 0x68);                                                        /* push info */
	bxj_u32(b, s->info);
	bxj_byte(b, 0xe8);                                                        /* call */
	rel32(b, g->lab[bxj_lbl(g, BXJ_L_MEMCHK)]);
	bxj_byte(b, 0xe9);                                                        /* jmp back */
	rel32(b, s->back);
}

/*
 * bxj_checked_shared_stub - BXJ_L_MEMCHK: called by a memory stub with
 * the site's info pushed and the address in r11; keeps every eBPF
 * register, calls bxj_mem_check(call, r11, info) and returns past the
 * info (ret 8), or stops the run with its error.
 */
void bxj_checked_shared_stub(struct bxj_gen *g)
{
	static const int keep[7] = { BXJ_RAX, BXJ_RDI, BXJ_RSI, BXJ_RDX, BXJ_RCX, BXJ_R8, BXJ_R11 };
	struct bxj_buf *b = &g->b;

	g->lab[bxj_lbl(g, BXJ_L_MEMCHK)] = (uint32_t)b->len;
	if (!g->checked)
		return;
	/* rsp = 8 (mod 16) here: 7 pushes make the C call aligned */
	for (int k = 0; k < 7; k++)
		bxj_push(b, keep[k]);
	bxj_mov_rr(b, true, BXJ_RDI, BXJ_R12);
	bxj_mov_rr(b, true, BXJ_RSI, BXJ_R11);
	bxj_load(b, true, BXJ_RDX, BXJ_RSP, 8 * 8);
	bxj_mov_imm(b, BXJ_RAX, (uint64_t)(uintptr_t)bxj_mem_check);
	bxj_call_reg(b, BXJ_RAX);
	bxj_op_rr(b, 0, 0x85, 1, BXJ_RAX, BXJ_RAX);
	bxj_jump(g, BXJ_CC_NE, bxj_lbl(g, BXJ_L_STOP_EAX));
	for (int k = 6; k >= 0; k--)
		bxj_pop(b, keep[k]);
	bxj_byte(b, 0xc2);                                                        /* ret 8 */
	bxj_u16(b, 8);
}

/*
 * bxj_mem_check - see jit_int.h: the checked interpreter's test and
 * messages (interp_body.h L__fault, L__misaligned).
 */
int bxj_mem_check(struct bpfbox_call *call, uint64_t addr, uint64_t info)
{
	unsigned sz = 1u << MI_LOG2SZ(info), reg = MI_REG(info);
	uint32_t insn = (uint32_t)MI_INSN(info);
	bool write = info & MI_WRITE;

	if (!bxv_mem_ok(call, addr, sz, write)) {
		int16_t off = call->prog->insns[insn].off;

		bx_err(&call->vm->log,
		       "insn %u: invalid %s of %u bytes at 0x%llx: r%u %c %d is outside %s",
		       insn, write ? "write" : "read", sz, (unsigned long long)addr, reg,
		       off < 0 ? '-' : '+', off < 0 ? -off : off,
		       call->nregions ? "the stack, the context and the helpers' memory"
				      : "the stack and the context");
		return -EFAULT;
	}
	if ((info & MI_ATOMIC) && (addr & (sz - 1))) {
		bx_err(&call->vm->log, "insn %u: misaligned atomic access of %u bytes at 0x%llx (r%u)",
		       insn, sz, (unsigned long long)addr, reg);
		return -EFAULT;
	}
	/* remember the ctx or a writable plain region it lies in (regions are
	 * only added during a run, so it stays valid): the stubs try it first */
	if (sz <= call->ctx_size && addr - (uint64_t)(uintptr_t)call->ctx <= call->ctx_size - sz) {
		call->jit_rlo = (uint64_t)(uintptr_t)call->ctx;
		call->jit_rlen = call->ctx_size;
		return 0;
	}
	for (unsigned k = 0; k < call->nregions; k++) {
		const struct bxv_region *r = &call->regions[k];

		if (!r->map && r->writable && sz <= r->len && addr - r->lo <= r->len - sz) {
			call->jit_rlo = r->lo;
			call->jit_rlen = r->len;
			break;
		}
	}
	return 0;
}

#endif /* __x86_64__ */
