/*
 * vjudge.c - the judge of tests/vgen.h: the same program to the kernel's
 * verifier and to bpfbox's, runs of accepted programs, the minimiser.
 */
#include "vgen.h"
#include "kbpf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KLOG_SZ (256u * 1024)

static const struct {
	uint32_t type, key, value, max;
} map_defs[VG_NMAPS] = {
	[VG_MAP_ARRAY] = { BPF_MAP_TYPE_ARRAY, 4, VG_ARRAY_VALUE, VG_ARRAY_ENTRIES },
	[VG_MAP_HASH] = { BPF_MAP_TYPE_HASH, 8, VG_HASH_VALUE, VG_HASH_ENTRIES },
	[VG_MAP_PROG] = { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, VG_PROG_ENTRIES },
};

/* The vm's error messages: the first of each load. */
static void vm_log(void *c, enum bpfbox_log_level lvl, const char *msg)
{
	struct vg_judge *j = c;

	if (lvl == BPFBOX_LOG_ERROR && !j->vmlog[0])
		snprintf(j->vmlog, sizeof(j->vmlog), "%s", msg);
}

/* Both sides' maps and a vm. */
int vg_judge_init(struct vg_judge *j)
{
	static const struct bpfbox_insn ret0[2] = { { 0xb7, 0, 0, 0, 0 }, { 0x95, 0, 0, 0, 0 } };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = vm_log, .log_ctx = j, .nr_cpus = 1);
	int err, fd;

	memset(j, 0, sizeof(*j));
	j->btf_fd = -1;
	for (int t = 0; t < VG_NTYPES; t++)
		for (int m = 0; m < VG_NMAPS; m++)
			j->kmaps[t][m] = -1;
	fd = kb_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, ret0, 2, 0, NULL, 0, 0);
	j->kernel = fd >= 0;
	if (fd >= 0)
		close(fd);
	else
		snprintf(j->kernel_why, sizeof(j->kernel_why), "bpf(BPF_PROG_LOAD) refused: %s", strerror(-fd));
	for (int t = 0; t < VG_NTYPES && j->kernel; t++)
		for (int m = 0; m < VG_NMAPS && j->kernel; m++) {
			j->kmaps[t][m] = kb_map_create(map_defs[m].type, map_defs[m].key, map_defs[m].value,
						       map_defs[m].max);
			if (j->kmaps[t][m] < 0) {
				snprintf(j->kernel_why, sizeof(j->kernel_why), "bpf(BPF_MAP_CREATE) refused: %s",
					 strerror(-j->kmaps[t][m]));
				j->kernel = false;
			}
		}
	j->btf_fd = j->kernel ? kb_btf_funcs(64) : -1;
	j->klog_sz = KLOG_SZ;
	if (!(j->klog = malloc(j->klog_sz)))
		return -ENOMEM;
	j->klog[0] = 0;
	if ((err = bpfbox_vm__new(&vo, &j->vm)))
		return err;
	for (int m = 0; m < VG_NMAPS; m++) {
		BPFBOX_OPTS(bpfbox_map_create_opts, mo, .nr_cpus = 1);
		if ((err = bpfbox_map__create(map_defs[m].type, map_defs[m].key, map_defs[m].value,
					      map_defs[m].max, &mo, &j->bmaps[m])))
			return err;
	}
	/* some hash elements, so that lookups there also succeed */
	for (uint64_t k = 0; k < 6; k++) {
		uint8_t v[VG_HASH_VALUE] = { (uint8_t)k };
		bpfbox_map__update_elem(j->bmaps[VG_MAP_HASH], &k, v, 0);
	}
	return 0;
}

/* Release both sides' maps, the BTF and the vm. */
void vg_judge_free(struct vg_judge *j)
{
	for (int t = 0; t < VG_NTYPES; t++)
		for (int m = 0; m < VG_NMAPS; m++)
			if (j->kmaps[t][m] >= 0)
				close(j->kmaps[t][m]);
	if (j->btf_fd >= 0)
		close(j->btf_fd);
	for (int m = 0; m < VG_NMAPS; m++)
		bpfbox_map__free(j->bmaps[m]);
	bpfbox_vm__free(j->vm);
	free(j->klog);
	j->vm = NULL;
	j->klog = NULL;
}

/* Index of a type in vg_types (0 if absent). */
static int type_idx(uint32_t type)
{
	for (int t = 0; t < VG_NTYPES; t++)
		if (vg_types[t] == type)
			return t;
	return 0;
}

/* The program's functions as libbpf sends them (func_info: the main
 * program, then each bpf-to-bpf call or callback target, sorted), two
 * words per function: the first instruction and a BTF FUNC type id
 * (kb_btf_funcs' ids 3, 4, ...: each a static `int f(void)`). Returns the
 * number of words. Both verifiers get the same list. */
