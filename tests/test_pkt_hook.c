/*
 * test_pkt_hook.c - the packet hook (include/bpfbox/hooks.h): for every
 * stateless program of tests/bpf/pkt_{xdp,tc,sock}.o, on thousands of
 * generated packets (tests/pktgen.c) plus jumbo and runt frames, one hook
 * reused for all packets gives what bpfbox_prog__test_run() gives for each
 * packet alone (return code, retval, output packet), with the JIT, the
 * interpreter and in checked mode; devmap / devmap_hash semantics and
 * bpf_redirect_map results; wrong program types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/hooks.h"
#include "pktgen.h"
#include "testlib.h"

#define NPKT 4000

static char last_log[1024];

static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

static struct bpfbox_vm *vm;

/* the packets: pktgen's, then a few jumbo (multi-buffer XDP) and runt frames */
static uint8_t *pkts[NPKT + 8];
static uint32_t lens[NPKT + 8];
static unsigned npkts;

static void make_packets(void)
{
	struct pktgen g;
	static const uint32_t extra[] = { 3520, 3521, 5000, 9000, 13, 0, 14, 3712 };

	pktgen_init(&g, 6);
	for (unsigned i = 0; i < NPKT; i++) {
		pkts[i] = malloc(1600);
		lens[i] = (uint32_t)pktgen_next(&g, pkts[i], 1600, NULL);
	}
	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		unsigned k = NPKT + i;

		pkts[k] = calloc(1, extra[i] + 1);
		lens[k] = extra[i];
		if (extra[i] >= 34) {	/* an IPv4 / TCP frame, then a pattern */
			memcpy(pkts[k], pkts[0], 34);
			pkts[k][12] = 0x08;
			pkts[k][13] = 0x00;
			for (uint32_t j = 34; j < extra[i]; j++)
				pkts[k][j] = (uint8_t)(j * 7);
		}
	}
	npkts = NPKT + (unsigned)(sizeof(extra) / sizeof(extra[0]));
}

/*
 * compare - run every packet through one hook of prog (mode / engine) and
 * through a test run each; count mismatches (report the first few).
 */
static void compare(struct bpfbox_prog *prog, const char *name, enum bpfbox_run_mode mode,
		    enum bpfbox_engine engine)
{
	BPFBOX_OPTS(bpfbox_pkt_hook_opts, ho, .mode = mode, .engine = engine);
	static uint8_t out[80 * 1024];
	struct bpfbox_pkt_hook *h = NULL;
	unsigned bad = 0, ran = 0, refused = 0;
	int err;

	err = bpfbox_pkt_hook__new(prog, &ho, &h);
	if (!CHECK_MSG(err == 0, "%s: hook: %d %s", name, err, last_log))
		return;
	for (unsigned i = 0; i < npkts; i++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, to, .data_in = pkts[i], .data_size_in = lens[i],
			    .data_out = out, .data_size_out = sizeof(out), .mode = mode,
			    .engine = engine);
		struct bpfbox_pkt_result r;
		int e1 = bpfbox_prog__test_run(prog, &to);
		int e2 = bpfbox_pkt_hook__run(h, pkts[i], lens[i], &r);
		bool ok = e1 == e2;

		if (ok && !e1) {
			ok = r.action == to.retval && r.retval == to.r0 &&
			     r.meta_len + r.len == to.data_size_out &&
			     memcmp(r.data - r.meta_len, out, to.data_size_out) == 0;
			ran++;
		} else if (ok) {
			refused++;
		}
		if (!ok && bad++ < 3)
			CHECK_MSG(0, "%s (mode %d engine %d) packet %u (%u bytes): test run %d ret %u len %u, hook %d ret %u len %u+%u",
				  name, mode, engine, i, lens[i], e1, to.retval, to.data_size_out, e2,
				  r.action, r.meta_len, r.len);
	}
	CHECK_MSG(bad == 0, "%s: %u of %u packets differ", name, bad, npkts);
	CHECK_MSG(ran > npkts / 2, "%s: only %u packets ran (%u refused)", name, ran, refused);
	bpfbox_pkt_hook__free(h);
}

