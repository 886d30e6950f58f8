/*
 * btf_access.c - BTF-typed pointers (the kernel's PTR_TO_BTF_ID) for the
 * programs whose arguments are kernel objects: tracing (fentry, fexit,
 * fmod_ret, tp_btf, iter) and lsm, loaded with the kernel BTF and an
 * attach target (bpfbox_prog_opts.attach_btf / attach_btf_id).
 *
 *   bxr_btf_init        the attach target: its FUNC_PROTO, as the kernel's
 *                       bpf_check_attach_target() finds it
 *   bxr_btf_ctx_access  a context load: the context is the target's
 *                       arguments, one u64 each (the kernel's btf_ctx_access):
 *                       numbers load as scalars, pointers to structs as
 *                       PTR_TO_BTF_ID of that struct
 *   bxr_btf_access      a load through a PTR_TO_BTF_ID (the kernel's
 *                       check_ptr_to_btf_access + btf_struct_walk): the
 *                       offset names a member of the struct (nested structs,
 *                       unions and arrays walked), with the member's size for
 *                       pointers; a pointer member loads as another
 *                       PTR_TO_BTF_ID (trusted, RCU or untrusted, as the
 *                       kernel's BTF_TYPE_SAFE_* lists say) and anything else
 *                       as a scalar. Writes are refused.
 *
 * In the kernel these loads are PROBE_MEM (a faulting read gives 0), so a
 * walked pointer needs no NULL check unless the kernel marks it
 * _or_null. bpfbox has no kernel objects: such programs are verified but
 * marked unproven (env->unproven), so a run is always checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verifier/verifier.h"
#include "bpfbox/object.h"

enum { RAW_TP = 23, FENTRY = 24, FEXIT = 25, MODIFY_RETURN = 26, LSM_MAC = 27, ITER = 28 };
#define MAX_FUNC_ARGS 12   /* the kernel's MAX_BPF_FUNC_ARGS */

enum walk { W_SCALAR, W_PTR, W_PTR_UNTRUSTED, W_STRUCT };

/* ty - the decoded type id (zeroed if invalid). */
static struct bpfbox_btf_type ty(const struct bpfbox_btf *b, uint32_t id)
{
	struct bpfbox_btf_type t;

	if (bpfbox_btf__type(b, id, &t))
		memset(&t, 0, sizeof(t));
	return t;
}

/* member - member idx of a struct, union or func_proto (zeroed if invalid). */
static struct bpfbox_btf_member member(const struct bpfbox_btf *b, uint32_t id, uint32_t idx)
{
	struct bpfbox_btf_member m;

	if (bpfbox_btf__member(b, id, idx, &m))
		memset(&m, 0, sizeof(m));
	return m;
}

/* is_comp - a struct or a union (the kernel's btf_type_is_struct). */
static bool is_comp(uint32_t kind)
{
	return kind == BPFBOX_BTF_KIND_STRUCT || kind == BPFBOX_BTF_KIND_UNION;
}

/* bxr_btf_name - a type's name for messages ("" if anonymous). */
const char *bxr_btf_name(const struct bxr_env *env, uint32_t id)
{
	const char *n = env->btf ? ty(env->btf, id).name : NULL;

	return n ? n : "";
}

/* bxr_btf_find_struct - the kernel BTF's struct `name`, 0 if none. */
uint32_t bxr_btf_find_struct(const struct bxr_env *env, const char *name)
{
	int id = env->btf ? bpfbox_btf__find_by_name_kind(env->btf, name, BPFBOX_BTF_KIND_STRUCT) : -1;

	return id > 0 ? (uint32_t)id : 0;
}

/* bxr_btf_ctx - does this program's context come from its BTF target? */
bool bxr_btf_ctx(const struct bxr_env *env)
{
	return env->attach_proto != 0;
}

/* has_prefix - s starts with p. */
static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/*
 * bxr_btf_init - take the attach target of opts (the kernel's
 * bpf_check_attach_target for tracing and lsm programs): tp_btf names a
 * btf_trace_<name> typedef of a pointer to the FUNC_PROTO whose first
 * argument (void *__data) the program does not see; the others name a
 * FUNC. Nothing to do without an attach_btf_id.
 */
