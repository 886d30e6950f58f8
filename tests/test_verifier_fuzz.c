/*
 * test_verifier_fuzz.c - differential fuzzing of bpfbox's verifier against
 * the kernel's (issue 11). tests/vgen.c writes random programs, mostly
 * valid, bent toward the constructs of past verifier CVEs (one class of
 * them per program, see VG_CLASS_MAP); both verifiers judge each one: the
 * kernel through bpf(2) BPF_PROG_LOAD, bpfbox through bpfbox_prog__load.
 *
 * CHECKs: no program the kernel rejects is accepted by bpfbox (a kernel
 * "verifier bug: ..." internal error is counted and listed, not a verdict); every
 * program bpfbox accepts runs over random inputs in CHECKED mode without a
 * fault (a fault = the verifier let an invalid access through), then
 * TRUSTED on the interpreter (under `make test SAN=1` an invalid access
 * there is an ASan report); the regression programs below (false accepts
 * the fuzzer found) are rejected. Without bpf(2) the kernel comparison is
 * skipped with a message, the runs still happen.
 *
 * Prints the confusion matrix (kernel x bpfbox), the per-class counts and
 * the most common reasons of the kernel-accepts / bpfbox-rejects programs.
 *
 * Environment: VFUZZ_N programs (default 2000), VFUZZ_SEED (default 1),
 * VFUZZ_CLASS (a class name or number; default: drawn per program),
 * VFUZZ_INPUTS runs per accepted program (default 3), VFUZZ_REPORT=1
 * minimises and prints each false accept (`make fuzz-verifier`),
 * VFUZZ_ONE=I judges program I of the seed alone and prints it with both
 * logs, VFUZZ_STRICT=K prints the first K kernel-accepts / bpfbox-rejects
 * programs.
 */
#include "bpfbox/bpfbox.h"
#include "testlib.h"
#include "vgen.h"
#include "core/prog_type.h"
#include "helpers/helpers.h"

#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- regression programs: false accepts the fuzzer found ------------------------ */

/* Each entry: the minimised program, and where it came from ("seed S
 * program I" is the generator as it was when it found it: the class list
 * has grown since, so today's numbering differs). `pending` names the
 * class another change closes; those fail until it lands. */

#define I(c, d, s, o, i) { (uint8_t)(c), (uint8_t)(d), (uint8_t)(s), (int16_t)(o), (int32_t)(i) }
#define LDMAP(d, m) I(0x18, d, 1, 0, m), I(0, 0, 0, 0, 0)

struct regress {
	const char *what;
	const char *pending;       /* NULL: fixed in src/verifier; else the class another change closes */
	uint32_t type;
	size_t cnt;
	struct bpfbox_insn insn[24];
};

#define MAPKEY(k) I(0x62, 10, 0, -136, k), I(0xbf, 2, 10, 0, 0), I(0x07, 2, 0, 0, -136), LDMAP(1, 0), \
		  I(0x85, 0, 0, 0, 1)

