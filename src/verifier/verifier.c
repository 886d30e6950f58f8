/*
 * verifier.c - bxr_verify(): the pass pipeline over one environment
 *
 *   1. maps        the program's maps (and map-in-map templates) as the
 *                  verifier sees them; load flags the type allows
 *   2. reserved    the fields checked on every instruction (cfg.c; the
 *                  rest when the walk reaches them, bxr_check_reserved_at)
 *   3. check_cfg   subprograms, jumps, reachability, pruning points (cfg.c)
 *   4. liveness    registers live at each instruction (cfg.c)
 *   5. do_check    the path-sensitive walk (then one per called global
 *                  function, check_globals): every path from the first
 *                  instruction, one instruction at a time (alu.c, jmp.c,
 *                  mem.c, calls.c), pruned by state equivalence (state.c),
 *                  at most 1M instructions processed
 *   6. stack depth combined stack of call chains (cfg.c)
 *   7. ctx agree   the context rewriting sees the context accesses proved here
 *
 * and the log (log.c): level 2 prints every instruction with the
 * registers it changed; a rejection ends with the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verifier/verifier.h"
#include "verifier/ctx_flow.h"
#include "maps/map_internal.h"
#include "bpfbox/object.h"

/* add_map - one map (or an inner-map template) as the verifier sees it. */
static int add_map(struct bxr_env *env, const struct bpfbox_map *m, const struct bxm_meta *meta)
{
	struct bxr_map *v;

	if (env->nmaps >= BXR_MAX_MAPS)
		return -1;
	v = &env->maps[env->nmaps];
	memset(v, 0, sizeof(*v));
	v->map = m;
	v->inner = -1;
	if (m) {
		v->type = m->type;
		v->key_size = m->key_size;
		v->value_size = m->value_size;
		v->max_entries = m->max_entries;
		v->flags = m->map_flags;
		snprintf(v->name, sizeof(v->name), "%s", bpfbox_map__name(m));
	} else {
		v->type = meta->type;
		v->key_size = meta->key_size;
		v->value_size = meta->value_size;
		v->max_entries = meta->max_entries;
		v->flags = meta->map_flags;
		snprintf(v->name, sizeof(v->name), "inner");
	}
	return env->nmaps++;
}

