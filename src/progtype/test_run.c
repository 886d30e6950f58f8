/*
 * test_run.c - bpfbox_prog__test_run(), as the kernel's BPF_PROG_TEST_RUN
 * (net/bpf/test_run.c): the dispatch per program type, the pieces all
 * types share (bpf_ctx_init, bpf_ctx_finish, bpf_test_finish, the timed
 * run loop), and the types whose context is the user's bytes (raw
 * tracepoints, tracing, kprobe, tracepoint, perf_event, syscall). XDP and
 * skb test runs are in test_run_xdp.c and test_run_skb.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "vm/vm_internal.h"

#define PAGE_SIZE              4096u
#define BPF_F_TEST_RUN_ON_CPU  1u

/*
 * bxh_ctx_init - see ctx_int.h (the kernel's bpf_ctx_init with
 * bpf_check_uarg_tail_zero).
 */
int bxh_ctx_init(struct bpfbox_prog *prog, const bxh_tr_opts *o, uint32_t max_size, void **out)
{
	uint8_t *data;

	*out = NULL;
	if (!o->ctx_in && !o->ctx_out)
		return 0;
	data = calloc(1, max_size);
	if (!data)
		return -ENOMEM;
	if (o->ctx_in) {
		uint32_t size = o->ctx_size_in;

		if (size > PAGE_SIZE) {
			bx_err(&prog->vm->log, "%s: test run: ctx_size_in %u is larger than a page",
			       prog->name, size);
			free(data);
			return -E2BIG;
		}
		for (uint32_t i = max_size; i < size; i++)
			if (((const uint8_t *)o->ctx_in)[i]) {
				bx_err(&prog->vm->log, "%s: test run: ctx_in byte %u (beyond the %u-byte context) is not zero",
				       prog->name, i, max_size);
				free(data);
				return -E2BIG;
			}
		memcpy(data, o->ctx_in, size < max_size ? size : max_size);
	}
	*out = data;
	return 0;
}

/*
 * bxh_ctx_finish - see ctx_int.h (bpf_ctx_finish).
 */
int bxh_ctx_finish(bxh_tr_opts *o, const void *ctx, uint32_t size)
{
	uint32_t copy = size;
	int err = 0;

	if (!ctx || !o->ctx_out)
		return 0;
	if (copy > o->ctx_size_out) {
		copy = o->ctx_size_out;
		err = -ENOSPC;
	}
	memcpy(o->ctx_out, ctx, copy);
	o->ctx_size_out = size;
	return err;
}

/*
 * bxh_test_finish - see ctx_int.h (bpf_test_finish). As in the kernel, a
 * clamped copy takes the linear part first and the fragments after it,
 * and data_size_out always reports the whole packet.
 */
int bxh_test_finish(bxh_tr_opts *o, const void *data, uint32_t linear,
		    const struct bxh_pkt *frags, uint32_t size)
{
	uint32_t copy = size;
	int err = 0;

	if (o->data_size_out && copy > o->data_size_out) {
		copy = o->data_size_out;
		err = -ENOSPC;
	}
	if (o->data_out) {
		int64_t len = frags ? (int64_t)copy - frags->frags_size : (int64_t)copy;
		uint8_t *out = o->data_out;

		if (len < 0)
			return -ENOSPC;
		if (len > (int64_t)linear)	/* cannot happen: size = linear + frags */
			len = linear;
		memcpy(out, data, (size_t)len);
		if (frags) {
			uint32_t off = (uint32_t)len;

			for (uint32_t i = 0; i < frags->nr_frags; i++) {
				uint32_t n;

				if (off >= copy) {
					err = -ENOSPC;
					break;
				}
				n = copy - off < frags->frag_len[i] ? copy - off : frags->frag_len[i];
				memcpy(out + off, frags->frags[i], n);
				off += n;
			}
		}
	}
	o->data_size_out = size;
	return err;
}

