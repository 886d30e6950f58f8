/*
 * test_core.c - CO-RE relocations and .kconfig externs (src/elf/core_reloc.c,
 * src/elf/kconfig.c) with clang-built objects (tests/bpf/core_*.bpf.c):
 * every relocation kind against a target BTF with other layouts
 * (core_target.o) and against the object's own BTF, bitfields, flavors,
 * arrays, a guarded and an unguarded unresolvable relocation (poison),
 * .kconfig values from opts/host config, missing weak/strong externs, the
 * vmlinux BTF load time, and libbpf's BPF_KSYSCALL / BPF_KPROBE with
 * PT_REGS_PARM*_CORE(_SYSCALL) under `bpfbox trace`, and the gzip decoder
 * behind /proc/config.gz (src/util/inflate.c) at its output limit.
 */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/map.h"
#include "testlib.h"
#include "util/inflate.h"

static char bpf_dir[512], bpfbox_bin[512];
static char last_log[2048], all_log[16384];
static bool verbose, collect;

/* Keep the last error or warning; remember everything when verbose. */
static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
	if (verbose)
		fprintf(stderr, "log[%d]: %s\n", lvl, msg);
	if (collect && strlen(all_log) + strlen(msg) + 2 < sizeof(all_log)) {
		strcat(all_log, msg);
		strcat(all_log, "\n");
	}
}

/* $(BUILD)/bpf/NAME.o, or NULL (a failure: mk/bpf.mk builds it) if it is missing. */
static const char *obj_path(const char *name)
{
	static char path[640];

	snprintf(path, sizeof(path), "%s/%s.o", bpf_dir, name);
	if (!CHECK_MSG(access(path, R_OK) == 0, "%s missing (mk/bpf.mk builds it)", path))
		return NULL;
	return path;
}

/* Open NAME with target BTF tgt and kconfig text (NULL: defaults). */
static struct bpfbox_object *open_core(const char *name, const char *tgt, const char *kconfig,
				       bool no_host)
{
	const char *path = obj_path(name);
	BPFBOX_OPTS(bpfbox_object_opts, o, .log = log_cb, .target_btf_path = tgt, .kconfig = kconfig,
		    .no_host_kconfig = no_host);
	struct bpfbox_object *obj = NULL;
	int err;

	if (!path)
		return NULL;
	err = bpfbox_object__open_file(path, &o, &obj);
	CHECK_MSG(err == 0, "open %s: %d (%s)", path, err, last_log);
	return obj;
}

/* A vm for the objects. */
static struct bpfbox_vm *new_vm(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, o, .log = log_cb, .nr_cpus = 1);
	struct bpfbox_vm *vm = NULL;

	CHECK(bpfbox_vm__new(&o, &vm) == 0);
	return vm;
}

/* Byte offset of variable var in DATASEC sec of the object's BTF. */
static long var_off(struct bpfbox_object *obj, const char *sec, const char *var)
{
	const struct bpfbox_btf *btf = bpfbox_object__btf(obj);
	int ds = bpfbox_btf__find_by_name_kind(btf, sec, BPFBOX_BTF_KIND_DATASEC);
	struct bpfbox_btf_type t, v;
	struct bpfbox_btf_member m;

	if (ds <= 0 || bpfbox_btf__type(btf, (uint32_t)ds, &t))
		return -1;
	for (uint32_t i = 0; i < t.vlen; i++)
		if (!bpfbox_btf__member(btf, (uint32_t)ds, i, &m) && !bpfbox_btf__type(btf, m.type, &v) &&
		    !strcmp(v.name, var))
			return (long)m.offset;
	return -1;
}

