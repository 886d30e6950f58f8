/*
 * object.h - reading libbpf-style BPF ELF objects (`clang -O2 -g -target bpf`)
 * into programs, map definitions, BTF and source-line information.
 *
 * The reader is self-contained (no libelf, no libbpf). An object is opened
 * from a file or a memory buffer; everything it hands out (names, relocated
 * instructions, map definitions, BTF) lives until bpfbox_object__close().
 *
 * Numbering follows the kernel: program types are enum bpf_prog_type,
 * attach types enum bpf_attach_type, map types enum bpf_map_type, BTF kinds
 * BTF_KIND_*. Relocated instructions use the kernel's pseudo forms:
 *   lddw src=5 (BPF_PSEUDO_MAP_IDX)        imm = map index
 *   lddw src=6 (BPF_PSEUDO_MAP_IDX_VALUE)  imm = map index, 2nd imm = offset
 *   lddw src=4 (BPF_PSEUDO_FUNC)           imm = pc-relative insn offset
 *   call src=1 (BPF_PSEUDO_CALL)           imm = pc-relative insn offset
 * where "map index" is the position in bpfbox_object__map().
 * See docs/LOADER.md.
 */
#ifndef BPFBOX_OBJECT_H
#define BPFBOX_OBJECT_H

#include "bpfbox/bpfbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* enum bpf_prog_type (include/uapi/linux/bpf.h) */
enum bpfbox_prog_type {
	BPFBOX_PROG_TYPE_UNSPEC = 0,
	BPFBOX_PROG_TYPE_SOCKET_FILTER = 1,
	BPFBOX_PROG_TYPE_KPROBE = 2,
	BPFBOX_PROG_TYPE_SCHED_CLS = 3,
	BPFBOX_PROG_TYPE_SCHED_ACT = 4,
	BPFBOX_PROG_TYPE_TRACEPOINT = 5,
	BPFBOX_PROG_TYPE_XDP = 6,
	BPFBOX_PROG_TYPE_PERF_EVENT = 7,
	BPFBOX_PROG_TYPE_CGROUP_SKB = 8,
	BPFBOX_PROG_TYPE_CGROUP_SOCK = 9,
	BPFBOX_PROG_TYPE_LWT_IN = 10,
	BPFBOX_PROG_TYPE_LWT_OUT = 11,
	BPFBOX_PROG_TYPE_LWT_XMIT = 12,
	BPFBOX_PROG_TYPE_SOCK_OPS = 13,
	BPFBOX_PROG_TYPE_SK_SKB = 14,
	BPFBOX_PROG_TYPE_CGROUP_DEVICE = 15,
	BPFBOX_PROG_TYPE_SK_MSG = 16,
	BPFBOX_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPFBOX_PROG_TYPE_LWT_SEG6LOCAL = 19,
	BPFBOX_PROG_TYPE_LIRC_MODE2 = 20,
	BPFBOX_PROG_TYPE_SK_REUSEPORT = 21,
	BPFBOX_PROG_TYPE_FLOW_DISSECTOR = 22,
	BPFBOX_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	BPFBOX_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPFBOX_PROG_TYPE_TRACING = 26,
	BPFBOX_PROG_TYPE_STRUCT_OPS = 27,
	BPFBOX_PROG_TYPE_EXT = 28,
	BPFBOX_PROG_TYPE_LSM = 29,
	BPFBOX_PROG_TYPE_SK_LOOKUP = 30,
	BPFBOX_PROG_TYPE_SYSCALL = 31,
	BPFBOX_PROG_TYPE_NETFILTER = 32,
};

