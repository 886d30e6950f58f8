/*
 * sec.c - the SEC() name table (after libbpf's section_defs): a leading '?'
 * turns autoload off; "prefix+" matches "prefix" or "prefix/TARGET", a
 * plain entry matches exactly. First match wins.
 *
 * Checked row by row against libbpf's section_defs (libbpf master, src/libbpf.c):
 * every SEC_DEF with an attach type this kernel (6.18) knows is here with
 * the same program type, expected attach type and sleepable flag. Left
 * out: libbpf's fsession / fentry.multi / fexit.multi families, whose
 * attach types (BPF_TRACE_FSESSION.. = 58..61) are newer than the kernel,
 * so the kernel refuses them too.
 */
#include "progtype/prog_types.h"
#include "sec.h"

#include <errno.h>
#include <string.h>

#include "bpfbox/object.h"

#define SLEEP 1

struct sec_def {
	const char *pat;
	uint8_t prog_type;
	uint8_t attach_type;
	uint8_t flags;
};

#define S(pat, pt, at, fl) { pat, BPFBOX_PROG_TYPE_##pt, at, fl }

static const struct sec_def sec_defs[] = {
	S("socket",               SOCKET_FILTER, 0, 0),
	S("sk_reuseport/migrate", SK_REUSEPORT, BPFBOX_SK_REUSEPORT_SELECT_OR_MIGRATE, 0),
	S("sk_reuseport",         SK_REUSEPORT, BPFBOX_SK_REUSEPORT_SELECT, 0),
	S("kprobe+",              KPROBE, 0, 0),
	S("uprobe+",              KPROBE, 0, 0),
	S("uprobe.s+",            KPROBE, 0, SLEEP),
	S("kretprobe+",           KPROBE, 0, 0),
	S("uretprobe+",           KPROBE, 0, 0),
	S("uretprobe.s+",         KPROBE, 0, SLEEP),
	S("kprobe.multi+",        KPROBE, BPFBOX_TRACE_KPROBE_MULTI, 0),
	S("kretprobe.multi+",     KPROBE, BPFBOX_TRACE_KPROBE_MULTI, 0),
	S("kprobe.session+",      KPROBE, BPFBOX_TRACE_KPROBE_SESSION, 0),
	S("uprobe.multi+",        KPROBE, BPFBOX_TRACE_UPROBE_MULTI, 0),
	S("uretprobe.multi+",     KPROBE, BPFBOX_TRACE_UPROBE_MULTI, 0),
	S("uprobe.multi.s+",      KPROBE, BPFBOX_TRACE_UPROBE_MULTI, SLEEP),
	S("uretprobe.multi.s+",   KPROBE, BPFBOX_TRACE_UPROBE_MULTI, SLEEP),
	S("uprobe.session+",      KPROBE, BPFBOX_TRACE_UPROBE_SESSION, 0),
	S("uprobe.session.s+",    KPROBE, BPFBOX_TRACE_UPROBE_SESSION, SLEEP),
	S("ksyscall+",            KPROBE, 0, 0),
	S("kretsyscall+",         KPROBE, 0, 0),
	S("usdt+",                KPROBE, 0, 0),
	S("usdt.s+",              KPROBE, 0, SLEEP),
	S("tc/ingress",           SCHED_CLS, BPFBOX_TCX_INGRESS, 0),
	S("tc/egress",            SCHED_CLS, BPFBOX_TCX_EGRESS, 0),
	S("tcx/ingress",          SCHED_CLS, BPFBOX_TCX_INGRESS, 0),
	S("tcx/egress",           SCHED_CLS, BPFBOX_TCX_EGRESS, 0),
	S("netkit/primary",       SCHED_CLS, BPFBOX_NETKIT_PRIMARY, 0),
	S("netkit/peer",          SCHED_CLS, BPFBOX_NETKIT_PEER, 0),
	S("tc",                   SCHED_CLS, 0, 0),
	S("classifier",           SCHED_CLS, 0, 0),
	S("action",               SCHED_ACT, 0, 0),
	S("tracepoint+",          TRACEPOINT, 0, 0),
	S("tp+",                  TRACEPOINT, 0, 0),
	S("tracepoint.s+",        TRACEPOINT, 0, SLEEP),
	S("tp.s+",                TRACEPOINT, 0, SLEEP),
	S("raw_tracepoint+",      RAW_TRACEPOINT, 0, 0),
	S("raw_tp+",              RAW_TRACEPOINT, 0, 0),
	S("raw_tracepoint.s+",    RAW_TRACEPOINT, 0, SLEEP),
	S("raw_tp.s+",            RAW_TRACEPOINT, 0, SLEEP),
	S("raw_tracepoint.w+",    RAW_TRACEPOINT_WRITABLE, 0, 0),
	S("raw_tp.w+",            RAW_TRACEPOINT_WRITABLE, 0, 0),
	S("tp_btf+",              TRACING, BPFBOX_TRACE_RAW_TP, 0),
	S("tp_btf.s+",            TRACING, BPFBOX_TRACE_RAW_TP, SLEEP),
	S("fentry+",              TRACING, BPFBOX_TRACE_FENTRY, 0),
	S("fmod_ret+",            TRACING, BPFBOX_MODIFY_RETURN, 0),
	S("fexit+",               TRACING, BPFBOX_TRACE_FEXIT, 0),
	S("fentry.s+",            TRACING, BPFBOX_TRACE_FENTRY, SLEEP),
	S("fmod_ret.s+",          TRACING, BPFBOX_MODIFY_RETURN, SLEEP),
	S("fexit.s+",             TRACING, BPFBOX_TRACE_FEXIT, SLEEP),
	S("freplace+",            EXT, 0, 0),
	S("lsm+",                 LSM, BPFBOX_LSM_MAC, 0),
	S("lsm.s+",               LSM, BPFBOX_LSM_MAC, SLEEP),
	S("lsm_cgroup+",          LSM, BPFBOX_LSM_CGROUP, 0),
	S("iter+",                TRACING, BPFBOX_TRACE_ITER, 0),
	S("iter.s+",              TRACING, BPFBOX_TRACE_ITER, SLEEP),
	S("syscall",              SYSCALL, 0, SLEEP),
	S("xdp.frags/devmap",     XDP, BPFBOX_XDP_DEVMAP, 0),
	S("xdp/devmap",           XDP, BPFBOX_XDP_DEVMAP, 0),
	S("xdp.frags/cpumap",     XDP, BPFBOX_XDP_CPUMAP, 0),
	S("xdp/cpumap",           XDP, BPFBOX_XDP_CPUMAP, 0),
	S("xdp.frags",            XDP, BPFBOX_XDP, 0),
	S("xdp",                  XDP, BPFBOX_XDP, 0),
	S("perf_event",           PERF_EVENT, 0, 0),
	S("lwt_in",               LWT_IN, 0, 0),
	S("lwt_out",              LWT_OUT, 0, 0),
	S("lwt_xmit",             LWT_XMIT, 0, 0),
	S("lwt_seg6local",        LWT_SEG6LOCAL, 0, 0),
	S("sockops",              SOCK_OPS, BPFBOX_CGROUP_SOCK_OPS, 0),
	S("sk_skb/stream_parser", SK_SKB, BPFBOX_SK_SKB_STREAM_PARSER, 0),
	S("sk_skb/stream_verdict",SK_SKB, BPFBOX_SK_SKB_STREAM_VERDICT, 0),
	S("sk_skb/verdict",       SK_SKB, BPFBOX_SK_SKB_VERDICT, 0),
	S("sk_skb",               SK_SKB, 0, 0),
	S("sk_msg",               SK_MSG, BPFBOX_SK_MSG_VERDICT, 0),
	S("lirc_mode2",           LIRC_MODE2, BPFBOX_LIRC_MODE2, 0),
	S("flow_dissector",       FLOW_DISSECTOR, BPFBOX_FLOW_DISSECTOR, 0),
	S("cgroup_skb/ingress",   CGROUP_SKB, BPFBOX_CGROUP_INET_INGRESS, 0),
	S("cgroup_skb/egress",    CGROUP_SKB, BPFBOX_CGROUP_INET_EGRESS, 0),
	S("cgroup/skb",           CGROUP_SKB, 0, 0),
	S("cgroup/sock_create",   CGROUP_SOCK, BPFBOX_CGROUP_INET_SOCK_CREATE, 0),
	S("cgroup/sock_release",  CGROUP_SOCK, BPFBOX_CGROUP_INET_SOCK_RELEASE, 0),
	S("cgroup/sock",          CGROUP_SOCK, BPFBOX_CGROUP_INET_SOCK_CREATE, 0),
	S("cgroup/post_bind4",    CGROUP_SOCK, BPFBOX_CGROUP_INET4_POST_BIND, 0),
	S("cgroup/post_bind6",    CGROUP_SOCK, BPFBOX_CGROUP_INET6_POST_BIND, 0),
	S("cgroup/bind4",         CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_BIND, 0),
	S("cgroup/bind6",         CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET6_BIND, 0),
	S("cgroup/connect4",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_CONNECT, 0),
	S("cgroup/connect6",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET6_CONNECT, 0),
	S("cgroup/connect_unix",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UNIX_CONNECT, 0),
	S("cgroup/sendmsg4",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UDP4_SENDMSG, 0),
	S("cgroup/sendmsg6",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UDP6_SENDMSG, 0),
	S("cgroup/sendmsg_unix",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UNIX_SENDMSG, 0),
	S("cgroup/recvmsg4",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UDP4_RECVMSG, 0),
	S("cgroup/recvmsg6",      CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UDP6_RECVMSG, 0),
	S("cgroup/recvmsg_unix",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UNIX_RECVMSG, 0),
	S("cgroup/getpeername4",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_GETPEERNAME, 0),
	S("cgroup/getpeername6",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET6_GETPEERNAME, 0),
	S("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UNIX_GETPEERNAME, 0),
	S("cgroup/getsockname4",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_GETSOCKNAME, 0),
	S("cgroup/getsockname6",  CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET6_GETSOCKNAME, 0),
	S("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UNIX_GETSOCKNAME, 0),
	S("cgroup/sysctl",        CGROUP_SYSCTL, BPFBOX_CGROUP_SYSCTL, 0),
	S("cgroup/getsockopt",    CGROUP_SOCKOPT, BPFBOX_CGROUP_GETSOCKOPT, 0),
	S("cgroup/setsockopt",    CGROUP_SOCKOPT, BPFBOX_CGROUP_SETSOCKOPT, 0),
	S("cgroup/dev",           CGROUP_DEVICE, BPFBOX_CGROUP_DEVICE, 0),
	S("struct_ops+",          STRUCT_OPS, 0, 0),
	S("struct_ops.s+",        STRUCT_OPS, 0, SLEEP),
	S("sk_lookup",            SK_LOOKUP, BPFBOX_SK_LOOKUP, 0),
	S("netfilter",            NETFILTER, BPFBOX_NETFILTER, 0),
};

/* See sec.h. */
bool bxe_sec_match(const char *name, struct bxe_sec_match *m)
{
	memset(m, 0, sizeof(*m));
	m->kind = "";
	m->target = "";
	m->autoload = true;
	if (name[0] == '?') {
		m->autoload = false;
		name++;
	}
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		const struct sec_def *d = &sec_defs[i];
		size_t len = strlen(d->pat);
		bool plus = d->pat[len - 1] == '+';

		if (plus)
			len--;
		if (strncmp(name, d->pat, len) != 0)
			continue;
		if (name[len] == '/' && plus)
			m->target = name + len + 1;
		else if (name[len] != 0)
			continue;
		m->prog_type = d->prog_type;
		m->attach_type = d->attach_type;
		m->sleepable = d->flags & SLEEP;
		m->kind = d->pat;
		return true;
	}
	return false;
}

/* See object.h. */
int bpfbox_prog_type_by_sec(const char *name, uint32_t *prog_type, uint32_t *attach_type)
{
	struct bxe_sec_match m;

	if (!name || !bxe_sec_match(name, &m))
		return -ESRCH;
	if (prog_type)
		*prog_type = m.prog_type;
	if (attach_type)
		*attach_type = m.attach_type;
	return 0;
}

/* See object.h. */
const char *bpfbox_prog_type_name(uint32_t t)
{
	const struct bxp_prog_type_ops *ops = bxp_prog_type(t);	/* the one table */

	return t == 0 ? "unspec" : ops ? ops->name : NULL;
}
