/*
 * test_verifier_kernel.c - bpfbox's verifier against the kernel's, on the
 * kernel's own verifier selftests (../shared/verifier/, see
 * tests/verifier_cases.h).
 *
 * For every case: the maps its fixups ask for are created twice, as kernel
 * maps (BPF_MAP_CREATE) and as bpfbox maps, exactly as test_verifier.c
 * creates them; the lddw at each fixup index gets the kernel map's fd (for
 * the kernel) or the index into the prog opts map table (for bpfbox). The
 * program is loaded into the running kernel (BPF_PROG_LOAD, log_level 1)
 * and into bpfbox (bpfbox_prog__load with prog_type, prog_flags, log_buf),
 * and the verdicts are compared. The kernel on THIS machine is the
 * reference (the JSON's expected result is only reported); if bpf(2) is
 * refused the JSON's expectation is used instead, and said so.
 *
 * Not applicable: cases that need kernel BTF (fixup_map_kptr,
 * fixup_kfunc_btf_id) and cases the kernel refuses before verifying (an
 * error with an empty log: attach BTF ids, attach types, ...).
 *
 * Unprivileged: every applicable case is also loaded by the kernel as an
 * unprivileged user (a child that became nobody with no capabilities,
 * after root set kernel.unprivileged_bpf_disabled to 0 for the run; a
 * guardian process restores it, tests/kbpf.c) and by bpfbox with
 * bpfbox_prog_opts.unpriv; a refusal before verifying (EPERM for the
 * program types an unprivileged user may not load) is a rejection. Where
 * that is impossible (not root, the sysctl locked at 1) the JSON's
 * _unpriv verdicts are used instead, with a counted skip saying why.
 * CHECK: nothing the kernel refuses an unprivileged user is accepted by
 * bpfbox --unpriv.
 *
 * Where both accept and the case runs without test data, both test-run it
 * on 64 zero bytes (bpfbox in checked mode) and retvals are compared.
 *
 * Output: an agreement table, every disagreement with both messages.
 * Environment: VERIFIER_DIFF=FILE writes the disagreements with the
 * disassembled programs to FILE, VERIFIER_SUMMARY=FILE the table;
 * VERIFIER_CASES=FILE reads another case file; VERIFIER_QUIET=1 prints
 * the disagreements as one line each. TL_CASE=PATTERN (`make test
 * T=test_verifier_kernel CASE=PATTERN`) runs only the matching cases, each
 * a check of its own (run_picked).
 *
 * CHECKs: the harness ran; "kernel rejects for a safety reason, bpfbox
 * accepts" is 0; agreement >= 97%. (The last two are the issue's targets:
 * they fail while the verifier is incomplete, on purpose.)
 */
#include "bpfbox/bpfbox.h"
#include "testlib.h"
#include "kbpf.h"
#include "verifier_cases.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KLOG_SZ (1u << 20)
#define BLOG_SZ (64u * 1024)
#define MSG_SZ 512
#define TEST_DATA_LEN 64

/* ---- the raw bpf(2) syscall ------------------------------------------------ */

/* ---- maps as test_verifier.c creates them --------------------------------- */

struct map_kind {
	const char *fixup;
	uint32_t type, key, value, max;
	bool init_test_val;      /* element 0 = { .index = 28, .foo[6] = 0xabcdef12 } */
};

static const struct map_kind map_kinds[] = {
	{ "fixup_map_hash_8b", BPF_MAP_TYPE_HASH, 8, 8, 1, false },
	{ "fixup_map_hash_48b", BPF_MAP_TYPE_HASH, 8, 48, 1, false },
	{ "fixup_map_array_48b", BPF_MAP_TYPE_ARRAY, 4, 48, 1, true },
	{ "fixup_map_array_small", BPF_MAP_TYPE_ARRAY, 4, 1, 1, false },
	{ "fixup_map_event_output", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, false },
	{ "fixup_map_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, false },
};
#define NKINDS (sizeof(map_kinds) / sizeof(map_kinds[0]))

static const struct map_kind *find_kind(const char *fixup)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(map_kinds[i].fixup, fixup))
			return &map_kinds[i];
	return NULL;
}

/* The test_val the harness stores in element 0 of array_48b. */
static void test_val(uint8_t v[48])
{
	uint32_t idx = (6 + 1) * 4, foo6 = 0xabcdef12;

	memset(v, 0, 48);
	memcpy(v, &idx, 4);
	memcpy(v + 4 + 6 * 4, &foo6, 4);
}

/* ---- messages and their classes -------------------------------------------- */