/* The relocation of program prog at instruction insn with access string acc. */
static const struct bpfbox_core_relo *relo(struct bpfbox_program *p, const char *kind, const char *type,
					   const char *acc)
{
	for (size_t i = 0; i < bpfbox_program__core_relo_cnt(p); i++) {
		const struct bpfbox_core_relo *c = bpfbox_program__core_relo(p, i);

		if (!strcmp(c->kind_name, kind) && !strcmp(c->type_name, type) && !strcmp(c->access, acc))
			return c;
	}
	return NULL;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Sign-extend the low `bits` bits. */
static int64_t sext(uint64_t v, unsigned bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* core_local.o's `values` against tgt (core_target.o, or "" = own BTF). */
static void test_values(bool target)
{
	char tpath[700];
	struct bpfbox_object *obj;
	struct bpfbox_program *p;
	struct bpfbox_vm *vm;
	struct bpfbox_map *bss;
	uint8_t val[512] = { 0 }, *b;
	uint64_t out[24];
	long boff, ooff;
	uint32_t key = 0;
	const struct bpfbox_btf *tb;
	int tid, lid;

	if (!obj_path("core_target"))
		return;
	snprintf(tpath, sizeof(tpath), "%s/core_target.o", bpf_dir);
	obj = open_core("core_local", target ? tpath : "", NULL, true);
	if (!obj)
		return;
	tb = bpfbox_object__target_btf(obj);
	CHECK(tb != NULL);
	CHECK_STR(bpfbox_object__target_btf_path(obj), target ? tpath : "");
	p = bpfbox_object__find_program_by_name(obj, "values");
	CHECK(p && bpfbox_program__loadable(p, NULL));
	if (p) {
		const struct bpfbox_core_relo *c = relo(p, "byte_off", "cr_s", "0:1");

		CHECK(c && c->applied && !c->poisoned && c->orig_val == 4 && c->new_val == (target ? 8 : 4));
		c = relo(p, "byte_off", "cr_s", "0:3");	/* s->d: guarded */
		CHECK(c && c->applied && c->poisoned == target);
	}
	bpfbox_program__set_autoload(bpfbox_object__find_program_by_name(obj, "unguarded"), false);
	vm = new_vm();
	if (!CHECK_MSG(vm && bpfbox_object__load(obj, vm, NULL) == 0, "load: %s", last_log))
		goto out;
	bss = bpfbox_object__find_map_instance(obj, ".bss");
	boff = var_off(obj, ".bss", "buf");
	ooff = var_off(obj, ".bss", "out");
	if (!CHECK(bss && boff >= 0 && ooff >= 0 && bpfbox_map__value_size(bss) <= sizeof(val)))
		goto out;
	b = val + boff;
	for (int i = 0; i < 64; i++)
		b[i] = (uint8_t)(i * 37 + 11);
	CHECK(bpfbox_map__update_elem(bss, &key, val, 0) == 0);
	{
		BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED, .cpu = -1);
		uint8_t ctx[16] = { 0 };

		ro.ctx = ctx;
		ro.ctx_size = sizeof(ctx);
		CHECK_MSG(bpfbox_prog__run(bpfbox_program__prog(p), &ro) == 0, "run: %s", last_log);
	}
	CHECK(bpfbox_map__lookup_elem(bss, &key, val, 0) == 0);
	memcpy(out, val + ooff, sizeof(out));
	tid = bpfbox_btf__find_by_name_kind(tb, "cr_s", BPFBOX_BTF_KIND_STRUCT);
	lid = bpfbox_btf__find_by_name_kind(bpfbox_object__btf(obj), "cr_s", BPFBOX_BTF_KIND_STRUCT);
	if (target) {
		static const uint64_t want[] = { 8, 2, 0, 1, 0, 24, 20, 0, 4 };
		for (size_t i = 0; i < 9; i++)
			CHECK_MSG(out[i] == want[i], "target out[%zu] = %llu, want %llu", i,
				  (unsigned long long)out[i], (unsigned long long)want[i]);
		CHECK_EQ_INT((int64_t)out[12], (int32_t)rd32(b + 8));
		CHECK_EQ_INT(out[13], rd32(b + 4) & 0x3f);                  /* y: 6 bits at bit 32 */
		CHECK_EQ_INT((int64_t)out[14], sext(rd32(b + 4) >> 9, 9));  /* z: 9 bits at bit 41 */
		CHECK_EQ_INT(out[15], 48);
		CHECK_EQ_INT(out[16], 77);
	} else {
		static const uint64_t want[] = { 4, 8, 1, 1, 1, 24, 2, 1, 0 };
		for (size_t i = 0; i < 9; i++)
			CHECK_MSG(out[i] == want[i], "local out[%zu] = %llu, want %llu", i,
				  (unsigned long long)out[i], (unsigned long long)want[i]);
		CHECK_EQ_INT((int64_t)out[12], (int32_t)rd32(b + 4));
		CHECK_EQ_INT(out[13], (rd32(b) >> 3) & 0x1f);
		CHECK_EQ_INT((int64_t)out[14], sext(rd32(b) >> 8, 7));
		CHECK_EQ_INT(out[15], 36);
		CHECK_EQ_INT((int64_t)out[16], (int32_t)rd32(b + 16));
	}
	CHECK_EQ_INT(out[9], tid);
	CHECK_EQ_INT(out[10], lid);
	CHECK_EQ_INT(out[11], 1);
	CHECK_EQ_INT(out[17], 1);
	CHECK_EQ_INT(out[18], 1);
out:
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
}

/* An unguarded unresolvable relocation: poisoned, and the verifier says so. */
static void test_poison(void)
{
	char tpath[700];
	struct bpfbox_object *obj;
	struct bpfbox_program *p;
	struct bpfbox_vm *vm;
	const struct bpfbox_core_relo *c;

	if (!obj_path("core_target"))
		return;
	snprintf(tpath, sizeof(tpath), "%s/core_target.o", bpf_dir);
	obj = open_core("core_local", tpath, NULL, true);
	if (!obj)
		return;
	p = bpfbox_object__find_program_by_name(obj, "unguarded");
	c = p ? relo(p, "byte_off", "cr_s", "0:3") : NULL;
	if (CHECK(c && c->poisoned)) {
		const struct bpfbox_insn *in = &bpfbox_program__insns(p)[c->insn_idx];
		CHECK(in->code == 0x85 && in->src_reg == 0 && in->imm == 195896080);
	}
	bpfbox_program__set_autoload(bpfbox_object__find_program_by_name(obj, "values"), false);
	vm = new_vm();
	CHECK(bpfbox_object__load(obj, vm, NULL) < 0);
	CHECK_MSG(strstr(last_log, "unguarded") != NULL, "%s", last_log);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	/* a target BTF that is not there: not loadable, saying why */
	obj = open_core("core_local", "/nonexistent/btf", NULL, true);
	p = obj ? bpfbox_object__find_program_by_name(obj, "values") : NULL;
	if (p) {
		const char *why = NULL;
		CHECK(!bpfbox_program__loadable(p, &why) && strstr(why, "/nonexistent/btf"));
	}
	bpfbox_object__close(obj);
}

/* The verifier's message for a reachable poisoned instruction, as the
 * kernel's: "invalid func unknown#195896080". */
static void test_poison_message(void)
{
	char tpath[700];
	struct bpfbox_object *obj;
	struct bpfbox_vm *vm;

	if (!obj_path("core_target"))
		return;
	snprintf(tpath, sizeof(tpath), "%s/core_target.o", bpf_dir);
	obj = open_core("core_local", tpath, NULL, true);
	if (!obj)
		return;
	bpfbox_program__set_autoload(bpfbox_object__find_program_by_name(obj, "values"), false);
	vm = new_vm();
	all_log[0] = 0;
	collect = true;
	CHECK(bpfbox_object__load(obj, vm, NULL) < 0);
	collect = false;
	CHECK_MSG(strstr(all_log, "invalid func unknown#195896080") != NULL, "%s", all_log);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
}

/* .kconfig: virtual externs, opts.kconfig values, weak / strong misses. */
static void test_kconfig(void)
{
	static const char *const cfg = "CONFIG_BPFBOX_TRI=m\nCONFIG_BPFBOX_BOOL=y\n"
				       "CONFIG_BPFBOX_INT=0x1234\nCONFIG_BPFBOX_NEG=-5\n"
				       "# CONFIG_BPFBOX_ABSENT is not set\nCONFIG_BPFBOX_STR=\"hello\"\n"
				       "CONFIG_BPF=y\n";
	struct bpfbox_object *obj = open_core("core_kconfig", "", cfg, true);
	const struct bpfbox_map_def *d;
	struct bpfbox_program *p;
	struct bpfbox_vm *vm;
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;
	uint8_t val[256];
	uint64_t out[12];
	uint32_t key = 0;
	const char *why = NULL;

	if (!obj)
		return;
	d = bpfbox_object__find_map_by_name(obj, ".kconfig");
	CHECK(d && d->origin == BPFBOX_MAP_KCONFIG && d->readonly && d->internal && d->max_entries == 1);
	p = bpfbox_object__find_program_by_name(obj, "strong");
	CHECK(p && !bpfbox_program__loadable(p, &why) && strstr(why, "CONFIG_BPFBOX_STRONG"));
	p = bpfbox_object__find_program_by_name(obj, "kc");
	CHECK(p && bpfbox_program__loadable(p, NULL));
	vm = new_vm();
	CHECK(bpfbox_object__load(obj, vm, NULL) == -ENOTSUP);
	CHECK_MSG(strstr(last_log, "CONFIG_BPFBOX_STRONG") != NULL, "%s", last_log);
	bpfbox_program__set_autoload(bpfbox_object__find_program_by_name(obj, "strong"), false);
	if (CHECK_MSG(bpfbox_object__load(obj, vm, NULL) == 0, "%s", last_log)) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED, .cpu = -1);
		struct bpfbox_map *bss = bpfbox_object__find_map_instance(obj, ".bss");
		uint8_t ctx[16] = { 0 };

		ro.ctx = ctx;
		ro.ctx_size = sizeof(ctx);
		CHECK_MSG(bpfbox_prog__run(bpfbox_program__prog(p), &ro) == 0, "run: %s", last_log);
		CHECK(bss && bpfbox_map__lookup_elem(bss, &key, val, 0) == 0);
		memcpy(out, val + var_off(obj, ".bss", "out"), sizeof(out));
		uname(&u);
		sscanf(u.release, "%u.%u.%u", &a, &b, &c);
		CHECK_EQ_U64(out[0], (a << 16) + (b << 8) + (c > 255 ? 255 : c));
		CHECK_EQ_INT(out[1], 1);
		CHECK_EQ_INT(out[2], 2);	/* TRI_MODULE */
		CHECK_EQ_INT(out[3], 1);
		CHECK_EQ_INT(out[4], 0x1234);
		CHECK_EQ_INT((int64_t)out[5], -5);
		CHECK_EQ_U64(out[6], 'h' | 'e' << 8 | 'o' << 16);
		CHECK_EQ_INT(out[7], 0);
		CHECK_EQ_INT(out[8], 1);
		CHECK_EQ_INT(out[9], 0);
	}
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	/* a value of the wrong kind is an error naming the extern */
	{
		const char *path = obj_path("core_kconfig");
		BPFBOX_OPTS(bpfbox_object_opts, o, .log = log_cb, .kconfig = "CONFIG_BPFBOX_BOOL=m\n",
			    .no_host_kconfig = true);
		struct bpfbox_object *bad = NULL;

		if (path) {
			CHECK(bpfbox_object__open_file(path, &o, &bad) == -EINVAL && !bad);
			CHECK_MSG(strstr(last_log, "CONFIG_BPFBOX_BOOL"), "%s", last_log);
		}
	}
	/* the host's config (/proc/config.gz or /boot/config-*) */
	if (access("/proc/config.gz", R_OK) == 0) {
		FILE *f = popen("zcat /proc/config.gz | grep -c '^CONFIG_BPF=y'", "r");
		int want = 0;

		if (f) {
			if (fscanf(f, "%d", &want) != 1)
				want = 0;
			pclose(f);
		}
		obj = open_core("core_kconfig", "", NULL, false);
		vm = new_vm();
		bpfbox_program__set_autoload(bpfbox_object__find_program_by_name(obj, "strong"), false);
		if (obj && CHECK_MSG(bpfbox_object__load(obj, vm, NULL) == 0, "%s", last_log)) {
			BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED, .cpu = -1);
			struct bpfbox_map *bss = bpfbox_object__find_map_instance(obj, ".bss");
			uint8_t ctx[16] = { 0 };

			ro.ctx = ctx;
			ro.ctx_size = sizeof(ctx);
			p = bpfbox_object__find_program_by_name(obj, "kc");
			CHECK(bpfbox_prog__run(bpfbox_program__prog(p), &ro) == 0);
			CHECK(bss && bpfbox_map__lookup_elem(bss, &key, val, 0) == 0);
			memcpy(out, val + var_off(obj, ".bss", "out"), sizeof(out));
			CHECK_EQ_INT(out[8], want > 0);
			CHECK_EQ_INT(out[4], 0);	/* not in the host config: weak 0 */
		}
		bpfbox_object__close(obj);
		bpfbox_vm__free(vm);
	} else {
		TL_SKIP("/proc/config.gz not readable: host kconfig not tested");
	}
}