/* every program of build/bpf/NAME.o, in every engine */
static void test_object(const char *file)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	struct bpfbox_object *obj = NULL;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bpf/%s", build, file);
	if (!CHECK_MSG((f = fopen(path, "rb")) != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return;
	fclose(f);
	if (!CHECK_EQ_INT(bpfbox_object__open_file(path, &oo, &obj), 0))
		return;
	if (!CHECK_MSG(bpfbox_object__load(obj, vm, NULL) == 0, "%s: %s", path, last_log)) {
		bpfbox_object__close(obj);
		return;
	}
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
		struct bpfbox_program *p = bpfbox_object__program(obj, i);
		struct bpfbox_prog *prog = bpfbox_program__prog(p);

		if (!prog)
			continue;
		compare(prog, bpfbox_program__name(p), BPFBOX_RUN_AUTO, BPFBOX_ENGINE_DEFAULT);
		compare(prog, bpfbox_program__name(p), BPFBOX_RUN_AUTO, BPFBOX_ENGINE_INTERP);
		compare(prog, bpfbox_program__name(p), BPFBOX_RUN_CHECKED, BPFBOX_ENGINE_INTERP);
	}
	bpfbox_object__close(obj);
}

#define I(c, d, s, o, i) ((struct bpfbox_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOVK(d, i)  I(0xb7, d, 0, 0, i)
#define CALL(id)    I(0x85, 0, 0, 0, id)
#define EXIT()      I(0x95, 0, 0, 0, 0)
#define LDMAP(d, i) I(0x18, d, 1, 0, i), I(0, 0, 0, 0, 0)

/* devmap and devmap_hash as maps, and bpf_redirect_map through a hook */
static void test_devmap(void)
{
	struct bpfbox_map *dm = NULL, *dh = NULL;
	uint32_t k, v, next, v2[2];
	uint8_t pkt[64] = { 0 };
	struct bpfbox_pkt_result r;
	struct bpfbox_pkt_hook *h = NULL;
	struct bpfbox_prog *prog = NULL;
	int err;

	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_DEVMAP, 4, 4, 8, NULL, &dm), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_DEVMAP_HASH, 4, 8, 8, NULL, &dh), 0);
	CHECK(bpfbox_map__create(BPFBOX_MAP_TYPE_DEVMAP, 4, 12, 8, NULL, &(struct bpfbox_map *){ 0 }) == -EINVAL);
	CHECK_STR(bpfbox_map_type_name(BPFBOX_MAP_TYPE_DEVMAP), "devmap");
	CHECK_STR(bpfbox_map_type_name(BPFBOX_MAP_TYPE_DEVMAP_HASH), "devmap_hash");
	if (!dm || !dh)
		goto out;
	k = 3; v = 7;
	CHECK_EQ_INT(bpfbox_map__lookup_elem(dm, &k, &v, 0), -ENOENT);
	v = 7;
	CHECK_EQ_INT(bpfbox_map__update_elem(dm, &k, &v, BPFBOX_ANY), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(dm, &k, &v, BPFBOX_NOEXIST), -EEXIST);
	k = 8;
	CHECK_EQ_INT(bpfbox_map__update_elem(dm, &k, &v, BPFBOX_ANY), -E2BIG);
	k = 3; v = 0;
	CHECK_EQ_INT(bpfbox_map__lookup_elem(dm, &k, &v, 0), 0);
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(bpfbox_map__get_next_key(dm, NULL, &next), 0);
	CHECK_EQ_INT(next, 0);
	k = 7;
	CHECK_EQ_INT(bpfbox_map__get_next_key(dm, &k, &next), -ENOENT);
	k = 5; v = 0;	/* ifindex 0 empties */
	CHECK_EQ_INT(bpfbox_map__update_elem(dm, &k, &v, BPFBOX_ANY), 0);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(dm, &k, &v, 0), -ENOENT);
	k = 1; v2[0] = 9; v2[1] = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(dh, &k, v2, BPFBOX_EXIST), 0);
	v2[1] = 5;	/* a devmap program fd */
	CHECK_EQ_INT(bpfbox_map__update_elem(dh, &k, v2, BPFBOX_ANY), -EOPNOTSUPP);
	v2[0] = 0; v2[1] = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(dh, &k, v2, BPFBOX_ANY), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(dh, &k, v2, 0), 0);
	CHECK_EQ_INT(v2[0], 9);
	CHECK_EQ_INT(v2[1], 0);

	/* redirect_map(dm, 3, XDP_PASS) and redirect_map(dm, 4, XDP_PASS) */
	for (int key = 3; key <= 4; key++) {
		struct bpfbox_insn insns[] = {
			LDMAP(1, 0), MOVK(2, key), MOVK(3, 2), CALL(51), EXIT(),
		};
		struct bpfbox_map *maps[] = { dm };
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "redir", .prog_type = BPFBOX_PROG_TYPE_XDP,
			    .license = "GPL", .maps = maps, .map_cnt = 1);

		err = bpfbox_prog__load(vm, insns, sizeof(insns) / sizeof(insns[0]), &po, &prog);
		if (!CHECK_MSG(err == 0, "load redirect prog: %s", last_log))
			break;
		CHECK_EQ_INT(bpfbox_pkt_hook__new(prog, NULL, &h), 0);
		if (h && CHECK_EQ_INT(bpfbox_pkt_hook__run(h, pkt, sizeof(pkt), &r), 0)) {
			if (key == 3) {
				CHECK_EQ_INT(r.action, 4);	/* XDP_REDIRECT */
				CHECK_EQ_INT(r.redirect_ifindex, 7);
				CHECK(r.redirect_map == dm);
				CHECK_EQ_INT(r.redirect_key, 3);
				CHECK_EQ_INT(r.redirect_map_type, BPFBOX_MAP_TYPE_DEVMAP);
			} else {
				CHECK_EQ_INT(r.action, 2);	/* the flags' fallback: XDP_PASS */
				CHECK_EQ_INT(r.redirect_ifindex, 0);
			}
			CHECK_EQ_INT(r.len, sizeof(pkt));
		}
		bpfbox_pkt_hook__free(h);
		h = NULL;
		bpfbox_prog__free(prog);
		prog = NULL;
	}