/* Is this log line one of the kernel's summary lines, not the error? */
static bool summary_line(const char *l)
{
	static const char *const pfx[] = { "processed ", "verification time", "stack depth",
					   "max_states_per_insn", "mark_precise", "last_idx",
					   "Func#", "func#", "from ", "  ", "cur state:", "old state:" };
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(l, pfx[i], strlen(pfx[i])))
			return true;
	return !*l;
}

/* The kernel's error: the last non-summary line of its log. */
static void kernel_msg(const char *log, char *out, size_t sz)
{
	const char *p = log, *best = NULL;
	size_t best_len = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 63 ? n : 63), p);
		if (!summary_line(tmp) && !(tmp[0] >= '0' && tmp[0] <= '9' && strchr(tmp, ':'))) {
			best = p;
			best_len = n;
		}
		p = e ? e + 1 : p + n;
	}
	if (best)
		snprintf(out, sz, "%.*s", (int)best_len, best);
	else
		snprintf(out, sz, "%s", "");
}

/* bpfbox's message: the "kernel:" line of the report, else its "error at"
 * line, else the VM's last error, else the errno. */
static void bpfbox_msg(const char *log, const char *vmlog, int err, char *out, size_t sz)
{
	const char *k = strstr(log, "kernel: "), *e = strstr(log, "error at ");

	if (k) {
		k += 8;
		snprintf(out, sz, "%.*s", (int)strcspn(k, "\n"), k);
	} else if (e) {
		snprintf(out, sz, "%.*s", (int)strcspn(e, "\n"), e);
	} else if (*log) {
		snprintf(out, sz, "%.*s", (int)strcspn(log, "\n"), log);
	} else if (*vmlog) {
		snprintf(out, sz, "%.*s", (int)strcspn(vmlog, "\n"), vmlog);
	} else {
		snprintf(out, sz, "%s", strerror(-err));
	}
}

/* A class of kernel rejection; `safety` ones are what a verifier exists to
 * stop (memory safety, uninitialised data, pointer misuse, leaks,
 * non-termination); the others are policy, encoding or resource limits. */
struct msg_class {
	const char *name;
	bool safety;
	const char *pat[14];
};

static const struct msg_class classes[] = {
	{ "uninit", true, { "!read_ok", "uninit", "invalid read from stack", "invalid indirect read",
			    "invalid size of register fill", NULL } },
	{ "memory", true, { "invalid mem access", "invalid access to", "out of bound", "outside of",
			    "min value is negative", "unbounded memory access", "invalid stack",
			    "invalid bpf_context access", "dereference of modified", "misaligned",
			    "invalid write to stack", "variable ", "invalid zero-sized read", NULL } },
	{ "pointer", true, { "pointer arithmetic", "expected=", "leaks addr", "math between",
			     "prohibited", "pointer comparison", "invalid mem access 'scalar'",
			     "R%d type", "type=", "pointer", "cannot write into", "cannot pass",
			     "invalid variable", NULL } },
	{ "reference", true, { "Unreleased reference", "reference has not been acquired",
			       "release", "acquire", NULL } },
	{ "termination", true, { "back-edge", "infinite loop", "jump out of range",
				 "combined stack size", "stack size", "loop", "call stack of", NULL } },
	{ "encoding", false, { "unknown opcode", "invalid BPF_LD_IMM", "reserved", "invalid insn",
			       "invalid src", "invalid dst", "BPF_LD_[ABS|IND]", "invalid bpf_ld_imm64",
			       "unreachable insn", "last insn", "invalid func", NULL } },
	{ "helper-policy", false, { "unknown func", "cannot call", "helper call is not allowed",
				    "program of this type cannot use", "not allowed", "GPL", NULL } },
	{ "resource", false, { "too large", "too complex", "too many", "BPF program is too", NULL } },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* The class of a kernel message (NULL: none matched, counted as "other"). */
static const struct msg_class *classify(const char *msg)
{
	for (size_t i = 0; i < NCLASSES; i++)
		for (size_t j = 0; classes[i].pat[j]; j++)
			if (strstr(msg, classes[i].pat[j]))
				return &classes[i];
	return NULL;
}

/* ---- one case -------------------------------------------------------------- */

enum verdict { V_NA = 0, V_ACCEPT, V_REJECT };

struct outcome {
	enum verdict k, b;
	char kmsg[MSG_SZ], bmsg[MSG_SZ], na_why[128];
	int kerr, berr;
	/* unprivileged: the kernel loading it as nobody with no capabilities
	 * (or the JSON's _unpriv verdict), bpfbox with .unpriv */
	enum verdict ku, bu;
	char kumsg[MSG_SZ], bumsg[MSG_SZ];
	int kuerr;
	bool ran;              /* retvals compared */
	uint32_t kret, bret;
	int kret_err, bret_err;
};

struct ctx {
	struct bpfbox_vm *vm;
	char vmlog[MSG_SZ];
	char *klog, *blog;
	bool kernel;           /* bpf(2) works: the kernel is the reference */
	bool kernel_unpriv;    /* unprivileged loads work (sysctl set to 0 for the run) */
};

static void vm_log(void *c, enum bpfbox_log_level lvl, const char *msg)
{
	struct ctx *x = c;

	if (lvl == BPFBOX_LOG_ERROR && !x->vmlog[0])
		snprintf(x->vmlog, sizeof(x->vmlog), "%s", msg);
}

/* The expected_attach_type the case's source gives but the JSON does not
 * carry, for the types whose load needs one. */
static uint32_t infer_attach_type(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR: return BPF_CGROUP_UDP6_SENDMSG;
	case BPF_PROG_TYPE_SK_LOOKUP: return BPF_SK_LOOKUP;
	case BPF_PROG_TYPE_CGROUP_SOCKOPT: return BPF_CGROUP_GETSOCKOPT;
	default: return 0;
	}
}