int bxr_btf_init(struct bxr_env *env)
{
	const struct bpfbox_prog_opts *o = env->opts;
	uint32_t eat = env->prog->expected_attach_type, id;
	struct bpfbox_btf_type t, p;
	const struct bpfbox_btf *b;

	if (!o || !o->attach_btf_id) {
		env->btf = o ? o->attach_btf : NULL;	/* for helpers' BTF-typed results */
		return 0;
	}
	if (!((env->prog_type == BPFBOX_PROG_TYPE_TRACING && eat >= RAW_TP && eat <= ITER &&
	       eat != LSM_MAC) || (env->prog_type == BPFBOX_PROG_TYPE_LSM && eat == LSM_MAC)))
		return 0;	/* other types: the kernel's other uses of attach_btf_id, not modelled */
	b = o->attach_btf;
	id = o->attach_btf_id;
	if (!b)
		return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u without the BTF it is in", id);
	t = ty(b, id);
	if (!t.id)
		return bxr_reject(env, -EINVAL, -1, -1, "Invalid attach_btf_id %u", id);
	if (eat == RAW_TP) {
		if (t.kind != BPFBOX_BTF_KIND_TYPEDEF)
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u is not a typedef", id);
		if (!has_prefix(t.name, "btf_trace_"))
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u points to wrong type name %s",
					  id, t.name);
		p = ty(b, bpfbox_btf__skip_mods(b, t.type));
		if (p.kind != BPFBOX_BTF_KIND_PTR)
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u typedef %s is not a pointer",
					  id, t.name);
		p = ty(b, bpfbox_btf__skip_mods(b, p.type));
		if (p.kind != BPFBOX_BTF_KIND_FUNC_PROTO || !p.vlen)
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u typedef %s is not a func proto",
					  id, t.name);
		env->attach_name = t.name + strlen("btf_trace_");
		env->attach_arg0 = 1;
	} else {
		if (t.kind != BPFBOX_BTF_KIND_FUNC)
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u is not a function", id);
		if ((eat == LSM_MAC && !has_prefix(t.name, "bpf_lsm_")) ||
		    (eat == ITER && !has_prefix(t.name, "bpf_iter_")))
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u points to wrong type name %s",
					  id, t.name);
		if (eat == LSM_MAC && !env->prog->gpl)
			return bxr_reject(env, -EINVAL, -1, -1, "LSM programs must have a GPL compatible license");
		/* fmod_ret: the kernel allows security_* functions and those on
		 * its error-injection list, which is not in BTF: bpfbox takes
		 * the former only (it may refuse what the kernel accepts, never
		 * the reverse) */
		if (eat == MODIFY_RETURN && !has_prefix(t.name, "security_"))
			return bxr_reject(env, -EINVAL, -1, -1, "%s() is not modifiable (bpfbox knows only "
					  "security_* functions to be on the kernel's error-injection list)",
					  t.name);
		p = ty(b, t.type);
		if (p.kind != BPFBOX_BTF_KIND_FUNC_PROTO)
			return bxr_reject(env, -EINVAL, -1, -1, "attach_btf_id %u type %s is not a func proto",
					  id, t.name);
		env->attach_name = t.name;
		env->attach_arg0 = 0;
	}
	env->attach_nargs = (int)p.vlen - env->attach_arg0;
	if (eat != RAW_TP && eat != ITER && env->attach_nargs > MAX_FUNC_ARGS)
		return bxr_reject(env, -EINVAL, -1, -1, "The function %s has %d arguments. Too many.",
				  t.name, env->attach_nargs);
	env->btf = b;
	env->attach_proto = p.id;
	env->unproven = true;	/* its loads read kernel objects: runs are checked */
	return 0;
}

/* The kernel's raw_tp_null_args (kernel/bpf/btf.c): tracepoints whose
 * pointer arguments may be NULL or an error pointer. One nibble per
 * argument (argument i: bits 4i..4i+3, counted after the hidden void *):
 * 0x1 = may be NULL (PTR_MAYBE_NULL), 0x2 = may be IS_ERR (loaded as a
 * scalar). Taken from the kernel's list, a fact table. */