/* enum bpf_attach_type (the values programs may expect) */
enum bpfbox_attach_type {
	BPFBOX_ATTACH_NONE = 0, /* == BPF_CGROUP_INET_INGRESS; "none" unless the type needs one */
	BPFBOX_CGROUP_INET_INGRESS = 0,
	BPFBOX_CGROUP_INET_EGRESS = 1,
	BPFBOX_CGROUP_INET_SOCK_CREATE = 2,
	BPFBOX_CGROUP_SOCK_OPS = 3,
	BPFBOX_SK_SKB_STREAM_PARSER = 4,
	BPFBOX_SK_SKB_STREAM_VERDICT = 5,
	BPFBOX_CGROUP_DEVICE = 6,
	BPFBOX_SK_MSG_VERDICT = 7,
	BPFBOX_CGROUP_INET4_BIND = 8,
	BPFBOX_CGROUP_INET6_BIND = 9,
	BPFBOX_CGROUP_INET4_CONNECT = 10,
	BPFBOX_CGROUP_INET6_CONNECT = 11,
	BPFBOX_CGROUP_INET4_POST_BIND = 12,
	BPFBOX_CGROUP_INET6_POST_BIND = 13,
	BPFBOX_CGROUP_UDP4_SENDMSG = 14,
	BPFBOX_CGROUP_UDP6_SENDMSG = 15,
	BPFBOX_LIRC_MODE2 = 16,
	BPFBOX_FLOW_DISSECTOR = 17,
	BPFBOX_CGROUP_SYSCTL = 18,
	BPFBOX_CGROUP_UDP4_RECVMSG = 19,
	BPFBOX_CGROUP_UDP6_RECVMSG = 20,
	BPFBOX_CGROUP_GETSOCKOPT = 21,
	BPFBOX_CGROUP_SETSOCKOPT = 22,
	BPFBOX_TRACE_RAW_TP = 23,
	BPFBOX_TRACE_FENTRY = 24,
	BPFBOX_TRACE_FEXIT = 25,
	BPFBOX_MODIFY_RETURN = 26,
	BPFBOX_LSM_MAC = 27,
	BPFBOX_TRACE_ITER = 28,
	BPFBOX_CGROUP_INET4_GETPEERNAME = 29,
	BPFBOX_CGROUP_INET6_GETPEERNAME = 30,
	BPFBOX_CGROUP_INET4_GETSOCKNAME = 31,
	BPFBOX_CGROUP_INET6_GETSOCKNAME = 32,
	BPFBOX_XDP_DEVMAP = 33,
	BPFBOX_CGROUP_INET_SOCK_RELEASE = 34,
	BPFBOX_XDP_CPUMAP = 35,
	BPFBOX_SK_LOOKUP = 36,
	BPFBOX_XDP = 37,
	BPFBOX_SK_SKB_VERDICT = 38,
	BPFBOX_SK_REUSEPORT_SELECT = 39,
	BPFBOX_SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
	BPFBOX_PERF_EVENT = 41,
	BPFBOX_TRACE_KPROBE_MULTI = 42,
	BPFBOX_LSM_CGROUP = 43,
	BPFBOX_STRUCT_OPS = 44,
	BPFBOX_NETFILTER = 45,
	BPFBOX_TCX_INGRESS = 46,
	BPFBOX_TCX_EGRESS = 47,
	BPFBOX_TRACE_UPROBE_MULTI = 48,
	BPFBOX_CGROUP_UNIX_CONNECT = 49,
	BPFBOX_CGROUP_UNIX_SENDMSG = 50,
	BPFBOX_CGROUP_UNIX_RECVMSG = 51,
	BPFBOX_CGROUP_UNIX_GETPEERNAME = 52,
	BPFBOX_CGROUP_UNIX_GETSOCKNAME = 53,
	BPFBOX_NETKIT_PRIMARY = 54,
	BPFBOX_NETKIT_PEER = 55,
	BPFBOX_TRACE_KPROBE_SESSION = 56,
	BPFBOX_TRACE_UPROBE_SESSION = 57,
};

/* The program type and expected attach type a SEC() name gives, as
 * libbpf's libbpf_prog_type_by_name() (libbpf's section table, a leading
 * '?' allowed). Returns 0, or -ESRCH for a name no entry matches. */
BPFBOX_API int bpfbox_prog_type_by_sec(const char *name, uint32_t *prog_type,
				       uint32_t *attach_type);
/* Name of a program type ("xdp", "kprobe", ...) or NULL if unknown. */
BPFBOX_API const char *bpfbox_prog_type_name(uint32_t prog_type);

/* ---- objects ------------------------------------------------------------- */

struct bpfbox_object;
/* struct bpfbox_program is a program IN AN OBJECT file (code, section,
 * type); struct bpfbox_prog (bpfbox.h) is a LOADED program in a vm, which
 * loading the object makes from each bpfbox_program (as libbpf's struct
 * bpf_program vs the kernel's loaded bpf_prog). */
struct bpfbox_program;
struct bpfbox_btf;

