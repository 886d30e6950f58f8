/*
 * ctx_convert.c - load-time context conversion (see ctx.h): find the
 * context accesses with the data-flow analysis of src/verifier/ctx_flow.c,
 * check each against the program type's rules, rewrite it for the
 * internal context (ctx_access.c), and expand LD_ABS / LD_IND as the
 * kernel's bpf_gen_ld_abs() does. Rewrites keep one instruction per
 * instruction except LD_ABS / LD_IND and 32-bit stores to
 * __sk_buff->queue_mapping; when a program grows, every jump, call and
 * callback offset is fixed up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/object.h"
#include "helpers/helpers.h"
#include "progtype/ctx.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "verifier/ctx_flow.h"
#include "vm/vm_internal.h"

#define MAX_EXPAND 7

/* One slot's replacement. */
struct patch {
	struct bpfbox_insn insn[MAX_EXPAND];
	uint8_t n;              /* 0: unchanged */
};


/*
 * gen_ld_abs - the kernel's bpf_gen_ld_abs(): r0 = the big-endian value at
 * offset (imm, or src + imm) of the packet via a load helper; on failure
 * the program exits with r0 = 0.
 */
static int gen_ld_abs(const struct bpfbox_insn *orig, struct bpfbox_insn *out)
{
	int n = 0, sz = bx_code_size(orig->code);
	int32_t helper = sz == 1 ? BXK_ID_skb_load_helper_8 : sz == 2 ? BXK_ID_skb_load_helper_16 : BXK_ID_skb_load_helper_32;

	if (BX_MODE(orig->code) == BX_ABS) {
		out[n++] = bxh_insn(BX_ALU64 | BX_K | BX_MOV, 2, 0, 0, orig->imm);
	} else {
		out[n++] = bxh_insn(BX_ALU64 | BX_X | BX_MOV, 2, orig->src_reg, 0, 0);
		if (orig->imm)
			out[n++] = bxh_insn(BX_ALU64 | BX_K | BX_ADD, 2, 0, 0, orig->imm);
	}
	out[n++] = bxh_insn(BX_ALU64 | BX_X | BX_MOV, 1, 6, 0, 0);
	out[n++] = bxh_insn(BX_JMP | BX_CALL, 0, 0, 0, helper);
	out[n++] = bxh_insn(BX_JMP | BX_K | BX_JSGE, 0, 0, 2, 0);
	out[n++] = bxh_insn(BX_ALU | BX_X | BX_XOR, 0, 0, 0, 0);
	out[n++] = bxh_insn(BX_JMP | BX_EXIT, 0, 0, 0, 0);
	return n;
}

/*
 * check_access - slot i is a memory access whose base the flow analysis
 * classified; fill p if it must be rewritten. Returns 0 or -EACCES /
 * -EINVAL (logged with the kernel's wording).
 */
static int check_access(struct bpfbox_prog *prog, size_t i, const struct bxf_access *a,
			struct bxh_ctx_info *info, struct patch *p)
{
	const struct bx_log *log = &prog->vm->log;
	const struct bpfbox_insn *in = &prog->insns[i];
	int fmt = bx_ops[prog->ops[i]].fmt;
	struct bxh_access_req q;
	struct bxh_access_res r;

	if (a->base == BXF_MIXED) {
		bx_err(log, "insn %zu: same insn cannot be used with different pointers", i);
		return -EINVAL;
	}
	if (a->base == BXF_CTX_VAROFF) {
		bx_err(log, "insn %zu: variable ctx access var_off disallowed (R%u)", i, a->reg);
		return -EACCES;
	}
	if (a->base != BXF_CTX)
		return 0;
	if (fmt == BX_F_AOP || fmt == BX_F_AFETCH || fmt == BX_F_XCHG || fmt == BX_F_CMPXCHG) {
		bx_err(log, "insn %zu: BPF_ATOMIC stores into R%u ctx is not allowed", i, a->reg);
		return -EACCES;
	}
	if (a->reg_off != 0) {
		bx_err(log, "insn %zu: dereference of modified ctx ptr R%u off=%d disallowed",
		       i, a->reg, a->reg_off);
		return -EACCES;
	}
	q = (struct bxh_access_req){
		.prog_type = prog->prog_type,
		.expected_attach_type = prog->expected_attach_type,
		.insn = in,
		.off = in->off,
		.size = bx_code_size(in->code),
		.write = fmt == BX_F_ST || fmt == BX_F_STX,
		.ldsx = fmt == BX_F_LDXSX,
	};
	if (!bxh_ctx_access(&q, &r)) {
		bx_err(log, "insn %zu: invalid bpf_context access off=%d size=%d", i, q.off, q.size);
		return -EACCES;
	}
	if (q.off + q.size > 0 && (uint32_t)(q.off + q.size) > info->max_ctx_offset)
		info->max_ctx_offset = (uint32_t)(q.off + q.size);
	if (r.n != 1 || memcmp(&r.insn[0], in, sizeof(*in))) {
		memcpy(p->insn, r.insn, (size_t)r.n * sizeof(r.insn[0]));
		p->n = (uint8_t)r.n;
	}
	return 0;
}

