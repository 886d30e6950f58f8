/*
 * test_loader_vars.c - what a loader decides before load, against the
 * kernel through Debian's libbpf (tests/bpf/load_vars.bpf.c):
 *
 *   - global variables (.rodata my_pid, bias, doubled, mode, tag, small;
 *     .data counter; .bss hits) set by name: through the library
 *     (bpfbox_object__set_var) and the CLI (`bpfbox run --set`), and in the
 *     kernel through bpf_map__initial_value() with offsets read from BTF by
 *     libbpf (skeleton-style, before load), then BPF_PROG_TEST_RUN: the
 *     same r0 for every setting;
 *   - a program in a section that names no type, given SCHED_CLS by
 *     bpfbox_program__set_type / `run --type` and by bpf_program__set_type;
 *   - autoload of a selection: the program a prog array initialiser places
 *     loads with the program that tail-calls through it, a sibling every
 *     verifier rejects does not stop the run (and stops the kernel's load
 *     of the whole object, as it stops bpfbox's);
 *   - the SEC() table: every row of libbpf's current section_defs is known,
 *     and gives the type and expected attach type the installed libbpf's
 *     libbpf_prog_type_by_name() gives wherever that one knows the name;
 *   - errors: unknown variable, values that do not fit, after load.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/object.h"
#include "kernel_xdp_ok.h"
#include "testlib.h"

static char obj_file[600], bpfbox_bin[600], pkt_file[64];
static char last_log[1024];
static bool have_kernel;

/* Keep the last error for messages. */
static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_ERROR)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* libbpf's messages are not wanted. */
static int libbpf_quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l, (void)f, (void)ap;
	return 0;
}

/* One variable setting: the text bpfbox parses and what the kernel side
 * writes (num in the variable's size, little-endian; or str). */
struct kset {
	const char *name, *text;
	long long num;
	const char *str;
};

#define MAXSET 10
struct vec {
	struct kset s[MAXSET];
};

/* The settings compared. */
#define K(n, t, v) { n, t, v, NULL }
#define KS(n, s) { n, s, 0, s }
static const struct vec vecs[] = {
	{ { K(NULL, NULL, 0) } },
	{ { K("my_pid", "1234", 1234) } },
	{ { K("my_pid", "-7", -7), K("bias", "-100", -100), K("doubled", "true", 1),
	    K("mode", "MODE_BIG", 0x1000), KS("tag", "abc"), K("small", "255", 255),
	    K("counter", "7", 7), K("hits", "3", 3) } },
	{ { K("my_pid", "0x7fffffff", 0x7fffffff), K("bias", "-32768", -32768),
	    K("mode", "3", 3), KS("tag", ""), K("doubled", "0", 0) } },
};
#define NVEC (sizeof(vecs) / sizeof(vecs[0]))

static const char *const run_progs[] = { "pid_gate", "caller", "typeless" };
#define NPROG 3

/* ---- bpfbox through the library ------------------------------------------ */

/* Open, set, type, select, load and test-run; r0 per program. */
static int bx_results(const struct vec *v, uint32_t *r0)
{
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 1);
	struct bpfbox_program *sel[NPROG];
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	uint8_t pkt[64] = { 0 }, out[128];
	int err;

	if ((err = bpfbox_object__open_file(obj_file, &oo, &obj)))
		return err;
	for (size_t i = 0; i < MAXSET && v->s[i].name && !err; i++)
		err = bpfbox_object__set_var(obj, v->s[i].name, v->s[i].text);
	for (size_t i = 0; i < NPROG && !err; i++)
		sel[i] = bpfbox_object__find_program_by_name(obj, run_progs[i]);
	err = err ?: bpfbox_program__set_type(sel[2], BPFBOX_PROG_TYPE_SCHED_CLS);
	err = err ?: bpfbox_object__autoload_only(obj, sel, NPROG);
	err = err ?: bpfbox_vm__new(&vo, &vm);
	err = err ?: bpfbox_object__load(obj, vm, NULL);
	for (size_t i = 0; i < NPROG && !err; i++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .data_out = out, .data_size_out = sizeof(out));

		err = bpfbox_prog__test_run(bpfbox_program__prog(sel[i]), &t);
		r0[i] = t.retval;
	}
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return err;
}

