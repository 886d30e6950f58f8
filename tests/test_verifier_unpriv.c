/*
 * test_verifier_unpriv.c - bpfbox's unprivileged mode (bpfbox_prog_opts.unpriv,
 * `--unpriv`) against the kernel loading the same program as an
 * unprivileged user (a child that became nobody with no capabilities,
 * /proc/sys/kernel/unprivileged_bpf_disabled set to 0 for the run and
 * restored by a guardian process: tests/kbpf.c).
 *
 * 1. Targeted programs, one per unprivileged rule (pointer leaks, pointer
 *    comparisons, Spectre-v1 pointer-arithmetic sanitation and bounds,
 *    uninitialised stack, loops, the helper set): each is judged by both
 *    verifiers, unprivileged and privileged, and the verdicts must agree
 *    in both modes (the kernel on this machine decides; nothing is pinned).
 * 2. Generated programs (tests/vgen.c, run as socket filters): VUNPRIV_N
 *    (default 1500, seed VUNPRIV_SEED) judged unprivileged by both; no
 *    program the kernel rejects may be accepted by bpfbox, and every
 *    accepted one runs checked under the sanitizers.
 *
 * Without root or kernel bpf(2) the test skips, saying why.
 */
#include "bpfbox/bpfbox.h"
#include "kbpf.h"
#include "testlib.h"
#include "vgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define I(c, d, s, o, i) { (uint8_t)(c), (uint8_t)(d), (uint8_t)(s), (int16_t)(o), (int32_t)(i) }
#define LDMAP(d, m) I(0x18, d, 1, 0, m), I(0, 0, 0, 0, 0)
#define EXIT0 I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)
/* r0 = the array map's element 0 (value 48 bytes), or exit 0 */
#define LOOKUP I(0x62, 10, 0, -8, 0), I(0xbf, 2, 10, 0, 0), I(0x07, 2, 0, 0, -8), LDMAP(1, 0), \
	       I(0x85, 0, 0, 0, 1), I(0x55, 0, 0, 1, 0), I(0x95, 0, 0, 0, 0)

struct tcase {
	const char *what;
	struct bpfbox_insn insn[32];
};

/* Count the slots of a case (up to the first all-zero slot after an exit). */
static size_t case_len(const struct tcase *c)
{
	size_t n = 0;

	while (n < 32 && (c->insn[n].code || (n && c->insn[n - 1].code == 0x18)))
		n++;
	return n;
}