/* Kernel messages that mean the load lacked attributes the JSON does not
 * carry (attach BTF ids, BTF func_info): the case is not applicable. With
 * `if_accept`, only when the JSON expects the case to be accepted. */
static const struct {
	const char *pat;
	bool if_accept;
} attr_msgs[] = {
	{ "must provide btf_id", false },
	{ "missing btf func_info", false },
	{ "attach_btf_id", false },
	{ "can be sleepable", true },
};

static bool attr_refusal(const struct vc_case *c, const char *kmsg)
{
	for (size_t i = 0; i < sizeof(attr_msgs) / sizeof(attr_msgs[0]); i++)
		if (strstr(kmsg, attr_msgs[i].pat) && (!attr_msgs[i].if_accept || c->result != VC_REJECT))
			return true;
	return false;
}

/* test_verifier.c's POINTER_VALUE: a retval that is not compared. */
#define POINTER_VALUE 0xcafe4au

/* Can the kernel and bpfbox test-run this type on a packet? */
static bool runnable_type(uint32_t type)
{
	return type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_SCHED_CLS ||
	       type == BPF_PROG_TYPE_SCHED_ACT || type == BPF_PROG_TYPE_XDP ||
	       type == BPF_PROG_TYPE_CGROUP_SKB;
}

/* Run one case into *o. */
static void run_case(struct ctx *x, const struct vc_case *c, struct outcome *o)
{
	uint32_t type = c->prog_type ? c->prog_type : BPF_PROG_TYPE_SOCKET_FILTER;
	uint32_t eat = infer_attach_type(type);
	struct bpfbox_insn *ki = NULL, *bi = NULL;
	struct bpfbox_map *bmaps[8] = { 0 };
	int kfds[8], nmaps = 0, kfd = -1;
	struct bpfbox_prog *bp = NULL;
	uint8_t tv[48];

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < 8; i++)
		kfds[i] = -1;
	if (!c->cnt) {
		snprintf(o->na_why, sizeof(o->na_why), "generated by a fill function: no instructions in the JSON");
		return;
	}
	for (size_t f = 0; f < c->nfixups; f++) {
		if (!find_kind(c->fixups[f].kind)) {
			snprintf(o->na_why, sizeof(o->na_why), "%s needs kernel BTF", c->fixups[f].kind);
			return;
		}
	}
	if (!(ki = malloc(c->cnt * sizeof(*ki))) || !(bi = malloc(c->cnt * sizeof(*bi)))) {
		snprintf(o->na_why, sizeof(o->na_why), "out of memory");
		goto out;
	}
	memcpy(ki, c->insns, c->cnt * sizeof(*ki));
	memcpy(bi, c->insns, c->cnt * sizeof(*bi));
	test_val(tv);
	for (size_t f = 0; f < c->nfixups && nmaps < 8; f++, nmaps++) {
		const struct map_kind *mk = find_kind(c->fixups[f].kind);
		BPFBOX_OPTS(bpfbox_map_create_opts, mo, .nr_cpus = 1);
		uint32_t zero = 0;
		int err;

		if (x->kernel) {
			kfds[nmaps] = kb_map_create(mk->type, mk->key, mk->value, mk->max);
			if (kfds[nmaps] < 0) {
				snprintf(o->na_why, sizeof(o->na_why), "kernel cannot create %s: %s",
					 mk->fixup, strerror(-kfds[nmaps]));
				goto out;
			}
			if (mk->init_test_val)
				kb_map_update(kfds[nmaps], &zero, tv);
		}
		err = bpfbox_map__create(mk->type, mk->key, mk->value, mk->max, &mo, &bmaps[nmaps]);
		if (err) {
			snprintf(o->na_why, sizeof(o->na_why), "bpfbox cannot create %s: %s", mk->fixup,
				 strerror(-err));
			goto out;
		}
		if (mk->init_test_val)
			bpfbox_map__update_elem(bmaps[nmaps], &zero, tv, 0);
		for (size_t j = 0; j < c->fixups[f].n; j++) {
			uint32_t at = c->fixups[f].idx[j];
			if (at >= c->cnt) {
				snprintf(o->na_why, sizeof(o->na_why), "fixup index %u out of range", at);
				goto out;
			}
			ki[at].imm = kfds[nmaps];
			bi[at].imm = nmaps;
		}
	}

	/* the kernel */
	if (x->kernel) {
		kfd = kb_prog_load(type, eat, ki, c->cnt, vc_prog_flags(c->flags, true), x->klog,
				  KLOG_SZ, 1);
		if (kfd >= 0) {
			o->k = V_ACCEPT;
		} else {
			o->kerr = kfd;
			kernel_msg(x->klog, o->kmsg, sizeof(o->kmsg));
			if (!o->kmsg[0]) {
				snprintf(o->na_why, sizeof(o->na_why),
					 "the kernel refuses the load before verifying: %s",
					 strerror(-kfd));
				goto out;
			}
			if (attr_refusal(c, o->kmsg)) {
				snprintf(o->na_why, sizeof(o->na_why),
					 "the load needs attributes the JSON lacks: %.80s", o->kmsg);
				goto out;
			}
			o->k = V_REJECT;
		}
	} else {
		o->k = c->result == VC_REJECT ? V_REJECT : V_ACCEPT;
		snprintf(o->kmsg, sizeof(o->kmsg), "%s", c->errstr ? c->errstr : "");
	}

	/* bpfbox */
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "case", .prog_type = type,
			    .expected_attach_type = eat, .license = "GPL", .maps = bmaps,
			    .map_cnt = (size_t)nmaps, .prog_flags = vc_prog_flags(c->flags, false),
			    .log_buf = x->blog, .log_size = BLOG_SZ, .log_level = 1);

		x->blog[0] = 0;
		x->vmlog[0] = 0;
		o->berr = bpfbox_prog__load(x->vm, bi, c->cnt, &po, &bp);
		o->b = o->berr ? V_REJECT : V_ACCEPT;
		if (o->berr)
			bpfbox_msg(x->blog, x->vmlog, o->berr, o->bmsg, sizeof(o->bmsg));
	}

	/* unprivileged: the kernel as nobody (or the JSON), bpfbox with .unpriv */
	if (x->kernel_unpriv) {
		o->kuerr = kb_prog_load_unpriv(type, eat, ki, c->cnt, vc_prog_flags(c->flags, true),
					       x->klog, KLOG_SZ, o->kumsg, sizeof(o->kumsg));
		o->ku = o->kuerr >= 0 ? V_ACCEPT : V_REJECT;
		if (o->ku == V_ACCEPT)
			o->kumsg[0] = 0;
	} else {
		enum vc_result r = c->result_unpriv ? c->result_unpriv : c->result;
		const char *m = c->result_unpriv ? c->errstr_unpriv : c->errstr;

		o->ku = r == VC_REJECT ? V_REJECT : V_ACCEPT;
		snprintf(o->kumsg, sizeof(o->kumsg), "%s", m ? m : "");
	}
	{
		struct bpfbox_prog *up = NULL;
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "case", .prog_type = type,
			    .expected_attach_type = eat, .license = "GPL", .maps = bmaps,
			    .map_cnt = (size_t)nmaps, .prog_flags = vc_prog_flags(c->flags, false),
			    .log_buf = x->blog, .log_size = BLOG_SZ, .log_level = 1, .unpriv = true);
		int err;

		x->blog[0] = 0;
		x->vmlog[0] = 0;
		err = bpfbox_prog__load(x->vm, bi, c->cnt, &po, &up);
		o->bu = err ? V_REJECT : V_ACCEPT;
		if (err)
			bpfbox_msg(x->blog, x->vmlog, err, o->bumsg, sizeof(o->bumsg));
		bpfbox_prog__free(up);
	}

	/* both accept: run it as the harness would */
	if (o->k == V_ACCEPT && o->b == V_ACCEPT && x->kernel && c->runs == 0 && !c->has_data &&
	    runnable_type(type) && (uint32_t)c->retval != POINTER_VALUE) {
		uint8_t data[TEST_DATA_LEN] = { 0 }, out[TEST_DATA_LEN + 512];
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = data, .data_size_in = sizeof(data),
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1,
			    .mode = BPFBOX_RUN_CHECKED);

		o->kret_err = kb_test_run(kfd, data, sizeof(data), &o->kret);
		o->bret_err = bpfbox_prog__test_run(bp, &t);
		o->bret = t.retval;
		o->ran = true;
	}
