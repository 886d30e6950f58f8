/*
 * unpriv.c - the kernel's rules for an unprivileged loader (opts->unpriv,
 * env->unpriv): a process without CAP_BPF / CAP_PERFMON / CAP_SYS_ADMIN,
 * for which the kernel's verifier has allow_ptr_leaks, bypass_spec_v1/v4,
 * allow_uninit_stack and bpf_capable all false.
 *
 * Here: the whole-program rules (program types, no bpf-to-bpf calls or
 * function pointers, no loops: any back-edge of the CFG), the helpers an
 * unprivileged loader may call, and the Spectre-v1 rules on pointer
 * arithmetic (the kernel's sanitize_ptr_alu / sanitize_check_bounds /
 * retrieve_ptr_limit). The pointer-leak rules sit where the kernel
 * consults allow_ptr_leaks: mem.c (stores, atomics), jmp.c (comparisons),
 * alu.c (partial copies, pointer - pointer, 32-bit arithmetic), calls.c
 * (helper arguments, the return value). See docs/VERIFIER.md
 * "Unprivileged mode".
 */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* the program types an unprivileged loader may load (the kernel's
 * bpf_prog_load: anything else needs CAP_BPF) */
#define UNPRIV_PROG_TYPES(X) X(1 /* socket_filter */) X(8 /* cgroup_skb */)

/*
 * The helpers an unprivileged loader may call: the kernel's
 * bpf_base_func_proto() before its CAP_BPF test, bpf_sk_base_func_proto()'s
 * own, sk_filter_func_proto() and cg_skb_func_proto() (cgroup skb only:
 * the second column). (id, cgroup_skb only)
 */
#define UNPRIV_HELPERS(X) \
	X(1, 0)   /* map_lookup_elem */ \
	X(2, 0)   /* map_update_elem */ \
	X(3, 0)   /* map_delete_elem */ \
	X(87, 0)  /* map_push_elem */ \
	X(88, 0)  /* map_pop_elem */ \
	X(89, 0)  /* map_peek_elem */ \
	X(195, 0) /* map_lookup_percpu_elem */ \
	X(7, 0)   /* get_prandom_u32 */ \
	X(14, 0)  /* get_current_pid_tgid (allowed unprivileged on 6.18, measured) */ \
	X(15, 0)  /* get_current_uid_gid (likewise) */ \
	X(8, 0)   /* get_smp_processor_id */ \
	X(42, 0)  /* get_numa_node_id */ \
	X(12, 0)  /* tail_call */ \
	X(5, 0)   /* ktime_get_ns */ \
	X(125, 0) /* ktime_get_boot_ns */ \
	X(208, 0) /* ktime_get_tai_ns */ \
	X(160, 0) /* ktime_get_coarse_ns (bpf_sk_base_func_proto) */ \
	X(130, 0) /* ringbuf_output */ \
	X(131, 0) /* ringbuf_reserve */ \
	X(132, 0) /* ringbuf_submit */ \
	X(133, 0) /* ringbuf_discard */ \
	X(134, 0) /* ringbuf_query */ \
	X(164, 0) /* for_each_map_elem (its callback needs a function pointer: refused) */ \
	X(181, 0) /* loop (likewise) */ \
	X(26, 0)  /* skb_load_bytes */ \
	X(68, 0)  /* skb_load_bytes_relative */ \
	X(46, 0)  /* get_socket_cookie */ \
	X(47, 0)  /* get_socket_uid */ \
	X(25, 0)  /* perf_event_output */ \
	X(81, 1)  /* get_local_storage */ \
	X(95, 1)  /* sk_fullsock */ \
	X(107, 1) /* sk_storage_get */ \
	X(108, 1) /* sk_storage_delete */ \
	X(79, 1)  /* skb_cgroup_id */ \
	X(83, 1)  /* skb_ancestor_cgroup_id */ \
	X(128, 1) /* sk_cgroup_id */ \
	X(129, 1) /* sk_ancestor_cgroup_id */ \
	X(96, 1)  /* tcp_sock */ \
	X(98, 1)  /* get_listener_sock */ \
	X(97, 1)  /* skb_ecn_set_ce */

/* bxr_unpriv_helper_ok - may an unprivileged loader call helper id? */
bool bxr_unpriv_helper_ok(const struct bxr_env *env, uint32_t id)
{
#define X(ID, CG) if (id == (ID)) return !(CG) || env->prog_type == 8;
	UNPRIV_HELPERS(X)
#undef X
	return false;
}

/* back_edge - an iterative depth-first walk from insn 0 in the kernel's
 * order (fall-through first, then the jump); the first edge to an insn
 * still on the walk's stack is a loop: its (from, to), else -1. */
