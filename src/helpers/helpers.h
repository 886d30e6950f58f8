/*
 * helpers.h - the kernel's helper functions (bpf_map_lookup_elem(),
 * bpf_trace_printk(), ...) with the kernel's ids and semantics: the
 * prototype model the verifier reads, registration into a vm, and the
 * shared argument checks of the implementations (helpers_*.c).
 *
 * Pointer arguments in checked mode: every pointer a helper dereferences
 * is checked with bpfbox_call__check_mem() first (maps: the pointer must be
 * one of the program's maps, or an inner map a lookup handed out). A bad
 * pointer stops the run with -EFAULT and a log line naming the helper and
 * the argument ("bpf_map_update_elem: arg 3 (value): ..."), as a verifier
 * would have refused the program. In trusted mode the verifier vouches.
 */
#ifndef BXK_HELPERS_H
#define BXK_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "helpers/helper_table.h"

struct bpfbox_vm;
struct bpfbox_call;
struct bpfbox_map;

/* ---- prototypes (modelled on the kernel's bpf_arg_type / bpf_return_type) -- */

/* Type flags, combined with a base kind as the kernel does. */
#define BXK_PTR_MAYBE_NULL (1u << 8)
#define BXK_MEM_RDONLY     (1u << 9)
#define BXK_MEM_UNINIT     (1u << 10)
#define BXK_OBJ_RELEASE    (1u << 11)
#define BXK_BASE_TYPE(t)   ((t) & 0xffu)

enum bxk_arg {
	BXK_ARG_DONTCARE = 0,          /* unused argument */
	BXK_ARG_CONST_MAP_PTR,         /* a map */
	BXK_ARG_PTR_TO_MAP_KEY,        /* key_size readable bytes */
	BXK_ARG_PTR_TO_MAP_VALUE,      /* value_size readable bytes */
	BXK_ARG_PTR_TO_MEM,            /* memory; size in the next CONST_SIZE arg */
	BXK_ARG_CONST_SIZE,            /* size > 0 of the previous PTR_TO_MEM */
	BXK_ARG_CONST_SIZE_OR_ZERO,    /* size >= 0 */
	BXK_ARG_PTR_TO_CTX,            /* the program's context */
	BXK_ARG_ANYTHING,              /* any value */
	BXK_ARG_PTR_TO_FUNC,           /* a callback (lddw src=4) */
	BXK_ARG_PTR_TO_STACK,          /* the program's stack */
	BXK_ARG_PTR_TO_CONST_STR,      /* NUL-terminated, in a read-only map value */
	BXK_ARG_PTR_TO_LONG,           /* 8 bytes */
	BXK_ARG_PTR_TO_ALLOC_MEM,      /* memory a helper allocated (ringbuf record) */
	BXK_ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size of the memory to allocate */
	BXK_ARG__BASE_MAX,

	/* combinations the table uses */
	BXK_ARG_PTR_TO_UNINIT_MAP_VALUE = BXK_ARG_PTR_TO_MAP_VALUE | BXK_MEM_UNINIT,
	BXK_ARG_PTR_TO_MEM_RDONLY = BXK_ARG_PTR_TO_MEM | BXK_MEM_RDONLY,
	BXK_ARG_PTR_TO_MEM_RDONLY_OR_NULL = BXK_ARG_PTR_TO_MEM | BXK_MEM_RDONLY | BXK_PTR_MAYBE_NULL,
	BXK_ARG_PTR_TO_UNINIT_MEM = BXK_ARG_PTR_TO_MEM | BXK_MEM_UNINIT,
	BXK_ARG_PTR_TO_UNINIT_MEM_OR_NULL = BXK_ARG_PTR_TO_MEM | BXK_MEM_UNINIT | BXK_PTR_MAYBE_NULL,
	BXK_ARG_PTR_TO_STACK_OR_NULL = BXK_ARG_PTR_TO_STACK | BXK_PTR_MAYBE_NULL,
	BXK_ARG_PTR_TO_RINGBUF_MEM_RELEASE = BXK_ARG_PTR_TO_ALLOC_MEM | BXK_OBJ_RELEASE,
};

