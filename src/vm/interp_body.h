/*
 * interp_body.h - the interpreter loop. interp.c includes it twice:
 *
 *   #define BXV_CHECKED 0 / 1     trusted or checked mode
 *   #define BXV_FN name           the function to define
 *
 * Nothing here lists opcodes: the label table and the bodies are both
 * generated from BX_INSN_MAP (insn_table.h). Each table row
 * X(NAME, CODE, MATCH, MVAL, FMT, SEM, ...) becomes
 *
 *   L_NAME: BODY_<FMT>(CODE, MVAL, SEM); NEXT();
 *
 * where CODE, MVAL and SEM are constants, so every body compiles to the
 * straight-line code of that one instruction.
 *
 * Trusted mode: direct threading. NEXT() is "pc++; goto *pc->lbl" and the
 * bodies do no checks of any kind (the caller vouches for the program).
 * Checked mode: NEXT() also spends one unit of the instruction budget and
 * dispatches through the label table by op; every load, store and atomic
 * is bounds-checked first (bxv_mem_ok()).
 */

/* ---- dispatch -------------------------------------------------------------- */

#if BXV_CHECKED
#define DISPATCH() do {                                                      \
		if (BXV_UNLIKELY(left == 0))                                 \
			goto L__budget;                                      \
		left--;                                                      \
		goto *labels[pc->op];                                        \
	} while (0)
#define SYNC_OUT() (call->budget = left)
#define SYNC_IN()  (left = call->budget)
/* the access [A, A+SZ) must be in the stack, the ctx or a helper region */
#define MEMCHK(A, SZ, W, REG)                                                \
	if (BXV_UNLIKELY(!bxv_mem_ok(call, (A), (SZ), (W)))) {               \
		f_addr = (A); f_size = (SZ); f_write = (W); f_reg = (REG);   \
		goto L__fault;                                               \
	}
#define ATOMCHK(A, SZ, REG)                                                  \
	MEMCHK(A, SZ, 1, REG)                                                \
	if (BXV_UNLIKELY((A) & ((SZ) - 1))) {                                \
		f_addr = (A); f_size = (SZ); f_reg = (REG);                  \
		goto L__misaligned;                                          \
	}
#else
#define DISPATCH() goto *pc->lbl
#define SYNC_OUT() ((void)0)
#define SYNC_IN()  ((void)0)
#define MEMCHK(A, SZ, W, REG)
#define ATOMCHK(A, SZ, REG)
#endif
#define NEXT() do { pc++; DISPATCH(); } while (0)

/* r[REG] + off, wrapping */
#define ADDR(REG) (R[REG] + (uint64_t)(int64_t)pc->off)

/* ---- the body templates, one per FMT ------------------------------------------ */

#define BODY_ALU(CODE, MVAL, SEM)                                            \
	if (OP_IS64(CODE)) {                                                 \
		uint64_t a_ = R[pc->dst];                                    \
		uint64_t b_ = OP_ISX(CODE) ? R[pc->src] : pc->imm;           \
		R[pc->dst] = SEM_##SEM(uint64_t, int64_t, a_, b_);           \
	} else {                                                             \
		uint32_t a_ = (uint32_t)R[pc->dst];                          \
		uint32_t b_ = (uint32_t)(OP_ISX(CODE) ? R[pc->src] : pc->imm); \
		R[pc->dst] = SEM_##SEM(uint32_t, int32_t, a_, b_);           \
	}

#define BODY_NEG(CODE, MVAL, SEM)                                            \
	R[pc->dst] = OP_IS64(CODE) ? (uint64_t)0 - R[pc->dst]                \
				   : (uint32_t)(0u - (uint32_t)R[pc->dst]);

#define BODY_MOVSX(CODE, MVAL, SEM)                                          \
	R[pc->dst] = OP_IS64(CODE) ? (uint64_t)SX_##SEM(R[pc->src])          \
				   : (uint32_t)(uint64_t)SX_##SEM(R[pc->src]);

#define BODY_END(CODE, MVAL, SEM) R[pc->dst] = END_##SEM(R[pc->dst], MVAL);

#define BODY_JA(CODE, MVAL, SEM)   pc += pc->off;
#define BODY_JA32(CODE, MVAL, SEM) pc += pc->off;

/* may_goto: one unit of the run's loop budget per pass; once spent, the
 * jump is taken (the kernel's rewrite of BPF_JCOND with BPF_MAX_LOOPS) */
#define BODY_MAYGOTO(CODE, MVAL, SEM)                                        \
	if (BXV_UNLIKELY(call->may_goto_used >= BX_MAX_LOOPS))               \
		pc += pc->off;                                               \
	else                                                                 \
		call->may_goto_used++;