out:
	if (kfd >= 0)
		close(kfd);
	bpfbox_prog__free(bp);
	for (int i = 0; i < 8; i++) {
		if (kfds[i] >= 0)
			close(kfds[i]);
		bpfbox_map__free(bmaps[i]);
	}
	free(ki);
	free(bi);
}

/* ---- report ---------------------------------------------------------------- */

struct tally {
	size_t total, na, ka_ba, ka_br, ka_br_type, kr_ba, kr_br, kr_ba_safety, kr_ba_other;
	size_t json_differs, runs, run_agree;
	size_t by_type[64][3];    /* [type][0 agree, 1 disagree, 2 n/a] */
	size_t unsafe_by_class[NCLASSES + 1];
};

/* printf to stdout and, if open, to f. */
static void out2(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out2(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
	}
}

static void print_table(FILE *f, const struct tally *t, bool kernel)
{
	size_t applicable = t->total - t->na, agree = t->ka_ba + t->kr_br;
	const char *ref = kernel ? "kernel" : "expected";

	out2(f, "verifier agreement with the %s (%s)\n", kernel ? "kernel on this machine" : "JSON's expected results",
	     kernel ? "reference: BPF_PROG_LOAD here" : "bpf(2) refused");
	out2(f, "  cases                                   %5zu\n", t->total);
	out2(f, "  not applicable                          %5zu\n", t->na);
	out2(f, "  %-8s accept / bpfbox accept           %5zu\n", ref, t->ka_ba);
	out2(f, "  %-8s accept / bpfbox reject           %5zu\n", ref, t->ka_br);
	out2(f, "      program type not supported by bpfbox%5zu\n", t->ka_br_type);
	out2(f, "  %-8s reject / bpfbox accept (UNSAFE)  %5zu\n", ref, t->kr_ba);
	out2(f, "      safety reason                       %5zu\n", t->kr_ba_safety);
	out2(f, "      other reason                        %5zu\n", t->kr_ba_other);
	for (size_t i = 0; i <= NCLASSES; i++)
		if (t->unsafe_by_class[i])
			out2(f, "        class %-14s              %5zu\n",
			     i < NCLASSES ? classes[i].name : "other", t->unsafe_by_class[i]);
	out2(f, "  %-8s reject / bpfbox reject           %5zu\n", ref, t->kr_br);
	out2(f, "  agreement                               %5zu / %zu = %.1f%%\n", agree, applicable,
	     applicable ? 100.0 * (double)agree / (double)applicable : 0.0);
	if (kernel)
		out2(f, "  kernel verdict differs from the JSON's  %5zu\n", t->json_differs);
	out2(f, "  retvals compared (both accept, run)     %5zu, equal %zu\n", t->runs, t->run_agree);
	out2(f, "  by prog_type (agree / disagree / n/a):\n");
	for (int ty = 0; ty < 64; ty++) {
		const size_t *b = t->by_type[ty];
		const char *n = bpfbox_prog_type_name((uint32_t)ty);
		if (b[0] + b[1] + b[2])
			out2(f, "    %2d %-24s %4zu %4zu %4zu\n", ty, ty == 0 ? "(unspec: socket_filter)" : n ? n : "?",
			     b[0], b[1], b[2]);
	}
}

