/*
 * prog_types.h - THE table of program types, one row per kernel
 * enum bpf_prog_type value (include/uapi/linux/bpf.h):
 *
 *   X(NAME, name, CTX, ACCESS, SETS, LD_ABS, PKT_WRITE)
 *
 *   NAME    BPFBOX_PROG_TYPE_NAME, the kernel's value
 *   name    its name (bpftool's, libbpf's libbpf_bpf_prog_type_str())
 *   CTX     how bpfbox builds its context: NONE (verified and loaded,
 *           never run), XDP, SKB, BYTES (enum bxh_ctx_kind)
 *   ACCESS  the context access rule in ctx_access.c, ACCESS_access() (the
 *           kernel's <type>_is_valid_access / _convert_ctx_access); none:
 *           no context field may be read
 *   SETS    the helper sets it consults (enum bx_helper_set, the kernel's
 *           <type>_func_proto)
 *   LD_ABS  1 if LD_ABS / LD_IND are allowed (may_access_skb())
 *   PKT_WRITE 1 if the program may write its packet directly
 *           (may_access_direct_pkt_data() for a write)
 *
 * Generated from it (src/progtype/ctx_access.c): one struct
 * bxp_prog_type_ops per row (src/core/prog_type.h) and bxp_prog_type(),
 * the lookup the loader uses. The return ranges (check_return_code) are
 * bxp_ret_range() in prog_types.c: they depend on the attach type.
 */
#ifndef BXP_PROG_TYPES_H
#define BXP_PROG_TYPES_H

#include "core/prog_type.h"

/* The kernel's helper sets of the two big families (checked against this
 * machine's kernel by tests/test_progtype_kernel.c). */
#define BXP_TRACING (BXS_BASE | BXS_TRACE | BXS_PERF_OUT)
#define BXP_NET     (BXS_BASE | BXS_COARSE | BXS_PERF_OUT)

#define BXP_PROG_TYPES(X) \
  X(SOCKET_FILTER,           socket_filter,           SKB,   skb,        BXP_NET | BXS_SKB_LOAD, 1, 0) \
  X(KPROBE,                  kprobe,                  BYTES, kprobe,     BXP_TRACING | BXS_KPROBE, 0, 0) \
  X(SCHED_CLS,               sched_cls,               SKB,   skb,        BXP_NET | BXS_SKB_LOAD | BXS_TC, 1, 1) \
  X(SCHED_ACT,               sched_act,               SKB,   skb,        BXP_NET | BXS_SKB_LOAD | BXS_TC, 1, 1) \
  X(TRACEPOINT,              tracepoint,              BYTES, tracepoint, BXP_TRACING, 0, 0) \
  X(XDP,                     xdp,                     XDP,   xdp,        BXP_NET | BXS_XDP, 0, 1) \
  X(PERF_EVENT,              perf_event,              BYTES, perf_event, BXP_TRACING, 0, 0) \
  X(CGROUP_SKB,              cgroup_skb,              NONE,  cg_skb,     BXP_NET | BXS_SKB_LOAD, 0, 0) \
  X(CGROUP_SOCK,             cgroup_sock,             NONE,  none,       BXP_NET, 0, 0) \
  X(LWT_IN,                  lwt_in,                  NONE,  none,       BXP_NET | BXS_SKB_LOAD | BXS_LWT, 0, 0) \
  X(LWT_OUT,                 lwt_out,                 NONE,  none,       BXP_NET | BXS_SKB_LOAD | BXS_LWT, 0, 0) \
  X(LWT_XMIT,                lwt_xmit,                NONE,  none,       BXP_NET | BXS_SKB_LOAD | BXS_LWT | BXS_LWT_XMIT, 0, 1) \
  X(SOCK_OPS,                sock_ops,                NONE,  none,       BXP_NET, 0, 0) \
  X(SK_SKB,                  sk_skb,                  NONE,  sk_skb,     BXP_NET | BXS_SKB_LOAD | BXS_SK_SKB, 0, 1) \
  X(CGROUP_DEVICE,           cgroup_device,           NONE,  none,       BXS_BASE | BXS_PERF_OUT, 0, 0) \
  X(SK_MSG,                  sk_msg,                  NONE,  none,       BXP_NET, 0, 1) \
  X(RAW_TRACEPOINT,          raw_tracepoint,          BYTES, raw_tp,     BXP_TRACING, 0, 0) \
  X(CGROUP_SOCK_ADDR,        cgroup_sock_addr,        NONE,  sock_addr,  BXP_NET, 0, 0) \
  X(LWT_SEG6LOCAL,           lwt_seg6local,           NONE,  none,       BXP_NET | BXS_SKB_LOAD | BXS_LWT, 0, 0) \
  X(LIRC_MODE2,              lirc_mode2,              NONE,  none,       BXS_BASE, 0, 0) \
  X(SK_REUSEPORT,            sk_reuseport,            NONE,  none,       BXS_BASE | BXS_COARSE | BXS_SKB_LOAD, 0, 0) \
  X(FLOW_DISSECTOR,          flow_dissector,          NONE,  none,       BXS_BASE | BXS_COARSE | BXS_SKB_LOAD, 0, 0) \
  X(CGROUP_SYSCTL,           cgroup_sysctl,           NONE,  none,       BXP_NET, 0, 0) \
  X(RAW_TRACEPOINT_WRITABLE, raw_tracepoint_writable, BYTES, raw_tp,     BXP_TRACING, 0, 0) \
  X(CGROUP_SOCKOPT,          cgroup_sockopt,          NONE,  none,       BXS_BASE | BXS_PERF_OUT, 0, 0) \
  X(TRACING,                 tracing,                 BYTES, raw_tp,     BXP_TRACING, 0, 0) \
  X(STRUCT_OPS,              struct_ops,              NONE,  none,       BXS_BASE, 0, 0) \
  X(EXT,                     ext,                     NONE,  none,       BXS_BASE, 0, 0) \
  X(LSM,                     lsm,                     BYTES, raw_tp,     BXP_TRACING, 0, 0) \
  X(SK_LOOKUP,               sk_lookup,               NONE,  none,       BXP_NET, 0, 0) \
  X(SYSCALL,                 syscall,                 BYTES, syscall,    BXP_TRACING, 0, 0) \
  X(NETFILTER,               netfilter,               NONE,  none,       BXS_BASE, 0, 0)

/* The description of program type `type`, or NULL (0, or not a kernel type).
 * The loader's find_prog_type(): stored in prog->type_ops. */
const struct bxp_prog_type_ops *bxp_prog_type(uint32_t type);

/* The kernel's check_return_code() ranges (prog_types.c). */
void bxp_ret_range(uint32_t prog_type, uint32_t expected_attach_type, struct bxp_ret_range *r);

#endif /* BXP_PROG_TYPES_H */
