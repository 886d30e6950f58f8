/*
 * interp.c - the interpreter: two instantiations of interp_body.h (trusted
 * and checked), bpfbox_prog__run() and calls back into the program from
 * helpers. See docs/Interpreter.md.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include "interp_sem.h"
#include "vm_internal.h"

#if defined(__clang__)
#define BXV_NOCLONE
#else
#define BXV_NOCLONE , noclone
#endif

#define BXV_CHECKED 0
#define BXV_FN bxv_interp_trusted
#include "interp_body.h"
#undef BXV_CHECKED
#undef BXV_FN

#define BXV_CHECKED 1
#define BXV_FN bxv_interp_checked
#include "interp_body.h"
#undef BXV_CHECKED
#undef BXV_FN

#define BXV_DEFAULT_MAX_INSNS 1000000000ull

/*
 * bxv_interp_labels - the trusted interpreter's label table, indexed by
 * enum bx_op; struct bxv_insn.lbl holds one of these.
 */
const void *const *bxv_interp_labels(void)
{
	const void *const *labels = NULL;

	bxv_interp_trusted(NULL, 0, NULL, 0, NULL, &labels);
	return labels;
}

/*
 * bxv_interp_run - run in the mode of `call` (see vm_internal.h).
 */
int bxv_interp_run(struct bpfbox_call *call, uint32_t start, const uint64_t args[5],
		   uint64_t fp, uint64_t *r0)
{
	if (call->checked)
		return bxv_interp_checked(call, start, args, fp, r0, NULL);
	return bxv_interp_trusted(call, start, args, fp, r0, NULL);
}

/*
 * bxv_call_subprog - see vm_internal.h. The callee gets the next free
 * frame below the caller's; the helper's own context is kept.
 */
int bxv_call_subprog(struct bpfbox_call *call, uint32_t insn_idx, uint64_t r1,
		     uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		     uint64_t *r0)
{
	const uint64_t args[5] = { r1, r2, r3, r4, r5 };
	void *helper_ctx;
	uint64_t fp, ret = 0;
	int err;

	if (!call || !r0)
		return -EINVAL;
	helper_ctx = call->helper_ctx;
	if (insn_idx >= call->prog->cnt || call->prog->ops[insn_idx] < 0) {
		bx_err(&call->vm->log, "callback at insn %u: no instruction starts there",
		       insn_idx);
		err = -EINVAL;
		goto out;
	}
	if (call->depth >= BX_MAX_CALL_DEPTH) {
		bx_err(&call->vm->log, "callback at insn %u: call depth exceeds %d frames",
		       insn_idx, BX_MAX_CALL_DEPTH);
		err = -E2BIG;
		goto out;
	}
	fp = call->stack_top - (uint64_t)call->depth * BX_STACK_SIZE;
	call->depth++;
	call->stack_lo = fp - BX_STACK_SIZE;
	err = call->jit ? call->vm->jit->run(call, insn_idx, args, fp, &ret)
			: bxv_interp_run(call, insn_idx, args, fp, &ret);
	call->depth--;
	call->stack_lo = call->stack_top - (uint64_t)call->depth * BX_STACK_SIZE;
out:
	call->helper_ctx = helper_ctx;
	if (err)
		bpfbox_call__abort(call, err);
	else
		*r0 = ret;
	return err;
}

/*
 * run_cpu - the simulated CPU of a run: opts->cpu, or (-1, or a caller
 * whose options end before `cpu`) the host CPU modulo nr_cpus.
 */
static int run_cpu(const struct bpfbox_prog *prog, const struct bpfbox_run_opts *uopts,
		   int32_t cpu, uint32_t *out)
{
	uint32_t n = prog->vm->nr_cpus ? prog->vm->nr_cpus : 1;

	if (!BX_OPTS_HAS(uopts, cpu))
		cpu = -1;
	if (cpu < 0) {
		int c = sched_getcpu();
		*out = c < 0 ? 0 : (uint32_t)c % n;
		return 0;
	}
	if ((uint32_t)cpu >= n) {
		bx_err(&prog->vm->log, "%s: cpu %d is out of range (the vm has %u CPUs)",
		       prog->name, cpu, n);
		return -EINVAL;
	}
	*out = (uint32_t)cpu;
	return 0;
}

/*
 * bxv_run_checked - see vm_internal.h.
 */
bool bxv_run_checked(const struct bpfbox_prog *prog, enum bpfbox_run_mode mode)
{
	return mode == BPFBOX_RUN_CHECKED || (mode == BPFBOX_RUN_AUTO && !prog->verified);
}

/*
 * bxv_pick_jit - see vm_internal.h. BPFBOX_ENGINE_JIT: on a host with a
 * JIT, compiled now if needed (else an error); checked runs take the
 * checked JIT. BPFBOX_ENGINE_DEFAULT: the JIT for trusted runs unless the
 * vm disabled it, the interpreter when it is unavailable or cannot
 * compile the program, and for checked runs.
 */