out:
	bpfbox_map__free(dm);
	bpfbox_map__free(dh);
}

/* refusals: wrong program types, bad options, short packets */
static void test_refusals(void)
{
	struct bpfbox_insn insns[] = { MOVK(0, 2), EXIT() };
	struct bpfbox_pkt_hook *h = (void *)1;
	struct bpfbox_pkt_result r;
	struct bpfbox_prog *prog = NULL;
	uint8_t pkt[20] = { 0 };

	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "kp", .prog_type = BPFBOX_PROG_TYPE_KPROBE,
		    .license = "GPL");
	if (CHECK_EQ_INT(bpfbox_prog__load(vm, insns, 2, &po, &prog), 0)) {
		CHECK_EQ_INT(bpfbox_pkt_hook__new(prog, NULL, &h), -EINVAL);
		CHECK(h == NULL);
		CHECK_MSG(strstr(last_log, "kprobe") != NULL, "log: %s", last_log);
		bpfbox_prog__free(prog);
	}
	po.prog_type = BPFBOX_PROG_TYPE_XDP;
	prog = NULL;
	if (CHECK_EQ_INT(bpfbox_prog__load(vm, insns, 2, &po, &prog), 0)) {
		BPFBOX_OPTS(bpfbox_pkt_hook_opts, bad, .cpu = 100000);
		BPFBOX_OPTS(bpfbox_pkt_hook_opts, badmode, .mode = 9);

		CHECK_EQ_INT(bpfbox_pkt_hook__new(prog, &bad, &h), -EINVAL);
		CHECK_EQ_INT(bpfbox_pkt_hook__new(prog, &badmode, &h), -EINVAL);
		CHECK_EQ_INT(bpfbox_pkt_hook__new(prog, NULL, &h), 0);
		CHECK_EQ_INT(bpfbox_pkt_hook__run(h, pkt, 13, &r), -EINVAL);
		CHECK_EQ_INT(bpfbox_pkt_hook__run(h, pkt, 14, &r), 0);
		CHECK_EQ_INT(r.action, 2);
		CHECK_EQ_INT(bpfbox_pkt_hook__run(h, NULL, 14, &r), -EINVAL);
		CHECK(bpfbox_pkt_hook__prog(h) == prog);
		bpfbox_pkt_hook__free(h);
		bpfbox_prog__free(prog);
	}
	CHECK_STR(bpfbox_pkt_action_name(BPFBOX_PROG_TYPE_XDP, 3), "XDP_TX");
	CHECK_STR(bpfbox_pkt_action_name(BPFBOX_PROG_TYPE_SCHED_CLS, 2), "TC_ACT_SHOT");
	CHECK_STR(bpfbox_pkt_action_name(BPFBOX_PROG_TYPE_SCHED_CLS, UINT32_MAX), "TC_ACT_UNSPEC");
	CHECK_STR(bpfbox_pkt_action_name(BPFBOX_PROG_TYPE_SOCKET_FILTER, 0), "dropped");
	CHECK(bpfbox_pkt_action_name(BPFBOX_PROG_TYPE_XDP, 5) == NULL);
	bpfbox_pkt_hook__free(NULL);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 2);

	if (bpfbox_vm__new(&vo, &vm)) {
		printf("cannot create a vm\n");
		return 1;
	}
	make_packets();
	test_object("pkt_xdp.o");
	test_object("pkt_tc.o");
	test_object("pkt_sock.o");
	TL_RUN(test_devmap);
	TL_RUN(test_refusals);
	for (unsigned i = 0; i < npkts; i++)
		free(pkts[i]);
	bpfbox_vm__free(vm);
	return tl_summary();
}
