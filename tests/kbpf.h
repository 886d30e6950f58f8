/*
 * kbpf.h - the kernel's side of the differential tests: the raw bpf(2)
 * calls (no libbpf) and the error line of a verifier log. Used by
 * tests/vgen.c's judge and tests/test_soundness.c.
 */
#ifndef BPFBOX_TESTS_KBPF_H
#define BPFBOX_TESTS_KBPF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"

/* bpf(cmd, attr): the result, or -errno. attr is a union bpf_attr. */
long kb_sys(int cmd, void *attr);
/* BPF_MAP_CREATE: an fd or -errno. */
int kb_map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max);
/* The same with map_flags and map_extra. */
int kb_map_create_ex(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags,
		     uint64_t extra);
/* One element command on a kernel map (val: the value, or the next key
 * for BPF_MAP_GET_NEXT_KEY): 0 or -errno. */
int kb_map_op(int cmd, int fd, const void *key, void *val, uint64_t flags);
/* BPF_MAP_UPDATE_ELEM (flags BPF_ANY): 0 or -errno. */
int kb_map_update(int fd, const void *key, const void *val);
/* BPF_PROG_TEST_RUN once on data (len bytes, output dropped): 0 and
 * *retval, or -errno. */
int kb_test_run(int fd, const void *data, uint32_t len, uint32_t *retval);
/* BPF_PROG_LOAD (license GPL): an fd or -errno; with log (log_sz > 0) the
 * verifier log at log_level into it. */
int kb_prog_load(uint32_t type, uint32_t eat, const struct bpfbox_insn *insns, size_t cnt,
		 uint32_t flags, char *log, size_t log_sz, uint32_t log_level);
/* The same with BTF func_info ({insn_off, type_id} pairs, fi_cnt of
 * them) against the BTF object btf_fd, as libbpf sends for programs with
 * subprograms; no expected_attach_type, log_level 1. */
int kb_prog_load_btf(uint32_t type, const struct bpfbox_insn *insns, size_t cnt, uint32_t flags,
		     char *log, size_t log_sz, int btf_fd, const uint32_t *fi, size_t fi_cnt);
/* BPF_BTF_LOAD of a BTF with `int`, a prototype `int (void)` and nfuncs
 * static functions of it (type ids 3 .. 3 + nfuncs - 1): an fd or -errno. */
int kb_btf_funcs(unsigned nfuncs);
/* Does bpf(2) work here? Loads `r0 = 0; exit` as a program of type
 * (no log): 0, or the kernel's -errno. */
int kb_probe(uint32_t type);
/* The number after the first key in log ("processed " for the
 * processed-insn count), or -1 if key is not there. */
long long kb_log_num(const char *log, const char *key);
/* The verifier's error: the last line of log that is not an instruction
 * or a summary ("processed ...", "verification time ...", ...). */
void kb_log_error(const char *log, char *out, size_t sz);

/* ---- the kernel as an unprivileged user ---- */

/* Allow unprivileged bpf(2) for this run: as root, set
 * /proc/sys/kernel/unprivileged_bpf_disabled to 0, with a guardian child
 * that writes the old value back when this process closes the returned fd
 * or exits in any way (crash and kill included). Returns that fd, or -1
 * with the reason in why (then no unprivileged loads). */
int kb_unpriv_enable(char *why, size_t why_sz);
/* Restore the sysctl now (close the guard, wait for the guardian). */
void kb_unpriv_restore(int guard);
/* BPF_PROG_LOAD from a child that became nobody (uid/gid 65534, no
 * capabilities): 0 if the kernel accepted it, else -errno with the
 * kernel's error line in msg. log (log_sz bytes) is the child's buffer. */
int kb_prog_load_unpriv(uint32_t type, uint32_t eat, const struct bpfbox_insn *insns, size_t cnt,
			uint32_t flags, char *log, size_t log_sz, char *msg, size_t msg_sz);

#endif /* BPFBOX_TESTS_KBPF_H */
