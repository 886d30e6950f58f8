/*
 * cfg.c - the control-flow passes before and after the path walk:
 * subprograms (check_subprogs), the CFG (check_cfg: jumps stay inside
 * their function, no fall-off, every instruction reachable), pruning
 * points, register liveness (a backward data-flow over the CFG, used to
 * ignore dead registers when comparing states), and the stack depth of
 * call chains (check_max_stack_depth).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"

/* add_subprog - record a function start (sorted, unique). */
static int add_subprog(struct bxr_env *env, int start, bool cb)
{
	int i;

	for (i = 0; i < env->nsub; i++) {
		if (env->subprogs[i].start == start) {
			env->subprogs[i].is_cb |= cb;
			return 0;
		}
	}
	if (env->nsub >= BXR_MAX_SUBPROGS)
		return bxr_reject(env, -E2BIG, -1, -1, "too many subprograms");
	for (i = env->nsub; i > 0 && env->subprogs[i - 1].start > start; i--)
		env->subprogs[i] = env->subprogs[i - 1];
	memset(&env->subprogs[i], 0, sizeof(env->subprogs[i]));
	env->subprogs[i].start = start;
	env->subprogs[i].is_cb = cb;
	env->nsub++;
	return 0;
}

/* bxr_subprog_of - index of the function holding insn. */
int bxr_subprog_of(const struct bxr_env *env, int insn)
{
	for (int i = env->nsub - 1; i >= 0; i--)
		if (env->subprogs[i].start <= insn)
			return i;
	return 0;
}

/* targets - the successors of insn i (up to 2), returns how many. */
static int successors(const struct bxr_env *env, int i, int out[2])
{
	int op = env->ops[i], fmt = bx_ops[op].fmt, n = 0;

	if (fmt == BX_F_EXIT)
		return 0;
	if (fmt == BX_F_JA || fmt == BX_F_JA32) {
		out[n++] = (int)bx_jump_target(&env->insns[i], (size_t)i, op);
		return n;
	}
	out[n++] = i + bx_op_slots(op);
	if (fmt == BX_F_JCOND || fmt == BX_F_MAYGOTO)
		out[n++] = (int)bx_jump_target(&env->insns[i], (size_t)i, op);
	return n;
}

/*
 * bxr_check_cfg - subprograms, jumps in range, last insns, reachability,
 * pruning points. Returns 0 or a negative errno (the report recorded).
 */