/* ---- bpfbox through the CLI ---------------------------------------------- */

/* `bpfbox run OBJ --prog P [--type sched_cls] --set ...`: r0 from --json. */
static int cli_result(const struct vec *v, const char *prog, uint32_t *r0)
{
	char cmd[2048], line[4096];
	size_t n;
	FILE *f;
	int rc;

	n = (size_t)snprintf(cmd, sizeof(cmd), "%s run %s --prog %s --data %s --json%s", bpfbox_bin,
			     obj_file, prog, pkt_file, strcmp(prog, "typeless") ? "" : " --type sched_cls");
	for (size_t i = 0; i < MAXSET && v->s[i].name; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " --set '%s=%s'", v->s[i].name,
				      v->s[i].text);
	snprintf(cmd + n, sizeof(cmd) - n, " 2>/dev/null");
	if (!(f = popen(cmd, "r")))
		return -errno;
	line[0] = 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	rc = pclose(f);
	if (rc || sscanf(line, "{\"retval\": %u", r0) != 1)
		return -EINVAL;
	return 0;
}

/* Run the CLI with extra arguments; exit status and stderr into err. */
static int cli_status(const char *args, char *err, size_t len)
{
	char cmd[2048], drain[4096];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s run %s --data %s %s 2>&1 >/dev/null", bpfbox_bin, obj_file,
		 pkt_file, args);
	if (!(f = popen(cmd, "r")))
		return -1;
	n = fread(err, 1, len - 1, f);
	err[n] = 0;
	while (fread(drain, 1, sizeof(drain), f) > 0)	/* all of it: no SIGPIPE */
		;
	return WEXITSTATUS(pclose(f));
}

/* ---- the kernel through libbpf ------------------------------------------- */

/* Write setting s into the initial value of the internal map that has the
 * variable, at the offset libbpf's BTF gives. */
static int k_set(struct bpf_object *obj, const struct kset *s)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *mn = bpf_map__name(m), *dot = strchr(mn, '.');
		const struct btf_var_secinfo *vs;
		const struct btf_type *ds;
		size_t sz;
		uint8_t *buf;
		int id;

		if (!bpf_map__is_internal(m) || !dot)
			continue;
		id = btf__find_by_name_kind(btf, dot, BTF_KIND_DATASEC);
		if (id <= 0)
			continue;
		ds = btf__type_by_id(btf, (uint32_t)id);
		vs = btf_var_secinfos(ds);
		for (unsigned k = 0; k < btf_vlen(ds); k++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), s->name))
				continue;
			buf = (uint8_t *)bpf_map__initial_value(m, &sz);	/* 1.1: const */
			if (!buf || vs->offset + vs->size > sz)
				return -EINVAL;
			if (s->str) {
				memset(buf + vs->offset, 0, vs->size);
				memcpy(buf + vs->offset, s->str, strlen(s->str));
			} else {
				for (unsigned b = 0; b < vs->size; b++)
					buf[vs->offset + b] = (uint8_t)((unsigned long long)s->num >> (8 * b));
			}
			return 0;
		}
	}
	return -ENOENT;
}

/* The kernel's r0 per program; -errno if libbpf cannot load. */
static int k_results(const struct vec *v, uint32_t *r0)
{
	struct bpf_object *obj = bpf_object__open_file(obj_file, NULL);
	uint8_t pkt[64] = { 0 }, out[128];
	int err = libbpf_get_error(obj);

	if (err)
		return err;
	for (size_t i = 0; i < MAXSET && v->s[i].name && !err; i++)
		err = k_set(obj, &v->s[i]);
	err = err ?: bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "broken"), false);
	err = err ?: bpf_program__set_type(bpf_object__find_program_by_name(obj, "typeless"),
					   BPF_PROG_TYPE_SCHED_CLS);
	err = err ?: bpf_object__load(obj);
	for (size_t i = 0; i < NPROG && !err; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .data_out = out, .data_size_out = sizeof(out));
		struct bpf_program *p = bpf_object__find_program_by_name(obj, run_progs[i]);

		err = bpf_prog_test_run_opts(bpf_program__fd(p), &t) ? -errno : 0;
		r0[i] = t.retval;
	}
	bpf_object__close(obj);
	return err;
}