static const struct regress regress[] = {
	/* found by vfuzz seed 1 program 185, kernel says: R0 max value is
	 * outside of the allowed memory range (a u8 fill of the high byte of
	 * a spilled constant 13 is unknown to the kernel; bpfbox said 0) */
	{ "narrow fill above the slot's start", NULL, BPFBOX_PROG_TYPE_KPROBE, 12,
	  { I(0xb7, 7, 0, 0, 13), I(0x7b, 10, 7, -104, 0), MAPKEY(4), I(0x15, 0, 0, 3, 0),
	    I(0x71, 2, 10, -97, 0), I(0x0f, 0, 2, 0, 0), I(0x69, 3, 0, 1, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 2 program 5092, kernel says: R9 pointer
	 * arithmetic on sock_common_or_null prohibited, null-check it first
	 * (bpfbox typed skb->sk as a scalar) */
	{ "skb->sk is a pointer or NULL", NULL, BPFBOX_PROG_TYPE_SOCKET_FILTER, 6,
	  { I(0xbf, 6, 1, 0, 0), I(0xb7, 9, 0, 0, 58), I(0x79, 3, 6, 168, 0), I(0x0f, 9, 3, 0, 0),
	    I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 3 program 382960, kernel says: R0 invalid mem
	 * access 'scalar' (w7 <= 28 with r7 = 30 + u32 leaves r7 s>= 54
	 * always true; the kernel's bounds go empty there, it resets them
	 * and walks the branch; bpfbox pruned it as dead) */
	{ "empty bounds after a compare do not prune", NULL, BPFBOX_PROG_TYPE_SOCKET_FILTER, 11,
	  { I(0xbf, 6, 1, 0, 0), I(0xb7, 9, 0, 0, 0x1e), I(0x61, 3, 6, 4, 0), I(0x0f, 9, 3, 0, 0),
	    I(0xbf, 7, 9, 0, 0), I(0x26, 7, 0, 3, 0x1c), I(0x75, 7, 0, 2, 0x36), I(0xb7, 0, 0, 0, 0),
	    I(0x71, 3, 0, 18, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 21 program 2144 (class SIGN_EXT), kernel says:
	 * R0 min value is negative, either use unsigned index or do a if
	 * (index >=0) check (ldsx of a spilled register: the kernel extends
	 * from the signed range, not the tnum whose low byte is 0) */
	{ "ldsx s8 of a spilled register", NULL, BPFBOX_PROG_TYPE_KPROBE, 19,
	  { I(0xbf, 6, 1, 0, 0), I(0xb7, 9, 0, 0, 0x58), I(0x79, 3, 6, 72, 0), I(0x0f, 9, 3, 0, 0),
	    I(0x64, 9, 0, 0, 29), I(0xbf, 7, 9, 0, 0), I(0x7b, 10, 7, -112, 0), I(0x91, 7, 10, -112, 0),
	    MAPKEY(1), I(0x15, 0, 0, 2, 0), I(0x0f, 0, 7, 0, 0), I(0x69, 3, 0, 2, 0), I(0xb7, 0, 0, 0, 0),
	    I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 21 program 12430 (class SIGN_EXT), kernel says:
	 * R0 invalid mem access 'scalar' ((s8) of [0, 0x11e] is [-128, 127]
	 * for the kernel, so r7 s>= 40 is possible) */
	{ "ldsx s8 of a range wider than a byte", NULL, BPFBOX_PROG_TYPE_KPROBE, 13,
	  { I(0xbf, 6, 1, 0, 0), I(0xb7, 9, 0, 0, 0x31), I(0x79, 3, 6, 152, 0), I(0x0f, 9, 3, 0, 0),
	    I(0xb7, 0, 0, 0, 0), I(0x57, 9, 0, 0, 0x11e), I(0xbf, 7, 9, 0, 0), I(0x7b, 10, 7, -112, 0),
	    I(0x91, 7, 10, -112, 0), I(0xc5, 7, 0, 2, 0x28), I(0xb7, 0, 0, 0, 0), I(0x71, 3, 0, 7, 0),
	    I(0x95, 0, 0, 0, 0) } },
	/* the same through movsx r7 = (s8)r7 (written after seed 21 program
	 * 12430; the kernel rejects it: R0 invalid mem access 'scalar') */
	{ "movsx s8 of a range wider than a byte", NULL, BPFBOX_PROG_TYPE_KPROBE, 11,
	  { I(0xbf, 6, 1, 0, 0), I(0x79, 9, 6, 152, 0), I(0x07, 9, 0, 0, 0x31), I(0x57, 9, 0, 0, 0x11e),
	    I(0xbf, 7, 9, 8, 0), I(0xb7, 0, 0, 0, 0), I(0xc5, 7, 0, 2, 0x28), I(0xb7, 0, 0, 0, 0),
	    I(0x71, 3, 0, 7, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 2 program 17235, kernel says: math between
	 * map_value pointer and register with unbounded min value is not
	 * allowed (the kernel leaves a 32-bit division's result unknown) */
	{ "32-bit division result as an offset", "32-bit div/mod precision", BPFBOX_PROG_TYPE_SOCKET_FILTER, 13,
	  { I(0xb7, 9, 0, 0, 0x42), I(0x34, 9, 0, 0, 0x83), I(0xbf, 7, 9, 0, 0), MAPKEY(2),
	    I(0x15, 0, 0, 1, 0), I(0x0f, 0, 7, 0, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 2 program 196790, kernel says: R2 subtraction
	 * from stack pointer prohibited */
	{ "fp -= scalar", "frame-pointer arithmetic", BPFBOX_PROG_TYPE_KPROBE, 6,
	  { I(0xb7, 9, 0, 0, 0x2b), I(0xbf, 7, 9, 0, 0), I(0xb7, 0, 0, 0, 0), I(0xbf, 2, 10, 0, 0),
	    I(0x1f, 2, 7, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 2 program 198380, kernel says: misaligned value
	 * access off 0+0+26 size 4 (an atomic add at map value + 26) */
	{ "misaligned atomic on a map value", "misaligned atomics", BPFBOX_PROG_TYPE_XDP, 11,
	  { MAPKEY(3), I(0x15, 0, 0, 3, 0), I(0xbf, 2, 0, 0, 0), I(0xbf, 3, 10, 0, 0),
	    I(0xc3, 2, 3, 26, 1), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 12 program 82210 (and seed 13 program 123935),
	 * kernel says: R0 max value is outside of the allowed memory range (a
	 * u8 store of 0x100 off the slot's start is STACK_MISC: the kernel's
	 * STACK_ZERO needs the whole register 0; bpfbox took the stored byte) */
	{ "misaligned narrow store of a value with a zero low byte", NULL, BPFBOX_PROG_TYPE_SOCKET_FILTER, 15,
	  { I(0xb7, 9, 0, 0, 0x100), I(0x7a, 10, 0, -88, 0), I(0x73, 10, 9, -84, 0), MAPKEY(2),
	    I(0x15, 0, 0, 3, 0), I(0x71, 2, 10, -84, 0), I(0x0f, 0, 2, 0, 0), I(0x61, 3, 0, 44, 0),
	    I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
	/* found by vfuzz seed 12 program 179805, kernel says: R0 max value is
	 * outside of the allowed memory range (w7 |= 0x2e; w7 *= 198: 6.18's
	 * tnum_mul knows nothing of bit 4, the earlier algorithm bpfbox had
	 * knew it set, so w7 > 3 was always true and the access dead) */
	{ "tnum_mul as the kernel computes it", NULL, BPFBOX_PROG_TYPE_RAW_TRACEPOINT, 15,
	  { I(0x79, 7, 1, 24, 0), I(0x44, 7, 0, 0, 0x2e), I(0x24, 7, 0, 0, 198), I(0x26, 7, 0, 9, 3),
	    MAPKEY(0), I(0x15, 0, 0, 2, 0), I(0x0f, 0, 7, 0, 0), I(0x71, 3, 0, 46, 0),
	    I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) } },
};

/* config_helper - the kernel's refusal names a helper that a kernel config
 * or capability decides (BXS_CONFIG in the helper table: override_return,
 * probe_write_user, xdp_adjust_meta, which the 6.18 kernel of the test
 * machines refuses in XDP while upstream offers it): bpfbox follows the
 * kernel built with it, so this is no false accept; it is counted apart. */
static bool config_helper(const char *kmsg)
{
	const char *p = strstr(kmsg, "cannot use helper bpf_");
	const struct bxk_proto *proto;

	if (!p || !(p = strchr(p, '#')))
		return false;
	proto = bxk_proto((uint32_t)strtoul(p + 1, NULL, 10));
	return proto && (proto->sets & BXS_CONFIG);
}

/* ---- tallies ---------------------------------------------------------------------- */

struct reason {
	char msg[96];
	unsigned n;
	int cls;          /* a class it was seen in */
	unsigned long long first;   /* the first program (index) */
};

#define NREASONS 512

struct tally {
	unsigned long long m[2][2];            /* [kernel accepts][bpfbox accepts] */
	unsigned long long by_cls[VG_C_COUNT][2][2];
	unsigned long long unknown, faults, run_other, inputs;
	unsigned long long kbug;               /* of m[0][1]: the kernel failed internally ("verifier bug: ...") */
	unsigned long long kcfg;               /* of m[0][1]: a helper a kernel config decides (BXS_CONFIG) */
	struct reason strict[NREASONS];        /* kernel accepts, bpfbox rejects */
	unsigned nstrict;
	struct reason unsafe[64];              /* kernel rejects, bpfbox accepts: kernel's reason */
	unsigned nunsafe;
};

/* The message without numbers, so that instances of one reason group. */
static void normalise(const char *in, char *out, size_t sz)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < sz; p++) {
		if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
			if (!o || out[o - 1] != '#')
				out[o++] = '#';
			while (isdigit((unsigned char)p[1]) || p[1] == 'x' || isxdigit((unsigned char)p[1]))
				p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = 0;
}

/* Count a reason. */
static void count_reason(struct reason *r, unsigned *n, unsigned max, const char *msg, int cls,
			 unsigned long long idx)
{
	char key[96];

	normalise(msg, key, sizeof(key));
	for (unsigned i = 0; i < *n; i++)
		if (!strcmp(r[i].msg, key)) {
			r[i].n++;
			return;
		}
	if (*n < max) {
		snprintf(r[*n].msg, sizeof(r[*n].msg), "%s", key);
		r[*n].n = 1;
		r[*n].cls = cls;
		r[*n].first = idx;
		(*n)++;
	}
}

/* qsort: most frequent reason first. */
static int by_count(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* The program seed of program i of a run. */
static uint64_t prog_seed(uint64_t seed, unsigned long long i)
{
	uint64_t z = seed * 0x100000001b3ull + i * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number from the environment, or def. */
static unsigned long long env_num(const char *name, unsigned long long def)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* VFUZZ_CLASS: a name (case-insensitive) or a number; -1 if unset. */
static int env_class(void)
{
	const char *s = getenv("VFUZZ_CLASS");

	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)*s))
		return atoi(s);
	for (int c = 0; c < VG_C_COUNT; c++)
		if (!strcasecmp(s, vg_class_name(c)))
			return c;
	return -1;
}

/* Print the false accept: minimised, with both logs' last lines. */
static void report_unsafe(struct vg_judge *j, struct vg_prog *p, uint64_t seed, unsigned long long i)
{
	char kmsg[256];
	unsigned tries;
	size_t before = p->cnt;

	tries = vg_minimise(j, p);
	vg_kernel(j, p, true);
	vg_kernel_msg(j, kmsg, sizeof(kmsg));
	vg_bpfbox(j, p, NULL);
	printf("%s: seed %llu program %llu (%s, class %s): minimised %zu -> %zu insns (%u loads)\n",
	       strncmp(kmsg, "verifier bug", 12) ? "FALSE ACCEPT" : "KERNEL INTERNAL ERROR", (unsigned long long)seed, i, vg_type_name(p->type), vg_class_name(p->cls), before, p->cnt, tries);
	vg_print(p, "    ");
	if (getenv("VFUZZ_C"))
		vg_print_c(p);
	printf("  kernel: %s\n  bpfbox: accepts\n", kmsg);
}

/* Judge one program into t; returns 1 if it was a false accept. */
static int judge(struct vg_judge *j, struct tally *t, uint64_t seed, unsigned long long i, int cls,
		 unsigned ninputs, bool report, unsigned *strict_left)
{
	struct vg_prog *p = malloc(sizeof(*p));
	struct bpfbox_prog *bp = NULL;
	uint64_t ps = prog_seed(seed, i);
	int kv, bv, unsafe = 0;
	char why[640];

	if (!p)
		return 0;
	vg_gen(ps, cls, p);
	bv = vg_bpfbox(j, p, &bp);
	kv = vg_kernel(j, p, false);
	if (kv == VG_UNKNOWN) {
		t->unknown++;
	} else {
		t->m[kv][bv]++;
		t->by_cls[p->cls][kv][bv]++;
	}
	if (kv == VG_ACCEPT && bv == VG_REJECT) {
		char bmsg[256];

		vg_bpfbox_msg(j, bmsg, sizeof(bmsg));
		count_reason(t->strict, &t->nstrict, NREASONS, bmsg, p->cls, i);
		if (*strict_left) {
			(*strict_left)--;
			printf("STRICT: seed %llu program %llu (%s, class %s): bpfbox: %s\n",
			       (unsigned long long)seed, i, vg_type_name(p->type), vg_class_name(p->cls), bmsg);
			vg_print(p, "    ");
		}
	}
	if (bv == VG_ACCEPT) {
		unsigned other = 0, faults;

		faults = vg_run(j, bp, ps, ninputs, why, sizeof(why), &other);
		t->inputs += ninputs;
		t->faults += faults != 0;
		t->run_other += other != 0;
		if (faults)
			CHECK_MSG(0, "SOUNDNESS: seed %llu program %llu (%s, class %s) is accepted and faults in a checked run: %s",
				  (unsigned long long)seed, i, vg_type_name(p->type), vg_class_name(p->cls), why);
	}
	bpfbox_prog__free(bp);
	if (kv == VG_REJECT && bv == VG_ACCEPT) {
		char kmsg[256];

		unsafe = 1;
		vg_kernel(j, p, true);
		vg_kernel_msg(j, kmsg, sizeof(kmsg));
		count_reason(t->unsafe, &t->nunsafe, 64, kmsg, p->cls, i);
		/* not a verdict: the kernel's verifier hit an internal error */
		if (!strncmp(kmsg, "verifier bug", 12)) {
			t->kbug++;
			unsafe = 0;
		} else if (config_helper(kmsg)) {
			t->kcfg++;
			unsafe = 0;
		}
		if (report)
			report_unsafe(j, p, seed, i);
	}
	free(p);
	return unsafe;
}

/* VFUZZ_ONE: one program, with both logs. */
static void one(struct vg_judge *j, uint64_t seed, unsigned long long i, int cls)
{
	struct vg_prog *p = malloc(sizeof(*p));
	char msg[256];
	int kv, bv;

	if (!p)
		return;
	vg_gen(prog_seed(seed, i), cls, p);
	printf("seed %llu program %llu: %s, class %s, %zu insns\n", (unsigned long long)seed, i,
	       vg_type_name(p->type), vg_class_name(p->cls), p->cnt);
	vg_print(p, "    ");
	kv = vg_kernel(j, p, true);
	printf("kernel: %s\n%s\n", kv == VG_ACCEPT ? "accept" : kv == VG_REJECT ? "reject" : "unknown", j->klog);
	bv = vg_bpfbox(j, p, NULL);
	vg_bpfbox_msg(j, msg, sizeof(msg));
	printf("bpfbox: %s %s\n", bv == VG_ACCEPT ? "accept" : "reject", bv == VG_ACCEPT ? "" : msg);
	if (getenv("VFUZZ_MIN") && kv == VG_REJECT && bv == VG_ACCEPT)
		report_unsafe(j, p, seed, i);
	free(p);
}

/* The regression programs: bpfbox (and the kernel, if there) reject them. */
static void regressions(struct vg_judge *j)
{
	for (size_t r = 0; r < sizeof(regress) / sizeof(regress[0]); r++) {
		struct vg_prog *p;
		int kv, bv;

		if (!regress[r].cnt)
			continue;
		if (!(p = calloc(1, sizeof(*p))))
			return;
		memcpy(p->insn, regress[r].insn, regress[r].cnt * sizeof(p->insn[0]));
		p->cnt = regress[r].cnt;
		p->type = regress[r].type;
		bv = vg_bpfbox(j, p, NULL);
		kv = vg_kernel(j, p, false);
		CHECK_MSG(bv == VG_REJECT, "regression %zu (%s): bpfbox accepts it%s%s%s", r, regress[r].what,
			  regress[r].pending ? " (pending: " : "", regress[r].pending ? regress[r].pending : "",
			  regress[r].pending ? ")" : "");
		if (kv != VG_UNKNOWN)
			CHECK_MSG(kv == VG_REJECT, "regression %zu (%s): the kernel accepts it", r, regress[r].what);
		free(p);
	}
}

/* The run: regressions, then N generated programs, then the tables. */
int main(void)
{
	unsigned long long n = env_num("VFUZZ_N", 2000), seed = env_num("VFUZZ_SEED", 1);
	unsigned ninputs = (unsigned)env_num("VFUZZ_INPUTS", 3);
	unsigned strict_left = (unsigned)env_num("VFUZZ_STRICT", 0);
	bool report = getenv("VFUZZ_REPORT") != NULL;
	int cls = env_class();
	struct vg_judge j;
	struct tally *t = calloc(1, sizeof(*t));
	time_t t0 = time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!CHECK(t) || !CHECK(vg_judge_init(&j) == 0))
		return tl_summary();
	if (getenv("VFUZZ_ONE")) {
		one(&j, seed, env_num("VFUZZ_ONE", 0), cls);
		vg_judge_free(&j);
		free(t);
		return tl_summary();
	}
	if (!j.kernel)
		TL_SKIP("no kernel comparison: %s (bpfbox's verdicts and runs still checked)", j.kernel_why);
	regressions(&j);
	printf("verifier fuzz: %llu programs, seed %llu, class %s, %u inputs per accepted program\n", n, seed,
	       cls < 0 ? "drawn per program" : vg_class_name(cls), ninputs);
	for (unsigned long long i = 0; i < n; i++) {
		judge(&j, t, seed, i, cls, ninputs, report, &strict_left);
		if (report && (i + 1) % 100000 == 0)
			printf("... %llu programs, %llu false accepts, %lld s\n", i + 1, t->m[0][1],
			       (long long)(time(NULL) - t0));
	}

	printf("\nconfusion matrix (%llu programs%s):\n", n, j.kernel ? "" : "; no kernel: not compared");
	printf("                     bpfbox accept  bpfbox reject\n");
	printf("  kernel accept      %13llu  %13llu\n", t->m[1][1], t->m[1][0]);
	printf("  kernel reject      %13llu  %13llu   <- accept here = FALSE ACCEPT\n", t->m[0][1], t->m[0][0]);
	if (t->kbug)
		printf("  of the false accepts, the kernel failed internally (\"verifier bug: ...\", not a verdict): %llu\n",
		       t->kbug);
	if (t->kcfg)
		printf("  of the false accepts, a helper a kernel config decides (bpfbox follows the kernel built with it): %llu\n",
		       t->kcfg);
	if (t->unknown)
		printf("  kernel verdict unknown: %llu\n", t->unknown);
	printf("per class (kernel/bpfbox: acc/acc acc/rej rej/acc rej/rej):\n");
	for (int c = 0; c < VG_C_COUNT; c++) {
		unsigned long long (*b)[2] = t->by_cls[c];
		printf("  %-13s %-48s %7llu %6llu %5llu %7llu\n", vg_class_name(c), vg_class_descr(c), b[1][1],
		       b[1][0], b[0][1], b[0][0]);
	}
	if (t->nunsafe) {
		qsort(t->unsafe, t->nunsafe, sizeof(t->unsafe[0]), by_count);
		printf("false accepts by the kernel's reason:\n");
		for (unsigned i = 0; i < t->nunsafe; i++)
			printf("  %6u  %-13s first #%llu  %s\n", t->unsafe[i].n, vg_class_name(t->unsafe[i].cls),
			       t->unsafe[i].first, t->unsafe[i].msg);
	}
	if (t->nstrict) {
		qsort(t->strict, t->nstrict, sizeof(t->strict[0]), by_count);
		printf("kernel accepts, bpfbox rejects, by bpfbox's reason (top 25 of %u):\n", t->nstrict);
		for (unsigned i = 0; i < t->nstrict && i < 25; i++)
			printf("  %6u  %-13s first #%llu  %s\n", t->strict[i].n, vg_class_name(t->strict[i].cls),
			       t->strict[i].first, t->strict[i].msg);
	}
	printf("runs: %llu inputs (checked, then trusted); programs faulting in checked mode: %llu; other run failures: %llu\n",
	       t->inputs, t->faults, t->run_other);
	printf("time: %lld s\n", (long long)(time(NULL) - t0));

	CHECK_MSG(t->m[0][1] + t->m[0][0] + t->m[1][1] + t->m[1][0] + t->unknown == n, "every program judged");
	CHECK_MSG(t->m[1][1] + t->m[0][1] > 0, "bpfbox accepted some programs");
	if (j.kernel)
		CHECK_MSG(t->m[1][1] + t->m[1][0] > n / 4, "the kernel accepted a quarter of the programs (mostly valid)");
	CHECK_MSG(t->m[0][1] - t->kbug - t->kcfg == 0, "%llu programs the kernel rejects are accepted by bpfbox",
		  t->m[0][1] - t->kbug - t->kcfg);
	CHECK_MSG(t->faults == 0, "%llu accepted programs fault in checked runs", t->faults);
	vg_judge_free(&j);
	free(t);
	return tl_summary();
}