enum bxk_ret {
	BXK_RET_INTEGER = 0,                 /* a scalar */
	BXK_RET_VOID,                        /* nothing (r0 unreadable) */
	BXK_RET_PTR_TO_MAP_VALUE,
	BXK_RET_PTR_TO_MEM,                  /* memory of a known size */
	BXK_RET_PTR_TO_ALLOC_MEM,            /* helper-allocated memory (ringbuf) */
	BXK_RET_PTR_TO_BTF_ID_TASK,          /* trusted struct task_struct * (the kernel's
					      * RET_PTR_TO_BTF_ID_TRUSTED, ret_btf_id task_struct) */
	BXK_RET__BASE_MAX,

	BXK_RET_PTR_TO_MAP_VALUE_OR_NULL = BXK_RET_PTR_TO_MAP_VALUE | BXK_PTR_MAYBE_NULL,
	BXK_RET_PTR_TO_RINGBUF_MEM_OR_NULL = BXK_RET_PTR_TO_ALLOC_MEM | BXK_PTR_MAYBE_NULL,
};


/* One helper's prototype. */
struct bxk_proto {
	uint32_t id;
	const char *name;          /* without the bpf_ prefix */
	bpfbox_helper_fn fn;
	bool gpl_only;
	uint32_t ret;              /* enum bxk_ret (| flags) */
	uint32_t arg[5];           /* enum bxk_arg (| flags) */
	uint32_t sets;             /* enum bx_helper_set mask (core/prog_type.h) */
};

/* The table rows, in table order, and their count. */
extern const struct bxk_proto bxk_protos[];
extern const size_t bxk_nprotos;

/* The prototype of kernel helper `id`, or NULL if bpfbox has none. */
const struct bxk_proto *bxk_proto(uint32_t id);

/* Is helper `id` of vm the table's own function (not an embedder's
 * replacement)? */
bool bxk_helper_is_builtin(const struct bpfbox_vm *vm, uint32_t id);

/*
 * Register every helper of the table in `vm` (bpfbox_vm__new() does this
 * unless opts.no_kernel_helpers). Returns 0 or a negative errno.
 */
int bxk_register_kernel_helpers(struct bpfbox_vm *vm);

/* The ids of the table's helpers by name: BXK_ID_map_lookup_elem, ...
 * (the kernel's BPF_FUNC_*), so that no other file keeps its own list. */
#define BXK_ID_ROW(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS) BXK_ID_##NAME = ID,
enum bxk_helper_id { BXK_HELPER_TABLE(BXK_ID_ROW) };
#undef BXK_ID_ROW

/* The C functions of the table. */
#define BXK_DECLARE(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS) \
	uint64_t FN(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3, \
		    uint64_t r4, uint64_t r5);
BXK_HELPER_TABLE(BXK_DECLARE)
#undef BXK_DECLARE

/* ---- shared by the implementations --------------------------------------- */

/* Cast a register to a pointer / a pointer to a register. */
#define BXK_PTR(r) ((void *)(uintptr_t)(r))
#define BXK_REG(p) ((uint64_t)(uintptr_t)(p))

/*
 * Check that [ptr, ptr+len) is memory the program may read (write =
 * false) or write. Trusted runs: always 0. Checked runs: on failure logs
 * "bpf_HELPER: arg N (WHAT): ..." , stops the run (-EFAULT) and returns
 * -EFAULT. len 0 is always fine.
 */
int bxk_arg_mem(struct bpfbox_call *call, const char *helper, int argno,
		const char *what, uint64_t ptr, uint64_t len, bool write);

/*
 * The map behind a CONST_MAP_PTR argument, or NULL (the run is then
 * stopped with -EFAULT and a log line in checked mode; a NULL pointer is
 * refused in both modes). Checked runs accept the program's own maps and
 * inner maps that a map-in-map lookup of this run handed out.
 */
struct bpfbox_map *bxk_arg_map(struct bpfbox_call *call, const char *helper,
			       int argno, uint64_t ptr);