/* ---- tests ---------------------------------------------------------------- */

/* Every setting: library, CLI and kernel give the same r0. */
static void test_vars_kernel(void)
{
	for (size_t vi = 0; vi < NVEC; vi++) {
		uint32_t b[NPROG] = { 0 }, k[NPROG] = { 0 }, c = 0;
		int berr = bx_results(&vecs[vi], b), kerr = 0;

		CHECK_MSG(berr == 0, "vector %zu: bpfbox: %d (%s)", vi, berr, last_log);
		if (have_kernel) {
			kerr = k_results(&vecs[vi], k);
			CHECK_MSG(kerr == 0, "vector %zu: kernel: %d", vi, kerr);
		}
		for (size_t p = 0; p < NPROG; p++) {
			int cerr = cli_result(&vecs[vi], run_progs[p], &c);

			CHECK_MSG(cerr == 0, "vector %zu: bpfbox run --prog %s failed", vi, run_progs[p]);
			CHECK_MSG(c == b[p], "vector %zu %s: CLI r0 %u, library r0 %u", vi, run_progs[p],
				  c, b[p]);
			if (have_kernel && !kerr && !berr)
				CHECK_MSG(b[p] == k[p], "vector %zu %s: bpfbox r0 %u, kernel r0 %u", vi,
					  run_progs[p], b[p], k[p]);
		}
		if (vi == 0)	/* my_pid 0 must not be what decides every vector */
			CHECK(b[0] == 112);
	}
	if (!have_kernel)
		TL_SKIP("kernel comparison of the settings: no kernel BPF");
}

/* Library errors and the variable lookup. */
static void test_var_api(void)
{
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 1);
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_var var;
	uint8_t *iv, zero[64] = { 0 };
	size_t sz = 0;

	if (!CHECK(bpfbox_object__open_file(obj_file, &oo, &obj) == 0))
		return;
	CHECK(bpfbox_object__find_var(obj, "tag", &var) == 0 && var.size == 8 && var.readonly);
	CHECK(bpfbox_object__find_var(obj, "hits", &var) == 0 && !var.readonly &&
	      !strcmp(bpfbox_object__map(obj, var.map_idx)->name, ".bss"));
	CHECK_EQ_INT(bpfbox_object__find_var(obj, "jt", &var), -ENOENT);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "nope", "1"), -ENOENT);
	CHECK(strstr(last_log, "no global variable 'nope'") != NULL);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "small", "256"), -ERANGE);
	CHECK(strstr(last_log, "does not fit variable 'small'") != NULL);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "small", "-1"), -ERANGE);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "bias", "32768"), -ERANGE);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "my_pid", "2147483648"), -ERANGE);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "tag", "12345678"), -ERANGE);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "tag", "1234567"), 0);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "doubled", "2"), -EINVAL);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "mode", "MODE_NONE"), -EINVAL);
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "my_pid", "12x"), -EINVAL);
	/* the buffer is the skeleton's: a write through it is what loads */
	CHECK(bpfbox_object__find_var(obj, "counter", &var) == 0);
	iv = bpfbox_object__map_initial_value(obj, var.map_idx, &sz);
	if (CHECK(iv && sz == 4 && iv[0] == 5))
		iv[0] = 9;
	CHECK_EQ_INT(bpfbox_object__set_map_initial_value(obj, var.map_idx, zero, 3), -EINVAL);
	CHECK(bpfbox_object__map_initial_value(obj, 0, &sz) == NULL);	/* jt: not global data */
	/* default autoload: the broken sibling fails the whole load (so does libbpf's) */
	CHECK(bpfbox_vm__new(&vo, &vm) == 0);
	bpfbox_program__set_type(bpfbox_object__find_program_by_name(obj, "typeless"),
				 BPFBOX_PROG_TYPE_SCHED_CLS);
	CHECK(bpfbox_object__load(obj, vm, NULL) != 0);
	{
		struct bpfbox_program *sel = bpfbox_object__find_program_by_name(obj, "caller");

		CHECK(bpfbox_object__autoload_only(obj, &sel, 1) == 0);
		CHECK(bpfbox_program__autoload(bpfbox_object__find_program_by_name(obj, "tail_target")));
		CHECK(!bpfbox_program__autoload(bpfbox_object__find_program_by_name(obj, "broken")));
		CHECK(!bpfbox_program__autoload(bpfbox_object__find_program_by_name(obj, "pid_gate")));
		CHECK_EQ_INT(bpfbox_object__load(obj, vm, NULL), 0);
	}
	CHECK_EQ_INT(bpfbox_object__set_var(obj, "my_pid", "1"), -EBUSY);
	CHECK(bpfbox_object__map_initial_value(obj, var.map_idx, &sz) == NULL);
	{	/* the changed .data byte reached the map: counter 9 */
		struct bpfbox_map *m = bpfbox_object__map_instance(obj, var.map_idx);
		uint32_t key = 0, val = 0;

		CHECK(m && bpfbox_map__lookup_elem(m, &key, &val, 0) == 0 && val == 9);
	}
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	if (have_kernel) {	/* the kernel: the broken sibling fails the object's load */
		struct bpf_object *k = bpf_object__open_file(obj_file, NULL);

		if (CHECK(!libbpf_get_error(k))) {
			bpf_program__set_type(bpf_object__find_program_by_name(k, "typeless"),
					      BPF_PROG_TYPE_SCHED_CLS);
			CHECK(bpf_object__load(k) != 0);
			bpf_object__close(k);
		}
	}
}