/* The program, disassembled, into f. */
static void dump_prog(FILE *f, const struct vc_case *c)
{
	BPFBOX_OPTS(bpfbox_disasm_opts, d);
	char buf[256];

	for (size_t i = 0; i < c->cnt;) {
		int n = bpfbox_disasm_insn(c->insns, c->cnt, i, &d, buf, sizeof(buf));
		fprintf(f, "    %4zu: %s\n", i, buf);
		i += n > 0 ? (size_t)n : 1;
	}
}

static const char *vname(enum verdict v)
{
	return v == V_ACCEPT ? "accept" : v == V_REJECT ? "reject" : "n/a";
}

/*
 * run_picked - CASE=PATTERN (TL_CASE, `make test T=test_verifier_kernel
 * CASE=...`): only the cases whose description matches PATTERN (a shell
 * pattern or a substring, as tl_case) or whose number is PATTERN ("#17" or
 * "17", the numbers the disagreement list prints). Each one is a check of
 * its own: the same verdict as the kernel, and the same retval where both
 * ran it; one that needs kernel BTF or that the kernel refuses before
 * verifying is skipped, with its reason. Returns how many matched.
 */
static size_t run_picked(struct ctx *x, const struct vc_case *cases, size_t n, const char *pick)
{
	size_t matched = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vc_case *c = &cases[i];
		struct outcome o;
		char num[24];

		snprintf(num, sizeof(num), "#%zu", i);
		if (!tl_case(c->descr ? c->descr : "") && strcmp(pick, num) && strcmp(pick, num + 1))
			continue;
		matched++;
		run_case(x, c, &o);
		printf("#%zu %s (prog_type %u, JSON: %s)\n", i, c->descr, c->prog_type,
		       c->result == VC_REJECT ? "reject" : "accept");
		if (o.k == V_NA) {
			TL_SKIP("#%zu %s: not applicable: %s", i, c->descr, o.na_why);
			continue;
		}
		printf("  %s %s%s%s\n  bpfbox %s%s%s\n", x->kernel ? "kernel" : "JSON  ", vname(o.k),
		       o.k == V_REJECT ? ": " : "", o.k == V_REJECT ? o.kmsg : "", vname(o.b),
		       o.b == V_REJECT ? ": " : "", o.b == V_REJECT ? o.bmsg : "");
		CHECK_MSG(o.k == o.b, "#%zu %s: kernel %s, bpfbox %s", i, c->descr, vname(o.k),
			  vname(o.b));
		if (o.ran)
			CHECK_MSG(o.kret_err == o.bret_err && o.kret == o.bret,
				  "#%zu %s: retval kernel %u (err %d), bpfbox %u (err %d)", i, c->descr,
				  o.kret, o.kret_err, o.bret, o.bret_err);
	}
	return matched;
}