/* The new jump / call offset field for slot i with old target t. */
static int fix_offset(const struct bx_log *log, size_t i, int64_t delta, bool imm_field,
		      struct bpfbox_insn *in)
{
	if (imm_field) {
		if (delta < INT32_MIN || delta > INT32_MAX)
			goto range;
		in->imm = (int32_t)delta;
	} else {
		if (delta < INT16_MIN || delta > INT16_MAX)
			goto range;
		in->off = (int16_t)delta;
	}
	return 0;
range:
	bx_err(log, "insn %zu: jump out of range after context conversion", i);
	return -E2BIG;
}

/*
 * apply - write the patches into a new instruction array (new index of old
 * slot i: pos[i]) and fix every pc-relative offset: a jump to slot t now
 * goes to pos[t], the first instruction of t's replacement.
 */
static int apply(struct bpfbox_prog *prog, const struct patch *p)
{
	const struct bx_log *log = &prog->vm->log;
	size_t cnt = prog->cnt, ncnt = 0;
	size_t *pos = malloc((cnt + 1) * sizeof(*pos));
	struct bpfbox_insn *ni = NULL;
	int16_t *nops = NULL;
	int err = -ENOMEM;

	if (!pos)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		pos[i] = ncnt;
		ncnt += p[i].n ? p[i].n : 1;
	}
	pos[cnt] = ncnt;
	if (ncnt > BX_MAX_INSNS) {
		bx_err(log, "%s: program too large after context conversion (%zu insns)",
		       prog->name, ncnt);
		err = -E2BIG;
		goto out;
	}
	ni = malloc(ncnt * sizeof(*ni));
	nops = malloc(ncnt * sizeof(*nops));
	if (!ni || !nops)
		goto out;
	for (size_t i = 0; i < cnt; i++) {
		int op = prog->ops[i];

		if (p[i].n) {
			memcpy(&ni[pos[i]], p[i].insn, p[i].n * sizeof(ni[0]));
			continue;
		}
		ni[pos[i]] = prog->insns[i];
		if (op < 0)
			continue;
		if (bx_op_is_jump(op) || op == BX_OP_LDDW_FUNC) {
			int64_t t = op == BX_OP_LDDW_FUNC ? (int64_t)i + 1 + prog->insns[i].imm
							  : bx_jump_target(&prog->insns[i], i, op);
			bool imm_field = op == BX_OP_LDDW_FUNC || op == BX_OP_CALL_LOCAL ||
					 bx_ops[op].fmt == BX_F_JA32;
			int64_t nt;

			if (t < 0 || (size_t)t > cnt) {
				bx_err(log, "insn %zu: jump out of the program", i);
				err = -EINVAL;
				goto out;
			}
			nt = (int64_t)pos[t];
			err = fix_offset(log, i, nt - (int64_t)pos[i] - 1, imm_field, &ni[pos[i]]);
			if (err)
				goto out;
		}
	}
	/* recompute the ops of the new program (and re-check its structure) */
	err = bx_isa_check(ni, ncnt, log, nops);
	if (err)
		goto out;
	free(prog->insns);
	free(prog->ops);
	prog->insns = ni;
	prog->ops = nops;
	prog->cnt = ncnt;
	ni = NULL;
	nops = NULL;
	err = 0;
out:
	free(pos);
	free(ni);
	free(nops);
	return err;
}

/*
 * check_helper_call - calls of the packet helpers from program types the
 * kernel does not offer them to are refused at load, as the kernel does.
 */
static int check_helper_call(struct bpfbox_prog *prog, size_t i)
{
	uint32_t id = (uint32_t)prog->insns[i].imm;
	const struct bxk_proto *pr = bxk_proto(id);
	const uint32_t pkt_sets = BXS_TC | BXS_XDP | BXS_SKB_LOAD | BXS_INTERNAL;

	if (!pr || (pr->sets & ~pkt_sets) || bxp_helper_allowed(prog->type_ops, pr->sets) ||
	    !bxk_helper_is_builtin(prog->vm, id))
		return 0;
	bx_err(&prog->vm->log, "insn %zu: program of type %s cannot call helper %s#%u", i,
	       bpfbox_prog_type_name(prog->prog_type) ? bpfbox_prog_type_name(prog->prog_type) : "?",
	       bpfbox_vm__helper_name(prog->vm, id), id);
	return -EINVAL;
}