/* CLI errors: status 1 and a message naming the variable / option. */
static void test_cli_errors(void)
{
	char err[4096];

	CHECK_EQ_INT(cli_status("--prog pid_gate --set nope=1", err, sizeof(err)), 1);
	CHECK(strstr(err, "no global variable 'nope'") != NULL);
	CHECK_EQ_INT(cli_status("--prog pid_gate --set small=300", err, sizeof(err)), 1);
	CHECK(strstr(err, "'300' does not fit variable 'small' (1 bytes") != NULL);
	CHECK_EQ_INT(cli_status("--prog pid_gate --set tag=toolongtag", err, sizeof(err)), 1);
	CHECK(strstr(err, "does not fit variable 'tag'") != NULL);
	CHECK_EQ_INT(cli_status("--prog pid_gate --set my_pid", err, sizeof(err)), 2);
	CHECK(strstr(err, "not NAME=VALUE") != NULL);
	CHECK_EQ_INT(cli_status("--prog typeless", err, sizeof(err)), 1);
	CHECK(strstr(err, "--type TYPE") != NULL);
	CHECK_EQ_INT(cli_status("--prog typeless --type nosuch", err, sizeof(err)), 2);
	CHECK_EQ_INT(cli_status("--prog broken", err, sizeof(err)), 1);
	/* a sibling the verifier rejects is not loaded for a run of another */
	CHECK_EQ_INT(cli_status("--prog pid_gate", err, sizeof(err)), 0);
}

/* libbpf's section_defs (src/libbpf.c of libbpf master), '+' rows with a
 * target; the fsession / fentry.multi families are newer than this kernel. */