/* The kernel's BTF as the default target: load time, libbpf's macros. */
static void test_vmlinux(void)
{
	struct timespec t0, t1;
	struct bpfbox_object *obj;
	double ms;

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		TL_SKIP("/sys/kernel/btf/vmlinux not readable");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	obj = open_core("core_ksyscall", NULL, NULL, true);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!obj)
		return;
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("open core_ksyscall.o with /sys/kernel/btf/vmlinux (%u types): %.1f ms\n",
	       bpfbox_btf__type_cnt(bpfbox_object__target_btf(obj)), ms);
	CHECK_STR(bpfbox_object__target_btf_path(obj), "/sys/kernel/btf/vmlinux");
	CHECK_MSG(ms < 500, "vmlinux BTF open took %.1f ms", ms);
	for (struct bpfbox_program *p = NULL; (p = bpfbox_object__next_program(obj, p));) {
		const char *why = "";
		bool ok = bpfbox_program__loadable(p, &why);

		CHECK_MSG(ok, "%s: %s", bpfbox_program__name(p), why ? why : "");
		CHECK(bpfbox_program__core_relo_cnt(p) > 0);
		for (size_t i = 0; i < bpfbox_program__core_relo_cnt(p); i++) {
			const struct bpfbox_core_relo *c = bpfbox_program__core_relo(p, i);
			CHECK(c->applied && !c->poisoned && c->orig_val == c->new_val);
		}
	}
	{
		struct bpfbox_vm *vm = new_vm();
		CHECK_MSG(bpfbox_object__load(obj, vm, NULL) == 0, "load: %s", last_log);
		bpfbox_object__close(obj);
		bpfbox_vm__free(vm);
	}
}