struct bpfbox_object_opts {
	size_t sz;
	const char *name;   /* object name for messages; default: file name / "mem" */
	bpfbox_log_fn log;
	void *log_ctx;
	/* CO-RE target BTF (docs/LOADER.md §5): a raw BTF file (as
	 * /sys/kernel/btf/vmlinux) or an ELF object with a .BTF section.
	 * NULL: /sys/kernel/btf/vmlinux when it is readable, else the object's
	 * own BTF (local layout, with a warning); "": the object's own BTF. */
	const char *target_btf_path;
	/* .kconfig externs: extra "CONFIG_X=value" lines (as libbpf's
	 * bpf_object_open_opts.kconfig), looked at before /proc/config.gz and
	 * /boot/config-$(uname -r). NULL: none. */
	const char *kconfig;
	/* Do not read the host's kernel config files (only `kconfig` above). */
	bool no_host_kconfig;
};

/* Open and fully process an object: sections, BTF, BTF.ext, maps, programs
 * with their subprograms appended and every relocation applied. Errors are
 * logged as "NAME: ..." and returned as a negative errno (-EINVAL for a
 * malformed file, -ENOTSUP for constructs bpfbox does not handle, -ENOMEM,
 * or the errno of open/read). The buffer of open_mem() is copied. */
BPFBOX_API int bpfbox_object__open_file(const char *path,
					const struct bpfbox_object_opts *opts,
					struct bpfbox_object **obj_out);
BPFBOX_API int bpfbox_object__open_mem(const void *buf, size_t size,
				       const struct bpfbox_object_opts *opts,
				       struct bpfbox_object **obj_out);
/* Free everything (NULL is fine). */
BPFBOX_API void bpfbox_object__close(struct bpfbox_object *obj);

BPFBOX_API const char *bpfbox_object__name(const struct bpfbox_object *obj);
/* Contents of the "license" section, "" if there is none. */
BPFBOX_API const char *bpfbox_object__license(const struct bpfbox_object *obj);
/* The u32 of the "version" section, 0 if there is none. */
BPFBOX_API uint32_t bpfbox_object__kversion(const struct bpfbox_object *obj);
/* The object's BTF, NULL if it has none. */
BPFBOX_API const struct bpfbox_btf *bpfbox_object__btf(const struct bpfbox_object *obj);
/* The BTF CO-RE relocations were resolved against (the kernel's, a custom
 * one, or the object's own), also the one BTF-typed programs' attach
 * targets are found in; NULL if the object has neither. */
BPFBOX_API const struct bpfbox_btf *bpfbox_object__target_btf(const struct bpfbox_object *obj);
/* Where that target BTF came from: a path, or "" for the object's own BTF. */
BPFBOX_API const char *bpfbox_object__target_btf_path(const struct bpfbox_object *obj);

/* ---- programs ------------------------------------------------------------ */

/* Programs in section order, then by offset inside their section. */
BPFBOX_API size_t bpfbox_object__program_cnt(const struct bpfbox_object *obj);
BPFBOX_API struct bpfbox_program *bpfbox_object__program(const struct bpfbox_object *obj, size_t idx);
/* Iteration: prev NULL gives the first; returns NULL after the last. */
BPFBOX_API struct bpfbox_program *bpfbox_object__next_program(const struct bpfbox_object *obj,
							      const struct bpfbox_program *prev);
BPFBOX_API struct bpfbox_program *bpfbox_object__find_program_by_name(const struct bpfbox_object *obj,
								      const char *name);

BPFBOX_API const char *bpfbox_program__name(const struct bpfbox_program *prog);
/* The ELF section, as written (including a leading '?'). */
BPFBOX_API const char *bpfbox_program__section_name(const struct bpfbox_program *prog);
BPFBOX_API uint32_t bpfbox_program__type(const struct bpfbox_program *prog);
BPFBOX_API uint32_t bpfbox_program__expected_attach_type(const struct bpfbox_program *prog);
/* What the SEC name says to attach to: "do_exit" for kprobe/do_exit,
 * "syscalls/sys_enter_open" for tracepoint/..., "libc.so.6:malloc" for
 * uprobe/...; "" if none. */
BPFBOX_API const char *bpfbox_program__attach_target(const struct bpfbox_program *prog);
/* The SEC table entry that matched: "xdp", "tc", "kprobe+", "tp+", ...
 * ('+' = takes "/TARGET"); "" if the section name is unknown (the type is
 * then UNSPEC and the program is not loadable until
 * bpfbox_program__set_type() gives it one). */