static const struct { const char *tp; uint64_t mask; } raw_tp_null_args[] = {
	{ "sched_pi_setprio", 0x10 }, { "sched_stick_numa", 0x100 }, { "sched_swap_numa", 0x100 },
	{ "afs_make_fs_call", 0x10 }, { "afs_make_fs_calli", 0x10 }, { "afs_make_fs_call1", 0x10 },
	{ "afs_make_fs_call2", 0x10 }, { "afs_protocol_error", 0x1 }, { "afs_flock_ev", 0x10 },
	{ "cachefiles_lookup", 0x201 }, { "cachefiles_unlink", 0x1 }, { "cachefiles_rename", 0x1 },
	{ "cachefiles_prep_read", 0x1 }, { "cachefiles_mark_active", 0x1 },
	{ "cachefiles_mark_failed", 0x1 }, { "cachefiles_mark_inactive", 0x1 },
	{ "cachefiles_vfs_error", 0x1 }, { "cachefiles_io_error", 0x1 },
	{ "cachefiles_ondemand_open", 0x1 }, { "cachefiles_ondemand_copen", 0x1 },
	{ "cachefiles_ondemand_close", 0x1 }, { "cachefiles_ondemand_read", 0x1 },
	{ "cachefiles_ondemand_cread", 0x1 }, { "cachefiles_ondemand_fd_write", 0x1 },
	{ "cachefiles_ondemand_fd_release", 0x1 }, { "ext4_mballoc_discard", 0x10 },
	{ "ext4_mballoc_free", 0x10 }, { "fib_table_lookup", 0x100 }, { "posix_lock_inode", 0x10 },
	{ "fcntl_setlk", 0x10 }, { "locks_remove_posix", 0x10 }, { "flock_lock_inode", 0x10 },
	{ "break_lease_noblock", 0x10 }, { "break_lease_block", 0x10 },
	{ "break_lease_unblock", 0x10 }, { "generic_delete_lease", 0x10 }, { "time_out_leases", 0x10 },
	{ "host1x_cdma_push_gather", 0x10000 }, { "mm_khugepaged_scan_pmd", 0x10 },
	{ "mm_collapse_huge_page_isolate", 0x1 }, { "mm_khugepaged_scan_file", 0x10 },
	{ "mm_khugepaged_collapse_file", 0x10 }, { "mm_page_alloc", 0x1 },
	{ "mm_page_pcpu_drain", 0x1 }, { "mm_page_alloc_zone_locked", 0x1 }, { "netfs_failure", 0x10 },
	{ "device_pm_callback_start", 0x10 }, { "qdisc_dequeue", 0x1000 }, { "rxrpc_recvdata", 0x1 },
	{ "rxrpc_resend", 0x10 }, { "rxrpc_tq", 0x10 }, { "rxrpc_client", 0x1 },
	{ "kfree_skb", 0x1000 }, { "xs_stream_read_data", 0x1 }, { "xprt_reserve_cong", 0x10 },
	{ "xprt_release_cong", 0x10 }, { "xprt_get_cong", 0x10 }, { "xprt_put_cong", 0x10 },
	{ "tcp_send_reset", 0x11 }, { "tcp_sendmsg_locked", 0x100 }, { "tegra_dma_tx_status", 0x100 },
	{ "tmigr_update_events", 0x1 }, { "writeback_dirty_folio", 0x10 },
	{ "folio_wait_writeback", 0x10 }, { "mr_integ_alloc", 0x2000 }, { "amdgpu_vm_bo_map", 0x1 },
	{ "amdgpu_vm_bo_unmap", 0x1 }, { "netfs_folioq", 0x1 }, { "xfs_defer_create_intent", 0x1 },
	{ "xfs_defer_cancel_list", 0x1 }, { "xfs_defer_pending_finish", 0x1 },
	{ "xfs_defer_pending_abort", 0x1 }, { "xfs_defer_relog_intent", 0x1 },
	{ "xfs_defer_isolate_paused", 0x1 }, { "xfs_defer_item_pause", 0x1 },
	{ "xfs_defer_item_unpause", 0x1 }, { "xfs_defer_add_item", 0x1 },
	{ "xfs_defer_cancel_item", 0x1 }, { "xfs_defer_finish_item", 0x1 },
	{ "xfs_ioc_free_eofblocks", 0x10 }, { "xfs_blockgc_free_space", 0x10 },
	{ "xfs_btree_updkeys", 0x100 }, { "xfs_btree_overlapped_query_range", 0x100 },
	{ "xfs_map_blocks_found", 0x10000 }, { "xfs_map_blocks_alloc", 0x10000 },
	{ "xfs_iomap_alloc", 0x1000 }, { "xfs_iomap_found", 0x1000 }, { "xfs_inodegc_flush", 0x1 },
	{ "xfs_inodegc_push", 0x1 }, { "xfs_inodegc_start", 0x1 }, { "xfs_inodegc_stop", 0x1 },
	{ "xfs_inodegc_queue", 0x1 }, { "xfs_inodegc_throttle", 0x1 }, { "xfs_fs_sync_fs", 0x1 },
	{ "xfs_blockgc_start", 0x1 }, { "xfs_blockgc_stop", 0x1 }, { "xfs_blockgc_worker", 0x1 },
	{ "xfs_blockgc_flush_all", 0x1 }, { "xchk_nlinks_live_update", 0x10 },
	{ "xchk_metapath_lookup", 0x100 }, { "nfsd_dirent", 0x1 }, { "nfsd_file_acquire", 0x1001 },
	{ "nfsd_file_insert_err", 0x1 }, { "nfsd_file_cons_err", 0x1 }, { "nfs4_setup_sequence", 0x1 },
	{ "pnfs_update_layout", 0x10000 }, { "nfs4_inode_callback_event", 0x200 },
	{ "nfs4_inode_stateid_callback_event", 0x200 }, { "pnfs_mds_fallback_pg_init_read", 0x10000 },
	{ "pnfs_mds_fallback_pg_init_write", 0x10000 },
	{ "pnfs_mds_fallback_pg_get_mirror_count", 0x10000 },
	{ "pnfs_mds_fallback_read_done", 0x10000 }, { "pnfs_mds_fallback_write_done", 0x10000 },
	{ "pnfs_mds_fallback_read_pagelist", 0x10000 },
	{ "pnfs_mds_fallback_write_pagelist", 0x10000 }, { "coda_dec_pic_run", 0x10 },
	{ "coda_dec_pic_done", 0x10 }, { "cfg80211_scan_done", 0x11 }, { "rdev_set_coalesce", 0x10 },
	{ "cfg80211_report_wowlan_wakeup", 0x100 }, { "cfg80211_inform_bss_frame", 0x100 },
	{ "cfg80211_michael_mic_failure", 0x10000 }, { "wiphy_work_queue", 0x10 },
	{ "wiphy_work_run", 0x10 }, { "wiphy_work_cancel", 0x10 }, { "wiphy_work_flush", 0x10 },
	{ "hugetlbfs_alloc_inode", 0x10 }, { "spufs_context", 0x10 },
	{ "kvm_page_fault_enter", 0x100 }, { "dpu_crtc_setup_mixer", 0x100 },
	{ "binder_transaction", 0x100 }, { "btree_path_free", 0x100 },
	{ "hfi1_sdma_progress", 0x1000 }, { "iptfs_ingress_postq_event", 0x1000 },
	{ "neigh_update", 0x10 }, { "amdtp_packet", 0x100 },
};