/* BPF_KSYSCALL / BPF_KPROBE under `bpfbox trace -- /bin/echo hi`. */
static void test_trace(void)
{
	const char *path = obj_path("core_ksyscall");
	char cmd[1600], out[8192] = { 0 };
	size_t n;
	FILE *f;

	if (!path)
		return;
	if (!CHECK_MSG(access(bpfbox_bin, X_OK) == 0, "%s not built", bpfbox_bin) ||
	    !CHECK_MSG(access("/bin/echo", X_OK) == 0, "/bin/echo missing"))
		return;
	snprintf(cmd, sizeof(cmd), "timeout 30 %s trace --json %s -- /bin/echo hi 2>&1", bpfbox_bin, path);
	f = popen(cmd, "r");
	if (!CHECK_MSG(f != NULL, "popen: %s", strerror(errno)))
		return;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	/* bpfbox trace exits with the command's status (0); anything else,
	 * a crash included, is a failure */
	if (!CHECK_MSG(pclose(f) == 0, "bpfbox trace failed: %s", out))
		return;
	/* oracle (strace -f /bin/echo hi, by hand): one write(1, "hi\n", 3)
	 * syscall, so one call, fd 1, count 3, for the ksyscall and the kprobe */
	CHECK_MSG(strstr(out, "\"ks_calls\": 1, \"ks_fd\": 1, \"ks_count\": 3") != NULL, "%s", out);
	CHECK_MSG(strstr(out, "\"kp_calls\": 1, \"kp_fd\": 1, \"kp_count\": 3") != NULL, "%s", out);
}