#define BODY_JCOND(CODE, MVAL, SEM)                                          \
	if (OP_IS64(CODE)) {                                                 \
		uint64_t a_ = R[pc->dst];                                    \
		uint64_t b_ = OP_ISX(CODE) ? R[pc->src] : pc->imm;           \
		if (CMP_##SEM(uint64_t, int64_t, a_, b_))                    \
			pc += pc->off;                                       \
	} else {                                                             \
		uint32_t a_ = (uint32_t)R[pc->dst];                          \
		uint32_t b_ = (uint32_t)(OP_ISX(CODE) ? R[pc->src] : pc->imm); \
		if (CMP_##SEM(uint32_t, int32_t, a_, b_))                    \
			pc += pc->off;                                       \
	}

/* a helper call through the vm's registry; a helper may stop the run */
#define CALL_THROUGH(H)                                                      \
	{                                                                    \
		const struct bxv_helper *h_ = (H);                           \
		SYNC_OUT();                                                  \
		call->helper_ctx = h_->ctx;                                  \
		R[0] = h_->fn(call, R[1], R[2], R[3], R[4], R[5]);           \
		SYNC_IN();                                                   \
		if (BXV_UNLIKELY(call->err)) {                               \
			err = call->err;                                     \
			goto L__stop;                                        \
		}                                                            \
		if (BXV_UNLIKELY(call->tail_target != NULL))                 \
			goto L__tail;                                        \
	}
#define CALL_HELPER() CALL_THROUGH(&call->vm->helpers[pc->imm])
/* bpf-to-bpf call: save r6..r10, the return slot and its program (a
 * tail call may replace the callee), open a frame */
#define CALL_LOCAL()                                                         \
	if (BXV_UNLIKELY(call->depth >= BX_MAX_CALL_DEPTH))                  \
		goto L__depth;                                               \
	memcpy(fs[fd].r, &R[6], sizeof(fs[fd].r));                           \
	fs[fd].ret = pc;                                                     \
	fs[fd].prog = call->prog;                                            \
	fd++;                                                                \
	call->depth++;                                                       \
	call->stack_lo = call->stack_top - (uint64_t)call->depth * BX_STACK_SIZE; \
	R[10] = call->stack_lo + BX_STACK_SIZE;                              \
	pc += pc->off;
#define CALL_KFUNC() goto L__kfunc;
#define BODY_CALL(CODE, MVAL, SEM) CALL_##SEM()

#define BODY_CALLX(CODE, MVAL, SEM)                                          \
	{                                                                    \
		const struct bxv_helper *hx_ = bxv_vm_helper(call->vm, R[pc->dst]); \
		if (BXV_UNLIKELY(!hx_))                                      \
			goto L__badcallx;                                    \
		CALL_THROUGH(hx_)                                            \
	}

/* exit: return to the caller's frame (and program, if the callee was
 * replaced by a tail call), or leave the program */
#define BODY_EXIT(CODE, MVAL, SEM)                                           \
	if (fd == 0)                                                         \
		goto L__exit;                                                \
	fd--;                                                                \
	memcpy(&R[6], fs[fd].r, sizeof(fs[fd].r));                           \
	pc = fs[fd].ret;                                                     \
	if (BXV_UNLIKELY(fs[fd].prog != call->prog)) {                       \
		call->prog = fs[fd].prog;                                    \
		base = call->prog->xlated;                                   \
	}                                                                    \
	call->depth--;                                                       \
	call->stack_lo = call->stack_top - (uint64_t)call->depth * BX_STACK_SIZE;

#define BODY_LDDW(CODE, MVAL, SEM) R[pc->dst] = pc->imm; pc++;

/* legacy packet loads: big-endian from [ctx, ctx+ctx_size), always
 * bounds-checked; out of bounds ends the program with r0 = 0 */
#define LD_PKT(CODE, OFF)                                                    \
	{                                                                    \
		uint32_t o_ = (OFF);                                         \
		if (BXV_UNLIKELY((int32_t)o_ < 0 ||                          \
				 (uint64_t)o_ + OP_SIZE(CODE) > call->ctx_size)) { \
			R[0] = 0;                                            \
			goto L__exit;                                        \
		}                                                            \
		R[0] = bxv_ld_be((const uint8_t *)call->ctx + o_, OP_SIZE(CODE)); \
	}
#define BODY_LDABS(CODE, MVAL, SEM) LD_PKT(CODE, (uint32_t)pc->imm)
#define BODY_LDIND(CODE, MVAL, SEM) LD_PKT(CODE, (uint32_t)R[pc->src] + (uint32_t)pc->imm)

#define BODY_LDX(CODE, MVAL, SEM)                                            \
	{                                                                    \
		uint64_t a_ = ADDR(pc->src);                                 \
		MEMCHK(a_, OP_SIZE(CODE), 0, pc->src)                        \
		R[pc->dst] = bxv_ld(a_, OP_SIZE(CODE));                      \
	}
#define BODY_LDXSX(CODE, MVAL, SEM)                                          \
	{                                                                    \
		uint64_t a_ = ADDR(pc->src);                                 \
		MEMCHK(a_, OP_SIZE(CODE), 0, pc->src)                        \
		R[pc->dst] = bxv_ldsx(a_, OP_SIZE(CODE));                    \
	}
#define BODY_ST(CODE, MVAL, SEM)                                             \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		MEMCHK(a_, OP_SIZE(CODE), 1, pc->dst)                        \
		bxv_st(a_, OP_SIZE(CODE), pc->imm);                          \
	}
#define BODY_STX(CODE, MVAL, SEM)                                            \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		MEMCHK(a_, OP_SIZE(CODE), 1, pc->dst)                        \
		bxv_st(a_, OP_SIZE(CODE), R[pc->src]);                       \
	}