static const struct tcase cases[] = {
	{ "map value += u8 (may leave the value)",
	  { LOOKUP, I(0x71, 1, 0, 0, 0), I(0x0f, 0, 1, 0, 0), I(0x71, 2, 0, 0, 0), EXIT0 } },
	{ "map value += u8 & 15 (stays inside)",
	  { LOOKUP, I(0x71, 1, 0, 0, 0), I(0x57, 1, 0, 0, 15), I(0x0f, 0, 1, 0, 0), I(0x71, 2, 0, 0, 0),
	    EXIT0 } },
	{ "map value += scalar with mixed signed bounds",
	  { LOOKUP, I(0x71, 1, 0, 0, 0), I(0x17, 1, 0, 0, 8), I(0x0f, 0, 1, 0, 0), EXIT0 } },
	{ "map value += 16; -= u8 & 7 (masked to the left)",
	  { LOOKUP, I(0x71, 1, 0, 0, 0), I(0x57, 1, 0, 0, 7), I(0x07, 0, 0, 0, 16), I(0x1f, 0, 1, 0, 0),
	    I(0x71, 2, 0, 0, 0), EXIT0 } },
	{ "map value += register holding 40",
	  { LOOKUP, I(0xb7, 1, 0, 0, 40), I(0x0f, 0, 1, 0, 0), I(0x79, 2, 0, 0, 0), EXIT0 } },
	{ "map value += register holding 48 (one past the end)",
	  { LOOKUP, I(0xb7, 1, 0, 0, 48), I(0x0f, 0, 1, 0, 0), EXIT0 } },
	{ "scalar u8 & 7 += map value",
	  { LOOKUP, I(0x71, 1, 0, 0, 0), I(0x57, 1, 0, 0, 7), I(0x0f, 1, 0, 0, 0), I(0x71, 2, 1, 0, 0),
	    EXIT0 } },
	{ "map value += register: constant on one path, unknown on the other",
	  { LOOKUP, I(0x71, 2, 0, 0, 0), I(0x57, 2, 0, 0, 3), I(0x25, 2, 0, 1, 1), I(0xb7, 2, 0, 0, 0),
	    I(0x0f, 0, 2, 0, 0), I(0x71, 3, 0, 0, 0), EXIT0 } },
	{ "fp += 8 (above the frame)", { I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, 8), EXIT0 } },
	{ "fp += -8, store", { I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, -8), I(0x7a, 1, 0, 0, 0), EXIT0 } },
	{ "fp - 16 += u8 & 7 (variable stack offset)",
	  { LOOKUP, I(0x71, 2, 0, 0, 0), I(0x57, 2, 0, 0, 7), I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, -16),
	    I(0x0f, 1, 2, 0, 0), EXIT0 } },
	{ "ctx += register holding 4", { I(0xb7, 2, 0, 0, 4), I(0x0f, 1, 2, 0, 0), EXIT0 } },
	{ "fp -= fp", { I(0xbf, 1, 10, 0, 0), I(0x1f, 1, 10, 0, 0), EXIT0 } },
	{ "w1 = w10 (partial copy)", { I(0xbc, 1, 10, 0, 0), EXIT0 } },
	{ "r1 = -fp", { I(0xbf, 1, 10, 0, 0), I(0x87, 1, 0, 0, 0), EXIT0 } },
	{ "map value pointer stored into the map value",
	  { LOOKUP, I(0x7b, 0, 0, 0, 0), EXIT0 } },
	{ "fp stored into the map value", { LOOKUP, I(0x7b, 0, 10, 8, 0), EXIT0 } },
	{ "return fp", { I(0xbf, 0, 10, 0, 0), I(0x95, 0, 0, 0, 0) } },
	{ "fp > 5", { I(0xbf, 1, 10, 0, 0), I(0x25, 1, 0, 0, 5), EXIT0 } },
	{ "fp == ctx", { I(0x1d, 10, 1, 0, 0), EXIT0 } },
	{ "read of uninitialised stack", { I(0x79, 0, 10, -8, 0), I(0x95, 0, 0, 0, 0) } },
	{ "spilled fp, then a 4-byte store over it",
	  { I(0x7b, 10, 10, -8, 0), I(0x62, 10, 0, -8, 0), EXIT0 } },
	{ "atomic add on a spilled pointer",
	  { I(0x7b, 10, 10, -8, 0), I(0xb7, 1, 0, 0, 1), I(0xdb, 10, 1, -8, 0), EXIT0 } },
	{ "map_update_elem flags = fp",
	  { I(0x7a, 10, 0, -8, 0), I(0x7a, 10, 0, -16, 0), I(0x7a, 10, 0, -24, 0), I(0xbf, 2, 10, 0, 0),
	    I(0x07, 2, 0, 0, -8), I(0xbf, 3, 10, 0, 0), I(0x07, 3, 0, 0, -24), I(0xbf, 4, 10, 0, 0),
	    LDMAP(1, 1), I(0x85, 0, 0, 0, 2), EXIT0 } },
	{ "map_update_elem value holds a spilled pointer",
	  { I(0x7a, 10, 0, -8, 0), I(0x7b, 10, 10, -16, 0), I(0x7a, 10, 0, -24, 0), I(0xbf, 2, 10, 0, 0),
	    I(0x07, 2, 0, 0, -8), I(0xbf, 3, 10, 0, 0), I(0x07, 3, 0, 0, -24), I(0xb7, 4, 0, 0, 0),
	    LDMAP(1, 1), I(0x85, 0, 0, 0, 2), EXIT0 } },
	{ "bounded loop", { I(0xb7, 1, 0, 0, 0), I(0x07, 1, 0, 0, 1), I(0xa5, 1, 0, -2, 4), EXIT0 } },
	{ "skb_load_bytes",
	  { I(0xb7, 2, 0, 0, 0), I(0xbf, 3, 10, 0, 0), I(0x07, 3, 0, 0, -8), I(0xb7, 4, 0, 0, 4),
	    I(0x85, 0, 0, 0, 26), EXIT0 } },
	{ "get_current_pid_tgid", { I(0x85, 0, 0, 0, 14), EXIT0 } },
	{ "ktime_get_coarse_ns", { I(0x85, 0, 0, 0, 160), EXIT0 } },
	{ "jiffies64", { I(0x85, 0, 0, 0, 118), EXIT0 } },
	{ "get_current_uid_gid", { I(0x85, 0, 0, 0, 15), EXIT0 } },
	{ "get_smp_processor_id", { I(0x85, 0, 0, 0, 8), EXIT0 } },
	{ "get_numa_node_id", { I(0x85, 0, 0, 0, 42), EXIT0 } },
	{ "ktime_get_boot_ns", { I(0x85, 0, 0, 0, 125), EXIT0 } },
	{ "get_current_comm",
	  { I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, -16), I(0xb7, 2, 0, 0, 16), I(0x85, 0, 0, 0, 16),
	    EXIT0 } },
	{ "get_prandom_u32", { I(0x85, 0, 0, 0, 7), EXIT0 } },
	{ "ktime_get_ns", { I(0x85, 0, 0, 0, 5), EXIT0 } },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char *vn(int v)
{
	return v == VG_ACCEPT ? "accept" : v == VG_REJECT ? "reject" : "unknown";
}