static const char *const sec_names[] = {
	"socket", "sk_reuseport/migrate", "sk_reuseport", "kprobe/f", "uprobe/p:f", "uprobe.s/p:f",
	"kretprobe/f", "uretprobe/p:f", "uretprobe.s/p:f", "kprobe.multi/f*", "kretprobe.multi/f*",
	"kprobe.session/f*", "uprobe.multi/p:f*", "uretprobe.multi/p:f*", "uprobe.session/p:f",
	"uprobe.multi.s/p:f", "uretprobe.multi.s/p:f", "uprobe.session.s/p:f", "ksyscall/open",
	"kretsyscall/open", "usdt/p:a:b", "usdt.s/p:a:b", "tc/ingress", "tc/egress", "tcx/ingress",
	"tcx/egress", "tc", "classifier", "action", "netkit/primary", "netkit/peer",
	"tracepoint/a/b", "tp/a/b", "tracepoint.s/a/b", "tp.s/a/b", "raw_tracepoint/a",
	"raw_tp/a", "raw_tracepoint.s/a", "raw_tp.s/a", "raw_tracepoint.w/a", "raw_tp.w/a",
	"tp_btf/a", "tp_btf.s/a", "fentry/f", "fmod_ret/f", "fexit/f", "fentry.s/f",
	"fmod_ret.s/f", "fexit.s/f", "freplace/f", "lsm/f", "lsm.s/f", "lsm_cgroup/f",
	"iter/task", "iter.s/task", "syscall", "xdp.frags/devmap", "xdp/devmap",
	"xdp.frags/cpumap", "xdp/cpumap", "xdp.frags", "xdp", "perf_event", "lwt_in", "lwt_out",
	"lwt_xmit", "lwt_seg6local", "sockops", "sk_skb/stream_parser", "sk_skb/stream_verdict",
	"sk_skb/verdict", "sk_skb", "sk_msg", "lirc_mode2", "flow_dissector",
	"cgroup_skb/ingress", "cgroup_skb/egress", "cgroup/skb", "cgroup/sock_create",
	"cgroup/sock_release", "cgroup/sock", "cgroup/post_bind4", "cgroup/post_bind6",
	"cgroup/bind4", "cgroup/bind6", "cgroup/connect4", "cgroup/connect6",
	"cgroup/connect_unix", "cgroup/sendmsg4", "cgroup/sendmsg6", "cgroup/sendmsg_unix",
	"cgroup/recvmsg4", "cgroup/recvmsg6", "cgroup/recvmsg_unix", "cgroup/getpeername4",
	"cgroup/getpeername6", "cgroup/getpeername_unix", "cgroup/getsockname4",
	"cgroup/getsockname6", "cgroup/getsockname_unix", "cgroup/sysctl", "cgroup/getsockopt",
	"cgroup/setsockopt", "cgroup/dev", "struct_ops/x", "struct_ops.s/x", "sk_lookup",
	"netfilter", "kprobe", "uprobe", "fentry", "iter", "struct_ops",
};

/* The SEC table against libbpf. */
static void test_sec_table(void)
{
	size_t compared = 0;

	for (size_t i = 0; i < sizeof(sec_names) / sizeof(sec_names[0]); i++) {
		const char *n = sec_names[i];
		enum bpf_prog_type kt;
		enum bpf_attach_type ka;
		uint32_t bt = 0, ba = 0;

		if (!CHECK_MSG(bpfbox_prog_type_by_sec(n, &bt, &ba) == 0, "SEC(\"%s\") unknown", n))
			continue;
		if (libbpf_prog_type_by_name(n, &kt, &ka))
			continue;	/* newer than the installed libbpf */
		compared++;
		CHECK_MSG(bt == (uint32_t)kt && ba == (uint32_t)ka,
			  "SEC(\"%s\"): bpfbox type %u attach %u, libbpf type %u attach %u", n, bt, ba,
			  (unsigned)kt, (unsigned)ka);
	}
	printf("  SEC names: %zu of %zu compared with libbpf %s (the rest are newer than it)\n",
	       compared, sizeof(sec_names) / sizeof(sec_names[0]), libbpf_version_string());
	CHECK(compared > 80);
	/* '?' turns autoload off, the type stays; unknown names are unknown to both */
	{
		uint32_t bt = 0;
		enum bpf_prog_type kt;
		enum bpf_attach_type ka;

		CHECK(bpfbox_prog_type_by_sec("?xdp", &bt, NULL) == 0 && bt == BPFBOX_PROG_TYPE_XDP);
		CHECK_EQ_INT(bpfbox_prog_type_by_sec("bx_custom", NULL, NULL), -ESRCH);
		CHECK(libbpf_prog_type_by_name("bx_custom", &kt, &ka) != 0);
		CHECK_EQ_INT(bpfbox_prog_type_by_sec("xdpx", NULL, NULL), -ESRCH);
		CHECK_EQ_INT(bpfbox_prog_type_by_sec("kprobex/f", NULL, NULL), -ESRCH);
	}
}