/* CRC-32 (IEEE), for the gzip members test_gunzip() builds. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* A gzip member of data[n] in stored blocks (at most 65535 bytes each)
 * into gz (n + 18 + 5 per block bytes); returns its length. */
static size_t make_gzip(const uint8_t *data, size_t n, uint8_t *gz)
{
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
	size_t p = sizeof(hdr), done = 0;
	uint32_t crc = crc32_ieee(data, n);

	memcpy(gz, hdr, sizeof(hdr));
	do {
		size_t len = n - done > 65535 ? 65535 : n - done;

		gz[p++] = done + len == n;	/* BFINAL, BTYPE 00 (stored) */
		gz[p++] = (uint8_t)len;
		gz[p++] = (uint8_t)(len >> 8);
		gz[p++] = (uint8_t)~len;
		gz[p++] = (uint8_t)(~len >> 8);
		memcpy(gz + p, data + done, len);
		p += len;
		done += len;
	} while (done < n);
	for (int i = 0; i < 4; i++)
		gz[p++] = (uint8_t)(crc >> 8 * i);
	for (int i = 0; i < 4; i++)
		gz[p++] = (uint8_t)(n >> 8 * i);
	return p;
}

/* bx_gunzip() output limits: exactly max_out bytes is fine (it used to
 * fail with -E2BIG when max_out was 0 or a power-of-two buffer size, as
 * found by tests/fuzz/fuzz_inflate.c), one more is -E2BIG; a bad CRC is
 * -EINVAL. */