/* raw_tp_nulls - the raw_tp_null_args nibble of argument arg of tracepoint tp. */
static unsigned raw_tp_nulls(const char *tp, int arg)
{
	for (size_t i = 0; i < sizeof(raw_tp_null_args) / sizeof(raw_tp_null_args[0]); i++)
		if (!strcmp(raw_tp_null_args[i].tp, tp))
			return (unsigned)(raw_tp_null_args[i].mask >> (4 * arg)) & 0xf;
	return 0;
}

/* ctx_arg_idx - the argument at context offset off (the kernel's
 * btf_ctx_arg_idx): a pointer takes 8 bytes, anything else its size
 * rounded up to 8 (structs passed by value); nargs for the return value,
 * nargs + 1 beyond it. Counted over the whole prototype, for tp_btf its
 * hidden void * too, as the kernel counts (the index then names the
 * argument after it: each takes one slot). */
static int ctx_arg_idx(const struct bxr_env *env, int off)
{
	const struct bpfbox_btf *b = env->btf;
	struct bpfbox_btf_type p = ty(b, env->attach_proto);
	int64_t end = 0;

	for (uint32_t i = 0; i < p.vlen; i++) {
		struct bpfbox_btf_type t = ty(b, bpfbox_btf__skip_mods(b, member(b, p.id, i).type));

		end += t.kind == BPFBOX_BTF_KIND_PTR ? 8 : ((int64_t)t.size + 7) / 8 * 8;
		if (off < end)
			return (int)i;
	}
	{
		struct bpfbox_btf_type t = ty(b, bpfbox_btf__skip_mods(b, p.type));

		end += t.kind == BPFBOX_BTF_KIND_PTR ? 8 : ((int64_t)t.size + 7) / 8 * 8;
	}
	return (int)p.vlen + (off < end ? 0 : 1);
}

/* ctx_reject - a refused context access: the kernel's detail line, then its error. */
static int ctx_reject(struct bxr_env *env, int regno, int off, int size, const char *detail)
{
	if (detail && *detail)
		bxr_log(env, "%s\n", detail);
	bxr_reason(env, "%s", detail && *detail ? detail :
		   "the context of this program is its target's arguments, read-only u64s");
	return bxr_reject(env, -EACCES, regno, -1, "invalid bpf_context access off=%d size=%d", off, size);
}

