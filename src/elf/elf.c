/*
 * elf.c - ELF64 little-endian parsing with full bounds checks (see elf.h).
 */
#include "elf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64
#define SHDR_SIZE 64
#define SYM_SIZE  24
#define REL_SIZE  16

/* Look up a string in a table: in range and NUL-terminated. */
const char *bxe_str(const uint8_t *tab, size_t size, uint64_t off)
{
	if (!tab || off >= size)
		return NULL;
	if (!memchr(tab + off, 0, size - off))
		return NULL;
	return (const char *)tab + off;
}

/* Log "FILE: msg" at a level. */
static void elf_vlog(const struct bxe_elf *e, enum bpfbox_log_level lvl,
		     const char *fmt, va_list ap)
{
	char buf[768];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	bx_logf(e->log, lvl, "%s: %s", e->file ? e->file : "?", buf);
}

/* Log an error naming the file. */
void bxe_err(const struct bxe_elf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	elf_vlog(e, BPFBOX_LOG_ERROR, fmt, ap);
	va_end(ap);
}

/* Log a warning naming the file. */
void bxe_warn(const struct bxe_elf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	elf_vlog(e, BPFBOX_LOG_WARN, fmt, ap);
	va_end(ap);
}

/* Check the ELF header; fill e_shoff, e_shnum, e_shstrndx. */
static int elf_check_ehdr(struct bxe_elf *e, uint64_t *shoff, size_t *shnum, size_t *shstrndx)
{
	const uint8_t *b = e->buf;

	if (e->size < EHDR_SIZE) {
		bxe_err(e, "not an ELF file: %zu bytes is shorter than an ELF header", e->size);
		return -EINVAL;
	}
	if (memcmp(b, "\177ELF", 4) != 0) {
		bxe_err(e, "not an ELF file (bad magic)");
		return -EINVAL;
	}
	if (b[4] != 2) {
		bxe_err(e, "ELF class %u is not ELF64 (BPF objects are 64-bit)", b[4]);
		return -EINVAL;
	}
	if (b[5] != 1) {
		bxe_err(e, "ELF data encoding %u is not little-endian (use -target bpfel or bpf on a LE host)", b[5]);
		return -EINVAL;
	}
	if (b[6] != 1) {
		bxe_err(e, "unsupported ELF version %u", b[6]);
		return -EINVAL;
	}
	if (bxe_rd16(b + 16) != 1) {
		bxe_err(e, "ELF type %u is not a relocatable object (ET_REL)", bxe_rd16(b + 16));
		return -EINVAL;
	}
	if (bxe_rd16(b + 18) != BXE_EM_BPF) {
		bxe_err(e, "ELF machine %u is not BPF (EM_BPF = %d)", bxe_rd16(b + 18), BXE_EM_BPF);
		return -EINVAL;
	}
	*shoff = bxe_rd64(b + 40);
	if (bxe_rd16(b + 52) != EHDR_SIZE) {
		bxe_err(e, "bad ELF header size %u", bxe_rd16(b + 52));
		return -EINVAL;
	}
	*shnum = bxe_rd16(b + 60);
	*shstrndx = bxe_rd16(b + 62);
	if (*shnum == 0) {
		bxe_err(e, "no section headers (e_shnum = 0)");
		return -EINVAL;
	}
	if (bxe_rd16(b + 58) != SHDR_SIZE) {
		bxe_err(e, "bad section header size %u (want %d)", bxe_rd16(b + 58), SHDR_SIZE);
		return -EINVAL;
	}
	if (!bxe_in_range(*shoff, (uint64_t)*shnum * SHDR_SIZE, e->size) || *shoff < EHDR_SIZE) {
		bxe_err(e, "section header table (offset %llu, %zu entries) lies outside the %zu-byte file",
			(unsigned long long)*shoff, *shnum, e->size);
		return -EINVAL;
	}
	if (*shstrndx >= *shnum) {
		bxe_err(e, "section name table index %zu out of range (%zu sections)", *shstrndx, *shnum);
		return -EINVAL;
	}
	return 0;
}

