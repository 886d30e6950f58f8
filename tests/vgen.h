/*
 * vgen.h - random eBPF programs for differential verifier fuzzing
 * (tests/test_verifier_fuzz.c, `make fuzz-verifier`), and the judge that
 * hands each one to both verifiers: the kernel's (bpf(2) BPF_PROG_LOAD)
 * and bpfbox's (bpfbox_prog__load).
 *
 * vg_gen() writes instructions directly (no text): a small, mostly valid
 * program for one of five program types (socket filter, sched_cls, XDP,
 * kprobe, raw_tracepoint) built from blocks (scalar arithmetic, stack
 * traffic, bounded loops, map lookups), plus one or more blocks of a
 * "class": a construct behind real verifier bugs (CVE-2020-8835's 32-bit
 * bounds, CVE-2021-3490's ALU32 bounds, CVE-2021-31440's signed/unsigned
 * mixing, CVE-2022-23222's *_OR_NULL arithmetic, CVE-2023-2163's spilled
 * precision, ...). Each class block picks one of its variants at random,
 * some safe and some not; the kernel says which.
 *
 * The generator is a pure function of (seed, class): vg_gen(seed, c)
 * always writes the same program.
 */
#ifndef BPFBOX_TESTS_VGEN_H
#define BPFBOX_TESTS_VGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"

#define VG_MAX_INSNS 768

/* The mutation classes: X(NAME, "description"). */
#define VG_CLASS_MAP(X)                                                              \
	X(PLAIN, "plain (no class block)")                                           \
	X(SPILL_BOUNDS, "bounds of spilled registers")                               \
	X(ALU32_BOUNDS, "32-bit bounds, 64-bit use")                                 \
	X(SIGN_MIX, "signed/unsigned bounds mixing")                                 \
	X(PTR_ARITH, "pointer += partly bounded scalar")                             \
	X(NULL_CHECK, "map lookup null checks")                                      \
	X(PKT_STALE, "packet range after a packet-changing helper")                  \
	X(STACK_MIXED, "spilled pointer partly overwritten")                         \
	X(SUBPROG, "bpf-to-bpf frames, caller stack pointers")                       \
	X(CALLBACK, "bpf_loop / for_each_map_elem callbacks")                        \
	X(TAIL_CALL, "tail calls")                                                   \
	X(ALU32_ZEXT, "ALU32 zero extension")                                        \
	X(NEG_END, "BPF_NEG / BPF_END on pointers and bounded scalars")              \
	X(NARROW_FILL, "fills narrower than the spill")                              \
	X(ATOMIC, "atomics on stack, map values, ctx")                               \
	X(VAR_STACK, "variable stack offsets")                                       \
	X(CTX_OFF, "context field offsets and sizes")                                \
	X(MAPVAL_EDGE, "map value offsets at the boundary")                         \
	X(SIGN_EXT, "movsx / ldsx sign extension, then bounds")

enum vg_class {
#define VG_X(n, d) VG_C_##n,
	VG_CLASS_MAP(VG_X)
#undef VG_X
	VG_C_COUNT
};

/* "spill_bounds" style name and the description of a class. */
const char *vg_class_name(int cls);
const char *vg_class_descr(int cls);

/* The maps every program may use, by index (lddw src 1, imm = index):
 * the judge creates them on both sides and patches the kernel copies. */
enum vg_map {
	VG_MAP_ARRAY = 0,     /* array, key 4, value 48, 4 entries */
	VG_MAP_HASH = 1,      /* hash, key 8, value 16, 8 entries */
	VG_MAP_PROG = 2,      /* prog_array, 4 entries (empty) */
	VG_NMAPS
};
#define VG_ARRAY_VALUE 48
#define VG_ARRAY_ENTRIES 4
#define VG_HASH_VALUE 16
#define VG_HASH_ENTRIES 8
#define VG_PROG_ENTRIES 4

/* The program types generated. */
#define VG_NTYPES 5
extern const uint32_t vg_types[VG_NTYPES];

struct vg_prog {
	struct bpfbox_insn insn[VG_MAX_INSNS];
	size_t cnt;
	uint32_t type;        /* BPFBOX_PROG_TYPE_* */
	int cls;              /* enum vg_class */
};

/* Write the program of (seed, cls) into *p; cls < 0: a class drawn from
 * the seed (one in ten programs plain). */
void vg_gen(uint64_t seed, int cls, struct vg_prog *p);

/* ---- the judge ----------------------------------------------------------- */

enum vg_verdict { VG_REJECT = 0, VG_ACCEPT = 1, VG_UNKNOWN = -1 };

struct vg_judge {
	struct bpfbox_vm *vm;
	struct bpfbox_map *bmaps[VG_NMAPS];
	int kmaps[VG_NTYPES][VG_NMAPS];   /* per type: a prog_array takes its owner's type */
	int btf_fd;                       /* BTF for func_info (programs with subprograms) */
	bool kernel;                      /* bpf(2) works */
	bool unpriv;                      /* judge as an unprivileged user: the kernel's
					   * load from a child as nobody (kb_prog_load_unpriv,
					   * after kb_unpriv_enable), bpfbox's with .unpriv */
	char kernel_why[128];             /* why not */
	char *klog;                       /* kernel log (on request) */
	size_t klog_sz;
	char blog[4096];                  /* bpfbox's log of the last load */
	char vmlog[512];
};

/* Set up both sides (maps, a vm). Returns 0 or -errno (bpfbox failed); the
 * kernel being unavailable is not an error: j->kernel says. */
int vg_judge_init(struct vg_judge *j);
void vg_judge_free(struct vg_judge *j);

/* The kernel's verdict; with want_log the kernel's log lands in j->klog. */
int vg_kernel(struct vg_judge *j, const struct vg_prog *p, bool want_log);
/* bpfbox's verdict; *out (if not NULL) gets the loaded program. The
 * reason of a reject is in j->blog / j->vmlog. */
int vg_bpfbox(struct vg_judge *j, const struct vg_prog *p, struct bpfbox_prog **out);

/* The kernel's error line of j->klog, and bpfbox's of the last load. */
void vg_kernel_msg(const struct vg_judge *j, char *out, size_t sz);
void vg_bpfbox_msg(const struct vg_judge *j, char *out, size_t sz);

/* Run an accepted program over `ninputs` random inputs (from seed), in
 * CHECKED mode, then (if that was clean) TRUSTED on the interpreter.
 * Returns the number of checked runs that faulted (-EFAULT: a soundness
 * failure), the first described in why; *other counts other failures. */
unsigned vg_run(struct vg_judge *j, struct bpfbox_prog *prog, uint64_t seed, unsigned ninputs,
		char *why, size_t why_sz, unsigned *other);

/* Shrink p while the kernel still rejects it and bpfbox still accepts it:
 * instructions become `r0 = 0` / `ja +0`, then those are deleted (jump
 * offsets fixed). Returns the number of loads tried. */
unsigned vg_minimise(struct vg_judge *j, struct vg_prog *p);

/* Print the program, disassembled by bpfbox, indented. */
void vg_print(const struct vg_prog *p, const char *indent);

/* The same as C initializer entries I(code, dst, src, off, imm). */
void vg_print_c(const struct vg_prog *p);

/* A printable name of a program type. */
const char *vg_type_name(uint32_t type);

#endif /* BPFBOX_TESTS_VGEN_H */