static void test_gunzip(void)
{
	static uint8_t data[65536], gz[65536 + 64];
	uint8_t *out = NULL;
	size_t len, n = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	len = make_gzip(data, 0, gz);
	if (CHECK_EQ_INT(bx_gunzip(gz, len, 0, &out, &n), 0))
		CHECK(n == 0 && out && out[0] == 0);
	free(out);
	out = NULL;
	len = make_gzip(data, 3, gz);
	if (CHECK_EQ_INT(bx_gunzip(gz, len, 3, &out, &n), 0))
		CHECK(n == 3 && !memcmp(out, data, 3) && out[3] == 0);
	free(out);
	out = NULL;
	CHECK(bx_gunzip(gz, len, 2, &out, &n) == -E2BIG && !out);
	len = make_gzip(data, sizeof(data), gz);
	if (CHECK_EQ_INT(bx_gunzip(gz, len, sizeof(data), &out, &n), 0))
		CHECK(n == sizeof(data) && !memcmp(out, data, n) && out[n] == 0);
	free(out);
	out = NULL;
	CHECK(bx_gunzip(gz, len, sizeof(data) - 1, &out, &n) == -E2BIG && !out);
	gz[len - 8] ^= 1;	/* CRC */
	CHECK(bx_gunzip(gz, len, sizeof(data), &out, &n) == -EINVAL && !out);
}

int main(int argc, char **argv)
{
	char self[512];

	(void)argc;
	verbose = getenv("TEST_VERBOSE") != NULL;
	snprintf(self, sizeof(self), "%s", argv[0]);
	{
		const char *dir = dirname(self);

		snprintf(bpf_dir, sizeof(bpf_dir), "%s/../bpf", dir);
		snprintf(bpfbox_bin, sizeof(bpfbox_bin), "%s/../bpfbox", dir);
	}
	test_values(true);
	test_values(false);
	TL_RUN(test_poison);
	TL_RUN(test_poison_message);
	TL_RUN(test_kconfig);
	TL_RUN(test_vmlinux);
	TL_RUN(test_trace);
	TL_RUN(test_gunzip);
	return tl_summary();
}