/* Compare sections by file offset (for the overlap check). */
static int cmp_off(const void *a, const void *b, void *ctx)
{
	const struct bxe_shdr *sh = ctx;
	const struct bxe_shdr *x = &sh[*(const size_t *)a], *y = &sh[*(const size_t *)b];

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Sections with file contents must not overlap each other or the headers. */
static int elf_check_overlap(struct bxe_elf *e, uint64_t shoff)
{
	size_t *idx = calloc(e->shnum, sizeof(*idx)), n = 0;
	int err = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 1; i < e->shnum; i++)
		if (e->sh[i].data && e->sh[i].size)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_off, e->sh);
	for (size_t k = 0; k < n && !err; k++) {
		const struct bxe_shdr *s = &e->sh[idx[k]];
		uint64_t end = s->offset + s->size;

		if (s->offset < EHDR_SIZE ||
		    (s->offset < shoff + e->shnum * SHDR_SIZE && end > shoff)) {
			bxe_err(e, "section %zu '%s' overlaps the ELF or section headers", idx[k], s->name);
			err = -EINVAL;
		} else if (k + 1 < n && end > e->sh[idx[k + 1]].offset) {
			bxe_err(e, "sections %zu '%s' and %zu '%s' overlap in the file", idx[k], s->name,
				idx[k + 1], e->sh[idx[k + 1]].name);
			err = -EINVAL;
		}
	}
	free(idx);
	return err;
}

/* Decode the symbol table (section si). */
static int elf_load_symtab(struct bxe_elf *e, size_t si)
{
	const struct bxe_shdr *s = &e->sh[si], *str;

	if (s->entsize != SYM_SIZE || s->size % SYM_SIZE || !s->data) {
		bxe_err(e, "symbol table section %zu has bad entry size %llu or size %llu", si,
			(unsigned long long)s->entsize, (unsigned long long)s->size);
		return -EINVAL;
	}
	if (s->link == 0 || s->link >= e->shnum || e->sh[s->link].type != BXE_SHT_STRTAB) {
		bxe_err(e, "symbol table's string table index %u is not a string table", s->link);
		return -EINVAL;
	}
	str = &e->sh[s->link];
	e->nsyms = s->size / SYM_SIZE;
	e->syms = calloc(e->nsyms ? e->nsyms : 1, sizeof(*e->syms));
	if (!e->syms)
		return -ENOMEM;
	for (size_t i = 0; i < e->nsyms; i++) {
		const uint8_t *p = s->data + i * SYM_SIZE;
		struct bxe_sym *y = &e->syms[i];
		uint32_t name = bxe_rd32(p);

		y->name = bxe_str(str->data, str->size, name);
		if (!y->name) {
			bxe_err(e, "symbol %zu: name offset %u is outside the string table (%llu bytes)",
				i, name, (unsigned long long)str->size);
			return -EINVAL;
		}
		y->type = p[4] & 0xf;
		y->bind = p[4] >> 4;
		y->shndx = bxe_rd16(p + 6);
		y->value = bxe_rd64(p + 8);
		y->size = bxe_rd64(p + 16);
		if (y->shndx >= e->shnum && y->shndx < BXE_SHN_LORESERVE) {
			bxe_err(e, "symbol %zu '%s': section index %u out of range (%zu sections)",
				i, y->name, y->shndx, e->shnum);
			return -EINVAL;
		}
	}
	e->symtab_idx = si;
	return 0;
}