/*
 * Let a checked program access the value at `value` of map `m` (a lookup
 * result): registers the value, or the whole storage block of an array,
 * as a run region (writable unless BPFBOX_F_RDONLY_PROG). Returns 0 or a
 * negative errno (logged, the run is stopped).
 */
int bxk_allow_value(struct bpfbox_call *call, const char *helper,
		    struct bpfbox_map *m, void *value);

/* ---- memory of the process the run serves (helpers_probe.c) ------------- */

/*
 * Which address space a probe read targets. Today both are this process
 * (the "kernel" memory of bpfbox: stacks, contexts, maps, and the user
 * memory of the process the hook serves, which is this process too).
 * bxk_mem_pid() is the one place to change when a hook serves another
 * process (the tracing issue points BXK_MEM_USER at the traced pid).
 */
enum bxk_mem_space {
	BXK_MEM_KERNEL = 0,
	BXK_MEM_USER = 1,
};

/* The pid whose memory a read of `space` goes to. */
int bxk_mem_pid(const struct bpfbox_call *call, enum bxk_mem_space space);

/* Implemented by the hooks, declared here so that this folder need not
 * include theirs: the traced task of a tracer run, or 0 (src/trace,
 * trace_helpers.c); the packet buffer a packet run owns and keeps
 * mapped, or false (src/pkt, helpers_pkt.c). */
int bxh_trace_pid(const struct bpfbox_call *call);
bool bxh_hook_mem(const struct bpfbox_call *call, const void **buf, uint64_t *len);
/* The traced task's user ip, sp and rbp at the event of a tracer run, and
 * in *orig the original byte at ip when a uprobe's int3 sits there (else
 * -1): 0, or -ENOENT outside a tracer run (src/trace, trace_helpers.c). */
int bxh_trace_user_regs(const struct bpfbox_call *call, uint64_t *ip, uint64_t *sp,
			uint64_t *bp, int *orig);

/* Copy len bytes from `addr` in `space`: 0, or -EFAULT if any byte is
 * unreadable (dst contents then undefined). Never crashes. */
int bxk_mem_read(const struct bpfbox_call *call, enum bxk_mem_space space,
		 void *dst, uint64_t addr, size_t len);

/* Copy a NUL-terminated string of at most size bytes (incl. the NUL,
 * always written when size > 0): the length copied incl. the NUL, or
 * -EFAULT if a byte before the NUL is unreadable. As the kernel's
 * strncpy_from_*_nofault(). */
long bxk_mem_read_str(const struct bpfbox_call *call, enum bxk_mem_space space,
		      char *dst, uint64_t addr, size_t size);

/* ---- formatting (helpers_trace.c) ---------------------------------------- */

/* The kernel's limits. */
#define BXK_MAX_TRACE_PRINTK_VARARGS 3
#define BXK_MAX_BPRINTF_VARARGS 12
#define BXK_MAX_BPRINTF_BUF 1024
#define BXK_MAX_BPRINTF_BIN_ARGS 512

/*
 * Format as the kernel's bpf_bprintf_prepare() + bstr_printf(): fmt is
 * fmt_len bytes (no NUL among them), args[0..nargs) the raw arguments.
 * Writes at most size bytes incl. a NUL into out (nothing if the format
 * is refused). Returns the length of the whole output (as vsnprintf), or
 * -EINVAL (bad format, logged at debug level) / -ENOSPC (strings longer
 * than the kernel's 512-byte argument buffer).
 */
int bxk_bprintf(const struct bpfbox_call *call, char *out, size_t size,
		const char *fmt, size_t fmt_len, const uint64_t *args,
		uint32_t nargs);

/* ---- checksums (helpers_misc.c) -------------------------------------------- */

/* The kernel's csum_partial() (x86-64 flavour: a 64-bit one's-complement
 * sum folded to 32 bits, added to sum). */
uint32_t bxk_csum_partial(const void *buf, size_t len, uint32_t sum);

#endif /* BXK_HELPERS_H */