/* set_loaded - value_regno after loading `size` bytes of a scalar, or a
 * PTR_TO_BTF_ID of struct sid with flags (0 sid: a scalar). */
static void set_loaded(struct bxr_env *env, int value_regno, uint32_t sid, uint8_t flags, int size,
		       bool sx)
{
	struct bxr_reg *d;

	if (value_regno < 0)
		return;
	d = &bxr_regs(env)[value_regno];
	if (!sid) {
		bxr_mark_unknown(d);
		if (size < 8) {
			if (sx)
				bxr_coerce_sx(d, size);
			else
				bxr_trunc(d, size);
		}
		return;
	}
	bxr_mark_ptr(d, BXR_BTF_ID);
	d->aux = sid;
	d->flags = flags;
	if (flags & BXR_MAYBE_NULL)
		d->id = ++env->id_gen;
}

/* bxr_btf_ctx_access - a context access of a BTF-typed program at
 * constant offset off (the kernel's bpf_tracing_btf_ctx_access). */
int bxr_btf_ctx_access(struct bxr_env *env, int regno, int off, int size, bool write,
		       int value_regno, bool sx)
{
	const struct bpfbox_btf *b = env->btf;
	uint32_t eat = env->prog->expected_attach_type, tid, sid;
	int arg, nargs = env->attach_nargs;
	struct bpfbox_btf_type t;
	struct bpfbox_btf_member prm = { 0 };
	uint8_t flags;
	char m[256];

	if (off < 0 || off >= 8 * MAX_FUNC_ARGS || write || off % size)
		return ctx_reject(env, regno, off, size, NULL);
	if (off % 8) {
		snprintf(m, sizeof(m), "func '%s' offset %d is not multiple of 8", env->attach_name, off);
		return ctx_reject(env, regno, off, size, m);
	}
	arg = ctx_arg_idx(env, off);
	if (arg > nargs) {
		snprintf(m, sizeof(m), "func '%s' doesn't have %d-th argument", env->attach_name, arg + 1);
		return ctx_reject(env, regno, off, size, m);
	}
	if (arg == nargs) {	/* the return value */
		t = ty(b, env->attach_proto);
		switch (eat) {
		case LSM_MAC: case FEXIT:
			tid = t.type;
			break;
		case MODIFY_RETURN: {
			struct bpfbox_btf_type r = ty(b, bpfbox_btf__skip_mods(b, t.type));

			if (r.kind != BPFBOX_BTF_KIND_INT || r.size > 8) {
				snprintf(m, sizeof(m), "ret type %s not allowed for fmod_ret",
					 bpfbox_btf_kind_name(r.kind));
				return ctx_reject(env, regno, off, size, m);
			}
			tid = t.type;
			break;
		}
		default:
			snprintf(m, sizeof(m), "func '%s' doesn't have %d-th argument", env->attach_name,
				 arg + 1);
			return ctx_reject(env, regno, off, size, m);
		}
	} else {
		prm = member(b, env->attach_proto, (uint32_t)(arg + env->attach_arg0));
		tid = prm.type;
	}
	t = ty(b, bpfbox_btf__skip_mods(b, tid));
	if ((t.kind == BPFBOX_BTF_KIND_INT && t.size <= 8) || t.kind == BPFBOX_BTF_KIND_ENUM ||
	    t.kind == BPFBOX_BTF_KIND_ENUM64 || is_comp(t.kind)) {
		set_loaded(env, value_regno, 0, 0, size, sx);	/* a scalar */
		return 0;
	}
	if (t.kind != BPFBOX_BTF_KIND_PTR) {
		snprintf(m, sizeof(m), "func '%s' arg%d '%s' has type %s. Only pointer access is allowed",
			 env->attach_name, arg, t.name ? t.name : "", t.id || tid ?
			 bpfbox_btf_kind_name(t.kind) : "void");
		return ctx_reject(env, regno, off, size, m);
	}
	if (size != 8) {
		snprintf(m, sizeof(m), "func '%s' size %d must be 8", env->attach_name, size);
		return ctx_reject(env, regno, off, size, m);
	}
	sid = bpfbox_btf__skip_mods(b, t.type);
	if (!t.type || !is_comp(ty(b, sid).kind)) {
		/* void *, int *, pointers to pointers: numbers to the verifier */
		set_loaded(env, value_regno, 0, 0, 8, false);
		return 0;
	}
	/* prog_args_trusted(): tp_btf and iter arguments are trusted, and
	 * lsm hooks' (bpfbox does not keep the kernel's few untrusted lsm
	 * hooks); fentry / fexit / fmod_ret ones are plain PTR_TO_BTF_ID */
	flags = eat == RAW_TP || eat == ITER || eat == LSM_MAC ? BXR_TRUSTED : 0;
	if (eat == RAW_TP) {
		unsigned nib = raw_tp_nulls(env->attach_name, arg);

		if (nib & 1)
			flags |= BXR_MAYBE_NULL;
		if (nib & 2) {	/* may be an error pointer: a number */
			bxr_log(env, "marking pointer arg%d as scalar as it may encode error\n", arg);
			set_loaded(env, value_regno, 0, 0, 8, false);
			return 0;
		}
	}
	if (prm.name && strlen(prm.name) >= 10 &&
	    !strcmp(prm.name + strlen(prm.name) - 10, "__nullable"))
		flags |= BXR_MAYBE_NULL;
	/* iterators: every argument after the meta is PTR_TO_BTF_ID_OR_NULL
	 * (their targets' ctx_arg_info) */
	if (eat == ITER && arg > 0)
		flags |= BXR_MAYBE_NULL;
	bxr_log(env, "func '%s' arg%d has btf_id %u type %s '%s'\n", env->attach_name, arg, sid,
		bpfbox_btf_kind_name(ty(b, sid).kind), bxr_btf_name(env, sid));
	set_loaded(env, value_regno, sid, flags, 8, false);
	return 0;
}