/* See elf.h. */
int bxe_elf_parse(struct bxe_elf *e, const uint8_t *buf, size_t size,
		  const char *file, const struct bx_log *log)
{
	uint64_t shoff;
	size_t shstrndx;
	const struct bxe_shdr *names;
	int err;

	memset(e, 0, sizeof(*e));
	e->file = file;
	e->log = log;
	e->buf = buf;
	e->size = size;
	err = elf_check_ehdr(e, &shoff, &e->shnum, &shstrndx);
	if (err)
		return err;
	e->sh = calloc(e->shnum, sizeof(*e->sh));
	if (!e->sh)
		return -ENOMEM;
	for (size_t i = 0; i < e->shnum; i++) {
		const uint8_t *p = buf + shoff + i * SHDR_SIZE;
		struct bxe_shdr *s = &e->sh[i];

		s->type = bxe_rd32(p + 4);
		s->flags = bxe_rd64(p + 8);
		s->offset = bxe_rd64(p + 24);
		s->size = bxe_rd64(p + 32);
		s->link = bxe_rd32(p + 40);
		s->info = bxe_rd32(p + 44);
		s->entsize = bxe_rd64(p + 56);
		if (i == 0 || s->type == BXE_SHT_NULL || s->type == BXE_SHT_NOBITS)
			continue;
		if (!bxe_in_range(s->offset, s->size, size)) {
			bxe_err(e, "section %zu: offset %llu + size %llu is outside the %zu-byte file", i,
				(unsigned long long)s->offset, (unsigned long long)s->size, size);
			return -EINVAL;
		}
		s->data = buf + s->offset;
	}
	names = &e->sh[shstrndx];
	if (names->type != BXE_SHT_STRTAB || !names->data) {
		bxe_err(e, "section name table (section %zu) is not a string table", shstrndx);
		return -EINVAL;
	}
	for (size_t i = 0; i < e->shnum; i++) {
		uint32_t off = bxe_rd32(buf + shoff + i * SHDR_SIZE);

		e->sh[i].name = bxe_str(names->data, names->size, off);
		if (!e->sh[i].name) {
			bxe_err(e, "section %zu: name offset %u is outside the section name table", i, off);
			return -EINVAL;
		}
	}
	err = elf_check_overlap(e, shoff);
	if (err)
		return err;
	for (size_t i = 1; i < e->shnum; i++) {
		if (e->sh[i].type != BXE_SHT_SYMTAB)
			continue;
		if (e->symtab_idx) {
			bxe_err(e, "more than one symbol table");
			return -EINVAL;
		}
		err = elf_load_symtab(e, i);
		if (err)
			return err;
	}
	return 0;
}

/* See elf.h. */
void bxe_elf_free(struct bxe_elf *e)
{
	free(e->sh);
	free(e->syms);
	e->sh = NULL;
	e->syms = NULL;
}

/* See elf.h. */
int bxe_elf_rels(const struct bxe_elf *e, size_t relsec, struct bxe_rel **out, size_t *cnt)
{
	const struct bxe_shdr *s = &e->sh[relsec];
	struct bxe_rel *r;
	size_t n;

	*out = NULL;
	*cnt = 0;
	if (s->entsize != REL_SIZE || s->size % REL_SIZE || !s->data) {
		bxe_err(e, "relocation section '%s': bad entry size %llu or size %llu", s->name,
			(unsigned long long)s->entsize, (unsigned long long)s->size);
		return -EINVAL;
	}
	if (s->link != e->symtab_idx || !e->symtab_idx) {
		bxe_err(e, "relocation section '%s': linked section %u is not the symbol table", s->name, s->link);
		return -EINVAL;
	}
	n = s->size / REL_SIZE;
	if (!n)
		return 0;
	r = calloc(n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = s->data + i * REL_SIZE;
		uint64_t info = bxe_rd64(p + 8);

		r[i].offset = bxe_rd64(p);
		r[i].sym = (uint32_t)(info >> 32);
		r[i].type = (uint32_t)info;
		if (r[i].sym == 0 || r[i].sym >= e->nsyms) {
			bxe_err(e, "relocation section '%s', entry %zu: symbol index %u does not exist (%zu symbols)",
				s->name, i, r[i].sym, e->nsyms);
			free(r);
			return -EINVAL;
		}
	}
	*out = r;
	*cnt = n;
	return 0;
}

/* See elf.h. */
size_t bxe_elf_find_sec(const struct bxe_elf *e, const char *name)
{
	for (size_t i = 1; i < e->shnum; i++)
		if (strcmp(e->sh[i].name, name) == 0)
			return i;
	return 0;
}