int bxv_pick_jit(struct bpfbox_prog *prog, enum bpfbox_engine engine, bool checked)
{
	int err;

	if (engine == BPFBOX_ENGINE_INTERP)
		return 0;
	if (engine == BPFBOX_ENGINE_DEFAULT)
		return !checked && !prog->vm->no_jit && prog->vm->jit &&
		       prog->vm->jit->compile(prog, false) == 0;
	if (!prog->vm->jit) {
		bx_err(&prog->vm->log, "%s: there is no JIT for this host", prog->name);
		return -EOPNOTSUPP;
	}
	err = prog->vm->jit->compile(prog, checked);
	return err ? err : 1;
}

/*
 * bxv_check_run_opts - see vm_internal.h.
 */
int bxv_check_run_opts(const struct bpfbox_prog *prog, enum bpfbox_run_mode mode,
		       enum bpfbox_engine engine)
{
	if (mode > BPFBOX_RUN_TRUSTED || engine > BPFBOX_ENGINE_JIT) {
		bx_err(&prog->vm->log, "%s: unknown run mode %d or engine %d", prog->name,
		       (int)mode, (int)engine);
		return -EINVAL;
	}
	return 0;
}

/*
 * bxv_prog_run - run once (see vm_internal.h). The stack of all frames
 * lives in this function's C frame, so concurrent runs of one program
 * share nothing.
 */
int bxv_prog_run(struct bpfbox_prog *prog, struct bpfbox_run_opts *opts, void *hook,
		 const struct bxv_region *regions, unsigned nregions)
{
	_Alignas(16) uint8_t stack[BX_MAX_CALL_DEPTH * BX_STACK_SIZE];
	struct bpfbox_run_opts o;
	struct bpfbox_call call;
	uint64_t args[5] = { 0 }, r0 = 0;
	int err, use_jit;

	if (!prog || !opts || (nregions && !regions))
		return -EINVAL;
	err = bx_opts_load(&o, sizeof(o), opts, &prog->vm->log, "bpfbox_run_opts");
	if (err)
		return err;
	err = bxv_check_run_opts(prog, o.mode, o.engine);
	if (err)
		return err;
	if (!o.ctx && o.ctx_size) {
		bx_err(&prog->vm->log, "%s: ctx is NULL but ctx_size is %zu", prog->name,
		       o.ctx_size);
		return -EINVAL;
	}
	if (prog->prog_type && !bxp_runnable(prog->type_ops)) {
		const char *n = bpfbox_prog_type_name(prog->prog_type);

		bx_err(&prog->vm->log, "%s: programs of type %s (%u) can be loaded but not run",
		       prog->name, n ? n : "unknown", prog->prog_type);
		return -EOPNOTSUPP;
	}
	memset(&call, 0, offsetof(struct bpfbox_call, regions));
	err = run_cpu(prog, opts, o.cpu, &call.cpu);
	if (err)
		return err;
	call.vm = prog->vm;
	call.prog = prog;
	call.ctx = o.ctx;
	call.ctx_size = o.ctx_size;
	call.task = o.task;	/* NULL: bxv_call_task() describes this thread on demand */
	call.hook = hook;
	call.checked = bxv_run_checked(prog, o.mode);
	if (!call.checked && prog->mem_verified && (!o.ctx || o.ctx_size != prog->mem_size)) {
		bx_err(&prog->vm->log, "%s: verified for a buffer of %zu bytes, run with %zu", prog->name,
		       prog->mem_size, o.ctx ? o.ctx_size : 0);
		return -EINVAL;
	}
	/* no hook built the context: the caller's bytes must be enough */
	if (!call.checked && !hook && prog->type_ops &&
	    (err = prog->type_ops->check_direct_run(prog, o.ctx_size)))
		return err;
	call.depth = 1;
	call.stack_top = (uint64_t)(uintptr_t)(stack + sizeof(stack));
	call.stack_lo = call.stack_top - BX_STACK_SIZE;
	call.max_insns = o.max_insns ? o.max_insns : BXV_DEFAULT_MAX_INSNS;
	call.budget = call.max_insns;
	if (call.checked) {	/* no stale host data for an unverified program */
		memset(stack, 0, sizeof(stack));
		/* global data (.data/.rodata/.bss) the program addresses directly */
		if (prog->ndv)
			memcpy(call.regions, prog->dv, prog->ndv * sizeof(*prog->dv));
		call.nregions = prog->ndv;
		for (unsigned i = 0; i < nregions; i++) {
			err = bxv_run_add_region(&call, (const void *)(uintptr_t)regions[i].lo,
						 regions[i].len, regions[i].writable);
			if (err)
				return err;
		}
	}
	args[0] = (uint64_t)(uintptr_t)o.ctx;
	args[1] = o.ctx_size;

	use_jit = bxv_pick_jit(prog, o.engine, call.checked);
	if (use_jit < 0)
		return use_jit;
	if (use_jit)
		err = prog->vm->jit->run(&call, 0, args, call.stack_top, &r0);
	else
		err = bxv_interp_run(&call, 0, args, call.stack_top, &r0);

	BX_OPTS_SET(opts, retval, err ? 0 : r0);
	if (call.checked)
		BX_OPTS_SET(opts, insn_executed, call.max_insns - call.budget);
	return err;
}

/* bpfbox_prog__run - see bpfbox.h. */
int bpfbox_prog__run(struct bpfbox_prog *prog, struct bpfbox_run_opts *opts)
{
	return bxv_prog_run(prog, opts, NULL, NULL, 0);
}