static size_t func_starts(const struct vg_prog *p, uint32_t *fi, size_t max)
{
	size_t nfi = 0;

	fi[nfi++] = 0;
	fi[nfi++] = 3;
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpfbox_insn *in = &p->insn[i];
		bool call = in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
		bool func = in->code == (BPF_LD | BPF_DW | BPF_IMM) && in->src_reg == BPF_PSEUDO_FUNC;
		long to = (long)i + 1 + in->imm;

		if ((call || func) && to > 0 && to < (long)p->cnt && nfi + 2 <= max) {
			size_t at = 0;
			while (at < nfi && fi[at] < (uint32_t)to)
				at += 2;
			if (at >= nfi || fi[at] != (uint32_t)to) {
				memmove(fi + at + 2, fi + at, (nfi - at) * sizeof(fi[0]));
				fi[at] = (uint32_t)to;
				fi[at + 1] = 3;
				nfi += 2;
			}
		}
	}
	for (size_t f = 0; f < nfi; f += 2)
		fi[f + 1] = 3 + (uint32_t)f / 2;
	return nfi;
}

/* The kernel's verdict. */
int vg_kernel(struct vg_judge *j, const struct vg_prog *p, bool want_log)
{
	struct bpfbox_insn k[VG_MAX_INSNS];
	int t = type_idx(p->type), fd;
	uint32_t fi[2 * 64];
	size_t nfi;

	if (!j->kernel)
		return VG_UNKNOWN;
	memcpy(k, p->insn, p->cnt * sizeof(k[0]));
	for (size_t i = 0; i + 1 < p->cnt; i++)
		if (k[i].code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if (k[i].src_reg == BPF_PSEUDO_MAP_FD && k[i].imm >= 0 && k[i].imm < VG_NMAPS)
				k[i].imm = j->kmaps[t][k[i].imm];
			i++;
		}
	nfi = func_starts(p, fi, sizeof(fi) / sizeof(fi[0]));
	if (j->unpriv) {
		char m[256];

		fd = kb_prog_load_unpriv(p->type, 0, k, p->cnt, 0, want_log ? j->klog : NULL,
					 want_log ? j->klog_sz : 0, m, sizeof(m));
		if (want_log && j->klog_sz)	/* the child's log stayed in the child */
			snprintf(j->klog, j->klog_sz, "%s\n", fd ? m : "");
		return fd == 0 ? VG_ACCEPT : fd == -ENOSPC && want_log ? VG_REJECT :
		       fd == -EIO ? VG_UNKNOWN : VG_REJECT;
	}
	if (nfi > 2 && j->btf_fd >= 0)
		fd = kb_prog_load_btf(p->type, k, p->cnt, 0, want_log ? j->klog : NULL, want_log ? j->klog_sz : 0,
				      j->btf_fd, fi, nfi / 2);
	else
		fd = kb_prog_load(p->type, 0, k, p->cnt, 0, want_log ? j->klog : NULL, want_log ? j->klog_sz : 0, 1);
	if (fd >= 0) {
		close(fd);
		return VG_ACCEPT;
	}
	if (fd == -ENOSPC && want_log)   /* the log is too small: the verdict still stands */
		return VG_REJECT;
	return fd == -EPERM ? VG_UNKNOWN : VG_REJECT;
}

/* bpfbox's verdict, given the same func_info as the kernel (when the
 * kernel gets it: with BTF, i.e. when there are subprograms): static
 * functions returning int. */
int vg_bpfbox(struct vg_judge *j, const struct vg_prog *p, struct bpfbox_prog **out)
{
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_func_info bfi[64];
	uint32_t fi[2 * 64];
	size_t nfi = func_starts(p, fi, sizeof(fi) / sizeof(fi[0]));
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "vfuzz", .prog_type = p->type, .license = "GPL",
		    .maps = j->bmaps, .map_cnt = VG_NMAPS, .log_buf = j->blog, .log_size = sizeof(j->blog),
		    .log_level = 0, .unpriv = j->unpriv);
	int err;

	if (nfi > 2 && (j->btf_fd >= 0 || !j->kernel)) {
		memset(bfi, 0, sizeof(bfi));
		for (size_t f = 0; f < nfi; f += 2) {
			bfi[f / 2].insn_off = fi[f];
			bfi[f / 2].ret_scalar = true;
			bfi[f / 2].name = "f";
		}
		po.func_info = bfi;
		po.func_info_cnt = nfi / 2;
	}
	j->blog[0] = 0;
	j->vmlog[0] = 0;
	err = bpfbox_prog__load(j->vm, p->insn, p->cnt, &po, &prog);
	if (out)
		*out = prog;
	else
		bpfbox_prog__free(prog);
	return err ? VG_REJECT : VG_ACCEPT;
}