#define P64(a) ((uint64_t *)(uintptr_t)(a))
#define P32(a) ((uint32_t *)(uintptr_t)(a))
#define BODY_AOP(CODE, MVAL, SEM)                                            \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		ATOMCHK(a_, OP_SIZE(CODE), pc->dst)                          \
		if (OP_SIZE(CODE) == 8)                                      \
			(void)ATOMIC_##SEM(P64(a_), R[pc->src]);             \
		else                                                         \
			(void)ATOMIC_##SEM(P32(a_), (uint32_t)R[pc->src]);   \
	}
#define BODY_AFETCH(CODE, MVAL, SEM)                                         \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		ATOMCHK(a_, OP_SIZE(CODE), pc->dst)                          \
		if (OP_SIZE(CODE) == 8)                                      \
			R[pc->src] = ATOMIC_##SEM(P64(a_), R[pc->src]);      \
		else                                                         \
			R[pc->src] = ATOMIC_##SEM(P32(a_), (uint32_t)R[pc->src]); \
	}
#define BODY_XCHG(CODE, MVAL, SEM)                                           \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		ATOMCHK(a_, OP_SIZE(CODE), pc->dst)                          \
		if (OP_SIZE(CODE) == 8)                                      \
			R[pc->src] = __atomic_exchange_n(P64(a_), R[pc->src], \
							 __ATOMIC_SEQ_CST);   \
		else                                                         \
			R[pc->src] = __atomic_exchange_n(P32(a_), (uint32_t)R[pc->src], \
							 __ATOMIC_SEQ_CST);   \
	}
#define BODY_CMPXCHG(CODE, MVAL, SEM)                                        \
	{                                                                    \
		uint64_t a_ = ADDR(pc->dst);                                 \
		ATOMCHK(a_, OP_SIZE(CODE), pc->dst)                          \
		if (OP_SIZE(CODE) == 8) {                                    \
			uint64_t e_ = R[0];                                  \
			__atomic_compare_exchange_n(P64(a_), &e_, R[pc->src], 0, \
				__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);         \
			R[0] = e_;                                           \
		} else {                                                     \
			uint32_t e_ = (uint32_t)R[0];                        \
			__atomic_compare_exchange_n(P32(a_), &e_, (uint32_t)R[pc->src], 0, \
				__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);         \
			R[0] = e_;                                           \
		}                                                            \
	}

/* ---- the function ---------------------------------------------------------------- */

/*
 * BXV_FN - run from slot `start` with r1..r5 = args, r10 = fp, until the
 * frame it started in exits. With labels_out != NULL it only returns its
 * label table (for building the pre-decoded form); the function must
 * therefore never be inlined or cloned, or the addresses would differ.
 */
