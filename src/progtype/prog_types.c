/*
 * prog_types.c - the return-value ranges of the program types, as the
 * kernel's check_return_code() (kernel/bpf/verifier.c, 6.18) enforces them
 * at the exit of the main program. The rest of each type's description is
 * the table in prog_types.h (its ops are generated in ctx_access.c).
 *
 * Where the kernel decides from BTF that bpfbox does not have (the LSM
 * hook's own return type, a struct_ops member's), the range here is the
 * one the kernel uses for the common case, noted at each type.
 */
#include "bpfbox/object.h"
#include "progtype/prog_types.h"

/* range - set r to [lo, hi], checked. */
static void range(struct bxp_ret_range *r, int64_t lo, int64_t hi)
{
	r->check = true;
	r->lo = lo;
	r->hi = hi;
}

/*
 * bxp_ret_range - see prog_types.h. r->check false: any scalar or pointer
 * may be returned (the kernel returns from check_return_code() early).
 */
void bxp_ret_range(uint32_t prog_type, uint32_t eat, struct bxp_ret_range *r)
{
	*r = (struct bxp_ret_range){ .check = false };
	switch (prog_type) {
	case BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR:
		switch (eat) {
		case BPFBOX_CGROUP_UDP4_RECVMSG: case BPFBOX_CGROUP_UDP6_RECVMSG:
		case BPFBOX_CGROUP_UNIX_RECVMSG:
		case BPFBOX_CGROUP_INET4_GETPEERNAME: case BPFBOX_CGROUP_INET6_GETPEERNAME:
		case BPFBOX_CGROUP_UNIX_GETPEERNAME:
		case BPFBOX_CGROUP_INET4_GETSOCKNAME: case BPFBOX_CGROUP_INET6_GETSOCKNAME:
		case BPFBOX_CGROUP_UNIX_GETSOCKNAME:
			range(r, 1, 1);
			break;
		case BPFBOX_CGROUP_INET4_BIND: case BPFBOX_CGROUP_INET6_BIND:
			range(r, 0, 3);
			break;
		default:
			range(r, 0, 1);
		}
		break;
	case BPFBOX_PROG_TYPE_CGROUP_SKB:
		/* egress may also say "congestion" (2, 3) */
		range(r, 0, eat == BPFBOX_CGROUP_INET_EGRESS ? 3 : 1);
		break;
	case BPFBOX_PROG_TYPE_CGROUP_SOCK:
	case BPFBOX_PROG_TYPE_SOCK_OPS:
	case BPFBOX_PROG_TYPE_CGROUP_DEVICE:
	case BPFBOX_PROG_TYPE_CGROUP_SYSCTL:
	case BPFBOX_PROG_TYPE_CGROUP_SOCKOPT:
		range(r, 0, 1);
		break;
	case BPFBOX_PROG_TYPE_TRACING:
		if (eat == BPFBOX_TRACE_FENTRY || eat == BPFBOX_TRACE_FEXIT)
			range(r, 0, 0);
		else if (eat == BPFBOX_TRACE_ITER)
			range(r, 0, 1);
		break;	/* raw_tp (tp_btf), fmod_ret: anything */
	case BPFBOX_PROG_TYPE_KPROBE:
		if (eat == BPFBOX_TRACE_KPROBE_SESSION || eat == 57 /* BPF_TRACE_UPROBE_SESSION */)
			range(r, 0, 1);
		break;
	case BPFBOX_PROG_TYPE_SK_LOOKUP:
		range(r, 0, 1);	/* SK_DROP .. SK_PASS */
		break;
	case BPFBOX_PROG_TYPE_LSM:
		/* BPF_LSM_CGROUP: 0..1. Other LSM programs: the hook's own range
		 * from BTF; bpfbox has no kernel BTF for the hook and uses the
		 * errno range of the int-returning hooks, [-MAX_ERRNO, 0]. */
		if (eat == BPFBOX_LSM_CGROUP)
			range(r, 0, 1);
		else
			range(r, -4095, 0);
		break;
	case BPFBOX_PROG_TYPE_NETFILTER:
		range(r, 0, 1);	/* NF_DROP .. NF_ACCEPT */
		break;
	default:
		/* socket filter, tc, xdp, kprobe, tracepoint, perf_event, raw_tp,
		 * lwt, sk_skb, sk_msg, flow dissector, syscall, ext (freplace
		 * returns what the replaced function does), struct_ops (members
		 * returning a scalar): anything */
		break;
	}
}