static int back_edge(struct bxr_env *env, int *to)
{
	int n = env->cnt, sp = 0, from = -1;
	int *stk = malloc((size_t)(n ? n : 1) * sizeof(*stk));
	uint8_t *st = calloc((size_t)(n ? n : 1), 1), *next = calloc((size_t)(n ? n : 1), 1);

	if (!stk || !st || !next) {
		free(stk);
		free(st);
		free(next);
		return -2;
	}
	stk[sp++] = 0;
	st[0] = 1;	/* 1: on the stack, 2: done */
	while (sp && from < 0) {
		int i = stk[sp - 1], op = env->ops[i], fmt = bx_ops[op].fmt, succ[2], ns = 0;

		if (fmt != BX_F_EXIT) {
			if (fmt == BX_F_JA || fmt == BX_F_JA32) {
				succ[ns++] = (int)bx_jump_target(&env->insns[i], (size_t)i, op);
			} else {
				succ[ns++] = i + bx_op_slots(op);
				if (fmt == BX_F_JCOND)
					succ[ns++] = (int)bx_jump_target(&env->insns[i], (size_t)i, op);
			}
		}
		if (next[i] >= ns) {
			st[i] = 2;
			sp--;
			continue;
		}
		{
			int t = succ[next[i]++];

			if (t < 0 || t >= n)
				continue;
			if (st[t] == 1) {
				from = i;
				*to = t;
			} else if (!st[t]) {
				st[t] = 1;
				stk[sp++] = t;
			}
		}
	}
	free(stk);
	free(st);
	free(next);
	return from;
}

/*
 * bxr_unpriv_check_prog_type - an unprivileged loader may only load socket
 * filters and cgroup skb programs (the kernel's bpf_prog_load refuses the
 * rest with EPERM before verifying). 0, or the rejection.
 */
int bxr_unpriv_check_prog_type(struct bxr_env *env)
{
	bool ok = false;

#define X(T) ok |= env->prog_type == (T);
	UNPRIV_PROG_TYPES(X)
#undef X
	if (ok)
		return 0;
	env->insn = 0;
	bxr_reason(env, "an unprivileged loader may only load socket filter and cgroup skb "
		   "programs (the kernel refuses the load with EPERM)");
	return bxr_reject(env, -EPERM, -1, -1, "program type %u needs CAP_BPF", env->prog_type);
}

/*
 * bxr_unpriv_check_prog - the whole-program rules, before the walk: no
 * calls of other bpf functions (or kfuncs), no function pointers, no
 * back-edges. 0, or the rejection.
 */
int bxr_unpriv_check_prog(struct bxr_env *env)
{
	int from, to = 0;

	for (int i = 0; i < env->cnt; i++) {
		int op = env->ops[i];

		if (op < 0)
			continue;
		if (op == BX_OP_CALL_LOCAL || op == BX_OP_LDDW_FUNC ||
		    (op == BX_OP_CALL && env->insns[i].src_reg == BX_CALL_KFUNC)) {
			env->insn = i;
			bxr_reason(env, "an unprivileged program is one function: no bpf-to-bpf calls, "
				   "callbacks or kernel functions");
			return bxr_reject(env, -EPERM, -1, -1, "loading/calling other bpf or kernel "
					  "functions are allowed for CAP_BPF and CAP_SYS_ADMIN");
		}
	}
	from = back_edge(env, &to);
	if (from == -2)
		return -ENOMEM;
	if (from >= 0) {
		env->insn = from;
		bxr_reason(env, "an unprivileged program may not loop (a jump back to insn %d)", to);
		return bxr_reject(env, -EINVAL, -1, -1, "back-edge from insn %d to %d", from, to);
	}
	return 0;
}

/* the kernel's sanitize reasons */
enum { R_OK = 0, R_BOUNDS = -1, R_TYPE = -2, R_PATHS = -3, R_LIMIT = -4 };

#define ALU_NEG 1u
#define ALU_SRC 2u
#define ALU_DST 4u
#define ALU_IMM 8u

/* ptr_limit - the kernel's retrieve_ptr_limit: how far the pointer may
 * move (to the left or right) and stay in its object. */
static int ptr_limit(const struct bxr_env *env, const struct bxr_reg *p, bool left, uint32_t *lim)
{
	uint32_t max, l;

	switch (p->type) {
	case BXR_STACK:
		max = BX_STACK_SIZE + (left ? 1 : 0);
		l = (uint32_t)-(p->var.value + (uint64_t)(int64_t)p->off);
		break;
	case BXR_MAP_VALUE:
		max = env->maps[p->aux].value_size;
		l = (uint32_t)((left ? (uint64_t)p->smin : p->umax) + (uint64_t)(int64_t)p->off);
		break;
	default:
		return R_TYPE;
	}
	if (l >= max)
		return R_LIMIT;
	*lim = l;
	return R_OK;
}