/*
 * bxh_run_repeat - see ctx_int.h. The clock is read once before and once
 * after the loop; duration is the mean per run (clamped to u32). A run
 * that will take the JIT is compiled first, outside the clock (the
 * kernel's JIT compiles at load: its duration never includes it).
 */
int bxh_run_repeat(struct bpfbox_prog *prog, bxh_tr_opts *o, void *ctx, size_t ctx_size,
		   void *hook, const void *region, size_t region_len, uint32_t cpu)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = ctx_size, .mode = o->mode,
		    .engine = o->engine, .task = o->task, .cpu = (int32_t)cpu);
	struct bxv_region reg = {
		.lo = (uint64_t)(uintptr_t)region, .len = region_len, .writable = true,
	};
	uint32_t repeat = o->repeat > 1 ? (uint32_t)o->repeat : 1;
	struct timespec t0, t1;
	uint64_t ns;
	int err = bxv_pick_jit(prog, o->engine, bxv_run_checked(prog, o->mode));

	if (err < 0)
		return err;	/* as the first run would fail */
	err = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < repeat; i++) {
		err = bxv_prog_run(prog, &ro, hook, region ? &reg : NULL, region ? 1 : 0);
		if (err)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err)
		return err;
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)t1.tv_nsec -
	     (uint64_t)t0.tv_nsec;
	ns /= repeat;
	o->duration = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
	o->retval = (uint32_t)ro.retval;
	o->r0 = ro.retval;
	return 0;
}

/* the max_ctx_offset the conversion recorded */
static uint32_t max_ctx_offset(const struct bpfbox_prog *prog)
{
	const struct bxh_ctx_info *info = prog->ctx_info;

	return info ? info->max_ctx_offset : 0;
}

/*
 * bxh_check_direct_run - see ctx.h. Packet programs read pointers from
 * their context, which only a test run (or a hook) builds; programs on
 * plain bytes must be given at least the bytes they read.
 */
int bxh_check_direct_run(const struct bpfbox_prog *prog, size_t ctx_size)
{
	switch (prog->prog_type) {
	case 0:
		return 0;
	case BPFBOX_PROG_TYPE_XDP:
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
	case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT:
		bx_err(&prog->vm->log, "%s: a %s program needs its packet context: run it with "
		       "bpfbox_prog__test_run() (or in checked mode)", prog->name,
		       bpfbox_prog_type_name(prog->prog_type));
		return -EINVAL;
	default:
		if (ctx_size < max_ctx_offset(prog)) {
			bx_err(&prog->vm->log, "%s: the program reads %u bytes of its context but "
			       "only %zu were given", prog->name, max_ctx_offset(prog), ctx_size);
			return -EINVAL;
		}
		return 0;
	}
}

/* -EINVAL with a log line */
static int refuse(const struct bpfbox_prog *prog, const char *why)
{
	bx_err(&prog->vm->log, "%s: test run refused: %s", prog->name, why);
	return -EINVAL;
}

/*
 * bxh_test_run_bytes - contexts that are the user's bytes. Raw
 * tracepoints and syscall programs follow bpf_prog_test_run_raw_tp() and
 * bpf_prog_test_run_syscall(); the kernel has no test run for kprobe,
 * tracepoint, perf_event, tracing and lsm programs, bpfbox runs them on
 * the given bytes (zero-padded to the context's full size).
 */
