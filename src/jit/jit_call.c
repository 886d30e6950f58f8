/*
 * jit_call.c - the JIT's calls and run-time glue: the entry prologue,
 * helper calls through the vm's registry, bpf-to-bpf calls with frames,
 * callx, tail calls (bxv_tail_call()'s target, taken after the helper
 * returns, as in the interpreter), and the cold stubs that stop a run.
 *
 * Native stack discipline: inside eBPF code rsp = 8 (mod 16), as in any
 * function just called; the entry stub reaches insn `start` with a call,
 * a bpf-to-bpf call pushes r6..r10 (40 bytes) and calls, a helper call
 * pushes r1..r5 (40 bytes) so rsp is 16-aligned at the C call.
 * call->jit_sp holds rsp of the innermost entry stub: every stop path
 * reloads it, so no unwinding of eBPF frames is needed.
 */
#include <errno.h>

#include "jit_int.h"

#if defined(__x86_64__)

#define CALL_OFF(field) ((int32_t)offsetof(struct bpfbox_call, field))

/* the eBPF registers r1..r5 / r6..r10 in hardware numbers */
static const int args_hw[5] = { BXJ_RDI, BXJ_RSI, BXJ_RDX, BXJ_RCX, BXJ_R8 };
static const int saved_hw[5] = { BXJ_RBX, BXJ_R13, BXJ_R14, BXJ_R15, BXJ_RBP };

/*
 * helper_call - call the helper whose struct bxv_helper is at r11:
 * r0 = fn(call, r1..r5), r1..r5 kept (as the interpreter keeps them), then
 * stop if it aborted the run and follow a tail call if it asked for one.
 */
static void helper_call(struct bxj_gen *g)
{
	struct bxj_buf *b = &g->b;

	for (int k = 0; k < 5; k++)
		bxj_push(b, args_hw[k]);
	bxj_mov_rr(b, true, BXJ_R9, BXJ_R8);
	bxj_mov_rr(b, true, BXJ_R8, BXJ_RCX);
	bxj_mov_rr(b, true, BXJ_RCX, BXJ_RDX);
	bxj_mov_rr(b, true, BXJ_RDX, BXJ_RSI);
	bxj_mov_rr(b, true, BXJ_RSI, BXJ_RDI);
	bxj_mov_rr(b, true, BXJ_RDI, BXJ_R12);
	bxj_load(b, true, BXJ_R10, BXJ_R11, (int32_t)offsetof(struct bxv_helper, ctx));
	bxj_store(b, true, BXJ_R12, CALL_OFF(helper_ctx), BXJ_R10);
	bxj_op_rm(b, 0, 0xff, 1, 2, BXJ_R11, (int32_t)offsetof(struct bxv_helper, fn));
	for (int k = 4; k >= 0; k--)
		bxj_pop(b, args_hw[k]);
	bxj_alu_mem_imm(b, false, 7, BXJ_R12, CALL_OFF(err), 0);
	bxj_jump(g, BXJ_CC_NE, bxj_lbl(g, BXJ_L_STOP_ERR));
	bxj_alu_mem_imm(b, true, 7, BXJ_R12, CALL_OFF(tail_target), 0);
	bxj_jump(g, BXJ_CC_NE, bxj_lbl(g, BXJ_L_TAIL));
}

/*
 * local_call - bpf-to-bpf call to slot t: check the depth, save r6..r10,
 * open the next 512-byte frame (r10 = stack_top - depth * 512), call;
 * on return close it and restore call->prog (a tail call in the callee
 * may have replaced it).
 */
