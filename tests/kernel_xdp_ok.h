/*
 * kernel_xdp_ok.h - for the tests that compare with the kernel through
 * libbpf (include after <bpf/bpf.h> and <linux/bpf.h>): can this machine
 * load and test-run a trivial XDP program? A header, not a helper .c
 * file in tests/, because those are linked into every test and this needs -lbpf.
 */
#ifndef BPFBOX_TESTS_KERNEL_XDP_OK_H
#define BPFBOX_TESTS_KERNEL_XDP_OK_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* kernel_xdp_ok - true, or false with the reason in why */
static inline bool kernel_xdp_ok(char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint8_t pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt));
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", insns, 2, NULL);

	if (fd < 0) {
		snprintf(why, len, "bpf(BPF_PROG_LOAD) failed: %s", strerror(errno));
		return false;
	}
	if (bpf_prog_test_run_opts(fd, &t)) {
		snprintf(why, len, "BPF_PROG_TEST_RUN failed: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

#endif /* BPFBOX_TESTS_KERNEL_XDP_OK_H */