int bxr_check_cfg(struct bxr_env *env)
{
	int *stk, sp = 0, err;
	uint8_t *seen;

	err = add_subprog(env, 0, false);
	for (int i = 0; i < env->cnt && !err; i++) {
		int op = env->ops[i];

		if (op < 0)
			continue;
		if (op == BX_OP_CALL_LOCAL)
			err = add_subprog(env, (int)bx_jump_target(&env->insns[i], (size_t)i, op), false);
		else if (op == BX_OP_LDDW_FUNC)
			err = add_subprog(env, i + 1 + env->insns[i].imm, true);
	}
	if (err)
		return err;
	for (int s = 0; s < env->nsub; s++) {
		struct bxr_subprog *sp_ = &env->subprogs[s];

		sp_->end = s + 1 < env->nsub ? env->subprogs[s + 1].start : env->cnt;
		if (sp_->start < 0 || sp_->start >= env->cnt || env->ops[sp_->start] < 0) {
			env->insn = 0;
			return bxr_reject(env, -EINVAL, -1, -1, "function at insn %d is out of range",
					  sp_->start);
		}
		for (int i = sp_->start; i < sp_->end; i++) {
			env->aux[i].subprog = (int16_t)s;
			env->insn = i;
			if (env->ops[i] >= 0 && bx_op_is_jump(env->ops[i]) &&
			    env->ops[i] != BX_OP_CALL_LOCAL) {
				int64_t t = bx_jump_target(&env->insns[i], (size_t)i, env->ops[i]);

				if (t < sp_->start || t >= sp_->end) {
					bxr_reason(env, "the jump leaves its function (insns %d..%d)",
						   sp_->start, sp_->end - 1);
					return bxr_reject(env, -EINVAL, -1, -1,
							  "jump out of range from insn %d to %lld",
							  i, (long long)t);
				}
			}
		}
		{
			int last = sp_->end - 1, op = env->ops[last];
			int fmt = op >= 0 ? bx_ops[op].fmt : -1;

			if (fmt != BX_F_EXIT && fmt != BX_F_JA && fmt != BX_F_JA32) {
				env->insn = last;
				bxr_reason(env, "the function starting at insn %d can fall through its "
					   "last instruction", sp_->start);
				bxr_hint(env, "end every function with exit or an unconditional jump");
				return bxr_reject(env, -EINVAL, -1, -1, "last insn is not an exit or jmp");
			}
		}
	}
	/* reachability from insn 0, through calls and callback addresses */
	stk = malloc((size_t)env->cnt * 2 * sizeof(*stk) + 8);
	seen = calloc((size_t)env->cnt, 1);
	if (!stk || !seen) {
		free(stk);
		free(seen);
		return -ENOMEM;
	}
	stk[sp++] = 0;
	seen[0] = 1;
	env->aux[0].prune = 1;
	while (sp) {
		int i = stk[--sp], nx[3], n = successors(env, i, nx), op = env->ops[i];

		/* pruning points and jump points as the kernel's visit_insn:
		 * conditional jumps and their targets, unconditional jump
		 * targets, calls (and their callees), the insn after a call */
		if (op == BX_OP_CALL_LOCAL || op == BX_OP_LDDW_FUNC) {
			int t = op == BX_OP_CALL_LOCAL ? (int)bx_jump_target(&env->insns[i], (size_t)i, op) :
				i + 1 + env->insns[i].imm;

			nx[n++] = t;
			if (t >= 0 && t < env->cnt)
				env->aux[t].prune = env->aux[t].jmp_point = 1;
			if (op == BX_OP_CALL_LOCAL)
				env->aux[i].prune = 1;
		}
		if (bx_ops[op].fmt == BX_F_CALL && i + 1 < env->cnt)
			env->aux[i + 1].prune = env->aux[i + 1].jmp_point = 1;
		if (bx_ops[op].fmt == BX_F_JCOND)
			env->aux[i].prune = 1;
		/* may_goto: a checkpoint on every visit (the kernel's
		 * mark_force_checkpoint), where loops around it converge */
		if (bx_ops[op].fmt == BX_F_MAYGOTO)
			env->aux[i].prune = env->aux[i].force_ckpt = 1;
		if (bx_ops[op].fmt == BX_F_JCOND || bx_ops[op].fmt == BX_F_JA ||
		    bx_ops[op].fmt == BX_F_JA32 || bx_ops[op].fmt == BX_F_MAYGOTO) {
			int t = (int)bx_jump_target(&env->insns[i], (size_t)i, op);

			if (t >= 0 && t < env->cnt)
				env->aux[t].prune = env->aux[t].jmp_point = 1;
		}
		if (op == BX_OP_CALL && (env->insns[i].imm == 181 || env->insns[i].imm == 164)) {
			env->aux[i].prune = env->aux[i].jmp_point = 1;
			env->aux[i].force_ckpt = 1;
			env->aux[i].cb_call = 1;
		}
		for (int k = 0; k < n; k++) {
			int t = nx[k];

			if (t < 0 || t >= env->cnt) {
				env->insn = i;
				free(stk);
				free(seen);
				return bxr_reject(env, -EINVAL, -1, -1, "jump out of range from insn %d to %d",
						  i, t);
			}
			if (env->ops[t] < 0) {
				env->insn = i;
				free(stk);
				free(seen);
				return bxr_reject(env, -EINVAL, -1, -1,
						  "jump into the middle of ldimm64 insn %d", t - 1);
			}
			if (!seen[t]) {
				seen[t] = 1;
				stk[sp++] = t;
			}
		}
	}
	for (int i = 0; i < env->cnt; i++) {
		if (env->ops[i] >= 0 && !seen[i]) {
			env->insn = i;
			free(stk);
			free(seen);
			bxr_reason(env, "no path from the program's start reaches insn %d", i);
			bxr_hint(env, "remove the dead code, or make sure a jump or call reaches it");
			return bxr_reject(env, -EINVAL, -1, -1, "unreachable insn %d", i);
		}
	}
	free(stk);
	free(seen);
	return 0;
}