/* resolve_array - an array member: the innermost element type (after
 * modifiers) and the count of elements of all dimensions. */
static uint32_t resolve_array(const struct bpfbox_btf *b, uint32_t id, uint64_t *total)
{
	*total = 1;
	for (int n = 0; n < 64; n++) {
		struct bpfbox_btf_type a = ty(b, id);

		if (a.kind != BPFBOX_BTF_KIND_ARRAY)
			break;
		*total *= a.nelems;
		id = bpfbox_btf__skip_mods(b, a.type);
	}
	return id;
}

/*
 * walk - one step of the kernel's btf_struct_walk: the member of struct
 * *id at [off, off + size). W_STRUCT: *id is the nested struct that
 * starts at off (the new off is 0); W_PTR: *id is the pointed-to struct
 * and *field the member's name; W_SCALAR / W_PTR_UNTRUSTED; < 0: an
 * error, its kernel message in msg.
 */
static int walk(const struct bpfbox_btf *b, uint32_t *id, int *offp, int size, bool *untrusted,
		const char **field, char *msg, size_t n)
{
	uint32_t off = (uint32_t)*offp;

again:;
	uint32_t tid = bpfbox_btf__skip_mods(b, *id);
	struct bpfbox_btf_type t = ty(b, tid);
	const char *tname = t.name ? t.name : "";

	if (!is_comp(t.kind)) {
		snprintf(msg, n, "Type '%s' is not a struct", tname);
		return -EINVAL;
	}
	if (t.kind == BPFBOX_BTF_KIND_UNION && t.vlen != 1)
		*untrusted = true;	/* walking unions gives untrusted pointers */
	if (off + (uint32_t)size > t.size) {
		/* a flexible array at the end */
		struct bpfbox_btf_member last;
		struct bpfbox_btf_type at, et;
		uint32_t moff;

		if (!t.vlen)
			goto beyond;
		last = member(b, tid, t.vlen - 1);
		at = ty(b, bpfbox_btf__skip_mods(b, last.type));
		if (at.kind != BPFBOX_BTF_KIND_ARRAY || at.nelems)
			goto beyond;
		moff = last.offset / 8;
		if (off < moff)
			goto beyond;
		et = ty(b, bpfbox_btf__skip_mods(b, at.type));
		if (et.kind == BPFBOX_BTF_KIND_INT)
			return W_SCALAR;
		if (!is_comp(et.kind) || !et.size)
			goto beyond;
		off = (off - moff) % et.size;
		*id = et.id;
		goto again;
beyond:
		snprintf(msg, n, "access beyond struct %s at off %u size %u", tname, off, (unsigned)size);
		return -EACCES;
	}
	for (uint32_t i = 0; i < t.vlen; i++) {
		struct bpfbox_btf_member m = member(b, tid, i);
		uint32_t moff = m.offset / 8, mend, mid;
		int64_t msz;
		struct bpfbox_btf_type mt;

		if (off + (uint32_t)size <= moff)
			break;
		if (m.size) {	/* a bitfield: only as a whole, as a scalar */
			uint32_t end_bit = m.offset + m.size;

			if (off <= moff && (end_bit + 7) / 8 <= off + (uint32_t)size)
				return W_SCALAR;
			continue;
		}
		if (off < moff)
			break;	/* a hole */
		msz = bpfbox_btf__resolve_size(b, m.type);
		if (msz < 0) {
			snprintf(msg, n, "field %s doesn't have size", m.name ? m.name : "");
			return -EFAULT;
		}
		mend = moff + (uint32_t)msz;
		if (off >= mend)
			continue;
		mid = bpfbox_btf__skip_mods(b, m.type);
		mt = ty(b, mid);
		if (mt.kind == BPFBOX_BTF_KIND_ARRAY) {
			uint64_t total;

			if (moff == mend)
				continue;	/* an empty array */
			mid = resolve_array(b, mid, &total);
			if (!total)
				continue;
			msz /= (int64_t)total;
			if (!msz)
				continue;
			moff += (uint32_t)((off - moff) / (uint64_t)msz * (uint64_t)msz);
			mt = ty(b, mid);
		}
		if (is_comp(mt.kind)) {
			if (off == moff) {
				*id = mid;
				*offp = 0;
				return W_STRUCT;
			}
			off -= moff;
			*id = mid;
			goto again;
		}
		if (mt.kind == BPFBOX_BTF_KIND_PTR) {
			uint32_t sid = bpfbox_btf__skip_mods(b, mt.type);

			if (msz != size || off != moff) {
				snprintf(msg, n, "cannot access ptr member %s with moff %u in struct %s with off "
					 "%u size %u", m.name ? m.name : "", moff, tname, off, (unsigned)size);
				return -EACCES;
			}
			if (mt.type && is_comp(ty(b, sid).kind)) {
				*id = sid;
				*field = m.name;
				return W_PTR;
			}
			return W_PTR_UNTRUSTED;
		}
		if (off + (uint32_t)size > mend && !*untrusted) {
			snprintf(msg, n, "access beyond the end of member %s (mend:%u) in struct %s with off %u "
				 "size %u", m.name ? m.name : "", mend, tname, off, (unsigned)size);
			return -EACCES;
		}
		return W_SCALAR;
	}
	snprintf(msg, n, "struct %s doesn't have field at offset %u", tname, off);
	return -EINVAL;
}