/* sanitize_err - the kernel's message for a reason. */
static int sanitize_err(struct bxr_env *env, const struct bpfbox_insn *in, int why, bool off_is_dst)
{
	static const char *const tail = "pointer arithmetic with it prohibited for !root";
	const char *op = bxr_sem_of[env->ops[env->insn]] == BXR_S_ADD ? "add" : "sub";
	int d = in->dst_reg, s = in->src_reg;

	bxr_reason(env, "an unprivileged program's pointer arithmetic must stay maskable against "
		   "speculative out-of-bounds (Spectre v1)");
	switch (why) {
	case R_BOUNDS:
		return bxr_reject(env, -EACCES, off_is_dst ? d : s, -1,
				  "R%d has unknown scalar with mixed signed bounds, %s",
				  off_is_dst ? d : s, tail);
	case R_TYPE:
		return bxr_reject(env, -EACCES, off_is_dst ? s : d, -1,
				  "R%d has pointer with unsupported alu operation, %s",
				  off_is_dst ? s : d, tail);
	case R_PATHS:
		return bxr_reject(env, -EACCES, d, -1,
				  "R%d tried to %s from different maps, paths or scalars, %s", d, op, tail);
	default:
		return bxr_reject(env, -EACCES, d, -1, "R%d tried to %s beyond pointer bounds, %s", d,
				  op, tail);
	}
}

/*
 * bxr_unpriv_sanitize - the kernel's sanitize_ptr_alu for dst = ptr +/- off
 * with a register offset, in two phases: before the operation (commit
 * false: the offset's bounds, the limit of the pointer) and after it (on
 * the result: the masking window, recorded in the instruction's aux so
 * that every path must agree on it). st keeps the first phase's state.
 */
int bxr_unpriv_sanitize(struct bxr_env *env, const struct bpfbox_insn *in, const struct bxr_reg *ptr,
			const struct bxr_reg *off, bool off_is_dst, bool commit, struct bxr_sanitize *st)
{
	struct bxr_aux *aux = &env->aux[env->insn];
	bool sub = bxr_sem_of[env->ops[env->insn]] == BXR_S_SUB;
	uint32_t lim = 0, state;
	int why;

	if (!env->unpriv || BX_SRC(in->code) != BX_X)
		return 0;
	if (!commit) {
		bool imm = bxr_tnum_is_const(off->var), neg = off->smin < 0;

		if (!imm && (off->smin < 0) != (off->smax < 0))
			return sanitize_err(env, in, R_BOUNDS, off_is_dst);
		st->left = (!sub && neg) || (sub && !neg);
		if ((why = ptr_limit(env, ptr, st->left, &lim)))
			return sanitize_err(env, in, why, off_is_dst);
		st->state = (neg ? ALU_NEG : 0) | (imm ? ALU_IMM : 0) | (off_is_dst ? ALU_DST : ALU_SRC);
		if (!imm)	/* compare every path's masking: scalars prune only when equal */
			env->explore_alu_limits = true;
		st->limit = lim;
		return 0;
	}
	if ((why = ptr_limit(env, ptr, st->left, &lim)))
		return sanitize_err(env, in, why, off_is_dst);
	lim = (uint32_t)abs((int32_t)(st->limit - lim));
	state = st->state;
	if (aux->alu_state && (aux->alu_state != state || aux->alu_limit != lim))
		return sanitize_err(env, in, R_PATHS, off_is_dst);
	aux->alu_state = (uint8_t)state;
	aux->alu_limit = lim;
	return 0;
}

/*
 * bxr_unpriv_check_bounds - the kernel's sanitize_check_bounds: after
 * pointer arithmetic an unprivileged program's stack pointer must be a
 * constant inside the stack and a map value pointer inside its value.
 */
int bxr_unpriv_check_bounds(struct bxr_env *env, int regno, const struct bxr_reg *r)
{
	if (!env->unpriv)
		return 0;
	if (r->type == BXR_STACK) {
		int64_t off = (int64_t)r->off + (int64_t)r->var.value;

		if (!bxr_tnum_is_const(r->var)) {
			char tn[48];

			bxr_tnum_str(tn, sizeof(tn), r->var);
			return bxr_reject(env, -EACCES, regno, -1, "R%d variable stack access prohibited "
					  "for !root, var_off=%s off=%d", regno, tn, r->off);
		}
		if (off >= 0 || off < -BX_STACK_SIZE)
			return bxr_reject(env, -EACCES, regno, -1, "R%d stack pointer arithmetic goes out "
					  "of range, prohibited for !root, off=%lld", regno, (long long)off);
	} else if (r->type == BXR_MAP_VALUE) {
		int64_t vs = env->maps[r->aux].value_size;

		if (r->smin + r->off < 0 || r->umax >= (uint64_t)BXR_MAX_VAR_OFF ||
		    (int64_t)r->umax + r->off + 1 > vs)
			return bxr_reject(env, -EACCES, regno, -1, "R%d pointer arithmetic of map value "
					  "goes out of range, prohibited for !root", regno);
	}
	return 0;
}