/* use_def - registers insn i reads and writes (bit r), in the kernel's
 * calling convention (bx_use_def()); every instruction may read r10. */
static void use_def(const struct bxr_env *env, int i, uint16_t *use, uint16_t *def)
{
	bx_use_def(&env->insns[i], env->ops[i], BX_UD_ABI, use, def);
	*use |= 1u << BX_REG_FP;
}

/*
 * bxr_compute_liveness - live-in register sets of every instruction (a
 * backward fixpoint within each function). Returns 0 or -ENOMEM.
 */
int bxr_compute_liveness(struct bxr_env *env)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (int i = env->cnt - 1; i >= 0; i--) {
			int nx[2], n;
			uint16_t use, def, out = 0, in;

			if (env->ops[i] < 0)
				continue;
			n = successors(env, i, nx);
			for (int k = 0; k < n; k++)
				if (nx[k] >= 0 && nx[k] < env->cnt)
					out |= env->aux[nx[k]].live;
			if (env->aux[i].cb_call)
				out |= env->aux[i].live;	/* a callback returns to the call */
			use_def(env, i, &use, &def);
			in = (uint16_t)(use | (out & ~def));
			if (in != env->aux[i].live) {
				env->aux[i].live = in;
				changed = true;
			}
		}
	}
	return 0;
}

/* frame_size - a function's stack, rounded as the kernel does for a
 * JIT-compiled program (round_up_stack_depth with jit_requested: 16 bytes;
 * bpf_jit_enable is 1 on every kernel bpfbox compares with). */
static int frame_size(const struct bxr_env *env, int s)
{
	int d = env->subprogs[s].stack_depth;

	return (d + 15) & ~15;
}

/* max_depth - deepest combined stack of chains starting in subprog s. */
static int max_depth(struct bxr_env *env, int s, int depth, int frames, int *idx)
{
	struct bxr_subprog *sp = &env->subprogs[s];

	depth += frame_size(env, s);
	if (frames > BX_MAX_CALL_DEPTH) {
		env->insn = sp->start;
		return bxr_reject(env, -E2BIG, -1, -1, "the call stack of %d frames is too deep !",
				  frames);
	}
	if (depth > BX_STACK_SIZE) {
		env->insn = sp->start;
		bxr_reason(env, "the functions of one call chain use %d bytes of stack together; "
			   "the limit is %d", depth, BX_STACK_SIZE);
		bxr_hint(env, "use less stack in the called functions, or keep large buffers in a "
			 "per-CPU array map");
		return bxr_reject(env, -EACCES, -1, -1, "combined stack size of %d calls is %d. Too large",
				  frames, depth);
	}
	if (sp->has_tail_call && frames > 1 && depth - frame_size(env, s) > 256) {
		env->insn = sp->start;
		return bxr_reject(env, -EACCES, -1, -1,
				  "tail_calls are not allowed when call stack of previous frames is %d bytes. Too large",
				  depth - frame_size(env, s));
	}
	for (int i = sp->start; i < sp->end; i++) {
		int op = env->ops[i], t, err;

		if (op != BX_OP_CALL_LOCAL && op != BX_OP_LDDW_FUNC)
			continue;
		t = op == BX_OP_CALL_LOCAL ? (int)bx_jump_target(&env->insns[i], (size_t)i, op) :
		    i + 1 + env->insns[i].imm;
		t = bxr_subprog_of(env, t);
		(*idx)++;
		if (*idx > 100000)
			return 0;
		err = max_depth(env, t, depth, frames + 1, idx);
		if (err)
			return err;
	}
	return 0;
}