static __attribute__((noinline BXV_NOCLONE)) int
BXV_FN(struct bpfbox_call *call, uint32_t start, const uint64_t *args, uint64_t fp,
       uint64_t *r0_out, const void *const **labels_out)
{
	static const void *const labels[BX_OP__COUNT] = {
#define X(NAME, ...) [BX_OP_##NAME] = &&L_##NAME,
		BX_INSN_MAP(X)
#undef X
	};
	const struct bxv_insn *base, *pc;
	uint64_t R[BX_NREGS];
	struct {
		uint64_t r[5];                /* r6..r10 of the caller */
		const struct bxv_insn *ret;   /* its call instruction */
		struct bpfbox_prog *prog;     /* the program it belongs to */
	} fs[BX_MAX_CALL_DEPTH];
	struct bpfbox_prog *prog0;            /* the program at entry (restored at the end) */
	unsigned fd = 0;
	int err;
#if BXV_CHECKED
	uint64_t left = call->budget, f_addr = 0;
	unsigned f_size = 0, f_reg = 0;
	int f_write = 0;
#endif

	if (labels_out) {
		*labels_out = labels;
		return 0;
	}
	prog0 = call->prog;
	base = prog0->xlated;
	pc = base + start;
	R[0] = 0;
	memcpy(&R[1], args, 5 * sizeof(R[0]));
	R[6] = R[7] = R[8] = R[9] = 0;
	R[10] = fp;
	DISPATCH();

#define X(NAME, CODE, MATCH, MVAL, FMT, SEM, ...) \
L_##NAME: { BODY_##FMT(CODE, MVAL, SEM) } NEXT();
	BX_INSN_MAP(X)
#undef X

#if BXV_CHECKED
L__fault: {
		const struct bpfbox_insn *in = &call->prog->insns[pc - base];
		bx_err(&call->vm->log,
		       "insn %zu: invalid %s of %u bytes at 0x%llx: r%u %c %d is outside %s",
		       (size_t)(pc - base), f_write ? "write" : "read", f_size,
		       (unsigned long long)f_addr, f_reg, in->off < 0 ? '-' : '+',
		       in->off < 0 ? -in->off : in->off,
		       call->nregions ? "the stack, the context and the helpers' memory"
				      : "the stack and the context");
		err = -EFAULT;
		goto L__stop;
	}
L__misaligned:
	bx_err(&call->vm->log, "insn %zu: misaligned atomic access of %u bytes at 0x%llx (r%u)",
	       (size_t)(pc - base), f_size, (unsigned long long)f_addr, f_reg);
	err = -EFAULT;
	goto L__stop;
L__budget:
	bx_err(&call->vm->log, "insn %zu: the instruction budget of %llu is exhausted",
	       (size_t)(pc - base), (unsigned long long)call->max_insns);
	err = -ELOOP;
	goto L__stop;
#endif
L__depth:
	bx_err(&call->vm->log, "insn %zu: call depth exceeds %d frames",
	       (size_t)(pc - base), BX_MAX_CALL_DEPTH);
	err = -E2BIG;
	goto L__stop;
L__badcallx:
	bx_err(&call->vm->log, "insn %zu: callx to unknown helper %llu (in r%u)",
	       (size_t)(pc - base), (unsigned long long)R[pc->dst], pc->dst);
	err = -EINVAL;
	goto L__stop;
L__kfunc:
	bx_err(&call->vm->log, "insn %zu: kfunc calls are not supported", (size_t)(pc - base));
	err = -EINVAL;
	goto L__stop;
L__tail:
	/* bpf_tail_call succeeded: the target replaces the running function in
	 * this frame (r1 still holds the ctx it was given); its exit returns
	 * to this frame's caller */
	call->prog = call->tail_target;
	call->tail_target = NULL;
	base = call->prog->xlated;
	pc = base;
#if BXV_CHECKED
	for (unsigned k_ = 0; k_ < call->prog->ndv; k_++) {
		const struct bxv_region *g_ = &call->prog->dv[k_];
		err = bxv_run_add_region(call, (const void *)(uintptr_t)g_->lo, g_->len,
					 g_->writable);
		if (err)
			goto L__stop;
	}
#endif
	DISPATCH();
L__exit:
	*r0_out = R[0];
	err = 0;
L__stop:
	call->prog = prog0;
	call->tail_target = NULL;
	call->depth -= fd;
	call->stack_lo = call->stack_top - (uint64_t)call->depth * BX_STACK_SIZE;
	SYNC_OUT();
	return err;
}

#undef DISPATCH
#undef SYNC_OUT
#undef SYNC_IN
#undef MEMCHK
#undef ATOMCHK
#undef NEXT
#undef ADDR
#undef BODY_ALU
#undef BODY_NEG
#undef BODY_MOVSX
#undef BODY_END
#undef BODY_JA
#undef BODY_JA32
#undef BODY_JCOND
#undef BODY_MAYGOTO
#undef CALL_THROUGH
#undef CALL_HELPER
#undef CALL_LOCAL
#undef CALL_KFUNC
#undef BODY_CALL
#undef BODY_CALLX
#undef BODY_EXIT
#undef BODY_LDDW
#undef LD_PKT
#undef BODY_LDABS
#undef BODY_LDIND
#undef BODY_LDX
#undef BODY_LDXSX
#undef BODY_ST
#undef BODY_STX
#undef P64
#undef P32
#undef BODY_AOP
#undef BODY_AFETCH
#undef BODY_XCHG
#undef BODY_CMPXCHG