BPFBOX_API const char *bpfbox_program__sec_kind(const struct bpfbox_program *prog);
/* BTF-typed programs (fentry/fexit/fmod_ret, tp_btf, iter, lsm): the
 * attach target's type id in bpfbox_object__target_btf() (the kernel
 * BTF), resolved from the section name when the object is loaded (as
 * the kernel's attach_btf_id); 0 if none or not resolved. */
BPFBOX_API uint32_t bpfbox_program__attach_btf_id(const struct bpfbox_program *prog);
/* libbpf's bpf_program__set_attach_target(): attach to function (or
 * tracepoint, hook, iterator) `name` instead of what the section says;
 * resolved in the kernel BTF at load. Returns 0 or -EINVAL/-ENOMEM. */
BPFBOX_API int bpfbox_program__set_attach_target(struct bpfbox_program *prog, const char *name);
/* Load by default? false for SEC("?...") sections. */
BPFBOX_API bool bpfbox_program__autoload(const struct bpfbox_program *prog);
/* Whether the program can be loaded as is; if not, *reason (if non-NULL)
 * says why, naming the instruction (e.g. an unapplied CO-RE relocation). */
BPFBOX_API bool bpfbox_program__loadable(const struct bpfbox_program *prog, const char **reason);
/* Relocated instructions: the main function followed by the subprograms it
 * uses (directly or indirectly), in the order they were first needed. */
BPFBOX_API const struct bpfbox_insn *bpfbox_program__insns(const struct bpfbox_program *prog);
BPFBOX_API size_t bpfbox_program__insn_cnt(const struct bpfbox_program *prog);
/* Number of instructions of the main function (before subprograms). */
BPFBOX_API size_t bpfbox_program__main_insn_cnt(const struct bpfbox_program *prog);

/* Source position of relocated instruction insn_idx (the nearest BTF.ext
 * line-info record at or before it, in the same function). Out-pointers may
 * be NULL. Returns 0, or -ENOENT if there is no line info for it. */
BPFBOX_API int bpfbox_program__line_info(const struct bpfbox_program *prog, size_t insn_idx,
					 const char **file, uint32_t *line, uint32_t *col,
					 const char **line_text);
/* Name of the function (main program or subprogram) that contains
 * relocated instruction insn_idx and the index where it starts; NULL if
 * insn_idx is out of range. */
BPFBOX_API const char *bpfbox_program__func_at(const struct bpfbox_program *prog, size_t insn_idx,
					       size_t *start);
/* BTF.ext func_info, relocated: BTF FUNC type id of the function starting
 * at *insn_idx. Returns 0 or -ERANGE. */
BPFBOX_API size_t bpfbox_program__func_info_cnt(const struct bpfbox_program *prog);
BPFBOX_API int bpfbox_program__func_info(const struct bpfbox_program *prog, size_t idx,
					 size_t *insn_idx, uint32_t *btf_type_id);
/* The same as the verifier takes it (bpfbox_prog_opts.func_info): each
 * function's first instruction and whether its BTF return type is a
 * scalar (an int of at most 8 bytes or an enum). Fills up to max entries
 * and returns the number of functions. */
BPFBOX_API size_t bpfbox_program__verifier_funcs(const struct bpfbox_program *prog,
						 struct bpfbox_func_info *out, size_t max);

/* enum bpf_core_relo_kind */
enum bpfbox_core_relo_kind {
	BPFBOX_CORE_FIELD_BYTE_OFFSET = 0,
	BPFBOX_CORE_FIELD_BYTE_SIZE = 1,
	BPFBOX_CORE_FIELD_EXISTS = 2,
	BPFBOX_CORE_FIELD_SIGNED = 3,
	BPFBOX_CORE_FIELD_LSHIFT_U64 = 4,
	BPFBOX_CORE_FIELD_RSHIFT_U64 = 5,
	BPFBOX_CORE_TYPE_ID_LOCAL = 6,
	BPFBOX_CORE_TYPE_ID_TARGET = 7,
	BPFBOX_CORE_TYPE_EXISTS = 8,
	BPFBOX_CORE_TYPE_SIZE = 9,
	BPFBOX_CORE_ENUMVAL_EXISTS = 10,
	BPFBOX_CORE_ENUMVAL_VALUE = 11,
	BPFBOX_CORE_TYPE_MATCHES = 12,
};

