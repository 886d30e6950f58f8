/*
 * prog_type.h - program types as descriptions: what every stage (loader,
 * verifier, VM, test runs) asks about a program type, in one ops struct
 * per type, as the kernel's struct bpf_verifier_ops / struct bpf_prog_ops
 * (include/linux/bpf.h). The instances are generated from the one table of
 * program types, BXP_PROG_TYPES() in src/progtype/prog_types.h, by
 * src/progtype/prog_types.c; the loader puts the program's ops into
 * prog->type_ops (the kernel's find_prog_type()), and the verifier and the
 * VM read them from there, never calling src/progtype by name.
 *
 * src/core/ holds headers only: the shared descriptions that stages at
 * every level include (it includes nothing of src/, only the public headers).
 */
#ifndef BX_CORE_PROG_TYPE_H
#define BX_CORE_PROG_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"

struct bpfbox_prog;
struct bpfbox_test_run_opts;

/* How bpfbox builds the context of (and test-runs) a program type. */
enum bxh_ctx_kind {
	BXH_CTX_NONE,   /* not supported: verified and loaded, never run */
	BXH_CTX_XDP,    /* struct xdp_md */
	BXH_CTX_SKB,    /* struct __sk_buff: socket_filter, sched_cls, sched_act */
	BXH_CTX_BYTES,  /* a caller-given context (tracing types, syscall) */
};

/* One context access, as the program wrote it. */
struct bxh_access_req {
	uint32_t prog_type;
	uint32_t expected_attach_type;
	const struct bpfbox_insn *insn;
	int off;            /* insn->off (the register offset is 0) */
	int size;           /* bytes */
	bool write;         /* ST / STX */
	bool ldsx;          /* sign-extending load */
};

/* What a context load yields (the kernel's bpf_insn_access_aux.reg_type). */
enum bxh_ctx_field {
	BXH_FIELD_SCALAR = 0,
	BXH_FIELD_PKT,        /* data */
	BXH_FIELD_PKT_END,    /* data_end */
	BXH_FIELD_PKT_META,   /* data_meta */
	BXH_FIELD_SOCK_OR_NULL, /* __sk_buff->sk: the kernel's PTR_TO_SOCK_COMMON_OR_NULL */
};

/* What it becomes: n (1 or 2) instructions. */
struct bxh_access_res {
	struct bpfbox_insn insn[2];
	int n;
	enum bxh_ctx_field field;   /* loads: the type of the loaded value */
};

/*
 * Helper sets: which helpers a program type may call, named after the
 * kernel's func_proto callbacks (net/core/filter.c, kernel/trace/bpf_trace.c,
 * kernel/bpf/helpers.c). A helper row (src/helpers/helper_table.h) lists the
 * sets that offer it; a program type row lists the sets it consults. The
 * helper is allowed when the two intersect.
 */
enum bx_helper_set {
	BXS_BASE      = 1u << 0,  /* bpf_base_func_proto(): every type */
	BXS_TRACE     = 1u << 1,  /* bpf_tracing_func_proto(): kprobe, tp, perf_event, raw_tp, tracing, lsm, syscall */
	BXS_KPROBE    = 1u << 2,  /* kprobe_prog_func_proto() only */
	BXS_COARSE    = 1u << 3,  /* ktime_get_coarse_ns: base minus the tracing, cgroup_device,
				   * cgroup_sockopt, syscall and netfilter types */
	BXS_PERF_OUT  = 1u << 4,  /* perf_event_output: all but sk_reuseport, flow_dissector, netfilter */
	BXS_SKB_LOAD  = 1u << 5,  /* skb_load_bytes: sk_filter, tc, cg_skb, lwt, sk_skb, sk_reuseport,
				   * flow_dissector */
	BXS_TC        = 1u << 6,  /* tc_cls_act_func_proto() */
	BXS_XDP       = 1u << 7,  /* xdp_func_proto() */
	BXS_LWT       = 1u << 8,  /* lwt_*_func_proto(), seg6local too */
	BXS_LWT_XMIT  = 1u << 9,  /* lwt_xmit_func_proto() only */
	BXS_SK_SKB    = 1u << 10, /* sk_skb_func_proto() */
	/* a flag, not a set: the kernel offers the helper only with a config
	 * option or a capability (override_return: CONFIG_BPF_KPROBE_OVERRIDE;
	 * probe_write_user: CAP_SYS_ADMIN and no lockdown; xdp_adjust_meta,
	 * which upstream xdp_func_proto() offers but the 6.18 kernel of the
	 * project's test machines refuses), so whether this
	 * machine's kernel has it says nothing about the type rule; bpfbox
	 * follows the kernel built with it. */
	BXS_CONFIG    = 1u << 30,
	BXS_INTERNAL  = 1u << 31, /* bpfbox-internal (LD_ABS helpers): never a program's call */
};

/* The values a program may return (the kernel's check_return_code):
 * r0 at the main program's exit must lie in [lo, hi] when `check`. */
struct bxp_ret_range {
	bool check;
	int64_t lo, hi;
};

/*
 * The description of one program type (bpf_verifier_ops + bpf_prog_ops).
 */
struct bxp_prog_type_ops {
	uint32_t type;              /* the kernel's enum bpf_prog_type value */
	const char *name;           /* "xdp", "socket_filter", ... */
	enum bxh_ctx_kind ctx;      /* how bpfbox builds its context */
	uint32_t helper_sets;       /* enum bx_helper_set (get_func_proto) */
	bool ld_abs;                /* LD_ABS / LD_IND allowed (may_access_skb) */
	bool pkt_write;             /* direct packet writes allowed (may_access_direct_pkt_data) */

	/* verifier: is the context access valid (is_valid_access) and what it
	 * becomes (convert_ctx_access) */
	bool (*ctx_access)(const struct bxh_access_req *q, struct bxh_access_res *r);
	/* verifier: the main program's return range for the attach type
	 * (check_return_code) */
	void (*ret_range)(uint32_t prog_type, uint32_t expected_attach_type,
			  struct bxp_ret_range *r);
	/* loader: rewrite the context accesses of the program (and free that
	 * data with the program) */
	int (*convert_ctx)(struct bpfbox_prog *prog);
	void (*free_ctx)(struct bpfbox_prog *prog);
	/* runs: a trusted run without a hook-built context gets ctx_size bytes;
	 * 0 if that is what the program may read, -EINVAL (logged) if not */
	int (*check_direct_run)(const struct bpfbox_prog *prog, size_t ctx_size);
	/* runs: BPF_PROG_TEST_RUN (bpf_prog_ops.test_run); NULL: not supported */
	int (*test_run)(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *o);
};

/* Is the helper of helper-set mask `sets` allowed to programs of `ops`? */
static inline bool bxp_helper_allowed(const struct bxp_prog_type_ops *ops, uint32_t sets)
{
	return ops && !(sets & BXS_INTERNAL) && (sets & ops->helper_sets & ~(uint32_t)BXS_CONFIG);
}

/* Can bpfbox run programs of this type (build their context)? */
static inline bool bxp_runnable(const struct bxp_prog_type_ops *ops)
{
	return ops && ops->ctx != BXH_CTX_NONE;
}

#endif /* BX_CORE_PROG_TYPE_H */