static void local_call(struct bxj_gen *g, size_t i, size_t t)
{
	struct bxj_buf *b = &g->b;

	bxj_load(b, false, BXJ_R11, BXJ_R12, CALL_OFF(depth));
	bxj_alu_imm(b, false, 7, BXJ_R11, BX_MAX_CALL_DEPTH);
	bxj_jump_site(g, BXJ_CC_AE, (uint32_t)i, BXJ_E_DEPTH, 0);
	for (int k = 0; k < 5; k++)
		bxj_push(b, saved_hw[k]);
	bxj_mov_rr(b, false, BXJ_R10, BXJ_R11);
	bxj_shift_imm(b, BXJ_W, 4, BXJ_R10, 9);
	bxj_alu_imm(b, false, 0, BXJ_R11, 1);
	bxj_store(b, false, BXJ_R12, CALL_OFF(depth), BXJ_R11);
	bxj_load(b, true, BXJ_RBP, BXJ_R12, CALL_OFF(stack_top));
	bxj_op_rr(b, BXJ_W, 0x29, 1, BXJ_R10, BXJ_RBP);                 /* sub rbp, r10 */
	bxj_lea(b, BXJ_R10, BXJ_RBP, -BX_STACK_SIZE);
	bxj_store(b, true, BXJ_R12, CALL_OFF(stack_lo), BXJ_R10);
	bxj_byte(b, 0xe8);                                              /* call rel32 */
	bxj_u32(b, (uint32_t)(int32_t)((g->first ? 0 : (int64_t)g->prev[t]) -
				       (int64_t)(b->len + 4)));
	for (int k = 4; k >= 0; k--)
		bxj_pop(b, saved_hw[k]);
	bxj_load(b, false, BXJ_R11, BXJ_R12, CALL_OFF(depth));
	bxj_alu_imm(b, false, 5, BXJ_R11, 1);
	bxj_store(b, false, BXJ_R12, CALL_OFF(depth), BXJ_R11);
	bxj_shift_imm(b, BXJ_W, 4, BXJ_R11, 9);
	bxj_load(b, true, BXJ_R10, BXJ_R12, CALL_OFF(stack_top));
	bxj_op_rr(b, BXJ_W, 0x29, 1, BXJ_R11, BXJ_R10);
	bxj_store(b, true, BXJ_R12, CALL_OFF(stack_lo), BXJ_R10);
	bxj_mov_imm(b, BXJ_R11, (uint64_t)(uintptr_t)g->prog);
	bxj_store(b, true, BXJ_R12, CALL_OFF(prog), BXJ_R11);
}

/*
 * bxj_gen_call - call: kind 0 helper (imm = id), 1 local (off = distance),
 * 2 kfunc (refused at load; stops the run if ever reached).
 */
void bxj_gen_call(struct bxj_gen *g, size_t i, const struct bxv_insn *x, int kind)
{
	if (kind == 0) {
		bxj_mov_imm(&g->b, BXJ_R11, (uint64_t)(uintptr_t)&g->prog->vm->helpers[x->imm]);
		helper_call(g);
	} else if (kind == 1) {
		local_call(g, i, (size_t)((int64_t)i + 1 + x->off));
	} else {
		bxj_jump_site(g, -1, (uint32_t)i, BXJ_E_KFUNC, x->dst);
	}
}

/*
 * bxj_gen_callx - call the helper whose id is in dst (checked at run
 * time: 0 < id <= BPFBOX_MAX_HELPER_ID and registered).
 */
void bxj_gen_callx(struct bxj_gen *g, size_t i, const struct bxv_insn *x)
{
	struct bxj_buf *b = &g->b;
	int d = bxj_reg[x->dst];
	size_t site = g->nsites;

	bxj_lea(b, BXJ_R10, d, -1);
	bxj_mov_imm32(b, BXJ_R11, BPFBOX_MAX_HELPER_ID - 1);
	bxj_op_rr(b, BXJ_W, 0x39, 1, BXJ_R11, BXJ_R10);                 /* cmp r10, r11 */
	bxj_jump_site(g, BXJ_CC_A, (uint32_t)i, BXJ_E_CALLX, x->dst);
	bxj_op_rr(b, BXJ_W, 0x6b, 1, BXJ_R11, d);                       /* imul r11, d, 24 */
	bxj_byte(b, (uint8_t)sizeof(struct bxv_helper));
	bxj_mov_imm(b, BXJ_R10, (uint64_t)(uintptr_t)&g->prog->vm->helpers[0]);
	bxj_op_rr(b, BXJ_W, 0x01, 1, BXJ_R10, BXJ_R11);                 /* add r11, r10 */
	bxj_alu_mem_imm(b, true, 7, BXJ_R11, (int32_t)offsetof(struct bxv_helper, fn), 0);
	bxj_jump(g, BXJ_CC_E, g->cnt + BXJ_L__SHARED + site);
	helper_call(g);
}