/*
 * bxr_check_stack_depth - after the walk: every call chain's combined stack
 * fits in 512 bytes, chains with tail calls in the kernel's tighter limit.
 */
int bxr_check_stack_depth(struct bxr_env *env)
{
	int idx = 0;

	return max_depth(env, 0, 0, 1, &idx);
}

/*
 * bxr_check_reserved - the checks the kernel makes on every instruction,
 * reachable or not, before the walk (resolve_pseudo_ldimm64): an LDX's
 * imm is zero, lddw's second slot is empty, the opcode exists. The other
 * reserved-field checks are the walk's (bxr_check_reserved_at).
 */
int bxr_check_reserved(struct bxr_env *env)
{
	for (int i = 0; i < env->cnt; i++) {
		const struct bpfbox_insn *in = &env->insns[i];
		int op = env->ops[i], fmt;

		if (op < 0)
			continue;
		env->insn = i;
		fmt = bx_ops[op].fmt;
		switch (fmt) {
		case BX_F_LDX: case BX_F_LDXSX:
			if (in->imm) {
				bxr_reason(env, "the instruction sets fields its opcode does not use");
				return bxr_reject(env, -EINVAL, -1, -1, "BPF_LDX uses reserved fields");
			}
			break;
		case BX_F_LDDW:
			if (i + 1 >= env->cnt || in[1].code || in[1].dst_reg || in[1].src_reg || in[1].off)
				return bxr_reject(env, -EINVAL, -1, -1, "invalid bpf_ld_imm64 insn");
			break;
		case BX_F_LDABS: case BX_F_LDIND:
			/* not in the kernel's bpf_opcode_in_insntable() */
			if (bx_code_size(in->code) == 8)
				return bxr_reject(env, -EINVAL, -1, -1, "unknown opcode %02x", in->code);
			break;	/* the other fields: check_ld_abs, when reached */
		case BX_F_CALLX:
			return bxr_reject(env, -EINVAL, -1, -1, "unknown opcode %02x", in->code);
		default:
			break;
		}
	}
	return 0;
}

/*
 * bxr_check_reserved_at - fields instruction i does not use are zero (the
 * kernel's "... uses reserved fields" checks of do_check, check_alu_op,
 * check_ld_imm, ...), checked when the walk reaches it, as the kernel
 * does: a dead branch may hold anything there.
 */
int bxr_check_reserved_at(struct bxr_env *env, int i)
{
	const struct bpfbox_insn *in = &env->insns[i];
	int op = env->ops[i], fmt = bx_ops[op].fmt;
	bool x = BX_SRC(in->code) == BX_X, j32 = BX_CLASS(in->code) == BX_JMP32;
	const char *what = NULL;

	switch (fmt) {
	case BX_F_ALU:
		if ((x && in->imm) || (!x && in->src_reg) ||
		    (bx_ops[op].match == BX_M_NONE && in->off))
			what = BX_OP(in->code) == BX_MOV ? "BPF_MOV" : "BPF_ALU";
		break;
	case BX_F_NEG:
		if (in->src_reg || in->off || in->imm)
			what = "BPF_NEG";
		break;
	case BX_F_END:
		if (in->src_reg || in->off)
			what = "BPF_END";
		break;
	case BX_F_MOVSX:
		if (in->imm)
			what = "BPF_MOV";
		break;
	case BX_F_ST:
		if (in->src_reg)
			what = "BPF_ST";
		break;
	case BX_F_STX:
		if (in->imm)
			what = "BPF_STX";
		break;
	case BX_F_JA: case BX_F_JA32:
		if (in->src_reg || in->dst_reg || (fmt == BX_F_JA && in->imm) ||
		    (fmt == BX_F_JA32 && in->off))
			what = "BPF_JA";
		break;
	case BX_F_JCOND:
		if ((!x && in->src_reg) || (x && in->imm))
			what = "BPF_JMP/JMP32";
		break;
	case BX_F_CALL:
		if ((in->src_reg != BX_CALL_KFUNC && in->off) || in->dst_reg || j32)
			what = "BPF_CALL";
		break;
	case BX_F_EXIT:	/* the kernel does not look at off */
		if (in->imm || in->src_reg || in->dst_reg || j32)
			what = "BPF_EXIT";
		break;
	case BX_F_LDDW:
		if (in->off)
			what = "BPF_LD_IMM64";
		break;
	default:
		break;
	}
	if (!what)
		return 0;
	bxr_reason(env, "the instruction sets fields its opcode does not use");
	return bxr_reject(env, -EINVAL, -1, -1, "%s uses reserved fields", what);
}