/* One CO-RE relocation of a program (BTF.ext core_relo), relocated. */
struct bpfbox_core_relo {
	size_t insn_idx;        /* index in bpfbox_program__insns() */
	uint32_t type_id;       /* local BTF type id of the root type */
	uint32_t kind;          /* enum bpfbox_core_relo_kind */
	const char *access;     /* access string, "0:1" */
	const char *type_name;  /* name of the root type ("" if anonymous) */
	const char *kind_name;  /* "byte_off", "field_exists", ... */
	/* Outcome (see docs/LOADER.md §5): poisoned = no target match, the
	 * instruction became `call 0xbad2310` (the verifier rejects it if it is
	 * reachable: "invalid func unknown#195896080"). */
	bool applied;
	bool poisoned;
	uint64_t orig_val;      /* value in the local (compile-time) layout */
	uint64_t new_val;       /* value in the target layout */
};

BPFBOX_API size_t bpfbox_program__core_relo_cnt(const struct bpfbox_program *prog);
BPFBOX_API const struct bpfbox_core_relo *bpfbox_program__core_relo(const struct bpfbox_program *prog,
								    size_t idx);

/* ---- map definitions ----------------------------------------------------- */

enum bpfbox_map_origin {
	BPFBOX_MAP_LEGACY = 0,  /* struct bpf_map_def in SEC("maps") */
	BPFBOX_MAP_BTF = 1,     /* BTF-defined, SEC(".maps") */
	BPFBOX_MAP_DATA = 2,    /* global data: .data, .rodata, .bss, .data.*, .rodata.* */
	BPFBOX_MAP_KCONFIG = 3, /* .kconfig externs: read-only data map made by the loader */
};

/* One initial slot of a prog array or map-in-map (`__array(values, ...)`). */
struct bpfbox_map_init {
	uint32_t slot;          /* key */
	const char *prog_name;  /* for prog arrays: the program, else NULL */
	const char *map_name;   /* for map-in-maps: the inner map, else NULL */
	int map_idx;            /* for map-in-maps: its index, else -1 */
};

/* A read-only description of one map an object needs. */
struct bpfbox_map_def {
	const char *name;
	const char *section;    /* "maps", ".maps", ".data", ... */
	uint32_t origin;        /* enum bpfbox_map_origin */
	uint32_t type;          /* enum bpf_map_type (BPF_MAP_TYPE_HASH = 1, ...) */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;     /* BPF_F_* */
	uint64_t map_extra;
	uint32_t pinning;       /* 0 none, 1 LIBBPF_PIN_BY_NAME */
	uint32_t numa_node;
	uint32_t btf_key_type_id;   /* 0 if unknown */
	uint32_t btf_value_type_id; /* 0 if unknown; DATASEC id for global data */
	/* map-in-map: definition of the inner map (from the __array element
	 * type), else NULL. */
	const struct bpfbox_map_def *inner;
	bool internal;          /* global data (made by the loader) */
	bool readonly;          /* .rodata*: frozen after load, read-only for programs */
	/* Global data: initial value (value_size bytes), NULL for zeros (.bss). */
	const void *init_data;
	/* __array(values) initialisers, sorted by slot. */
	const struct bpfbox_map_init *init;
	size_t init_cnt;
};

BPFBOX_API size_t bpfbox_object__map_cnt(const struct bpfbox_object *obj);
BPFBOX_API const struct bpfbox_map_def *bpfbox_object__map(const struct bpfbox_object *obj, size_t idx);
BPFBOX_API const struct bpfbox_map_def *bpfbox_object__find_map_by_name(const struct bpfbox_object *obj,
									 const char *name);
/* Index of a map definition (-1 if it is not one of obj's top-level maps). */
BPFBOX_API int bpfbox_object__map_idx(const struct bpfbox_object *obj,
				      const struct bpfbox_map_def *def);

/* ---- global variables (.data, .rodata, .bss) before load ---------------- */

/*
 * The initial value of global-data map idx (origin BPFBOX_MAP_DATA): a
 * buffer of value_size bytes (*size) that the caller may change until
 * bpfbox_object__load() copies it into the map, as libbpf's
 * bpf_map__initial_value() (the skeleton's obj->rodata / ->bss). .bss
 * starts zeroed. NULL (no log) if idx is not a global-data map or the
 * object is loaded.
 */
BPFBOX_API void *bpfbox_object__map_initial_value(struct bpfbox_object *obj, size_t idx,
						  size_t *size);
