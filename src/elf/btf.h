/*
 * btf.h - BTF and BTF.ext parsing (internal to src/elf).
 *
 * struct bpfbox_btf holds a private copy of the .BTF section, an index from
 * type id to the type's record, and is fully validated on load: every name
 * offset is a string, every referenced type id exists, every record fits,
 * and no chain of size-determining references (modifiers, typedefs, array
 * elements, by-value members, vars) loops. So walking it cannot recurse
 * forever.
 */
#ifndef BXE_BTF_H
#define BXE_BTF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/object.h"
#include "elf.h"

struct bpfbox_btf {
	uint8_t *data;          /* copy of the whole section */
	size_t size;
	const uint8_t *types;   /* type section */
	size_t types_len;
	const uint8_t *strs;    /* string section */
	size_t strs_len;
	uint32_t *off;          /* off[id] = byte offset of type id in types (id >= 1) */
	uint32_t cnt;           /* number of ids including 0 */
};

/* Load and validate raw .BTF bytes. */
int bxe_btf_load(const struct bxe_elf *e, const uint8_t *data, size_t size,
		 struct bpfbox_btf **out);
void bxe_btf_free(struct bpfbox_btf *btf);
/* A string of the string section, NULL if off is invalid. */
const char *bxe_btf_str(const struct bpfbox_btf *btf, uint32_t off);
/* As libbpf does: clang leaves DATASEC sizes and variable offsets 0; set
 * them from the ELF section sizes and symbol values. */
int bxe_btf_fixup_datasec(struct bpfbox_btf *btf, const struct bxe_elf *e);
/* Kind of a type (UNKN for 0 or invalid ids). */
uint32_t bxe_btf_kind(const struct bpfbox_btf *btf, uint32_t id);

/* ---- BTF.ext ---- */

/* The records of one kind for one ELF section. */
struct bxe_ext_sec {
	const char *sec_name;
	const uint8_t *recs;    /* num * rec_size bytes */
	uint32_t num;
	uint32_t rec_size;
};

struct bxe_ext_info {
	struct bxe_ext_sec *secs;
	size_t nsecs;
};

struct bxe_btf_ext {
	struct bxe_ext_info func;   /* {insn_off, type_id} */
	struct bxe_ext_info line;   /* {insn_off, file_name_off, line_off, line_col} */
	struct bxe_ext_info core;   /* {insn_off, type_id, access_str_off, kind} */
};

/* Parse .BTF.ext (data must outlive ext), checking every string offset
 * against btf and every record's size. */
int bxe_btf_ext_load(const struct bxe_elf *e, const struct bpfbox_btf *btf,
		     const uint8_t *data, size_t size, struct bxe_btf_ext **out);
void bxe_btf_ext_free(struct bxe_btf_ext *ext);
/* The records of info for section name, or NULL. */
const struct bxe_ext_sec *bxe_ext_find(const struct bxe_ext_info *info, const char *sec);

#endif /* BXE_BTF_H */