_Static_assert(sizeof(struct bxv_helper) < 128, "imul imm8");

/*
 * bxj_gen_prologue - the entry stub (a C function, see jit_int.h) and the
 * epilogue every stop path ends in.
 */
void bxj_gen_prologue(struct bxj_gen *g)
{
	static const int cs[6] = { BXJ_RBP, BXJ_RBX, BXJ_R12, BXJ_R13, BXJ_R14, BXJ_R15 };
	struct bxj_buf *b = &g->b;

	for (int k = 0; k < 6; k++)
		bxj_push(b, cs[k]);
	bxj_push(b, BXJ_R8);                                            /* r0 out */
	bxj_op_rm(b, 0, 0xff, 1, 6, BXJ_RDI, CALL_OFF(jit_sp));         /* push old jit_sp */
	bxj_alu_imm(b, true, 5, BXJ_RSP, 8);
	bxj_store(b, true, BXJ_RDI, CALL_OFF(jit_sp), BXJ_RSP);
	bxj_mov_rr(b, true, BXJ_R12, BXJ_RDI);
	bxj_mov_rr(b, true, BXJ_RBP, BXJ_RCX);
	bxj_mov_rr(b, true, BXJ_R11, BXJ_RSI);
	bxj_mov_rr(b, true, BXJ_R10, BXJ_RDX);
	bxj_mov_imm32(b, BXJ_RAX, 0);
	for (int k = 0; k < 4; k++)
		bxj_mov_imm32(b, saved_hw[k], 0);
	for (int k = 0; k < 5; k++)
		bxj_load(b, true, args_hw[k], BXJ_R10, 8 * k);
	bxj_call_reg(b, BXJ_R11);
	bxj_load(b, true, BXJ_R8, BXJ_RSP, 16);
	bxj_store(b, true, BXJ_R8, 0, BXJ_RAX);
	bxj_mov_imm32(b, BXJ_RAX, 0);
	g->lab[bxj_lbl(g, BXJ_L_EPI)] = (uint32_t)b->len;
	bxj_load(b, true, BXJ_R11, BXJ_RSP, 8);
	bxj_store(b, true, BXJ_R12, CALL_OFF(jit_sp), BXJ_R11);
	bxj_alu_imm(b, true, 0, BXJ_RSP, 24);
	for (int k = 5; k >= 0; k--)
		bxj_pop(b, cs[k]);
	bxj_ret(b);
}

/*
 * bxj_gen_stubs - the shared cold paths after the body, then one stub per
 * site (fixed size, so their addresses do not depend on jump sizes).
 */