/* The kernel's error line of the last logged load. */
void vg_kernel_msg(const struct vg_judge *j, char *out, size_t sz)
{
	kb_log_error(j->klog, out, sz);
}

/* bpfbox's message: the "kernel:" line of its report, else its "error at"
 * line, else the first line, else the vm's error. */
void vg_bpfbox_msg(const struct vg_judge *j, char *out, size_t sz)
{
	const char *k = strstr(j->blog, "kernel: "), *e = strstr(j->blog, "error at ");

	if (k)
		snprintf(out, sz, "%.*s", (int)strcspn(k + 8, "\n"), k + 8);
	else if (e)
		snprintf(out, sz, "%.*s", (int)strcspn(e, "\n"), e);
	else if (j->vmlog[0])   /* refused after the verifier (context rewriting, ...) */
		snprintf(out, sz, "%s", j->vmlog);
	else
		snprintf(out, sz, "%.*s", (int)strcspn(j->blog, "\n"), j->blog);
}

/* ---- runs ---------------------------------------------------------------------- */

/* xorshift64* for the inputs */
static uint64_t xr(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* One test run of input i (the same bytes for every mode). */
static int run_one(struct vg_judge *j, struct bpfbox_prog *prog, uint64_t seed, unsigned i,
		   enum bpfbox_run_mode mode)
{
	uint8_t in[256], out[256 + 512];
	uint64_t s = (seed ^ (0x9e3779b97f4a7c15ull * (i + 1))) | 1;
	uint32_t type = bpfbox_prog__type(prog), n;
	bool pkt = type == BPFBOX_PROG_TYPE_SOCKET_FILTER || type == BPFBOX_PROG_TYPE_SCHED_CLS ||
		   type == BPFBOX_PROG_TYPE_XDP;

	n = pkt ? 14 + (uint32_t)(xr(&s) % (sizeof(in) - 14 + 1))
		: type == BPFBOX_PROG_TYPE_KPROBE ? 168 : 96;
	for (uint32_t k = 0; k < n; k++)
		in[k] = (uint8_t)xr(&s);
	/* random map contents too */
	{
		uint32_t key = (uint32_t)(xr(&s) % VG_ARRAY_ENTRIES);
		uint8_t v[VG_ARRAY_VALUE];
		for (size_t k = 0; k < sizeof(v); k++)
			v[k] = (uint8_t)xr(&s);
		bpfbox_map__update_elem(j->bmaps[VG_MAP_ARRAY], &key, v, 0);
	}
	BPFBOX_OPTS(bpfbox_test_run_opts, t, .mode = mode, .engine = BPFBOX_ENGINE_INTERP);
	if (pkt) {
		t.data_in = in;
		t.data_size_in = n;
		t.data_out = out;
		t.data_size_out = sizeof(out);
	} else {
		t.ctx_in = in;
		t.ctx_size_in = n;
	}
	j->vmlog[0] = 0;
	return bpfbox_prog__test_run(prog, &t);
}

/* The runs of an accepted program (see vgen.h). */
unsigned vg_run(struct vg_judge *j, struct bpfbox_prog *prog, uint64_t seed, unsigned ninputs,
		char *why, size_t why_sz, unsigned *other)
{
	unsigned faults = 0;

	for (unsigned i = 0; i < ninputs; i++) {
		int err = run_one(j, prog, seed, i, BPFBOX_RUN_CHECKED);

		if (err == -EFAULT) {
			if (!faults++)
				snprintf(why, why_sz, "checked run %u: %s", i, j->vmlog);
		} else if (err && err != -EINVAL && err != -ENOTSUP && err != -EOPNOTSUPP) {
			if (!(*other)++)
				snprintf(why, why_sz, "checked run %u: %s: %s", i, strerror(-err), j->vmlog);
		}
	}
	if (faults)
		return faults;   /* not trusted: it would be an invalid access */
	for (unsigned i = 0; i < ninputs; i++)
		run_one(j, prog, seed, i, BPFBOX_RUN_TRUSTED);   /* ASan watches (make test SAN=1) */
	return 0;
}

/* ---- the minimiser ------------------------------------------------------------- */

/* Still a false accept? */
static bool still(struct vg_judge *j, const struct vg_prog *p, unsigned *tries)
{
	(*tries)++;
	return vg_bpfbox(j, p, NULL) == VG_ACCEPT && vg_kernel(j, p, false) == VG_REJECT;
}

/* Is this slot a no-op `ja +0`? */
static bool is_ja0(const struct bpfbox_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) && in->off == 0 && in->imm == 0 && !in->dst_reg && !in->src_reg;
}