/* pass_maps - the program's map table, then the inner templates. */
static int pass_maps(struct bxr_env *env)
{
	size_t n = env->prog->map_cnt;

	if (n > BXR_MAX_MAPS / 2)
		return bxr_reject(env, -E2BIG, -1, -1, "too many maps (%zu) used by the program", n);
	for (size_t i = 0; i < n; i++) {
		const struct bpfbox_map *m = env->prog->maps[i];

		if (!m) {
			add_map(env, NULL, &(struct bxm_meta){ 0 });
			continue;
		}
		add_map(env, m, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		const struct bpfbox_map *m = env->prog->maps[i];

		if (m && m->map_of_maps) {
			int k = add_map(env, NULL, &m->inner);

			if (k < 0)
				return bxr_reject(env, -E2BIG, -1, -1, "too many maps used by the program");
			env->maps[i].inner = k;
		}
	}
	/* map slots without a map are not usable by lddw */
	return 0;
}

/* init_state - the first state of function sub's own walk (frame 0): for
 * the main program r1 = ctx (raw programs with mem_verify: r1 = memory,
 * r2 its size); for a global function r1..r5 as its BTF prototype says
 * (the kernel's btf_prepare_func_args); r10 = fp. */
static int init_state(struct bxr_env *env, int sub)
{
	struct bxr_state *st = bxr_state_new();
	struct bxr_func *f = bxr_func_new(-1, sub);
	const struct bxr_subprog *sp = &env->subprogs[sub];

	if (!st || !f) {
		free(st);
		free(f);
		return -ENOMEM;
	}
	if (sub == 0 && !env->prog_type && env->opts && env->opts->mem_verify) {
		/* raw program on a caller's buffer: r1 = mem_size bytes, r2 = mem_size */
		if (env->opts->mem_size > BXR_MAX_VAR_OFF) {
			free(st);
			free(f);
			return bxr_reject(env, -E2BIG, -1, -1, "memory of %zu bytes is too large to "
					  "verify against (at most %lld)", env->opts->mem_size,
					  (long long)BXR_MAX_VAR_OFF);
		}
		bxr_mark_ptr(&f->regs[1], BXR_MEM);
		f->regs[1].aux = (uint32_t)env->opts->mem_size;
		bxr_mark_const(&f->regs[2], env->opts->mem_size);
	} else if (sub == 0) {
		bxr_mark_ptr(&f->regs[1], BXR_CTX);
	}
	for (int i = 0; sub && i < sp->nargs; i++) {
		struct bxr_reg *r = &f->regs[i + 1];

		switch (sp->arg[i]) {
		case BPFBOX_ARG_CTX:
			bxr_mark_ptr(r, BXR_CTX);
			break;
		case BPFBOX_ARG_MEM:
		case BPFBOX_ARG_MEM_OR_NULL:
			bxr_mark_ptr(r, BXR_MEM);
			r->aux = sp->arg_size[i];
			if (sp->arg[i] == BPFBOX_ARG_MEM_OR_NULL) {
				r->flags |= BXR_MAYBE_NULL;
				r->id = ++env->id_gen;
			}
			break;
		default:	/* unsupported kinds never get here (global_arg refused the call) */
			bxr_mark_unknown(r);
			break;
		}
	}
	bxr_mark_ptr(&f->regs[BX_REG_FP], BXR_STACK);
	st->frame[0] = f;
	st->first_insn = env->subprogs[sub].start;
	st->last_insn = -1;
	env->cur = st;
	env->prev_insn = -1;
	env->hist_cur = -1;
	return 0;
}

/* do_check - the path walk of function sub (0: the main program, or a
 * global function on its own). Returns 0 or a negative errno. */
static int do_check(struct bxr_env *env, int sub)
{
	int insn = env->subprogs[sub].start, err;

	env->walk_sub = sub;
	if ((err = init_state(env, sub)))
		return err;
	if (env->level >= 2)
		bxr_log_state(env, "0: ");
	for (;;) {
		int op, fmt, next = -1;
		bool done = false;
		const struct bpfbox_insn *in;

		env->insn = insn;
		env->hist_cur = -1;
		if (++env->insn_processed > BXR_COMPLEXITY_LIMIT) {
			bxr_reason(env, "the verifier explored more than %d instructions without covering "
				   "every path (an unbounded or very long loop, or too many branches)",
				   BXR_COMPLEXITY_LIMIT);
			bxr_hint(env, "bound the loops with a small constant, or use bpf_loop()");
			return bxr_reject(env, -E2BIG, -1, -1, "BPF program is too large. Processed %llu insn",
					  (unsigned long long)env->insn_processed);
		}
		if (env->aux[insn].prune) {
			bool prune;

			err = bxr_is_state_visited(env, insn, &prune);
			if (err)
				return err;
			if (prune) {
				if (env->level >= 2)
					bxr_log(env, "%d: safe\n", insn);
				goto path_end;
			}
		}
		if (env->aux[insn].jmp_point && (err = bxr_push_hist(env, env->cur, 0, 0)))
			return err;
		env->aux[insn].seen = 1;
		if (env->level >= 2)
			bxr_log_insn(env, insn);
		in = &env->insns[insn];
		op = env->ops[insn];
		fmt = bx_ops[op].fmt;
		if ((err = bxr_check_reserved_at(env, insn)))
			return err;
		if (BX_CLASS(in->code) == BX_JMP || BX_CLASS(in->code) == BX_JMP32)
			env->jmps_processed++;
		switch (fmt) {
		case BX_F_ALU: case BX_F_NEG: case BX_F_MOVSX: case BX_F_END:
			err = bxr_check_alu(env, in, op);
			next = insn + 1;
			break;
		case BX_F_LDX: case BX_F_LDXSX: case BX_F_ST: case BX_F_STX:
		case BX_F_AOP: case BX_F_AFETCH: case BX_F_XCHG: case BX_F_CMPXCHG:
			err = bxr_check_ldst(env, in, op);
			next = insn + 1;
			break;
		case BX_F_LDDW:
			err = bxr_check_lddw(env, in);
			next = insn + 2;
			break;
		case BX_F_LDABS: case BX_F_LDIND:
			next = insn + 1;
			err = bxr_check_ld_abs(env, in, op, &next);
			break;
		case BX_F_JA: case BX_F_JA32:
			next = (int)bx_jump_target(in, (size_t)insn, op);
			break;
		case BX_F_JCOND:
			err = bxr_check_cond_jmp(env, in, op, &next);
			break;
		case BX_F_MAYGOTO:
			err = bxr_check_may_goto(env, in, op, &next);
			break;
		case BX_F_CALL:
			if (op == BX_OP_CALL_LOCAL || env->aux[insn].cb_call) {
				err = bxr_check_local_call(env, in, &next);
			} else {
				err = bxr_check_helper_call(env, in);
				next = insn + 1;
			}
			break;
		case BX_F_EXIT:
			err = bxr_check_exit(env, &next, &done);
			break;
		default:
			err = bxr_reject(env, -EINVAL, -1, -1, "unknown opcode %02x", in->code);
			break;
		}
		if (err)
			return err;
		if (env->level >= 2 && !done && next >= 0)
			bxr_log_state(env, "    ; ");
		if (!done && next >= 0) {
			env->prev_insn = insn;
			insn = next;
			continue;
		}
path_end:
		bxr_path_done(env, env->cur);
		bxr_state_free(env->cur);
		env->cur = bxr_pop_branch(env);
		if (!env->cur)
			return 0;
		insn = env->cur->insn;
		env->prev_insn = env->cur->from;
		if (env->level >= 2) {
			bxr_log(env, "from %d to %d: ", env->cur->from, insn);
			bxr_log_state(env, "");
		}
	}
}

/*
 * check_globals - after the main program, every global function it (or
 * another global function) calls gets its own walk, as the kernel's
 * do_check_subprogs: until no called one is left unverified.
 */
static int check_globals(struct bxr_env *env)
{
	bool again = true;
	int err = 0;

	while (again && !err) {
		again = false;
		for (int s = 1; s < env->nsub && !err; s++) {
			struct bxr_subprog *sp = &env->subprogs[s];

			if (!sp->global || !sp->called || sp->verified)
				continue;
			sp->verified = again = true;
			bxr_log(env, "Validating %s() func#%d...\n", sp->name ? sp->name : "", s);
			err = do_check(env, s);
		}
	}
	env->walk_sub = 0;
	return err;
}

/* is_mem_fmt - loads, stores and atomics. */
static bool is_mem_fmt(int fmt)
{
	return fmt == BX_F_LDX || fmt == BX_F_LDXSX || fmt == BX_F_ST || fmt == BX_F_STX ||
	       fmt == BX_F_AOP || fmt == BX_F_AFETCH || fmt == BX_F_XCHG || fmt == BX_F_CMPXCHG;
}

/*
 * pass_ctx_agree - the context rewriting after verification (src/progtype,
 * with the path-insensitive analysis of ctx_flow.c) must rewrite exactly
 * the accesses the walk proved to go through the context: a context load
 * left alone would read the internal context as if it were the uapi one
 * (e.g. a 32-bit "data" as a packet pointer). Types whose context is not
 * rewritten need no agreement.
 */
static int pass_ctx_agree(struct bxr_env *env)
{
	struct bxf_access *acc;
	int err;

	/* the types whose context is rewritten: xdp_md and __sk_buff */
	if (!env->prog->type_ops || (env->prog->type_ops->ctx != BXH_CTX_XDP &&
				     env->prog->type_ops->ctx != BXH_CTX_SKB))
		return 0;
	acc = calloc(env->cnt ? (size_t)env->cnt : 1, sizeof(*acc));
	if (!acc)
		return -ENOMEM;
	err = bxf_ctx_flow(env->insns, env->ops, (size_t)env->cnt, acc);
	for (int i = 0; !err && i < env->cnt; i++) {
		int op = env->ops[i];
		bool vctx, fctx;

		if (op < 0 || !is_mem_fmt(bx_ops[op].fmt) || !env->aux[i].seen || !env->aux[i].ptr_type)
			continue;
		vctx = env->aux[i].ptr_type == BXR_CTX;
		fctx = acc[i].base == BXF_CTX && acc[i].reg_off == 0;
		if (vctx == fctx || (!vctx && (acc[i].base == BXF_NONE || acc[i].base == BXF_NOT_CTX)))
			continue;
		env->insn = i;
		bxr_reason(env, "bpfbox rewrites context accesses with a simpler analysis, which cannot "
			   "tell that the base register of this access always %s the context",
			   vctx ? "holds" : "does not hold");
		bxr_hint(env, "keep the context pointer in one register (or one 8-byte stack slot of "
			 "the same function) and access its fields directly");
		err = bxr_reject(env, -EACCES, -1, -1, "same insn cannot be used with different pointers");
	}
	free(acc);
	return err;
}

/* pass_flags - load flags the program type does not allow. */
static int pass_flags(struct bxr_env *env)
{
	uint32_t t = env->prog_type, eat = env->prog->expected_attach_type;
	bool sleepable_ok = (t == BPFBOX_PROG_TYPE_TRACING && (eat == 24 || eat == 25 || eat == 26 ||
							      eat == 28)) ||
			    t == BPFBOX_PROG_TYPE_LSM || t == BPFBOX_PROG_TYPE_STRUCT_OPS ||
			    t == BPFBOX_PROG_TYPE_KPROBE ||	/* uprobes: checked at attach */
			    t == BPFBOX_PROG_TYPE_SYSCALL;	/* the kernel's syscall programs are sleepable */

	env->insn = 0;
	if (env->opts && (env->opts->prog_flags & (1u << 4)) && !sleepable_ok)
		return bxr_reject(env, -EINVAL, -1, -1, "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, "
				  "and struct_ops programs can be sleepable");
	return 0;
}

/*
 * bxr_verify - verify prog (see verifier.h). The log goes to
 * opts->log_buf (kernel style) and the report also to the vm's log.
 */
int bxr_verify(struct bpfbox_prog *prog, const struct bpfbox_prog_opts *opts)
{
	struct bxr_env *env;
	struct timespec t0, t1;
	int err;

	if (!prog)
		return -EINVAL;
	env = calloc(1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	env->prog = prog;
	env->insns = prog->insns;
	env->ops = prog->ops;
	env->cnt = (int)prog->cnt;
	env->prog_type = prog->prog_type;
	env->opts = opts;
	env->log = &prog->vm->log;
	env->err_insn = -1;
	env->err_regs[0] = env->err_regs[1] = -1;
	/* the kernel's rule for a privileged loader (bpf_allow_uninit_stack:
	 * CAP_PERFMON): reading stack bytes never written gives an unknown
	 * number */
	env->unpriv = opts && opts->unpriv;
	env->allow_uninit_stack = !env->unpriv;
	if (opts && opts->log_buf && opts->log_size) {
		env->lbuf = opts->log_buf;
		env->lsize = opts->log_size;
		env->lbuf[0] = '\0';
		env->level = opts->log_level;
	}
	env->aux = calloc(env->cnt ? (size_t)env->cnt : 1, sizeof(*env->aux));
	if (!env->aux) {
		free(env);
		return -ENOMEM;
	}
	err = env->unpriv && env->prog_type ? bxr_unpriv_check_prog_type(env) : 0;
	if (!err)
		err = pass_maps(env);
	if (!err)
		err = pass_flags(env);
	if (!err)
		err = bxr_btf_init(env);	/* tracing / lsm: the attach target's arguments */
	if (!err)
		err = bxr_check_reserved(env);
	if (!err)
		err = bxr_check_cfg(env);
	if (!err && env->unpriv)
		err = bxr_unpriv_check_prog(env);
	if (!err)
		err = bxr_check_func_info(env);
	if (!err)
		err = bxr_compute_liveness(env);
	if (!err)
		err = do_check(env, 0);
	if (!err)
		err = check_globals(env);
	if (!err)
		err = bxr_check_stack_depth(env);
	if (!err)
		err = pass_ctx_agree(env);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		if (!env->failed)
			bxr_reject(env, err, -1, -1, "verifier failed: %s", err == -ENOMEM ? "out of memory" :
				   "internal error");
		bxr_report(env);
	} else {
		int depth = 0;

		for (int s = 0; s < env->nsub; s++)
			depth += env->subprogs[s].stack_depth;
		bxr_log(env, "verification time %lld usec\n",
			(long long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
		bxr_log(env, "stack depth");
		for (int s = 0; s < env->nsub; s++)
			bxr_log(env, "%s%d", s ? "+" : " ", env->subprogs[s].stack_depth);
		bxr_log(env, "\nprocessed %llu insns (limit %d) max_states_per_insn %d total_states %llu "
			"peak_states %llu mark_read 0\n", (unsigned long long)env->insn_processed,
			BXR_COMPLEXITY_LIMIT, env->max_states_per_insn,
			(unsigned long long)env->states_total, (unsigned long long)env->states_peak);
		(void)depth;
		err = env->unproven ? 1 : 0;
	}
	bxr_free_all(env);
	free(env->aux);
	free(env);
	return err;
}