/* Replace it whole, as bpf_map__set_initial_value(): size must be the
 * map's value_size. Returns 0, -EINVAL (not global data, wrong size),
 * -EBUSY (loaded) or -ENOMEM. */
BPFBOX_API int bpfbox_object__set_map_initial_value(struct bpfbox_object *obj, size_t idx,
						    const void *data, size_t size);

/* A global variable, found through the BTF DATASEC of its section. */
struct bpfbox_var {
	const char *name;
	size_t map_idx;         /* its global-data map (bpfbox_object__map()) */
	uint32_t offset;        /* byte offset in that map's value */
	uint32_t size;          /* bytes */
	uint32_t type_id;       /* BTF id of the variable's type (the VAR's type) */
	bool readonly;          /* in .rodata*: programs cannot change it */
};

/* Look up a variable of .data*, .rodata* or .bss by name (the first
 * DATASEC that has it). Returns 0, or -ENOENT (no such variable, or the
 * object has no BTF). */
BPFBOX_API int bpfbox_object__find_var(const struct bpfbox_object *obj, const char *name,
				       struct bpfbox_var *out);
/*
 * Set variable `name` before load from text, typed through its BTF type:
 * integers (decimal, 0x hex, 0 octal; range-checked against the type's
 * size and signedness), bools (true/false/1/0), enums (an enumerator's
 * name or a number), char arrays (a string that fits with its NUL; the
 * rest of the array is zeroed). Returns 0, -ENOENT (unknown variable),
 * -ERANGE (the value does not fit), -EINVAL (not a value of that type),
 * -ENOTSUP (a type text cannot give: pointers, structs, ...) or -EBUSY
 * (loaded); each error is logged naming the variable.
 */
BPFBOX_API int bpfbox_object__set_var(struct bpfbox_object *obj, const char *name,
				      const char *value);

/* ---- BTF ----------------------------------------------------------------- */

enum bpfbox_btf_kind {
	BPFBOX_BTF_KIND_UNKN = 0,
	BPFBOX_BTF_KIND_INT = 1,
	BPFBOX_BTF_KIND_PTR = 2,
	BPFBOX_BTF_KIND_ARRAY = 3,
	BPFBOX_BTF_KIND_STRUCT = 4,
	BPFBOX_BTF_KIND_UNION = 5,
	BPFBOX_BTF_KIND_ENUM = 6,
	BPFBOX_BTF_KIND_FWD = 7,
	BPFBOX_BTF_KIND_TYPEDEF = 8,
	BPFBOX_BTF_KIND_VOLATILE = 9,
	BPFBOX_BTF_KIND_CONST = 10,
	BPFBOX_BTF_KIND_RESTRICT = 11,
	BPFBOX_BTF_KIND_FUNC = 12,
	BPFBOX_BTF_KIND_FUNC_PROTO = 13,
	BPFBOX_BTF_KIND_VAR = 14,
	BPFBOX_BTF_KIND_DATASEC = 15,
	BPFBOX_BTF_KIND_FLOAT = 16,
	BPFBOX_BTF_KIND_DECL_TAG = 17,
	BPFBOX_BTF_KIND_TYPE_TAG = 18,
	BPFBOX_BTF_KIND_ENUM64 = 19,
};

/* One type, decoded. Fields that do not apply to the kind are 0. */
struct bpfbox_btf_type {
	uint32_t id;
	uint32_t kind;          /* enum bpfbox_btf_kind */
	const char *name;       /* "" if anonymous */
	uint32_t vlen;          /* members / enumerators / params / vars; FUNC: linkage */
	bool kflag;
	uint32_t size;          /* INT, STRUCT, UNION, ENUM*, DATASEC, FLOAT */
	uint32_t type;          /* PTR, TYPEDEF, modifiers, FUNC, FUNC_PROTO (return),
				 * VAR, DECL_TAG, ARRAY (element) */
	uint32_t index_type;    /* ARRAY */
	uint32_t nelems;        /* ARRAY */
	uint32_t int_encoding;  /* INT: 1 signed, 2 char, 4 bool */
	uint32_t int_offset;    /* INT: bit offset */
	uint32_t int_bits;      /* INT: bits */
	uint32_t linkage;       /* VAR: 0 static, 1 global, 2 extern; FUNC: same */
	int32_t component_idx;  /* DECL_TAG: -1 for the type itself */
};