void bxj_gen_stubs(struct bxj_gen *g)
{
	struct bxj_buf *b = &g->b;
	size_t j;

	/* stop with call->err (a helper aborted the run) */
	g->lab[bxj_lbl(g, BXJ_L_STOP_ERR)] = (uint32_t)b->len;
	bxj_load(b, false, BXJ_RAX, BXJ_R12, CALL_OFF(err));
	/* stop with eax */
	g->lab[bxj_lbl(g, BXJ_L_STOP_EAX)] = (uint32_t)b->len;
	bxj_load(b, true, BXJ_RSP, BXJ_R12, CALL_OFF(jit_sp));
	bxj_jump(g, -1, bxj_lbl(g, BXJ_L_EPI));
	/* end the run with r0 = 0 */
	g->lab[bxj_lbl(g, BXJ_L_EXIT0)] = (uint32_t)b->len;
	bxj_load(b, true, BXJ_RSP, BXJ_R12, CALL_OFF(jit_sp));
	bxj_load(b, true, BXJ_R8, BXJ_RSP, 16);
	bxj_mov_imm32(b, BXJ_RAX, 0);
	bxj_store(b, true, BXJ_R8, 0, BXJ_RAX);
	bxj_jump(g, -1, bxj_lbl(g, BXJ_L_EPI));
	/* tail call: bxj_tail_enter(call, saved r5..r1,r0, fp) gives the code
	 * to continue at: 0 = the target ran in the interpreter (r0 in its
	 * slot): return; 1 = error (in the r0 slot): stop */
	g->lab[bxj_lbl(g, BXJ_L_TAIL)] = (uint32_t)b->len;
	bxj_push(b, BXJ_RAX);
	for (int k = 0; k < 5; k++)
		bxj_push(b, args_hw[k]);
	bxj_alu_imm(b, true, 5, BXJ_RSP, 8);
	bxj_mov_rr(b, true, BXJ_RDI, BXJ_R12);
	bxj_lea(b, BXJ_RSI, BXJ_RSP, 8);
	bxj_mov_rr(b, true, BXJ_RDX, BXJ_RBP);
	bxj_mov_imm(b, BXJ_RAX, (uint64_t)(uintptr_t)bxj_tail_enter);
	bxj_call_reg(b, BXJ_RAX);
	bxj_alu_imm(b, true, 0, BXJ_RSP, 8);
	bxj_mov_rr(b, true, BXJ_R11, BXJ_RAX);
	for (int k = 4; k >= 0; k--)
		bxj_pop(b, args_hw[k]);
	bxj_pop(b, BXJ_RAX);
	bxj_alu_imm(b, true, 7, BXJ_R11, 1);
	j = bxj_jfwd8(b, BXJ_CC_A);
	bxj_jump(g, BXJ_CC_E, bxj_lbl(g, BXJ_L_STOP_EAX));
	bxj_ret(b);
	bxj_patch8(b, j);
	bxj_jmp_reg(b, BXJ_R11);
	/* log an error and stop: esi kind, edx insn, rcx value */
	g->lab[bxj_lbl(g, BXJ_L_ERR)] = (uint32_t)b->len;
	bxj_load(b, true, BXJ_RSP, BXJ_R12, CALL_OFF(jit_sp));
	bxj_mov_rr(b, true, BXJ_RDI, BXJ_R12);
	bxj_mov_imm(b, BXJ_RAX, (uint64_t)(uintptr_t)bxj_error);
	bxj_call_reg(b, BXJ_RAX);
	bxj_jump(g, -1, bxj_lbl(g, BXJ_L_EPI));
	/* the checked JIT's memory check (empty in trusted code) */
	bxj_checked_shared_stub(g);
	/* per-site stubs: 3 + 5 + 5 + 5 bytes each (memory: jit_checked.c) */
	for (size_t k = 0; k < g->nsites; k++) {
		const struct bxj_site *s = &g->sites[k];

		g->lab[g->cnt + BXJ_L__SHARED + k] = (uint32_t)b->len;
		if (s->mem) {
			bxj_checked_mem_stub(g, s);
			continue;
		}
		bxj_op_rr(b, BXJ_W, 0x89, 1, bxj_reg[s->reg], BXJ_RCX);
		bxj_byte(b, 0xbe);
		bxj_u32(b, s->kind | (uint32_t)s->reg << 8);	/* the register for messages */
		bxj_byte(b, 0xba);
		bxj_u32(b, s->insn);
		bxj_byte(b, 0xe9);
		bxj_u32(b, (uint32_t)(int32_t)((g->first ? 0 : (int64_t)g->prev[bxj_lbl(g, BXJ_L_ERR)]) -
					       (int64_t)(b->len + 4)));
	}
}

#endif /* __x86_64__ */