int main(void)
{
	const char *path = getenv("VERIFIER_CASES") ? getenv("VERIFIER_CASES") : VC_DEFAULT_PATH;
	const char *diff_path = getenv("VERIFIER_DIFF"), *sum_path = getenv("VERIFIER_SUMMARY");
	bool quiet = getenv("VERIFIER_QUIET") != NULL;
	struct ctx x = { 0 };
	struct vc_case *cases = NULL;
	struct outcome *res = NULL;
	struct tally t = { 0 };
	size_t n = 0;
	char why[256];
	FILE *df = NULL, *sf = NULL;
	int err, guard = -1;
	size_t u_n = 0, u_ka_ba = 0, u_ka_br = 0, u_kr_ba = 0, u_kr_br = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = vc_load(path, &cases, &n, why, sizeof(why));
	if (err == -ENOENT) {
		TL_SKIP("%s is absent: no kernel verifier cases to compare", path);
		return tl_summary();
	}
	if (!CHECK_MSG(err == 0, "cannot read %s: %s", path, why))
		return tl_summary();
	CHECK_MSG(n > 0, "%s has no cases", path);

	/* Does bpf(2) work here? */
	{
		int err = kb_probe(BPF_PROG_TYPE_SOCKET_FILTER);

		x.kernel = err == 0;
		if (err)
			printf("NOTE: bpf(2) refused (%s): comparing with the JSON's expected results\n",
			       strerror(-err));
	}
	/* unprivileged loads: root lets them for this run only (kb_unpriv_enable) */
	if (x.kernel) {
		char uwhy[160] = "", m[200];
		static const struct bpfbox_insn ret0[2] = { { 0xb7, 0, 0, 0, 0 }, { 0x95, 0, 0, 0, 0 } };

		if ((guard = kb_unpriv_enable(uwhy, sizeof(uwhy))) >= 0) {
			x.kernel_unpriv = kb_prog_load_unpriv(BPF_PROG_TYPE_SOCKET_FILTER, 0, ret0, 2, 0,
							      NULL, 0, m, sizeof(m)) == 0;
			if (!x.kernel_unpriv)
				snprintf(uwhy, sizeof(uwhy), "an unprivileged load of 'r0 = 0; exit' fails: %.100s", m);
		}
		if (!x.kernel_unpriv)
			TL_SKIP("the kernel's unprivileged verdicts (%s): comparing --unpriv with the JSON's "
				"_unpriv results", uwhy);
	}
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = vm_log, .log_ctx = &x, .nr_cpus = 1);
	x.klog = malloc(KLOG_SZ);
	x.blog = malloc(BLOG_SZ);
	res = calloc(n, sizeof(*res));
	if (!CHECK(x.klog && x.blog && res) || !CHECK(bpfbox_vm__new(&vo, &x.vm) == 0))
		goto done;

	if (getenv("TL_CASE") && *getenv("TL_CASE")) {
		const char *pick = getenv("TL_CASE");

		CHECK_MSG(run_picked(&x, cases, n, pick) > 0,
			  "no case matches CASE=%s (a description, a shell pattern, or #N)", pick);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vc_case *c = &cases[i];
		struct outcome *o = &res[i];
		size_t ty = c->prog_type < 64 ? c->prog_type : 63;

		run_case(&x, c, o);
		t.total++;
		if (o->k == V_NA) {
			t.na++;
			t.by_type[ty][2]++;
			continue;
		}
		if ((o->k == V_ACCEPT) != (c->result != VC_REJECT))
			t.json_differs++;
		t.by_type[ty][o->k == o->b ? 0 : 1]++;
		if (o->k == V_ACCEPT) {
			*(o->b == V_ACCEPT ? &t.ka_ba : &t.ka_br) += 1;
			t.ka_br_type += o->b == V_REJECT && strstr(o->bmsg, "is not supported") &&
					strstr(o->bmsg, "program type");
		}
		else if (o->b == V_REJECT)
			t.kr_br++;
		else {
			const struct msg_class *mc = classify(o->kmsg);
			t.kr_ba++;
			*(mc && mc->safety ? &t.kr_ba_safety : &t.kr_ba_other) += 1;
			t.unsafe_by_class[mc ? (size_t)(mc - classes) : NCLASSES]++;
		}
		if (o->k != V_NA) {
			u_n++;
			if (o->ku == V_ACCEPT)
				*(o->bu == V_ACCEPT ? &u_ka_ba : &u_ka_br) += 1;
			else
				*(o->bu == V_ACCEPT ? &u_kr_ba : &u_kr_br) += 1;
		}
		if (o->ran) {
			t.runs++;
			t.run_agree += o->kret_err == o->bret_err && o->kret == o->bret;
		}
	}

	/* the disagreements */
	if (diff_path && !(df = fopen(diff_path, "w")))
		printf("NOTE: cannot write %s: %s\n", diff_path, strerror(errno));
	if (sum_path && !(sf = fopen(sum_path, "w")))
		printf("NOTE: cannot write %s: %s\n", sum_path, strerror(errno));
	if (df)
		fprintf(df, "# bpfbox verifier vs the kernel: disagreements (tests/test_verifier_kernel.c)\n"
			    "# UNSAFE = the kernel rejects, bpfbox accepts; STRICT = the kernel accepts, bpfbox rejects\n"
			    "# regenerate: make && VERIFIER_DIFF=FILE VERIFIER_SUMMARY=FILE2 build/tests/test_verifier_kernel\n\n");
	printf("disagreements:\n");
	for (size_t i = 0; i < n; i++) {
		const struct vc_case *c = &cases[i];
		const struct outcome *o = &res[i];
		const struct msg_class *mc;
		bool retdiff = o->ran && (o->kret_err != o->bret_err || o->kret != o->bret);

		if (o->k == V_NA || (o->k == o->b && !retdiff))
			continue;
		mc = o->k == V_REJECT ? classify(o->kmsg) : NULL;
		const char *kind = o->k == o->b ? "RETVAL" : o->k == V_REJECT ? (mc && mc->safety ? "UNSAFE(safety)" : "UNSAFE(other)") : "STRICT";
		if (quiet)
			printf("  [%s] #%zu %s | kernel: %s | bpfbox: %s\n", kind, i, c->descr,
			       o->k == V_ACCEPT ? "accept" : o->kmsg, o->b == V_ACCEPT ? "accept" : o->bmsg);
		else
			printf("  [%s] #%zu %s (prog_type %u)\n      kernel %s: %s\n      bpfbox %s: %s\n",
			       kind, i, c->descr, c->prog_type, vname(o->k), o->k == V_ACCEPT ? "" : o->kmsg,
			       vname(o->b), o->b == V_ACCEPT ? "" : o->bmsg);
		if (retdiff)
			printf("      retval: kernel %u (err %d), bpfbox %u (err %d), JSON %lld\n", o->kret,
			       o->kret_err, o->bret, o->bret_err, (long long)c->retval);
		if (df) {
			fprintf(df, "== [%s] #%zu %s\n  prog_type %u, flags %u, expected %s%s%s\n", kind, i,
				c->descr, c->prog_type, c->flags,
				c->result == VC_REJECT ? "REJECT" : "ACCEPT", c->errstr ? ": " : "",
				c->errstr ? c->errstr : "");
			fprintf(df, "  kernel: %s%s%s\n  bpfbox: %s%s%s\n", vname(o->k),
				o->k == V_REJECT ? ": " : "", o->k == V_REJECT ? o->kmsg : "", vname(o->b),
				o->b == V_REJECT ? ": " : "", o->b == V_REJECT ? o->bmsg : "");
			if (retdiff)
				fprintf(df, "  retval: kernel %u (err %d), bpfbox %u (err %d)\n", o->kret,
					o->kret_err, o->bret, o->bret_err);
			for (size_t f = 0; f < c->nfixups; f++) {
				fprintf(df, "  %s:", c->fixups[f].kind);
				for (size_t j = 0; j < c->fixups[f].n; j++)
					fprintf(df, " %u", c->fixups[f].idx[j]);
				fprintf(df, "\n");
			}
			dump_prog(df, c);
			fprintf(df, "\n");
		}
	}
	if (x.kernel) {
		printf("the kernel's verdict differs from the JSON's expected result:%s\n",
		       t.json_differs ? "" : " never");
		for (size_t i = 0; i < n; i++)
			if (res[i].k != V_NA && (res[i].k == V_ACCEPT) != (cases[i].result != VC_REJECT))
				printf("  #%zu %s: expected %s, kernel %s%s%s\n", i, cases[i].descr,
				       cases[i].result == VC_REJECT ? "reject" : "accept", vname(res[i].k),
				       res[i].k == V_REJECT ? ": " : "", res[i].k == V_REJECT ? res[i].kmsg : "");
	}
	{
		size_t na_btf = 0, na_gen = 0, na_load = 0;
		for (size_t i = 0; i < n; i++)
			if (res[i].k == V_NA)
				*(strstr(res[i].na_why, "needs kernel BTF") ? &na_btf : strstr(res[i].na_why, "generated") ? &na_gen : &na_load) += 1;
		printf("not applicable: %zu need kernel BTF (kptr/kfunc fixups), %zu generated (no instructions), %zu refused by the kernel before verification or lacking load attributes\n",
		       na_btf, na_gen, na_load);
	}
	printf("\n");
	print_table(sf, &t, x.kernel);

	/* unprivileged */
	printf("\nunprivileged disagreements (bpfbox --unpriv vs %s):\n",
	       x.kernel_unpriv ? "the kernel loading as nobody, no capabilities" : "the JSON's _unpriv results");
	for (size_t i = 0; i < n; i++) {
		const struct outcome *o = &res[i];

		if (o->k == V_NA || o->ku == o->bu)
			continue;
		printf("  [%s] #%zu %s (prog_type %u) | kernel: %s | bpfbox: %s\n",
		       o->ku == V_REJECT ? "U-UNSAFE" : "U-STRICT", i, cases[i].descr, cases[i].prog_type,
		       o->ku == V_ACCEPT ? "accept" : o->kumsg, o->bu == V_ACCEPT ? "accept" : o->bumsg);
	}
	out2(sf, "unprivileged (--unpriv) agreement with the %s\n",
	     x.kernel_unpriv ? "kernel as an unprivileged user" : "JSON's _unpriv results");
	out2(sf, "  applicable                              %5zu\n", u_n);
	out2(sf, "  kernel accept / bpfbox accept           %5zu\n", u_ka_ba);
	out2(sf, "  kernel accept / bpfbox reject           %5zu\n", u_ka_br);
	out2(sf, "  kernel reject / bpfbox accept (UNSAFE)  %5zu\n", u_kr_ba);
	out2(sf, "  kernel reject / bpfbox reject           %5zu\n", u_kr_br);
	out2(sf, "  agreement                               %5zu / %zu = %.1f%%\n", u_ka_ba + u_kr_br, u_n,
	     u_n ? 100.0 * (double)(u_ka_ba + u_kr_br) / (double)u_n : 0.0);
	kb_unpriv_restore(guard);	/* the guardian restores the sysctl */
	guard = -1;
	CHECK_MSG(u_kr_ba == 0, "%zu cases an unprivileged user may not load are accepted by bpfbox --unpriv",
		  u_kr_ba);

	CHECK_MSG(t.total == n && t.total - t.na > 0, "the harness ran (%zu cases, %zu applicable)",
		  t.total, t.total - t.na);
	/* never accept what the kernel rejects for a safety reason */
	CHECK_MSG(t.kr_ba_safety == 0,
		  "%zu cases the kernel rejects for a safety reason are accepted by bpfbox",
		  t.kr_ba_safety);
	/* agreement: no regression below what the verifier reached (98.3% on
	 * 2026-11-22 with the sock_addr table and helpers 17, 18); target 97% */
	{
		double agree = t.total - t.na ? (double)(t.ka_ba + t.kr_br) / (double)(t.total - t.na) : 0;

		CHECK_MSG(agree >= 0.982, "agreement %zu / %zu (%.1f%%) fell below the 98.2%% floor",
			  t.ka_ba + t.kr_br, t.total - t.na, 100 * agree);
		printf("issue target (97%% agreement): %s (%.1f%%)\n",
		       agree >= 0.97 ? "met" : "NOT MET yet", 100 * agree);
	}
done:
	kb_unpriv_restore(guard);
	if (df)
		fclose(df);
	if (sf)
		fclose(sf);
	bpfbox_vm__free(x.vm);
	free(x.klog);
	free(x.blog);
	free(res);
	vc_free(cases, n);
	return tl_summary();
}