/* Sleepable sections: bpfbox's verdict with the section's flags equals the
 * kernel's for the same instructions, type and flags. */
static void test_sleepable(void)
{
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 1);
	struct bpfbox_object *obj = NULL;
	char path[640];

	snprintf(path, sizeof(path), "%s", obj_file);
	strcpy(strstr(path, "load_vars.o"), "load_sleep.o");
	if (!CHECK(bpfbox_object__open_file(path, &oo, &obj) == 0))
		return;
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
		struct bpfbox_program *p = bpfbox_object__program(obj, i);
		struct bpfbox_vm *vm = NULL;
		char n[64];
		int berr, kfd;

		snprintf(n, sizeof(n), "%s", bpfbox_program__name(p));
		bpfbox_object__autoload_only(obj, &p, 1);
		CHECK(bpfbox_vm__new(&vo, &vm) == 0);
		berr = bpfbox_object__load(obj, vm, NULL);
		bpfbox_object__close(obj);	/* reopen: a loaded object stays loaded */
		bpfbox_vm__free(vm);
		obj = NULL;
		CHECK(bpfbox_object__open_file(path, &oo, &obj) == 0);
		p = bpfbox_object__program(obj, i);
		if (!strcmp(n, "sys_sleep") || !strcmp(n, "up_sleep") || !strcmp(n, "tp_plain"))
			CHECK_MSG(berr == 0, "%s: bpfbox refused it (%s)", n, last_log);
		else
			CHECK_MSG(berr != 0, "%s: bpfbox accepted a sleepable %s", n,
				  bpfbox_program__section_name(p));
		if (!have_kernel)
			continue;
		{
			LIBBPF_OPTS(bpf_prog_load_opts, ko, .prog_flags = bpfbox_program__flags(p),
				    .expected_attach_type = bpfbox_program__expected_attach_type(p));

			kfd = bpf_prog_load(bpfbox_program__type(p), n, "GPL",
					    (const struct bpf_insn *)bpfbox_program__insns(p),
					    bpfbox_program__insn_cnt(p), &ko);
			CHECK_MSG((kfd >= 0) == (berr == 0), "%s: kernel %s, bpfbox %s", n,
				  kfd >= 0 ? "accepts" : "refuses", berr ? "refuses" : "accepts");
			if (kfd >= 0)
				close(kfd);
		}
	}
	bpfbox_object__close(obj);
}

int main(int argc, char **argv)
{
	char self[512], why[256], *dir;
	FILE *f;

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	dir = dirname(self);
	snprintf(obj_file, sizeof(obj_file), "%s/../bpf/load_vars.o", dir);
	snprintf(bpfbox_bin, sizeof(bpfbox_bin), "%s/../bpfbox", dir);
	snprintf(pkt_file, sizeof(pkt_file), "/tmp/bx_loader_vars_%d.pkt", (int)getpid());
	if (!CHECK_MSG(access(obj_file, R_OK) == 0, "%s missing (mk/bpf.mk builds it)", obj_file))
		return tl_summary();
	if ((f = fopen(pkt_file, "w"))) {	/* a zeroed 64-byte frame */
		static const uint8_t z[64];

		fwrite(z, 1, sizeof(z), f);
		fclose(f);
	}
	libbpf_set_print(libbpf_quiet);
	have_kernel = kernel_xdp_ok(why, sizeof(why));
	if (!have_kernel)
		printf("  no kernel comparison: %s\n", why);
	TL_RUN(test_sec_table);
	TL_RUN(test_var_api);
	TL_RUN(test_cli_errors);
	TL_RUN(test_sleepable);
	TL_RUN(test_vars_kernel);
	unlink(pkt_file);
	return tl_summary();
}
