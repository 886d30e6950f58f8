/*
 * load_run.c - the README's library example as a whole program: load a
 * BPF object built by clang, as libbpf does, and test-run one of its
 * programs, as BPF_PROG_TEST_RUN does; then read its map through the
 * syscall-path API.
 *
 *   load_run [OBJ.o]      default: build/examples/xdp_drop_tcp.o
 *
 * Runs xdp_drop_tcp on an IPv4 TCP packet and prints the verdict and the
 * per-CPU "stats" counter for XDP_DROP. Build it against an installed
 * libbpfbox with  cc load_run.c $(pkg-config --cflags --libs libbpfbox)
 * (tests/test_install.sh does), or with `make examples`.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bpfbox/bpfbox.h>

/* Print the library's warnings and errors. */
static void log_fn(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		fprintf(stderr, "bpfbox: %s\n", msg);
}

/* Load the object, run xdp_drop_tcp once on a TCP packet, read "stats". */
int main(int argc, char **argv)
{
	static const unsigned char pkt[] = {   /* IPv4 TCP 10.0.0.1:12345 -> 10.0.0.2:80 */
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, 0x45, 0, 0, 0x28, 0, 0x01,
		0x40, 0, 0x40, 0x06, 0, 0, 0x0a, 0, 0, 0x01, 0x0a, 0, 0, 0x02, 0x30, 0x39, 0, 0x50, 0, 0,
		0, 0x01, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	};
	const char *path = argc > 1 ? argv[1] : "build/examples/xdp_drop_tcp.o";
	unsigned char out[128];
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_object *obj = NULL;
	struct bpfbox_program *p;
	struct bpfbox_map *stats;
	uint64_t *values = NULL, drops = 0;
	uint32_t key = 1;   /* STAT_DROP in xdp_drop_tcp.bpf.c */
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_fn);
	BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err = bpfbox_vm__new(&vo, &vm);             /* kernel helpers registered */

	if (!err)
		err = bpfbox_object__open_file(path, &oo, &obj);
	if (!err)
		err = bpfbox_object__load(obj, vm, NULL);   /* maps created, programs loaded */
	p = err ? NULL : bpfbox_object__find_program_by_name(obj, "xdp_drop_tcp");
	if (!err && !p)
		err = -2;
	if (!err)
		err = bpfbox_prog__test_run(bpfbox_program__prog(p), &t);
	stats = err ? NULL : bpfbox_object__find_map_instance(obj, "stats");
	if (stats) {   /* per-CPU: one value per simulated CPU; their sum */
		uint32_t ncpu = bpfbox_map__nr_cpus(stats);

		values = calloc(ncpu, sizeof(*values));
		if (values && !bpfbox_map__lookup_elem(stats, &key, values, 0))
			for (uint32_t c = 0; c < ncpu; c++)
				drops += values[c];
	}
	if (!err)
		printf("retval = %u (%s), %u bytes out, stats[drop] = %llu\n", t.retval,
		       t.retval == 1 ? "XDP_DROP" : "other", t.data_size_out, (unsigned long long)drops);
	else
		fprintf(stderr, "load_run: %s: error %d\n", path, err);
	free(values);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return err ? 1 : 0;
}
