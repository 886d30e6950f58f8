/*
 * test_testrun_kernel.c - differential test of bpfbox_prog__test_run()
 * against the kernel's BPF_PROG_TEST_RUN.
 *
 * Every XDP, socket-filter and tc program of $(BUILD)/bpf/pkt_NAME.o and
 * $(BUILD)/examples/NAME.o (whatever exists) is loaded into the kernel with
 * libbpf and into bpfbox with the object API; both run the same >= 1,000
 * packets of tests/pktgen.c (seeded: valid, truncated and odd packets of
 * 0..1500 bytes), bpfbox in trusted and in checked mode. Compared: the
 * return code (errno where the kernel refuses, e.g. packets shorter than
 * an Ethernet header), retval, data_size_out and data_out. Prints the
 * counts compared; SKIP if bpf(2) or libbpf is unavailable.
 */
#include "bpfbox/bpfbox.h"
#include "pktgen.h"
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kernel_xdp_ok.h"

#define NPKT 1200

static char last_log[1024];

static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

struct counts {
	unsigned long progs, runs, refused, mismatches;
};

/* One bpfbox run; returns its error code. */
static int bx_run(struct bpfbox_prog *p, enum bpfbox_run_mode mode, const uint8_t *pkt, size_t n,
		  uint8_t *out, uint32_t *out_len, uint32_t *retval)
{
	BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine_for(mode), .data_in = n ? pkt : NULL, .data_size_in = (uint32_t)n,
		    .data_out = out, .data_size_out = 4096, .mode = mode);
	int err = bpfbox_prog__test_run(p, &o);

	*out_len = o.data_size_out;
	*retval = o.retval;
	return err;
}

/* compare one program over all packets */
static void diff_prog(const char *obj_name, struct bpf_program *kp, struct bpfbox_prog *bp,
		      struct counts *c)
{
	static uint8_t pkt[1600], kout[4096], bout[4096];
	struct pktgen g;
	int kfd = bpf_program__fd(kp);
	unsigned long bad = 0;

	pktgen_init(&g, 0x5eed0000u + (uint32_t)c->progs);
	for (int i = 0; i < NPKT; i++) {
		const char *kind;
		size_t n = pktgen_next(&g, pkt, sizeof(pkt), &kind);
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = n ? pkt : NULL, .data_size_in = (uint32_t)n,
			    .data_out = kout, .data_size_out = sizeof(kout));
		int kerr = bpf_prog_test_run_opts(kfd, &t);

		if (kerr)
			kerr = -errno;
		if (kerr)
			c->refused++;
		for (int m = 0; m < 2; m++) {
			enum bpfbox_run_mode mode = m ? BPFBOX_RUN_CHECKED : BPFBOX_RUN_TRUSTED;
			uint32_t blen = 0, bret = 0;
			int berr;

			memset(bout, 0, sizeof(bout));
			berr = bx_run(bp, mode, pkt, n, bout, &blen, &bret);
			c->runs++;
			if (berr != kerr || (!kerr && (bret != t.retval || blen != t.data_size_out ||
						      memcmp(bout, kout, blen)))) {
				c->mismatches++;
				if (bad++ < 3)
					printf("  MISMATCH %s/%s %s packet %d (%s, %zu bytes): kernel err %d retval %u len %u; bpfbox err %d retval %u len %u%s%s\n",
					       obj_name, bpf_program__name(kp), m ? "checked" : "trusted",
					       i, kind, n, kerr, t.retval, t.data_size_out, berr, bret, blen,
					       berr ? " log: " : "", berr ? last_log : "");
			}
		}
	}
	CHECK_MSG(bad == 0, "%s/%s: %lu mismatches", obj_name, bpf_program__name(kp), bad);
}

/* is kp a packet program (the types this test runs)? */
static bool is_pkt_prog(struct bpf_program *kp)
{
	enum bpf_prog_type t = bpf_program__type(kp);

	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SOCKET_FILTER ||
	       t == BPF_PROG_TYPE_SCHED_CLS;
}

/* libbpf's messages during one load, to quote the kernel's reason */
static char klog[16384];
static size_t klog_len;

static int libbpf_keep(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	int n;

	(void)lvl;
	if (klog_len >= sizeof(klog) - 1)
		return 0;
	n = vsnprintf(klog + klog_len, sizeof(klog) - klog_len, fmt, ap);
	if (n > 0)
		klog_len = klog_len + (size_t)n < sizeof(klog) ? klog_len + (size_t)n : sizeof(klog) - 1;
	return 0;
}