/*
 * bxr_check_func_info - the kernel's check_abnormal_return and the
 * return-type checks of check_btf_func, over every instruction (reachable
 * or not): LD_ABS / LD_IND and tail calls can leave a subprogram through
 * a hidden exit (a failing load, a tail call that replaces the program),
 * so a subprogram may use them only if BTF (opts->func_info) says it
 * returns a scalar; without func_info not at all. func_info, when given,
 * names the functions the CFG found, in order.
 */
int bxr_check_func_info(struct bxr_env *env)
{
	const struct bpfbox_func_info *fi = env->opts ? env->opts->func_info : NULL;
	size_t nfi = env->opts ? env->opts->func_info_cnt : 0;

	env->insn = 0;
	if (fi && nfi) {
		if (nfi != (size_t)env->nsub)
			return bxr_reject(env, -EINVAL, -1, -1,
					  "number of funcs in func_info doesn't match number of subprogs");
		for (int s = 0; s < env->nsub; s++) {
			struct bxr_subprog *sp = &env->subprogs[s];

			if (fi[s].insn_off != (uint32_t)sp->start)
				return bxr_reject(env, -EINVAL, -1, -1, "func_info BTF section doesn't match "
						  "subprog layout in BPF program");
			/* the main program is never called: its walk is the first */
			sp->global = s > 0 && fi[s].global;
			sp->name = fi[s].name;
			sp->nargs = fi[s].nargs < 5 ? fi[s].nargs : 5;
			memcpy(sp->arg, fi[s].arg, sizeof(sp->arg));
			memcpy(sp->arg_size, fi[s].arg_size, sizeof(sp->arg_size));
		}
	}
	for (int s = 1; s < env->nsub; s++) {
		bool ld_abs = false, tail = false;

		for (int i = env->subprogs[s].start; i < env->subprogs[s].end; i++) {
			int op = env->ops[i];

			if (op < 0)
				continue;
			ld_abs |= bx_ops[op].fmt == BX_F_LDABS || bx_ops[op].fmt == BX_F_LDIND;
			tail |= op != BX_OP_CALL_LOCAL && bx_ops[op].fmt == BX_F_CALL &&
				env->insns[i].src_reg == 0 && env->insns[i].imm == 12;
		}
		if (!ld_abs && !tail)
			continue;
		env->subprogs[s].abnormal_ret = true;
		env->insn = env->subprogs[s].start;
		if (!fi || !nfi) {
			bxr_reason(env, "without BTF function info the verifier cannot tell that this "
				   "subprogram returns an int, which %s needs", ld_abs ? "LD_ABS" : "a tail call");
			bxr_hint(env, "build with -g (BTF), or move the load into the main program");
			return bxr_reject(env, -EINVAL, -1, -1, "%s is not allowed in subprogs without BTF",
					  ld_abs ? "LD_ABS" : "tail_call");
		}
		if (!fi[s].ret_scalar) {
			bxr_reason(env, "%s can end this subprogram with r0 = 0, so it must return an int",
				   ld_abs ? "a failing LD_ABS / LD_IND" : "a tail call");
			return bxr_reject(env, -EINVAL, -1, -1, "%s is only allowed in functions that return 'int'.",
					  ld_abs ? "LD_ABS" : "tail_call");
		}
	}
	return 0;
}