/* The kernel's BTF_TYPE_SAFE_{TRUSTED,TRUSTED_OR_NULL,RCU,RCU_OR_NULL}
 * lists (kernel/bpf/verifier.c, 6.18): a pointer member of a trusted or
 * RCU object that stays trusted / RCU when loaded. */
enum { SAFE_TRUSTED, SAFE_TRUSTED_OR_NULL, SAFE_RCU, SAFE_RCU_OR_NULL };
static const struct { const char *owner, *field, *target; uint8_t kind; } safe_fields[] = {
	{ "bpf_iter_meta", "seq", "seq_file", SAFE_TRUSTED },
	{ "bpf_iter__task", "meta", "bpf_iter_meta", SAFE_TRUSTED },
	{ "bpf_iter__task", "task", "task_struct", SAFE_TRUSTED },
	{ "linux_binprm", "file", "file", SAFE_TRUSTED },
	{ "file", "f_inode", "inode", SAFE_TRUSTED },
	{ "dentry", "d_inode", "inode", SAFE_TRUSTED_OR_NULL },
	{ "socket", "sk", "sock", SAFE_TRUSTED_OR_NULL },
	{ "vm_area_struct", "vm_mm", "mm_struct", SAFE_TRUSTED_OR_NULL },
	{ "vm_area_struct", "vm_file", "file", SAFE_TRUSTED_OR_NULL },
	{ "task_struct", "cpus_ptr", "cpumask", SAFE_RCU },
	{ "task_struct", "cgroups", "css_set", SAFE_RCU },
	{ "task_struct", "real_parent", "task_struct", SAFE_RCU },
	{ "task_struct", "group_leader", "task_struct", SAFE_RCU },
	{ "cgroup", "kn", "kernfs_node", SAFE_RCU },
	{ "css_set", "dfl_cgrp", "cgroup", SAFE_RCU },
	{ "cgroup_subsys_state", "cgroup", "cgroup", SAFE_RCU },
	{ "mm_struct", "exe_file", "file", SAFE_RCU_OR_NULL },
	{ "mm_struct", "owner", "task_struct", SAFE_RCU_OR_NULL },
	{ "sk_buff", "sk", "sock", SAFE_RCU_OR_NULL },
	{ "request_sock", "sk", "sock", SAFE_RCU_OR_NULL },
};