int bxh_test_run_bytes(struct bpfbox_prog *prog, bxh_tr_opts *o)
{
	uint32_t t = prog->prog_type, max, cpu = UINT32_MAX;
	bool raw_tp = t == BPFBOX_PROG_TYPE_RAW_TRACEPOINT ||
		      t == BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE;
	bool syscall = t == BPFBOX_PROG_TYPE_SYSCALL;
	uint8_t *ctx;
	int err;

	if (o->data_in || o->data_out)
		return refuse(prog, "this program type takes no packet (data_in/data_out)");
	switch (t) {
	case BPFBOX_PROG_TYPE_KPROBE: max = BXH_PT_REGS_SIZE; break;
	case BPFBOX_PROG_TYPE_PERF_EVENT: max = BXH_PERF_EVENT_SIZE; break;
	case BPFBOX_PROG_TYPE_TRACEPOINT: max = BXH_TRACEPOINT_MAX; break;
	case BPFBOX_PROG_TYPE_SYSCALL: max = BXH_SYSCALL_MAX; break;
	default: max = BXH_RAW_TP_MAX; break;
	}
	if (raw_tp || syscall) {
		if (o->ctx_out && !syscall)
			return refuse(prog, "ctx_out is not supported for raw tracepoints");
		if (o->repeat)
			return refuse(prog, "repeat is not supported for this program type");
		if (o->ctx_size_in < max_ctx_offset(prog))
			return refuse(prog, "ctx_size_in is smaller than the context the program reads");
	}
	if (o->ctx_size_in > max)
		return refuse(prog, "ctx_size_in is larger than the context of this program type");
	if (o->ctx_size_in && !o->ctx_in) {
		bx_err(&prog->vm->log, "%s: test run: ctx_size_in without ctx_in", prog->name);
		return -EFAULT;
	}
	if (syscall ? o->flags != 0 : (o->flags & ~BPF_F_TEST_RUN_ON_CPU) != 0)
		return refuse(prog, "unknown flags");
	if (!(o->flags & BPF_F_TEST_RUN_ON_CPU) && o->cpu != 0)
		return refuse(prog, "cpu without BPF_F_TEST_RUN_ON_CPU");
	if (o->flags & BPF_F_TEST_RUN_ON_CPU) {
		if (o->cpu >= prog->vm->nr_cpus) {
			bx_err(&prog->vm->log, "%s: test run: cpu %u does not exist (%u cpus)",
			       prog->name, o->cpu, prog->vm->nr_cpus);
			return -ENXIO;
		}
		cpu = o->cpu;
	}
	/* syscall contexts are exactly the user's bytes; others the type's full size */
	ctx = calloc(1, syscall ? (o->ctx_size_in ? o->ctx_size_in : 1) : max);
	if (!ctx)
		return -ENOMEM;
	if (o->ctx_size_in)
		memcpy(ctx, o->ctx_in, o->ctx_size_in);
	err = bxh_run_repeat(prog, o, ctx, syscall || raw_tp ? o->ctx_size_in : max, NULL,
			     NULL, 0, cpu);
	if (!err && o->ctx_out)	/* syscall: the kernel writes back into ctx_in */
		err = bxh_ctx_finish(o, ctx, o->ctx_size_in);
	free(ctx);
	return err;
}

/*
 * bpfbox_prog__test_run - see bpfbox.h.
 */
int bpfbox_prog__test_run(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *opts)
{
	bxh_tr_opts o;
	int err;

	if (!prog || !opts)
		return -EINVAL;
	err = bx_opts_load(&o, sizeof(o), opts, &prog->vm->log, "bpfbox_test_run_opts");
	if (err)
		return err;
	err = bxv_check_run_opts(prog, o.mode, o.engine);
	if (err)
		return err;
	if (o.data_size_in && !o.data_in) {
		bx_err(&prog->vm->log, "%s: test run: data_size_in without data_in", prog->name);
		return -EFAULT;
	}
	if (!prog->type_ops || !prog->type_ops->test_run) {
		const char *n = bpfbox_prog_type_name(prog->prog_type);
		bx_err(&prog->vm->log, "%s: test runs of program type %s (%u) are not supported",
		       prog->name, prog->prog_type ? (n ? n : "unknown") : "none (raw bytecode)",
		       prog->prog_type);
		return -EOPNOTSUPP;
	}
	err = prog->type_ops->test_run(prog, &o);
	/* the outputs, within the caller's struct size */
	BX_OPTS_SET(opts, data_size_out, o.data_size_out);
	BX_OPTS_SET(opts, ctx_size_out, o.ctx_size_out);
	BX_OPTS_SET(opts, retval, o.retval);
	BX_OPTS_SET(opts, duration, o.duration);
	BX_OPTS_SET(opts, r0, o.r0);
	return err;
}
