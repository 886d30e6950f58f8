/*
 * obj.h - the object model shared by object.c and maps_def.c (internal).
 */
#ifndef BXE_OBJ_H
#define BXE_OBJ_H

#include "bpfbox/object.h"
#include "btf.h"
#include "elf.h"
#include "sec.h"

/* What a section is to the loader. */
enum bxe_role {
	BXE_SEC_OTHER = 0,
	BXE_SEC_CODE,       /* executable: programs, or subprograms for .text */
	BXE_SEC_MAPS,       /* legacy "maps" */
	BXE_SEC_BTF_MAPS,   /* ".maps" */
	BXE_SEC_DATA,       /* .data/.rodata/.bss and .data.* / .rodata.* */
	BXE_SEC_KCONFIG,    /* .kconfig (unsupported) */
};

struct bxe_secinfo {
	int role;
	int map_idx;            /* BXE_SEC_DATA: its internal map, -1 if none */
	struct bxe_rel *rels;   /* CODE and BTF_MAPS: relocations, sorted by offset */
	size_t nrels;
};

/* One function body in a code section. */
struct bxe_func {
	const char *name;
	size_t sec;
	size_t off;             /* first slot in the section */
	size_t cnt;             /* slots */
	bool is_prog;
};

/* Where a map is defined (for matching relocations) and extra parse state. */
struct bxe_mapsrc {
	size_t sec;
	uint64_t off;
	uint64_t size;
	int64_t values_off;     /* BTF maps with __array(values): byte offset, else -1 */
};

/* A function placed in a program: func index and first slot. */
struct bxe_place {
	size_t func;
	size_t start;
};

struct bxe_line {
	size_t insn;
	const char *file;
	const char *text;
	uint32_t line, col;
};

struct bxe_finfo {
	size_t insn;
	uint32_t type_id;
};

struct bpfbox_program {
	struct bpfbox_object *obj;
	const char *name;
	const char *sec_name;
	struct bxe_sec_match sm;
	size_t func;
	struct bpfbox_insn *insns;
	size_t cnt, cap, main_cnt;
	struct bxe_place *place;
	size_t nplace;
	struct bxe_line *lines;
	size_t nlines;
	struct bxe_finfo *finfo;
	size_t nfinfo;
	struct bpfbox_core_relo *core;
	size_t ncore;
	size_t cap_place, cap_lines, cap_finfo, cap_core;
	bool loadable;
	char reason[320];
	char *attach_name;          /* set_attach_target(), else NULL: sm.target */
	uint32_t attach_btf_id;     /* attach.c: in bxe_core_target() */
	struct bpfbox_prog *inst;   /* obj_load.c: the loaded program, NULL if none */
};

struct bpfbox_object {
	char *name;
	struct bx_log log;
	uint8_t *buf;
	size_t size;
	struct bxe_elf elf;
	struct bxe_secinfo *secs;
	size_t text_sec;        /* 0 if none */
	size_t btf_maps_sec;    /* 0 if none */
	struct bpfbox_btf *btf;
	struct bxe_btf_ext *ext;
	char license[128];
	uint32_t kversion;
	struct bxe_func *funcs;
	size_t nfuncs;
	struct bpfbox_program *progs;
	size_t nprogs;
	struct bpfbox_map_def *maps;
	struct bxe_mapsrc *msrc;
	size_t nmaps, cap_maps;
	/* core_reloc.c: the CO-RE target (loaded when first needed) */
	struct bxe_core_tgt *core_tgt;
	/* kconfig.c: .kconfig externs and their read-only map */
	struct bxe_kcfg *kcfg;
	size_t nkcfg;
	uint8_t *kcfg_data;
	int kcfg_map;           /* map index, -1 if none */
	/* the caller's options, valid only while opening */
	const struct bpfbox_object_opts *open_opts;
	/* obj_config.c: changeable copies of the global-data initial values
	 * (one per map, NULL until asked for) */
	uint8_t **init_buf;
	/* obj_load.c: what bpfbox_object__load() made */
	struct bpfbox_map **map_inst; /* one per map definition, NULL before load */
	bool loaded;
};

/* Why a program whose section gives no type cannot be loaded. */
#define BXE_NO_TYPE_REASON "its section names no known program type (give it one: " \
	"bpfbox_program__set_type(), or --type TYPE)"

/* maps_def.c */
int bxe_maps_legacy(struct bpfbox_object *obj, size_t sec);
int bxe_maps_btf(struct bpfbox_object *obj, size_t sec);
int bxe_maps_data(struct bpfbox_object *obj);
int bxe_maps_values(struct bpfbox_object *obj);
/* The map defined at exactly (sec, off), or -1. */
int bxe_map_at(const struct bpfbox_object *obj, size_t sec, uint64_t off);
void bxe_maps_free(struct bpfbox_object *obj);

/* obj_load.c: free the loaded programs and map instances (any state). */
void bxe_obj_unload(struct bpfbox_object *obj);

/* object.c: the function of section sec starting at slot off, or -1. */
int bxe_func_at(const struct bpfbox_object *obj, size_t sec, uint64_t off);
/* object.c: mark a program not loadable (the first reason wins), logged
 * as a warning. */
void bxe_prog_unloadable(struct bpfbox_program *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* maps_def.c: a new map definition (zeroed, named) for section sec; its
 * index or -ENOMEM. */
int bxe_map_new(struct bpfbox_object *obj, const char *name, size_t sec, uint64_t off,
		uint64_t size);

/* core_reloc.c: apply program p's CO-RE relocations (p->core) against the
 * target BTF (loaded on first use from obj->open_opts). Unresolvable ones
 * poison their instruction; malformed ones make p not loadable. Returns 0
 * or -ENOMEM. */
int bxe_core_prog(struct bpfbox_program *p);
void bxe_core_free(struct bpfbox_object *obj);
/* The kernel's BTF as the CO-RE target (loaded on first use, shared with
 * CO-RE): *btf NULL when there is none (no readable kernel BTF, or the
 * object's own BTF was asked for). Returns 0 or -ENOMEM. */
int bxe_core_target(struct bpfbox_object *obj, const struct bpfbox_btf **btf);

/* attach.c: BTF-typed programs' attach target (bpfbox_program__
 * attach_btf_id) from the section name in the kernel BTF. Returns 0 (a
 * target not found makes p not loadable) or -ENOMEM. */
int bxe_attach_prog(struct bpfbox_program *p);

/* kconfig.c: collect the .kconfig externs of the BTF DATASEC ".kconfig",
 * lay them out as libbpf does, resolve their values (LINUX_*, opts
 * kconfig, /proc/config.gz, /boot/config-RELEASE) and add the read-only
 * ".kconfig" map. */
int bxe_kconfig_init(struct bpfbox_object *obj);
/* If y names a .kconfig extern: point the lddw at program position pos to
 * its slot of the .kconfig map (or mark p not loadable if it has no value)
 * and return 1; else 0. */
int bxe_kconfig_lddw(struct bpfbox_program *p, size_t pos, const struct bxe_sym *y);
void bxe_kconfig_free(struct bpfbox_object *obj);

#endif /* BXE_OBJ_H */