/* Part 1: every case, unprivileged and privileged, both verifiers agree. */
static void targeted(struct vg_judge *j)
{
	struct vg_prog *p = calloc(1, sizeof(*p));
	size_t agree = 0, total = 0;

	if (!CHECK(p))
		return;
	for (size_t i = 0; i < NCASES; i++) {
		for (int mode = 0; mode < 2; mode++) {
			char km[256] = "", bm[256] = "";
			int kv, bv;

			memset(p, 0, sizeof(*p));
			p->cnt = case_len(&cases[i]);
			p->type = BPFBOX_PROG_TYPE_SOCKET_FILTER;
			memcpy(p->insn, cases[i].insn, p->cnt * sizeof(p->insn[0]));
			j->unpriv = mode == 0;
			kv = vg_kernel(j, p, true);
			bv = vg_bpfbox(j, p, NULL);
			if (kv == VG_REJECT)
				vg_kernel_msg(j, km, sizeof(km));
			if (bv == VG_REJECT)
				vg_bpfbox_msg(j, bm, sizeof(bm));
			total++;
			agree += kv == bv;
			printf("  %-10s %-62s kernel %-6s bpfbox %-6s%s\n", mode ? "privileged" : "unpriv",
			       cases[i].what, vn(kv), vn(bv), kv == bv ? "" : "   <- DIFFERENT");
			if (kv != bv || (getenv("VUNPRIV_V") && kv == VG_REJECT))
				printf("      kernel: %s\n      bpfbox: %s\n", km, bm);
			CHECK_MSG(kv == bv, "%s (%s): kernel %s, bpfbox %s", cases[i].what,
				  mode ? "privileged" : "unprivileged", vn(kv), vn(bv));
		}
	}
	j->unpriv = false;
	printf("targeted programs: %zu / %zu verdicts agree\n", agree, total);
	free(p);
}

