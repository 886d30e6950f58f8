/*
 * elf.h - a bounds-checked reader for little-endian ELF64 relocatable BPF
 * objects (e_machine EM_BPF). Internal to src/elf.
 *
 * bxe_elf_parse() validates the header, the section header table, every
 * section's extent, section names, the symbol table and its string table.
 * After it succeeds every bxe_shdr.data points at size readable bytes (NULL
 * for SHT_NOBITS) and every bxe_sym.name is a NUL-terminated string.
 */
#ifndef BXE_ELF_H
#define BXE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

#define BXE_EM_BPF 247

#define BXE_SHT_NULL     0
#define BXE_SHT_PROGBITS 1
#define BXE_SHT_SYMTAB   2
#define BXE_SHT_STRTAB   3
#define BXE_SHT_RELA     4
#define BXE_SHT_NOBITS   8
#define BXE_SHT_REL      9

#define BXE_SHF_WRITE     0x1
#define BXE_SHF_ALLOC     0x2
#define BXE_SHF_EXECINSTR 0x4

#define BXE_STT_NOTYPE  0
#define BXE_STT_OBJECT  1
#define BXE_STT_FUNC    2
#define BXE_STT_SECTION 3

#define BXE_STB_LOCAL  0
#define BXE_STB_GLOBAL 1
#define BXE_STB_WEAK   2

#define BXE_SHN_UNDEF  0
#define BXE_SHN_LORESERVE 0xff00
#define BXE_SHN_ABS    0xfff1
#define BXE_SHN_COMMON 0xfff2

/* relocation types */
#define BXE_R_BPF_NONE         0
#define BXE_R_BPF_64_64        1
#define BXE_R_BPF_64_ABS64     2
#define BXE_R_BPF_64_ABS32     3
#define BXE_R_BPF_64_NODYLD32  4
#define BXE_R_BPF_64_32        10

struct bxe_shdr {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
	const uint8_t *data;   /* NULL for NOBITS and NULL sections */
};

struct bxe_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint16_t shndx;
	uint8_t type;          /* STT_* */
	uint8_t bind;          /* STB_* */
};

struct bxe_rel {
	uint64_t offset;
	uint32_t sym;
	uint32_t type;
};

struct bxe_elf {
	const char *file;      /* name for messages */
	const struct bx_log *log;
	const uint8_t *buf;
	size_t size;
	struct bxe_shdr *sh;
	size_t shnum;
	struct bxe_sym *syms;
	size_t nsyms;
	size_t symtab_idx;     /* 0 if none */
};

/* Little-endian reads from possibly unaligned memory. */
static inline uint16_t bxe_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t bxe_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t bxe_rd64(const uint8_t *p)
{
	return (uint64_t)bxe_rd32(p) | (uint64_t)bxe_rd32(p + 4) << 32;
}

/* Is [off, off+len) inside [0, size)? (overflow-safe) */
static inline bool bxe_in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* The NUL-terminated string at off in a string table, or NULL if off is
 * out of range or the string runs off the end. */
const char *bxe_str(const uint8_t *tab, size_t size, uint64_t off);

/* "FILE: message" as an error / warning. */
void bxe_err(const struct bxe_elf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bxe_warn(const struct bxe_elf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse buf (which must outlive e). Returns 0 or -EINVAL/-ENOMEM, having
 * logged what is wrong. */
int bxe_elf_parse(struct bxe_elf *e, const uint8_t *buf, size_t size,
		  const char *file, const struct bx_log *log);
void bxe_elf_free(struct bxe_elf *e);

/* Decode the relocations of SHT_REL section relsec, checking that each
 * names an existing symbol. *out is malloc'ed (NULL if none). */
int bxe_elf_rels(const struct bxe_elf *e, size_t relsec, struct bxe_rel **out, size_t *cnt);

/* Index of the first section named name, or 0 if none. */
size_t bxe_elf_find_sec(const struct bxe_elf *e, const char *name);

#endif /* BXE_ELF_H */