/* safe_kind - the safe list naming owner.field (a pointer to target), or -1. */
static int safe_kind(const char *owner, const char *field, const char *target)
{
	for (size_t i = 0; field && i < sizeof(safe_fields) / sizeof(safe_fields[0]); i++)
		if (!strcmp(safe_fields[i].owner, owner) && !strcmp(safe_fields[i].field, field) &&
		    !strcmp(safe_fields[i].target, target))
			return safe_fields[i].kind;
	return -1;
}

/*
 * bxr_btf_access - a load or store of size bytes at reg + off through a
 * PTR_TO_BTF_ID (the kernel's check_ptr_to_btf_access). The loaded
 * pointer's flags follow the kernel: from an untrusted object, untrusted;
 * from a trusted or RCU one, trusted / RCU where the safe lists say so
 * (RCU only in a non-sleepable program, which runs under RCU), else
 * untrusted.
 */
int bxr_btf_access(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off, int size,
		   bool write, int value_regno, bool sx)
{
	const struct bpfbox_btf *b = env->btf;
	const char *tname = bxr_btf_name(env, reg->aux), *field = NULL;
	uint32_t id = reg->aux;
	int o = reg->off + off, r, wo;
	bool untrusted = false;
	uint8_t flags = 0;
	char msg[256];

	if (!env->prog->gpl)
		return bxr_reject(env, -EINVAL, regno, -1, "Cannot access kernel 'struct %s' from non-GPL "
				  "compatible program", tname);
	if (o < 0)
		return bxr_reject(env, -EACCES, regno, -1, "R%d is ptr_%s invalid negative access: off=%d",
				  regno, tname, o);
	if (!bxr_tnum_is_const(reg->var) || reg->var.value) {
		char t[64];

		bxr_tnum_str(t, sizeof(t), reg->var);
		return bxr_reject(env, -EACCES, regno, -1, "R%d is ptr_%s invalid variable offset: off=%d, "
				  "var_off=%s", regno, tname, o, t);
	}
	if (write) {
		bxr_reason(env, "kernel objects (r%d is a pointer to struct %s) are read-only to this "
			   "program", regno, tname);
		return bxr_reject(env, -EACCES, regno, -1, "only read is supported");
	}
	env->unproven = true;	/* it reads a kernel object: runs are checked */
	wo = o;
	for (;;) {
		r = walk(b, &id, &wo, size, &untrusted, &field, msg, sizeof(msg));
		if (r != W_STRUCT)
			break;
	}
	if (r < 0) {
		bxr_log(env, "%s\n", msg);
		bxr_reason(env, "%s", msg);
		return bxr_reject(env, r, regno, -1, "%s", msg);
	}
	if (value_regno < 0)
		return 0;
	if (r == W_SCALAR) {
		set_loaded(env, value_regno, 0, 0, size, sx);
		return 0;
	}
	if (r == W_PTR_UNTRUSTED) {	/* a pointer to a non-struct: rdonly memory of size 0 */
		struct bxr_reg *d = &bxr_regs(env)[value_regno];

		bxr_mark_ptr(d, BXR_MEM);
		d->aux = 0;
		d->flags = BXR_RDONLY | BXR_UNTRUSTED;
		return 0;
	}
	if (reg->flags & BXR_UNTRUSTED) {
		flags = BXR_UNTRUSTED;
	} else if (reg->flags & (BXR_TRUSTED | BXR_RCU)) {
		int k = safe_kind(tname, field, bxr_btf_name(env, id));
		bool rcu_cs = !(env->opts && (env->opts->prog_flags & 16u /* BPF_F_SLEEPABLE */));

		if (untrusted)	/* through a union */
			flags = BXR_UNTRUSTED;
		else if (k == SAFE_TRUSTED)
			flags = BXR_TRUSTED;
		else if (k == SAFE_TRUSTED_OR_NULL)
			flags = BXR_TRUSTED | BXR_MAYBE_NULL;
		else if (rcu_cs && k == SAFE_RCU)
			flags = BXR_RCU;
		else if (rcu_cs && k == SAFE_RCU_OR_NULL)
			flags = BXR_RCU | BXR_MAYBE_NULL;
		else
			flags = BXR_UNTRUSTED;
	} else if (untrusted) {
		flags = BXR_UNTRUSTED;
	}
	set_loaded(env, value_regno, id, flags, 8, false);
	return 0;
}
