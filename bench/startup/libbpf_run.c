/*
 * libbpf_run.c - the libbpf side of bench/bench_startup.c: what a libbpf
 * user's tool does to test-run one program, as a whole process: open the
 * object, load it into the kernel (BPF_PROG_LOAD: the kernel's verifier
 * and JIT), BPF_PROG_TEST_RUN it once on a packet, print the return value.
 *
 *   libbpf_run OBJ.o PROG PACKET_FILE      prints "retval = N"
 *
 * Linked with -lbpf alone (libbpf-dev), not with libbpfbox.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* libbpf's messages: quiet */
static int quiet(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Load OBJ, test-run PROG once on the packet; 0 or 1 (with a message). */
int main(int argc, char **argv)
{
	unsigned char pkt[2048], out[2048];
	struct bpf_object *obj;
	struct bpf_program *p;
	size_t n;
	FILE *f;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: libbpf_run OBJ.o PROG PACKET_FILE\n");
		return 2;
	}
	libbpf_set_print(quiet);
	if (!(f = fopen(argv[3], "rb"))) {
		fprintf(stderr, "libbpf_run: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	n = fread(pkt, 1, sizeof(pkt), f);
	fclose(f);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "libbpf_run: %s: cannot load: %s\n", argv[1], strerror(errno));
		return 1;
	}
	p = bpf_object__find_program_by_name(obj, argv[2]);
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = (__u32)n, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	err = p ? bpf_prog_test_run_opts(bpf_program__fd(p), &t) : -ENOENT;
	if (err) {
		fprintf(stderr, "libbpf_run: %s: test run failed: %d\n", argv[2], err);
		bpf_object__close(obj);
		return 1;
	}
	printf("retval = %u\n", t.retval);
	bpf_object__close(obj);
	return 0;
}