/* the verifier's last word in klog (the line before "processed N insns") */
static void klog_reason(char *out, size_t len)
{
	char *p = strstr(klog, "\nprocessed "), *q;

	snprintf(out, len, "no verifier message");
	if (!p)
		return;
	*p = 0;
	q = strrchr(klog, '\n');
	snprintf(out, len, "%.300s", q ? q + 1 : klog);   /* one line: short */
}

/* Compare every packet program of one object file. Each program is loaded
 * into the kernel alone, so that one the kernel refuses does not hide the
 * others. */
static void diff_object(const char *path, struct counts *c)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo, .skip_unloadable = true);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpfbox_object *bobj = NULL;
	struct bpfbox_vm *vm = NULL;
	struct bpf_object *kobj;
	struct bpf_program *kp;
	int nprog = 0, err;

	kobj = bpf_object__open_file(path, NULL);
	if (!CHECK_MSG(kobj != NULL, "%s: libbpf cannot open it", path))
		return;
	bpf_object__for_each_program(kp, kobj)
		nprog += is_pkt_prog(kp);
	bpf_object__close(kobj);
	if (!nprog)
		return;
	err = bpfbox_vm__new(&vo, &vm);
	if (!err)
		err = bpfbox_object__open_file(path, &oo, &bobj);
	if (!err)
		err = bpfbox_object__load(bobj, vm, &lo);
	CHECK_MSG(err == 0, "%s: bpfbox cannot load it: %d (%s)", path, err, last_log);
	for (int want = 0; !err && want < nprog; want++) {
		struct bpfbox_program *bp;
		struct bpfbox_prog *prog;
		struct bpf_program *sel = NULL;
		char why[512];
		int i = 0;

		kobj = bpf_object__open_file(path, NULL);
		if (!CHECK_MSG(kobj != NULL, "%s: libbpf cannot open it", path))
			break;
		bpf_object__for_each_program(kp, kobj) {
			bool pick = is_pkt_prog(kp) && i++ == want;

			bpf_program__set_autoload(kp, pick);
			if (pick)
				sel = kp;
		}
		klog_len = 0;
		klog[0] = 0;
		libbpf_set_print(libbpf_keep);
		err = bpf_object__load(kobj);
		libbpf_set_print(libbpf_quiet);
		if (err) {
			/* the kernel's verdict on this machine: the program cannot
			 * be compared by running it (e.g. a helper this kernel
			 * build does not allow for the type); counted and said */
			klog_reason(why, sizeof(why));
			TL_SKIP("%s/%s: this kernel refuses to load it (%d: %s): not compared", base,
				bpf_program__name(sel), err, why);
			bpf_object__close(kobj);
			err = 0;
			continue;
		}
		bp = bpfbox_object__find_program_by_name(bobj, bpf_program__name(sel));
		prog = bp ? bpfbox_program__prog(bp) : NULL;
		if (CHECK_MSG(prog != NULL, "%s/%s: not loaded by bpfbox (%s)", base,
			      bpf_program__name(sel), last_log)) {
			diff_prog(base, sel, prog, c);
			c->progs++;
		}
		bpf_object__close(kobj);
	}
	bpfbox_object__close(bobj);
	bpfbox_vm__free(vm);
}

/* every NAME.o in dir whose name starts with prefix */
static void diff_dir(const char *dir, const char *prefix, struct counts *c)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	char path[1024];

	if (!CHECK_MSG(n >= 0, "%s: %s (make builds it)", dir, strerror(errno)))
		return;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);

		if (!strncmp(nm, prefix, strlen(prefix)) && l > 2 && !strcmp(nm + l - 2, ".o")) {
			snprintf(path, sizeof(path), "%s/%s", dir, nm);
			diff_object(path, c);
		}
		free(ents[i]);
	}
	free(ents);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	struct counts c = { 0 };
	char dir[512], why[256];

	libbpf_set_print(libbpf_quiet);
	if (!kernel_xdp_ok(why, sizeof(why))) {
		TL_SKIP("kernel differential test: %s", why);
		return tl_summary();
	}
	snprintf(dir, sizeof(dir), "%s/bpf", build);
	diff_dir(dir, "pkt_", &c);
	snprintf(dir, sizeof(dir), "%s/examples", build);
	diff_dir(dir, "", &c);
	printf("compared %lu programs x %d packets: %lu bpfbox runs (trusted + checked), %lu kernel refusals, %lu mismatches\n",
	       c.progs, NPKT, c.runs, c.refused, c.mismatches);
	CHECK_MSG(c.progs >= 1, "no packet programs found in %s/bpf/pkt_*.o", build);
	return tl_summary();
}
