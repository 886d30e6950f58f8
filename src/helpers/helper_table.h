/*
 * helper_table.h - THE table of the kernel helpers bpfbox implements.
 *
 * One row per helper, in the kernel's numbering (enum bpf_func_id in
 * include/uapi/linux/bpf.h) and with the kernel's prototype (struct
 * bpf_func_proto in kernel/bpf/helpers.c, kernel/trace/bpf_trace.c,
 * net/core/filter.c):
 *
 *   X(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS)
 *
 *   ID      the kernel's helper id (BPF_FUNC_NAME)
 *   NAME    the name without the bpf_ prefix
 *   FN      the C function (a bpfbox_helper_fn, declared in helpers.h)
 *   GPL     1 if the kernel marks it gpl_only
 *   RET     enum bxk_ret without the BXK_ prefix (RET_INTEGER, ...)
 *   A1..A5  enum bxk_arg without the BXK_ prefix (ARG_CONST_MAP_PTR, ...)
 *   SETS    the helper sets that offer it (enum bx_helper_set,
 *           src/core/prog_type.h, named after the kernel's func_proto
 *           callbacks); a program type may call it when its own sets
 *           (src/progtype/prog_types.h) meet these
 *
 * Everything else is generated from here: the prototypes in helpers.h,
 * the registry rows bxk_register_kernel_helpers() installs, and the
 * prototype table bxk_proto() the verifier reads. A row's function may
 * live in the folder of the hook it serves (packet helpers: src/pkt,
 * tracing helpers: src/trace), which includes helpers.h for its
 * declaration; this folder never includes theirs. Ids above the kernel's
 * (4093..4095) are bpfbox-internal: LD_ABS / LD_IND become calls of them
 * after verification (src/progtype/ctx_convert.c); programs cannot call them.
 * Model: the kernel's ___BPF_FUNC_MAPPER (include/uapi/linux/bpf.h).
 */
#ifndef BXK_HELPER_TABLE_H
#define BXK_HELPER_TABLE_H

#include "core/prog_type.h"   /* enum bx_helper_set */

/* every row: the kernel's helpers, then bpfbox's internal ones */
#define BXK_HELPER_TABLE(X) BXK_KERNEL_HELPERS(X) BXK_INTERNAL_HELPERS(X)