/* One member of a STRUCT/UNION, enumerator of ENUM/ENUM64, parameter of a
 * FUNC_PROTO or variable of a DATASEC. */
struct bpfbox_btf_member {
	const char *name;       /* "" if anonymous / DATASEC */
	uint32_t type;          /* member / param / var type; 0 for enumerators */
	uint32_t offset;        /* STRUCT/UNION: bit offset; DATASEC: byte offset */
	uint32_t size;          /* STRUCT/UNION: bitfield size (0 = not one); DATASEC: bytes */
	int64_t value;          /* ENUM/ENUM64 */
};

/* Number of type ids, including the void type 0 (valid ids: 0..cnt-1). */
BPFBOX_API uint32_t bpfbox_btf__type_cnt(const struct bpfbox_btf *btf);
/* Decode type id. Returns 0 or -ENOENT. Type 0 is void (kind UNKN). */
BPFBOX_API int bpfbox_btf__type(const struct bpfbox_btf *btf, uint32_t id,
				struct bpfbox_btf_type *out);
BPFBOX_API int bpfbox_btf__member(const struct bpfbox_btf *btf, uint32_t id, uint32_t idx,
				  struct bpfbox_btf_member *out);
/* Size in bytes of a value of type id (following typedefs, modifiers and
 * arrays; pointers are 8), or a negative errno (-EINVAL for sizeless kinds,
 * -ELOOP for malformed chains, -E2BIG on overflow). */
BPFBOX_API int64_t bpfbox_btf__resolve_size(const struct bpfbox_btf *btf, uint32_t id);
/* Follow typedefs, const/volatile/restrict and type tags. */
BPFBOX_API uint32_t bpfbox_btf__skip_mods(const struct bpfbox_btf *btf, uint32_t id);
/* First type of that kind with that name (kind 0 = any), or -ENOENT. */
BPFBOX_API int bpfbox_btf__find_by_name_kind(const struct bpfbox_btf *btf, const char *name,
					     uint32_t kind);
/* The attach target of a BTF-typed program in a kernel BTF, as libbpf's
 * libbpf_find_vmlinux_btf_id(): for attach type BPF_TRACE_RAW_TP (23) the
 * TYPEDEF btf_trace_<name>, BPF_LSM_MAC (27) the FUNC bpf_lsm_<name>,
 * BPF_TRACE_ITER (28) the FUNC bpf_iter_<name>, else (fentry, fexit,
 * fmod_ret) the FUNC <name>. Returns the type id or -ENOENT. */
BPFBOX_API int bpfbox_btf__find_attach(const struct bpfbox_btf *btf, uint32_t attach_type,
				       const char *name);
/* "int", "struct", ...; "unknown" for out-of-range kinds. */
BPFBOX_API const char *bpfbox_btf_kind_name(uint32_t kind);

/* ---- formatting values through BTF ---------------------------------------- */

enum bpfbox_btf_dump_flags {
	/* JSON instead of C-like text: integers as numbers, structs and
	 * DATASECs as objects, arrays as arrays, char arrays as strings, enums
	 * by name as strings, pointers and untyped bytes as hex strings. */
	BPFBOX_BTF_DUMP_JSON = 1u << 0,
};

/* Format `size` bytes at `data` as a value of BTF type `type_id` into buf,
 * snprintf-style (always NUL-terminated when buflen > 0; returns the length
 * the whole text needs, so a return >= buflen means it was truncated).
 * Text: structs and unions as {.field = value, ...}, integers in decimal
 * (bool as true/false), arrays as [a, b], char arrays as "string", enums
 * by enumerator name, pointers as 0x..., kinds without a value (void,
 * func, ...) as hex bytes. Returns -EINVAL if the type is bigger than
 * `size` or flags are unknown, -ENOENT for an unknown type id. */
BPFBOX_API int bpfbox_btf__dump_value(const struct bpfbox_btf *btf, uint32_t type_id,
				      const void *data, size_t size, unsigned flags,
				      char *buf, size_t buflen);

/* ---- loading into a VM ------------------------------------------------------ */

struct bpfbox_object_load_opts {
	size_t sz;
	/* Skip (with a warning) programs that cannot be loaded (CO-RE,
	 * externs, unknown SEC) instead of failing, as if their autoload
	 * were off. */
	bool skip_unloadable;
	/* Load every program unverified (bpfbox_prog_opts.no_verify): they
	 * then run in checked mode. */
	bool no_verify;
	/* Verify every program under the unprivileged rules
	 * (bpfbox_prog_opts.unpriv). */
	bool unpriv;
};

