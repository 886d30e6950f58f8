/*
 * helpers_events.c - event output: bpf_perf_event_output() and the ring
 * buffer helpers bpf_ringbuf_output/reserve/submit/discard/query().
 */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

/*
 * bxk_perf_event_output - long bpf_perf_event_output(ctx, map, flags,
 * data, size): one sample into slot `flags & BPF_F_INDEX_MASK` (or the
 * run's CPU for BPF_F_CURRENT_CPU) of a perf_event_array.
 */
uint64_t bxk_perf_event_output(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "perf_event_output";
	struct bpfbox_map *m = bxk_arg_map(call, name, 2, r2);

	(void)r1;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (bxk_arg_mem(call, name, 4, "data", r4, r5, false))
		return (uint64_t)(long)-EFAULT;
	if (r5 && !r4)
		return (uint64_t)(long)-EINVAL;
	return (uint64_t)bxm_perf_output(m, r3, call->cpu, BXK_PTR(r4), r5);
}

/*
 * bxk_ringbuf_output - long bpf_ringbuf_output(ringbuf, data, size,
 * flags): copy one record in. 0, -EINVAL (flags), -EAGAIN (no room).
 */
uint64_t bxk_ringbuf_output(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "ringbuf_output";
	struct bpfbox_map *m = bxk_arg_map(call, name, 1, r1);

	(void)r5;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (m->type != BPFBOX_MAP_TYPE_RINGBUF || (r3 && !r2))
		return (uint64_t)(long)-EINVAL;
	if (bxk_arg_mem(call, name, 2, "data", r2, r3, false))
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)bxm_ringbuf_output(m, BXK_PTR(r2), r3, r4);
}

/*
 * bxk_ringbuf_reserve - void *bpf_ringbuf_reserve(ringbuf, size, flags):
 * a record of `size` bytes to fill and submit or discard, or NULL (no
 * room, flags != 0). A checked program may write the record.
 */
uint64_t bxk_ringbuf_reserve(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "ringbuf_reserve";
	struct bpfbox_map *m = bxk_arg_map(call, name, 1, r1);
	void *rec;

	(void)r4, (void)r5;
	if (!m)
		return 0;
	rec = bxm_ringbuf_reserve(m, r2, r3);
	if (!rec)
		return 0;
	if (r2 && bxv_run_add_region(call, rec, r2, true)) {
		bxm_ringbuf_discard(rec, 0);
		bx_err(&call->vm->log, "%s: bpf_%s: too many memory regions in this run",
		       call->prog->name, name);
		bpfbox_call__abort(call, -ENOSPC);
		return 0;
	}
	return BXK_REG(rec);
}

/* Checked runs: is `sample` a record reserved (and not yet committed) in
 * one of the program's ring buffers? */
static bool bxk_rb_sample_ok(struct bpfbox_call *call, uint64_t sample)
{
	for (size_t i = 0; i < call->prog->map_cnt; i++) {
		struct bpfbox_map *m = call->prog->maps[i];
		char *data = m ? bxm_ringbuf_data(m, NULL, NULL) : NULL;
		uint64_t off, hdr = sample - BPFBOX_RINGBUF_HDR_SZ;
		uint32_t len;

		if (!data)
			continue;
		off = hdr - BXK_REG(data);
		if (hdr < BXK_REG(data) || off >= m->max_entries || off % 8)
			continue;
		len = __atomic_load_n((uint32_t *)BXK_PTR(hdr), __ATOMIC_ACQUIRE);
		return (len & BPFBOX_RINGBUF_BUSY_BIT) != 0;
	}
	return false;
}

/* submit or discard */
static uint64_t bxk_rb_commit(struct bpfbox_call *call, const char *name,
			      uint64_t sample, uint64_t flags, bool discard)
{
	if (!sample || (call->checked && !bxk_rb_sample_ok(call, sample))) {
		bx_err(&call->vm->log, "%s: bpf_%s: arg 1 (data): 0x%llx is no reserved "
		       "ring buffer record", call->prog->name, name,
		       (unsigned long long)sample);
		bpfbox_call__abort(call, -EFAULT);
		return 0;
	}
	if (discard)
		bxm_ringbuf_discard(BXK_PTR(sample), flags);
	else
		bxm_ringbuf_submit(BXK_PTR(sample), flags);
	return 0;
}

/* bxk_ringbuf_submit - void bpf_ringbuf_submit(data, flags). */
uint64_t bxk_ringbuf_submit(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bxk_rb_commit(call, "ringbuf_submit", r1, r2, false);
}

/* bxk_ringbuf_discard - void bpf_ringbuf_discard(data, flags). */
uint64_t bxk_ringbuf_discard(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bxk_rb_commit(call, "ringbuf_discard", r1, r2, true);
}

/* bxk_ringbuf_query - u64 bpf_ringbuf_query(ringbuf, flags): available
 * data, ring size, consumer or producer position; 0 for unknown flags. */
uint64_t bxk_ringbuf_query(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = bxk_arg_map(call, "ringbuf_query", 1, r1);

	(void)r3, (void)r4, (void)r5;
	return m ? bxm_ringbuf_query(m, r2) : 0;
}