#define BXK_KERNEL_HELPERS(X) \
  /* maps */ \
  X(1,   map_lookup_elem,       bxk_map_lookup_elem,       0, RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(2,   map_update_elem,       bxk_map_update_elem,       0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING, ARG_DONTCARE, BXS_BASE) \
  X(3,   map_delete_elem,       bxk_map_delete_elem,       0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(87,  map_push_elem,         bxk_map_push_elem,         0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(88,  map_pop_elem,          bxk_map_pop_elem,          0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(89,  map_peek_elem,         bxk_map_peek_elem,         0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(195, map_lookup_percpu_elem, bxk_map_lookup_percpu_elem, 0, RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* control flow */ \
  X(12,  tail_call,             bxk_tail_call,             0, RET_VOID, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(164, for_each_map_elem,     bxk_for_each_map_elem,     0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, ARG_DONTCARE, BXS_BASE) \
  X(181, loop,                  bxk_loop,                  0, RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, ARG_DONTCARE, BXS_BASE) \
  /* time */ \
  X(5,   ktime_get_ns,          bxk_ktime_get_ns,          0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(118, jiffies64,             bxk_jiffies64,             0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(125, ktime_get_boot_ns,     bxk_ktime_get_boot_ns,     0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(160, ktime_get_coarse_ns,   bxk_ktime_get_coarse_ns,   0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_COARSE) \
  X(208, ktime_get_tai_ns,      bxk_ktime_get_tai_ns,      0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* misc */ \
  X(7,   get_prandom_u32,       bxk_get_prandom_u32,       0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(8,   get_smp_processor_id,  bxk_get_smp_processor_id,  0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(42,  get_numa_node_id,      bxk_get_numa_node_id,      0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(28,  csum_diff,             bxk_csum_diff,             0, RET_INTEGER, ARG_PTR_TO_MEM_RDONLY_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM_RDONLY_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, BXS_TC | BXS_XDP | BXS_LWT) \
  /* trace log and formatting */ \
  X(6,   trace_printk,          bxk_trace_printk,          1, RET_INTEGER, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, BXS_BASE) \
  X(177, trace_vprintk,         bxk_trace_vprintk,         1, RET_INTEGER, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_MEM_RDONLY_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_DONTCARE, BXS_BASE) \
  X(165, snprintf,              bxk_snprintf,              1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_MEM_RDONLY_OR_NULL, ARG_CONST_SIZE_OR_ZERO, BXS_BASE) \
  /* the current task */ \
  X(158, get_current_task_btf,  bxk_get_current_task_btf,  1, RET_PTR_TO_BTF_ID_TASK, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(80,  get_current_cgroup_id, bxk_get_current_cgroup_id, 0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(37,  current_task_under_cgroup, bxk_current_task_under_cgroup, 0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(27,  get_stackid,           bxk_get_stackid,           1, RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_TRACE) \
  X(67,  get_stack,             bxk_get_stack,             1, RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, BXS_TRACE) \
  X(14,  get_current_pid_tgid,  bxk_get_current_pid_tgid,  0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(15,  get_current_uid_gid,   bxk_get_current_uid_gid,   0, RET_INTEGER, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(16,  get_current_comm,      bxk_get_current_comm,      0, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* probe reads */ \
  X(4,   probe_read,            bxk_probe_read,            1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_TRACE) \
  X(45,  probe_read_str,        bxk_probe_read_str,        1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_TRACE) \
  X(112, probe_read_user,       bxk_probe_read_user,       1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(113, probe_read_kernel,     bxk_probe_read_kernel,     1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(114, probe_read_user_str,   bxk_probe_read_user_str,   1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(115, probe_read_kernel_str, bxk_probe_read_kernel_str, 1, RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* acting on the traced task (src/trace/trace_helpers.c) */ \
  X(36,  probe_write_user,      bxk_probe_write_user,      1, RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE, ARG_DONTCARE, ARG_DONTCARE, BXS_TRACE | BXS_CONFIG) \
  X(58,  override_return,       bxk_override_return,       1, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_KPROBE | BXS_CONFIG) \
  X(109, send_signal,           bxk_send_signal,           0, RET_INTEGER, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(117, send_signal_thread,    bxk_send_signal_thread,    0, RET_INTEGER, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* events: perf buffers and ring buffers */ \
  X(25,  perf_event_output,     bxk_perf_event_output,     1, RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, BXS_PERF_OUT) \
  X(130, ringbuf_output,        bxk_ringbuf_output,        0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, BXS_BASE) \
  X(131, ringbuf_reserve,       bxk_ringbuf_reserve,       0, RET_PTR_TO_RINGBUF_MEM_OR_NULL, ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(132, ringbuf_submit,        bxk_ringbuf_submit,        0, RET_VOID, ARG_PTR_TO_RINGBUF_MEM_RELEASE, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(133, ringbuf_discard,       bxk_ringbuf_discard,       0, RET_VOID, ARG_PTR_TO_RINGBUF_MEM_RELEASE, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(134, ringbuf_query,         bxk_ringbuf_query,         0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  /* packets (src/pkt/helpers_pkt.c, net/core/filter.c) */ \
  X(33,  skb_under_cgroup,      bxh_skb_under_cgroup,      0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_TC | BXS_LWT) \
  X(17,  get_cgroup_classid,    bxh_get_cgroup_classid,    0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_BASE) \
  X(18,  skb_vlan_push,         bxh_skb_vlan_push,         0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_TC) \
  X(23,  redirect,              bxh_redirect,              0, RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_TC | BXS_XDP | BXS_LWT_XMIT) \
  X(26,  skb_load_bytes,        bxh_skb_load_bytes,        0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_DONTCARE, BXS_SKB_LOAD) \
  X(39,  skb_pull_data,         bxh_skb_pull_data,         0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_TC | BXS_LWT | BXS_SK_SKB) \
  X(44,  xdp_adjust_head,       bxh_xdp_adjust_head,       0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_XDP) \
  X(51,  redirect_map,          bxh_redirect_map,          0, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, BXS_XDP) \
  X(54,  xdp_adjust_meta,       bxh_xdp_adjust_meta,       0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_XDP | BXS_CONFIG) \
  X(65,  xdp_adjust_tail,       bxh_xdp_adjust_tail,       0, RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_XDP)

/* bpfbox-internal: the loads LD_ABS / LD_IND become (bpf_gen_ld_abs) */
#define BXK_INTERNAL_HELPERS(X) \
  X(4093, skb_load_helper_8,    bxh_ld_abs_8,              0, RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_INTERNAL) \
  X(4094, skb_load_helper_16,   bxh_ld_abs_16,             0, RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_INTERNAL) \
  X(4095, skb_load_helper_32,   bxh_ld_abs_32,             0, RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, ARG_DONTCARE, ARG_DONTCARE, ARG_DONTCARE, BXS_INTERNAL)

#endif /* BXK_HELPER_TABLE_H */