/*
 * Create the object's maps and load its programs into `vm`, as libbpf's
 * bpf_object__load(): every map from its definition (inner map templates
 * for map-in-maps; global data filled with its section's bytes, .rodata*
 * read-only for programs, .bss zeroed); every program whose autoload is on,
 * with the object's license and all its maps (lddw src 5/6 imm = map
 * index); then the `__array(values, ...)` slots of prog arrays and
 * map-in-maps. A program marked not loadable fails the load with its reason
 * unless its autoload is off. On failure everything made is released and
 * the load may be retried (e.g. after bpfbox_program__set_autoload()).
 * Returns 0, -EBUSY if already loaded, or a negative errno (logged to the
 * object's log; program load errors also to the vm's). The vm must outlive
 * the object (or bpfbox_object__close() it first).
 */
BPFBOX_API int bpfbox_object__load(struct bpfbox_object *obj, struct bpfbox_vm *vm,
				   const struct bpfbox_object_load_opts *opts);
BPFBOX_API bool bpfbox_object__is_loaded(const struct bpfbox_object *obj);
/* Load this program or not (before bpfbox_object__load(); -EBUSY after). */
BPFBOX_API int bpfbox_program__set_autoload(struct bpfbox_program *prog, bool autoload);
/* Turn autoload off for every program but sel[0..nsel) and what they
 * need: the programs placed (`__array(values, ...)`) in the prog arrays
 * and map-in-maps they use, transitively (subprograms are part of each
 * program already). The selected programs get autoload on. Returns 0,
 * -EINVAL (a program of another object) or -EBUSY after load. */
BPFBOX_API int bpfbox_object__autoload_only(struct bpfbox_object *obj,
					    struct bpfbox_program *const *sel, size_t nsel);
/*
 * Give a program its type when its section name does not say it, as
 * libbpf's bpf_program__set_type() (before load; -EBUSY after, -EINVAL for
 * a type that is not a kernel program type). The expected attach type is
 * left as it is: set it with bpfbox_program__set_expected_attach_type()
 * where the type needs one. A program whose section was unknown becomes
 * loadable (unless something else stops it).
 */
BPFBOX_API int bpfbox_program__set_type(struct bpfbox_program *prog, uint32_t type);
BPFBOX_API int bpfbox_program__set_expected_attach_type(struct bpfbox_program *prog,
							uint32_t attach_type);
/* The load flags its section gives, as libbpf's bpf_program__flags():
 * BPF_F_SLEEPABLE (1 << 4) for the sleepable sections ("uprobe.s",
 * "fentry.s", "lsm.s", "tp.s", "syscall", ...), which the verifier checks
 * against the program type as the kernel does. */
BPFBOX_API uint32_t bpfbox_program__flags(const struct bpfbox_program *prog);
/* The program type called name ("xdp", "socket_filter", ...: the names
 * bpfbox_prog_type_name() gives), or 0 if none. */
BPFBOX_API uint32_t bpfbox_prog_type_by_name(const char *name);
/* The loaded program, NULL if it was not loaded. */
BPFBOX_API struct bpfbox_prog *bpfbox_program__prog(const struct bpfbox_program *prog);
/* Map instance of definition idx (bpfbox_object__map()) or by name; NULL
 * before load. Owned by the object. */
BPFBOX_API struct bpfbox_map *bpfbox_object__map_instance(const struct bpfbox_object *obj,
							  size_t idx);
BPFBOX_API struct bpfbox_map *bpfbox_object__find_map_instance(const struct bpfbox_object *obj,
							       const char *name);
/* The program of obj that was loaded as `prog` (e.g. a prog array slot's
 * value), or NULL. */
BPFBOX_API struct bpfbox_program *bpfbox_object__program_of(const struct bpfbox_object *obj,
							    const struct bpfbox_prog *prog);
/* The maps a program refers to (lddw src 5/6 with their subprograms):
 * writes up to `max` distinct map indices in ascending order to idx (may
 * be NULL) and returns how many there are. */
BPFBOX_API size_t bpfbox_program__maps_used(const struct bpfbox_program *prog, size_t *idx,
					    size_t max);

#ifdef __cplusplus
}
#endif

#endif /* BPFBOX_OBJECT_H */