/* Part 2: generated programs as socket filters, judged unprivileged. */
static void generated(struct vg_judge *j, unsigned long long n, unsigned long long seed)
{
	struct vg_prog *p = calloc(1, sizeof(*p));
	unsigned long long m[2][2] = { { 0 } }, unknown = 0, faults = 0, shown = 0;

	if (!CHECK(p))
		return;
	j->unpriv = true;
	for (unsigned long long i = 0; i < n; i++) {
		struct bpfbox_prog *prog = NULL;
		int kv, bv;

		if (getenv("VUNPRIV_ONE") && i != strtoull(getenv("VUNPRIV_ONE"), NULL, 0))
			continue;
		vg_gen(seed * 1000003ull + i, -1, p);
		p->type = BPFBOX_PROG_TYPE_SOCKET_FILTER;
		if (getenv("VUNPRIV_ONE"))
			vg_print(p, "    ");
		kv = vg_kernel(j, p, false);
		bv = vg_bpfbox(j, p, &prog);
		if (getenv("VUNPRIV_ONE"))
			printf("%s\n", j->blog);
		if (kv == VG_UNKNOWN) {
			unknown++;
		} else {
			m[kv][bv]++;
			if (kv == VG_REJECT && bv == VG_ACCEPT && shown++ < (getenv("VUNPRIV_SHOW") ? 1000u : 5u)) {
				char km[256];

				vg_kernel(j, p, true);
				vg_kernel_msg(j, km, sizeof(km));
				printf("FALSE ACCEPT (unprivileged): seed %llu program %llu (class %s)\n  kernel: %s\n",
				       seed, i, vg_class_name(p->cls), km);
				vg_print(p, "    ");
			}
			if (kv == VG_ACCEPT && bv == VG_REJECT && getenv("VUNPRIV_SHOW")) {
				char bm[256];

				vg_bpfbox_msg(j, bm, sizeof(bm));
				printf("STRICT (unprivileged): seed %llu program %llu (class %s)\n  bpfbox: %s\n",
				       seed, i, vg_class_name(p->cls), bm);
			}
		}
		if (prog) {
			char why[256];
			unsigned other = 0;

			faults += vg_run(j, prog, seed + i, 2, why, sizeof(why), &other) != 0;
			bpfbox_prog__free(prog);
		}
	}
	j->unpriv = false;
	printf("generated programs, unprivileged (%llu, seed %llu):\n", n, seed);
	printf("                     bpfbox accept  bpfbox reject\n");
	printf("  kernel accept      %13llu  %13llu\n", m[1][1], m[1][0]);
	printf("  kernel reject      %13llu  %13llu   <- accept here = FALSE ACCEPT\n", m[0][1], m[0][0]);
	if (unknown)
		printf("  kernel verdict unknown: %llu\n", unknown);
	CHECK_MSG(m[0][1] == 0, "%llu programs an unprivileged user may not load are accepted by bpfbox",
		  m[0][1]);
	CHECK_MSG(m[1][1] > 0, "some generated programs are accepted unprivileged");
	CHECK_MSG(faults == 0, "%llu accepted programs fault in checked runs", faults);
	free(p);
}

int main(void)
{
	const char *sn = getenv("VUNPRIV_N"), *ss = getenv("VUNPRIV_SEED");
	unsigned long long n = sn && *sn ? strtoull(sn, NULL, 0) : 1500;
	unsigned long long seed = ss && *ss ? strtoull(ss, NULL, 0) : 1;
	struct vg_judge j;
	char why[200] = "";
	int guard;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!CHECK(vg_judge_init(&j) == 0))
		return tl_summary();
	if (!j.kernel) {
		TL_SKIP("no kernel bpf(2): %s", j.kernel_why);
		vg_judge_free(&j);
		return tl_summary();
	}
	if ((guard = kb_unpriv_enable(why, sizeof(why))) < 0) {
		TL_SKIP("no unprivileged kernel loads: %s", why);
		vg_judge_free(&j);
		return tl_summary();
	}
	targeted(&j);
	generated(&j, n, seed);
	kb_unpriv_restore(guard);
	vg_judge_free(&j);
	return tl_summary();
}