/*
 * bxh_prog_convert_ctx - see ctx.h. Raw programs (type 0) use r1 as a
 * plain pointer to the bytes they were given and are not converted.
 */
int bxh_prog_convert_ctx(struct bpfbox_prog *prog)
{
	const struct bx_log *log = &prog->vm->log;
	struct bxf_access *acc = NULL;
	struct bxh_ctx_info *info;
	struct patch *p = NULL;
	bool grow = false, any = false;
	int err;

	if (!prog->prog_type)
		return 0;
	if (!bxp_runnable(prog->type_ops)) {
		const char *n = bpfbox_prog_type_name(prog->prog_type);

		/* verifiable, not runnable: the load succeeds as the kernel's,
		 * bxv_prog_run() refuses to run it */
		if (prog->verified)
			return 0;
		bx_err(log, "%s: program type %s (%u) is not supported", prog->name,
		       n ? n : "unknown", prog->prog_type);
		return -EOPNOTSUPP;
	}
	info = calloc(1, sizeof(*info));
	acc = calloc(prog->cnt ? prog->cnt : 1, sizeof(*acc));
	p = calloc(prog->cnt ? prog->cnt : 1, sizeof(*p));
	err = -ENOMEM;
	if (!info || !acc || !p)
		goto fail;
	err = bxf_ctx_flow(prog->insns, prog->ops, prog->cnt, acc);
	if (err)
		goto fail;
	for (size_t i = 0; i < prog->cnt; i++) {
		int op = prog->ops[i];
		int fmt;

		if (op < 0)
			continue;
		fmt = bx_ops[op].fmt;
		if (op == BX_OP_CALL) {
			err = check_helper_call(prog, i);
			if (err)
				goto fail;
			continue;
		}
		if (fmt == BX_F_LDABS || fmt == BX_F_LDIND) {
			if (acc[i].base == BXF_NONE)
				continue;	/* unreachable */
			if (!prog->type_ops->ld_abs) {
				bx_err(log, "insn %zu: BPF_LD_[ABS|IND] instructions not allowed for this program type", i);
				err = -EINVAL;
				goto fail;
			}
			if (acc[i].base != BXF_CTX || acc[i].reg_off != 0) {
				bx_err(log, "insn %zu: at the time of BPF_LD_ABS|IND R6 != pointer to skb", i);
				err = -EINVAL;
				goto fail;
			}
			if (!bxk_helper_is_builtin(prog->vm, BXK_ID_skb_load_helper_8) ||
			    !bxk_helper_is_builtin(prog->vm, BXK_ID_skb_load_helper_16) ||
			    !bxk_helper_is_builtin(prog->vm, BXK_ID_skb_load_helper_32)) {
				bx_err(log, "insn %zu: LD_ABS/LD_IND need bpfbox's packet helpers (ids %d..%d), which this vm does not have",
				       i, BXK_ID_skb_load_helper_8, BXK_ID_skb_load_helper_32);
				err = -EINVAL;
				goto fail;
			}
			p[i].n = (uint8_t)gen_ld_abs(&prog->insns[i], p[i].insn);
			info->ld_abs = 1;
			grow = any = true;
			continue;
		}
		if (acc[i].base == BXF_NONE || acc[i].base == BXF_NOT_CTX)
			continue;
		err = check_access(prog, i, &acc[i], info, &p[i]);
		if (err)
			goto fail;
		if (p[i].n) {
			any = true;
			grow |= p[i].n > 1;
		}
	}
	if (grow) {
		err = apply(prog, p);
		if (err)
			goto fail;
	} else if (any) {
		for (size_t i = 0; i < prog->cnt; i++)
			if (p[i].n == 1)
				prog->insns[i] = p[i].insn[0];
		/* loads changed size, stores may have become jumps: new ops */
		err = bx_isa_check(prog->insns, prog->cnt, log, prog->ops);
		if (err)
			goto fail;
	}
	free(acc);
	free(p);
	free(prog->ctx_info);
	prog->ctx_info = info;
	return 0;
fail:
	free(info);
	free(acc);
	free(p);
	return err;
}

/* bxh_prog_free_ctx - release the conversion data. */
void bxh_prog_free_ctx(struct bpfbox_prog *prog)
{
	free(prog->ctx_info);
	prog->ctx_info = NULL;
}