/* Does slot i hold a jump whose off (or imm, for calls / lddw func) is relative? */
static int rel_kind(const struct bpfbox_insn *in)
{
	uint8_t cls = in->code & 7, op = in->code & 0xf0;

	if (in->code == (BPF_LD | BPF_DW | BPF_IMM))
		return in->src_reg == BPF_PSEUDO_FUNC ? 2 : 0;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return 0;
	if (op == BPF_EXIT)
		return 0;
	if (op == BPF_CALL)
		return in->src_reg == BPF_PSEUDO_CALL ? 2 : 0;
	if (cls == BPF_JMP32 && op == BPF_JA)
		return 2;   /* gotol: imm */
	return 1;
}

/* Delete slot d, fixing relative jumps across it. */
static void delete_slot(struct vg_prog *p, size_t d)
{
	for (size_t i = 0; i < p->cnt; i++) {
		int k = rel_kind(&p->insn[i]);
		long rel, t;

		if (!k || i == d)
			continue;
		rel = k == 1 ? p->insn[i].off : p->insn[i].imm;
		t = (long)i + 1 + rel;
		if (i < d && t > (long)d)
			rel--;
		else if (i > d && t <= (long)d)
			rel++;
		if (k == 1)
			p->insn[i].off = (int16_t)rel;
		else
			p->insn[i].imm = (int32_t)rel;
	}
	memmove(p->insn + d, p->insn + d + 1, (p->cnt - d - 1) * sizeof(p->insn[0]));
	p->cnt--;
}

/* The minimiser (see vgen.h). */
unsigned vg_minimise(struct vg_judge *j, struct vg_prog *p)
{
	static const struct bpfbox_insn ja0 = { BPF_JMP | BPF_JA, 0, 0, 0, 0 };
	static const struct bpfbox_insn r0z = { BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0 };
	unsigned tries = 0;
	bool changed = true;

	if (!still(j, p, &tries))
		return tries;
	for (int pass = 0; pass < 4 && changed; pass++) {
		changed = false;
		/* neutralise, from the end (later code depends on earlier) */
		for (size_t i = p->cnt; i-- > 0;) {
			struct bpfbox_insn save[2];
			bool wide = i + 1 < p->cnt && p->insn[i].code == (BPF_LD | BPF_DW | BPF_IMM);

			if (is_ja0(&p->insn[i]) || (p->insn[i].code == r0z.code && !p->insn[i].dst_reg &&
						     !p->insn[i].imm && !p->insn[i].src_reg && !p->insn[i].off))
				continue;
			if (i > 0 && p->insn[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM))
				continue;   /* second half of a lddw */
			memcpy(save, p->insn + i, (wide ? 2 : 1) * sizeof(save[0]));
			p->insn[i] = ja0;
			if (wide)
				p->insn[i + 1] = ja0;
			if (still(j, p, &tries)) {
				changed = true;
				continue;
			}
			p->insn[i] = r0z;
			if (still(j, p, &tries)) {
				changed = true;
				continue;
			}
			memcpy(p->insn + i, save, (wide ? 2 : 1) * sizeof(save[0]));
		}
		/* delete the no-ops, one by one */
		for (size_t i = p->cnt; i-- > 0;) {
			struct vg_prog *q;

			if (!is_ja0(&p->insn[i]) || p->cnt < 2)
				continue;
			if (!(q = malloc(sizeof(*q))))
				break;
			*q = *p;
			delete_slot(q, i);
			if (still(j, q, &tries)) {
				*p = *q;
				changed = true;
			}
			free(q);
		}
	}
	return tries;
}

/* The program, disassembled. */
void vg_print(const struct vg_prog *p, const char *indent)
{
	BPFBOX_OPTS(bpfbox_disasm_opts, d);
	char buf[256];

	for (size_t i = 0; i < p->cnt;) {
		int n = bpfbox_disasm_insn(p->insn, p->cnt, i, &d, buf, sizeof(buf));
		printf("%s%4zu: %s\n", indent, i, buf);
		i += n > 0 ? (size_t)n : 1;
	}
}

/* The program as a C initializer (I(code, dst, src, off, imm) entries), for
 * the regression table of tests/test_verifier_fuzz.c. */
void vg_print_c(const struct vg_prog *p)
{
	printf("    C: ");
	for (size_t i = 0; i < p->cnt; i++)
		printf("I(0x%02x, %u, %u, %d, %d),%s", p->insn[i].code, p->insn[i].dst_reg, p->insn[i].src_reg,
		       p->insn[i].off, p->insn[i].imm, (i + 1) % 4 == 0 ? "\n       " : " ");
	printf("\n");
}
