/*
 * object.c - the object model: sections, functions, programs with their
 * subprograms appended, relocations, BTF.ext line/func info and CO-RE
 * reports, and the public bpfbox_object__* / bpfbox_program__* API.
 *
 * Opening runs a pipeline (err = err ?: step(obj)); bpfbox_object__close()
 * frees whatever the steps built, so a failure at any step just closes.
 */
#include "obj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isa/opcodes.h"

#define INSN_SZ 8
#define CODE_LDDW (BX_LD | BX_IMM | BX_DW)
#define CODE_CALL (BX_JMP | BX_K | BX_CALL)
#define MAX_FILE  (1u << 30)

static const char *const core_kind_names[] = {
	"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
	"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
	"enumval_value", "type_matches",
};

/* ---- sections ------------------------------------------------------------ */

/* Is name a global data section (.data, .rodata, .bss and dotted suffixes)? */
static bool is_data_sec(const char *n)
{
	static const char *const pfx[] = { ".data", ".rodata", ".bss" };

	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(pfx[i]);
		if (!strncmp(n, pfx[i], l) && (n[l] == 0 || n[l] == '.'))
			return true;
	}
	return false;
}

/* Compare relocations by offset. */
static int cmp_rel(const void *a, const void *b)
{
	const struct bxe_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Check the relocations of a code section: aligned, in range, one per
 * instruction, and of a type BPF objects use. */
static int check_code_rels(struct bpfbox_object *obj, size_t s)
{
	const struct bxe_elf *e = &obj->elf;
	const struct bxe_secinfo *si = &obj->secs[s];

	for (size_t i = 0; i < si->nrels; i++) {
		const struct bxe_rel *r = &si->rels[i];

		if (r->offset % INSN_SZ || !bxe_in_range(r->offset, INSN_SZ, e->sh[s].size)) {
			bxe_err(e, "section '%s': relocation %zu (symbol '%s') at offset %llu is not at an "
				"instruction of the %llu-byte section", e->sh[s].name, i, e->syms[r->sym].name,
				(unsigned long long)r->offset, (unsigned long long)e->sh[s].size);
			return -EINVAL;
		}
		if (i && r->offset == si->rels[i - 1].offset) {
			bxe_err(e, "section '%s': two relocations for instruction %llu", e->sh[s].name,
				(unsigned long long)(r->offset / INSN_SZ));
			return -EINVAL;
		}
		if (r->type != BXE_R_BPF_64_64 && r->type != BXE_R_BPF_64_32 && r->type != BXE_R_BPF_NONE) {
			bxe_err(e, "section '%s', instruction %llu: unsupported relocation type %u",
				e->sh[s].name, (unsigned long long)(r->offset / INSN_SZ), r->type);
			return -EINVAL;
		}
	}
	return 0;
}

/* Classify sections; read license and version; load relocations of code
 * and .maps sections. */
static int obj_sections(struct bpfbox_object *obj)
{
	const struct bxe_elf *e = &obj->elf;
	int err = 0;

	obj->secs = calloc(e->shnum, sizeof(*obj->secs));
	if (!obj->secs)
		return -ENOMEM;
	for (size_t s = 1; s < e->shnum; s++) {
		const struct bxe_shdr *sh = &e->sh[s];
		struct bxe_secinfo *si = &obj->secs[s];

		si->map_idx = -1;
		if (sh->type == BXE_SHT_PROGBITS && (sh->flags & BXE_SHF_EXECINSTR)) {
			if (sh->size % INSN_SZ) {
				bxe_err(e, "code section '%s': size %llu is not a multiple of 8", sh->name,
					(unsigned long long)sh->size);
				return -EINVAL;
			}
			if (sh->size)
				si->role = BXE_SEC_CODE;
			if (!strcmp(sh->name, ".text"))
				obj->text_sec = s;
		} else if (!strcmp(sh->name, "license") && sh->data) {
			size_t n = sh->size < sizeof(obj->license) - 1 ? sh->size : sizeof(obj->license) - 1;
			memcpy(obj->license, sh->data, n);
			obj->license[n] = 0;
			if (!memchr(sh->data, 0, sh->size))
				bxe_warn(e, "license section is not NUL-terminated");
		} else if (!strcmp(sh->name, "version") && sh->data) {
			if (sh->size != 4) {
				bxe_err(e, "version section has %llu bytes, not 4", (unsigned long long)sh->size);
				return -EINVAL;
			}
			obj->kversion = bxe_rd32(sh->data);
		} else if (!strcmp(sh->name, "maps") && (sh->type == BXE_SHT_PROGBITS)) {
			si->role = BXE_SEC_MAPS;
		} else if (!strcmp(sh->name, ".maps") && sh->type == BXE_SHT_PROGBITS) {
			si->role = BXE_SEC_BTF_MAPS;
			obj->btf_maps_sec = s;
		} else if (!strcmp(sh->name, ".kconfig")) {
			si->role = BXE_SEC_KCONFIG;
		} else if ((sh->type == BXE_SHT_PROGBITS || sh->type == BXE_SHT_NOBITS) && is_data_sec(sh->name)) {
			si->role = BXE_SEC_DATA;
		}
	}
	/* relocations, once roles are known */
	for (size_t s = 1; s < e->shnum && !err; s++) {
		const struct bxe_shdr *sh = &e->sh[s];
		struct bxe_secinfo *t;

		if (sh->type != BXE_SHT_REL && sh->type != BXE_SHT_RELA)
			continue;
		if (sh->info == 0 || sh->info >= e->shnum) {
			bxe_err(e, "relocation section '%s' applies to section %u, which does not exist",
				sh->name, sh->info);
			return -EINVAL;
		}
		t = &obj->secs[sh->info];
		if (t->role != BXE_SEC_CODE && t->role != BXE_SEC_BTF_MAPS)
			continue;
		if (sh->type == BXE_SHT_RELA || t->rels) {
			bxe_err(e, "relocation section '%s': %s for section '%s'", sh->name,
				t->rels ? "second relocation section" : "RELA relocations are not used by BPF",
				e->sh[sh->info].name);
			return -EINVAL;
		}
		err = bxe_elf_rels(e, s, &t->rels, &t->nrels);
		if (err)
			return err;
		if (t->nrels)
			qsort(t->rels, t->nrels, sizeof(*t->rels), cmp_rel);
		if (t->role == BXE_SEC_CODE)
			err = check_code_rels(obj, sh->info);
	}
	return err;
}

/* Load .BTF and .BTF.ext, if present. */
static int obj_btf(struct bpfbox_object *obj)
{
	const struct bxe_elf *e = &obj->elf;
	size_t s = bxe_elf_find_sec(e, ".BTF"), x = bxe_elf_find_sec(e, ".BTF.ext");
	int err;

	if (s && e->sh[s].data) {
		err = bxe_btf_load(e, e->sh[s].data, e->sh[s].size, &obj->btf) ?:
		      bxe_btf_fixup_datasec(obj->btf, e);
		if (err)
			return err;
	}
	if (x && e->sh[x].data)
		return bxe_btf_ext_load(e, obj->btf, e->sh[x].data, e->sh[x].size, &obj->ext);
	return 0;
}

/* ---- functions ----------------------------------------------------------- */

/* Order functions by section, then offset. */
static int cmp_func(const void *a, const void *b)
{
	const struct bxe_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Add a function record. */
static int add_func(struct bpfbox_object *obj, size_t *cap, struct bxe_func f)
{
	if (obj->nfuncs == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct bxe_func *p = realloc(obj->funcs, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		obj->funcs = p;
		*cap = n;
	}
	obj->funcs[obj->nfuncs++] = f;
	return 0;
}

/* Every STT_FUNC symbol of a code section is a function: a program in a
 * SEC() section, a subprogram in .text. A code section without function
 * symbols is one program named after the section. */
static int obj_funcs(struct bpfbox_object *obj)
{
	const struct bxe_elf *e = &obj->elf;
	size_t cap = 0;
	int err;

	for (size_t i = 1; i < e->nsyms; i++) {
		const struct bxe_sym *y = &e->syms[i];
		const struct bxe_shdr *sh;

		if (y->type != BXE_STT_FUNC || y->shndx >= e->shnum || obj->secs[y->shndx].role != BXE_SEC_CODE)
			continue;
		sh = &e->sh[y->shndx];
		if (y->value % INSN_SZ || y->size % INSN_SZ || !y->size ||
		    !bxe_in_range(y->value, y->size, sh->size)) {
			bxe_err(e, "function '%s': offset %llu / size %llu is not a whole number of "
				"instructions inside section '%s' (%llu bytes)", y->name,
				(unsigned long long)y->value, (unsigned long long)y->size, sh->name,
				(unsigned long long)sh->size);
			return -EINVAL;
		}
		if (y->shndx != obj->text_sec && y->bind == BXE_STB_LOCAL) {
			bxe_err(e, "program '%s' in section '%s' is static: programs must be global",
				y->name, sh->name);
			return -ENOTSUP;
		}
		err = add_func(obj, &cap, (struct bxe_func){ y->name, y->shndx, y->value / INSN_SZ,
							    y->size / INSN_SZ, y->shndx != obj->text_sec });
		if (err)
			return err;
	}
	for (size_t s = 1; s < e->shnum; s++) {
		bool has = false;

		if (obj->secs[s].role != BXE_SEC_CODE)
			continue;
		for (size_t i = 0; i < obj->nfuncs && !has; i++)
			has = obj->funcs[i].sec == s;
		if (!has) {
			err = add_func(obj, &cap, (struct bxe_func){ e->sh[s].name, s, 0,
								    e->sh[s].size / INSN_SZ, s != obj->text_sec });
			if (err)
				return err;
		}
	}
	if (obj->nfuncs)
		qsort(obj->funcs, obj->nfuncs, sizeof(*obj->funcs), cmp_func);
	for (size_t i = 1; i < obj->nfuncs; i++) {
		const struct bxe_func *a = &obj->funcs[i - 1], *b = &obj->funcs[i];
		if (a->sec == b->sec && a->off + a->cnt > b->off) {
			bxe_err(e, "functions '%s' and '%s' overlap in section '%s'", a->name, b->name,
				e->sh[a->sec].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* See obj.h. */
int bxe_func_at(const struct bpfbox_object *obj, size_t sec, uint64_t off)
{
	size_t lo = 0, hi = obj->nfuncs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bxe_func *f = &obj->funcs[mid];

		if (f->sec < sec || (f->sec == sec && f->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nfuncs && obj->funcs[lo].sec == sec && obj->funcs[lo].off == off)
		return (int)lo;
	return -1;
}

/* Collect maps: legacy, BTF-defined, then global data. */
static int obj_maps(struct bpfbox_object *obj)
{
	size_t s = bxe_elf_find_sec(&obj->elf, "maps");
	int err = 0;

	if (s && obj->secs[s].role == BXE_SEC_MAPS)
		err = bxe_maps_legacy(obj, s);
	if (!err && obj->btf_maps_sec)
		err = bxe_maps_btf(obj, obj->btf_maps_sec);
	return err ?: bxe_maps_data(obj);
}

/* ---- programs ------------------------------------------------------------ */

/* See obj.h: mark a program not loadable (the first reason wins), log it. */
void bxe_prog_unloadable(struct bpfbox_program *p, const char *fmt, ...)
{
	char buf[sizeof(p->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (p->loadable)
		snprintf(p->reason, sizeof(p->reason), "%s", buf);
	p->loadable = false;
	bxe_warn(&p->obj->elf, "program '%s': %s", p->name, buf);
}

/* Where an extern comes from: ".kconfig" if the BTF DATASEC of that name
 * lists it, else ".ksyms". */
static const char *extern_sec(const struct bpfbox_object *obj, const char *name)
{
	int ds = bpfbox_btf__find_by_name_kind(obj->btf, ".kconfig", BPFBOX_BTF_KIND_DATASEC);
	struct bpfbox_btf_type t, v;
	struct bpfbox_btf_member m;

	if (ds > 0 && !bpfbox_btf__type(obj->btf, (uint32_t)ds, &t))
		for (uint32_t i = 0; i < t.vlen; i++)
			if (!bpfbox_btf__member(obj->btf, (uint32_t)ds, i, &m) &&
			    !bpfbox_btf__type(obj->btf, m.type, &v) && !strcmp(v.name, name))
				return ".kconfig";
	return ".ksyms";
}

/* The relocation of instruction idx of section s, or NULL. */
static const struct bxe_rel *find_rel(const struct bpfbox_object *obj, size_t s, size_t idx)
{
	const struct bxe_secinfo *si = &obj->secs[s];
	size_t lo = 0, hi = si->nrels;
	uint64_t off = (uint64_t)idx * INSN_SZ;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (si->rels[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < si->nrels && si->rels[lo].offset == off && si->rels[lo].type != BXE_R_BPF_NONE)
		return &si->rels[lo];
	return NULL;
}

/* Make room for one more element in *arr (count n, capacity *cap). */
static int grow(void *arr, size_t n, size_t *cap, size_t elsz)
{
	void **pp = arr, *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	np = realloc(*pp, nc * elsz);
	if (!np)
		return -ENOMEM;
	*pp = np;
	*cap = nc;
	return 0;
}

/* Position of function fi in program p, appending it if needed. */
static int place_func(struct bpfbox_program *p, size_t fi, size_t *pos)
{
	const struct bpfbox_object *obj = p->obj;
	const struct bxe_func *f = &obj->funcs[fi];
	struct bxe_place *pl;

	for (size_t i = 0; i < p->nplace; i++)
		if (p->place[i].func == fi) {
			*pos = p->place[i].start;
			return 0;
		}
	if (p->cnt + f->cnt > BX_MAX_INSNS) {
		bxe_err(&obj->elf, "program '%s': more than %u instructions with subprograms", p->name, BX_MAX_INSNS);
		return -E2BIG;
	}
	if (p->cnt + f->cnt > p->cap) {
		size_t cap = (p->cnt + f->cnt) * 2;
		struct bpfbox_insn *n = realloc(p->insns, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->insns = n;
		p->cap = cap;
	}
	if (grow(&p->place, p->nplace, &p->cap_place, sizeof(*pl)))
		return -ENOMEM;
	pl = p->place;
	pl[p->nplace++] = (struct bxe_place){ fi, p->cnt };
	memcpy(p->insns + p->cnt, obj->elf.sh[f->sec].data + f->off * INSN_SZ, f->cnt * INSN_SZ);
	*pos = p->cnt;
	p->cnt += f->cnt;
	return 0;
}

/* The function starting at slot tgt of code section s, placed in p. */
static int place_target(struct bpfbox_program *p, size_t at, size_t s, int64_t tgt, size_t *pos,
			const char *what)
{
	const struct bpfbox_object *obj = p->obj;
	int fi = tgt >= 0 ? bxe_func_at(obj, s, (uint64_t)tgt) : -1;

	if (fi < 0) {
		bxe_err(&obj->elf, "program '%s', insn %zu: %s target (instruction %lld of section '%s') "
			"is not the start of a function", p->name, at, what, (long long)tgt, obj->elf.sh[s].name);
		return -EINVAL;
	}
	return place_func(p, (size_t)fi, pos);
}

/* Set the pc-relative imm of insn at from to reach to. */
static int set_rel_imm(struct bpfbox_program *p, size_t from, size_t to)
{
	int64_t d = (int64_t)to - (int64_t)from - 1;

	if (d < INT32_MIN || d > INT32_MAX) {
		bxe_err(&p->obj->elf, "program '%s', insn %zu: call offset %lld does not fit 32 bits",
			p->name, from, (long long)d);
		return -E2BIG;
	}
	p->insns[from].imm = (int32_t)d;
	return 0;
}

/* Apply the relocation (if any) of an lddw at program position pos that
 * came from slot idx of function f. */
static int reloc_lddw(struct bpfbox_program *p, size_t pos, const struct bxe_func *f, size_t idx,
		      const struct bxe_rel *r)
{
	struct bpfbox_object *obj = p->obj;
	const struct bxe_elf *e = &obj->elf;
	const struct bxe_sym *y = &e->syms[r->sym];
	struct bpfbox_insn *in = &p->insns[pos];
	size_t tpos;
	int role, mi, err;

	(void)f;
	(void)idx;
	if (r->type != BXE_R_BPF_64_64) {
		bxe_err(e, "program '%s', insn %zu: lddw with relocation type %u (want R_BPF_64_64)",
			p->name, pos, r->type);
		return -EINVAL;
	}
	if (y->shndx == BXE_SHN_UNDEF) {
		if (bxe_kconfig_lddw(p, pos, y))
			return 0;
		bxe_prog_unloadable(p, "insn %zu: reference to %s extern '%s' is not supported", pos,
				extern_sec(obj, y->name), y->name);
		return 0;
	}
	if (y->shndx >= e->shnum) {
		bxe_err(e, "program '%s', insn %zu: symbol '%s' has special section index 0x%x",
			p->name, pos, y->name, y->shndx);
		return -EINVAL;
	}
	role = obj->secs[y->shndx].role;
	switch (role) {
	case BXE_SEC_CODE: {
		int64_t off = (int64_t)y->value + in->imm;
		if (off < 0 || off % INSN_SZ) {
			bxe_err(e, "program '%s', insn %zu: function address '%s'%+d is not an instruction",
				p->name, pos, y->name, in->imm);
			return -EINVAL;
		}
		err = place_target(p, pos, y->shndx, off / INSN_SZ, &tpos, "callback");
		if (err)
			return err;
		in = &p->insns[pos];
		in->src_reg = BX_PSEUDO_FUNC;
		in[1].imm = 0;
		return set_rel_imm(p, pos, tpos);
	}
	case BXE_SEC_MAPS: case BXE_SEC_BTF_MAPS:
		mi = bxe_map_at(obj, y->shndx, y->value + (y->type == BXE_STT_SECTION ? (int64_t)in->imm : 0));
		if (mi < 0) {
			bxe_err(e, "program '%s', insn %zu: relocation against '%s', which is not a map definition",
				p->name, pos, y->name);
			return -EINVAL;
		}
		in->src_reg = BX_PSEUDO_MAP_IDX;
		in->imm = mi;
		in[1].imm = 0;
		return 0;
	case BXE_SEC_DATA: {
		int64_t off = (int64_t)y->value + in->imm;
		mi = obj->secs[y->shndx].map_idx;
		if (mi < 0 || off < 0 || (uint64_t)off > e->sh[y->shndx].size) {
			bxe_err(e, "program '%s', insn %zu: '%s'%+d is outside data section '%s' (%llu bytes)",
				p->name, pos, y->name, in->imm, e->sh[y->shndx].name,
				(unsigned long long)e->sh[y->shndx].size);
			return -EINVAL;
		}
		in->src_reg = BX_PSEUDO_MAP_IDX_VALUE;
		in->imm = mi;
		in[1].imm = (int32_t)off;
		return 0;
	}
	case BXE_SEC_KCONFIG:
		if (bxe_kconfig_lddw(p, pos, y))
			return 0;
		bxe_prog_unloadable(p, "insn %zu: reference to .kconfig symbol '%s' is not supported", pos, y->name);
		return 0;
	default:
		bxe_err(e, "program '%s', insn %zu: relocation against '%s' in section '%s', which is not "
			"code, a map or global data", p->name, pos, y->name, e->sh[y->shndx].name);
		return -EINVAL;
	}
}

/* Apply the relocation of a call at pos (slot idx of function f). */
static int reloc_call(struct bpfbox_program *p, size_t pos, const struct bxe_func *f, size_t idx,
		      const struct bxe_rel *r)
{
	struct bpfbox_object *obj = p->obj;
	const struct bxe_elf *e = &obj->elf;
	struct bpfbox_insn *in = &p->insns[pos];
	size_t tsec = f->sec, tpos;
	int64_t tgt = (int64_t)idx + in->imm + 1;
	int err;

	if (r) {
		const struct bxe_sym *y = &e->syms[r->sym];

		if (y->shndx == BXE_SHN_UNDEF) {
			bxe_prog_unloadable(p, "insn %zu: call to kfunc '%s' (a .ksyms extern) is not supported",
					pos, y->name);
			return 0;
		}
		if (in->src_reg != BX_CALL_LOCAL || y->shndx >= e->shnum ||
		    obj->secs[y->shndx].role != BXE_SEC_CODE || y->value % INSN_SZ ||
		    r->type != BXE_R_BPF_64_32) {
			bxe_err(e, "program '%s', insn %zu: call relocation against '%s' is not a "
				"bpf-to-bpf call to code", p->name, pos, y->name);
			return -EINVAL;
		}
		tsec = y->shndx;
		tgt = (int64_t)(y->value / INSN_SZ) + in->imm + 1;
	} else if (in->src_reg != BX_CALL_LOCAL) {
		return 0;   /* helper (src 0) or unrelocated kfunc call: nothing to do */
	}
	err = place_target(p, pos, tsec, tgt, &tpos, "call");
	if (err)
		return err;
	return set_rel_imm(p, pos, tpos);
}

/* Walk the program (growing as subprograms are appended) and apply every
 * relocation. */
static int prog_relocate(struct bpfbox_program *p)
{
	const struct bpfbox_object *obj = p->obj;
	size_t pos = 0, li = 0;
	int err = 0;

	while (pos < p->cnt && !err) {
		const struct bxe_func *f;
		size_t idx;
		const struct bxe_rel *r;
		struct bpfbox_insn *in;

		while (li + 1 < p->nplace && pos >= p->place[li + 1].start)
			li++;
		f = &obj->funcs[p->place[li].func];
		idx = f->off + (pos - p->place[li].start);
		r = find_rel(obj, f->sec, idx);
		in = &p->insns[pos];
		if (in->code == CODE_LDDW) {
			if (pos + 1 >= p->place[li].start + f->cnt) {
				bxe_err(&obj->elf, "program '%s', insn %zu: lddw is missing its second half",
					p->name, pos);
				return -EINVAL;
			}
			if (r)
				err = reloc_lddw(p, pos, f, idx, r);
			pos += 2;
			continue;
		}
		if (in->code == CODE_CALL) {
			err = reloc_call(p, pos, f, idx, r);
		} else if (r) {
			bxe_err(&obj->elf, "program '%s', insn %zu: relocation (symbol '%s') on an instruction "
				"that is neither lddw nor call", p->name, pos, obj->elf.syms[r->sym].name);
			return -EINVAL;
		}
		pos++;
	}
	return err;
}

/* Order line records by instruction. */
static int cmp_line(const void *a, const void *b)
{
	const struct bxe_line *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

/* Copy this program's BTF.ext records (line, func, CO-RE) of every placed
 * function, shifting instruction offsets to the program's layout. */
static int prog_ext(struct bpfbox_program *p)
{
	const struct bpfbox_object *obj = p->obj;

	if (!obj->ext)
		return 0;
	for (size_t k = 0; k < p->nplace; k++) {
		const struct bxe_func *f = &obj->funcs[p->place[k].func];
		const char *sn = obj->elf.sh[f->sec].name;
		const struct bxe_ext_sec *ls = bxe_ext_find(&obj->ext->line, sn);
		const struct bxe_ext_sec *fs = bxe_ext_find(&obj->ext->func, sn);
		const struct bxe_ext_sec *cs = bxe_ext_find(&obj->ext->core, sn);

		for (uint32_t i = 0; ls && i < ls->num; i++) {
			const uint8_t *r = ls->recs + (size_t)i * ls->rec_size;
			size_t at = bxe_rd32(r) / INSN_SZ;
			struct bxe_line *n;

			if (at < f->off || at >= f->off + f->cnt)
				continue;
			if (grow(&p->lines, p->nlines, &p->cap_lines, sizeof(*n)))
				return -ENOMEM;
			n = p->lines;
			n[p->nlines++] = (struct bxe_line){
				.insn = p->place[k].start + at - f->off,
				.file = bxe_btf_str(obj->btf, bxe_rd32(r + 4)),
				.text = bxe_btf_str(obj->btf, bxe_rd32(r + 8)),
				.line = bxe_rd32(r + 12) >> 10,
				.col = bxe_rd32(r + 12) & 0x3ff,
			};
		}
		for (uint32_t i = 0; fs && i < fs->num; i++) {
			const uint8_t *r = fs->recs + (size_t)i * fs->rec_size;
			size_t at = bxe_rd32(r) / INSN_SZ;
			struct bxe_finfo *n;

			if (at < f->off || at >= f->off + f->cnt)
				continue;
			if (grow(&p->finfo, p->nfinfo, &p->cap_finfo, sizeof(*n)))
				return -ENOMEM;
			n = p->finfo;
			n[p->nfinfo++] = (struct bxe_finfo){ p->place[k].start + at - f->off, bxe_rd32(r + 4) };
		}
		for (uint32_t i = 0; cs && i < cs->num; i++) {
			const uint8_t *r = cs->recs + (size_t)i * cs->rec_size;
			size_t at = bxe_rd32(r) / INSN_SZ;
			struct bpfbox_core_relo *n, *c;
			struct bpfbox_btf_type t;
			uint32_t kind = bxe_rd32(r + 12);

			if (at < f->off || at >= f->off + f->cnt)
				continue;
			if (grow(&p->core, p->ncore, &p->cap_core, sizeof(*n)))
				return -ENOMEM;
			n = p->core;
			c = &n[p->ncore++];
			bpfbox_btf__type(obj->btf, bxe_rd32(r + 4), &t);
			c->insn_idx = p->place[k].start + at - f->off;
			c->type_id = bxe_rd32(r + 4);
			c->kind = kind;
			c->access = bxe_btf_str(obj->btf, bxe_rd32(r + 8));
			c->type_name = t.name;
			c->kind_name = kind < sizeof(core_kind_names) / sizeof(core_kind_names[0])
				       ? core_kind_names[kind] : "unknown";
			c->applied = c->poisoned = false;
			c->orig_val = c->new_val = 0;
		}
	}
	if (p->nlines)
		qsort(p->lines, p->nlines, sizeof(*p->lines), cmp_line);
	return 0;
}

/* Build every program: copy, append subprograms, relocate, attach info. */
static int obj_programs(struct bpfbox_object *obj)
{
	size_t n = 0;

	for (size_t i = 0; i < obj->nfuncs; i++)
		n += obj->funcs[i].is_prog;
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (size_t i = 0; i < obj->nfuncs; i++) {
		const struct bxe_func *f = &obj->funcs[i];
		struct bpfbox_program *p;
		size_t pos;
		int err;

		if (!f->is_prog)
			continue;
		p = &obj->progs[obj->nprogs++];
		p->obj = obj;
		p->name = f->name;
		p->sec_name = obj->elf.sh[f->sec].name;
		p->func = i;
		p->loadable = true;
		bxe_sec_match(p->sec_name, &p->sm);
		if (!p->sm.prog_type)	/* loadable once given a type (bpfbox_program__set_type) */
			bxe_warn(&obj->elf, "program '%s': section '%s' names no known program type",
				 p->name, p->sec_name);
		err = place_func(p, i, &pos);
		p->main_cnt = p->cnt;
		err = err ?: prog_relocate(p);
		err = err ?: prog_ext(p);
		err = err ?: bxe_core_prog(p);
		err = err ?: bxe_attach_prog(p);
		if (err)
			return err;
	}
	return 0;
}

/* ---- open / close -------------------------------------------------------- */

/* Open an object from a buffer we own (buf is taken over). */
static int obj_open(uint8_t *buf, size_t size, const char *name,
		    const struct bpfbox_object_opts *uopts, struct bpfbox_object **out)
{
	struct bpfbox_object_opts opts;
	struct bpfbox_object *obj;
	int err;

	*out = NULL;
	err = bx_opts_copy(&opts, sizeof(opts), uopts);
	if (err) {
		free(buf);
		return err;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		free(buf);
		return -ENOMEM;
	}
	obj->buf = buf;
	obj->size = size;
	obj->log = (struct bx_log){ opts.log, opts.log_ctx };
	obj->name = strdup(opts.name ? opts.name : name);
	if (!obj->name) {
		bpfbox_object__close(obj);
		return -ENOMEM;
	}
	err = bxe_elf_parse(&obj->elf, buf, size, obj->name, &obj->log);
	err = err ?: obj_sections(obj);
	err = err ?: obj_btf(obj);
	err = err ?: obj_funcs(obj);
	obj->kcfg_map = -1;
	obj->open_opts = &opts;
	err = err ?: obj_maps(obj);
	err = err ?: bxe_kconfig_init(obj);
	err = err ?: bxe_maps_values(obj);
	err = err ?: obj_programs(obj);
	obj->open_opts = NULL;
	if (err) {
		bpfbox_object__close(obj);
		return err;
	}
	*out = obj;
	return 0;
}

/* See object.h. */
int bpfbox_object__open_mem(const void *buf, size_t size, const struct bpfbox_object_opts *opts,
			    struct bpfbox_object **out)
{
	uint8_t *copy;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!buf && size)
		return -EINVAL;
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	if (size)
		memcpy(copy, buf, size);
	return obj_open(copy, size, "mem", opts, out);
}

/* See object.h. */
int bpfbox_object__open_file(const char *path, const struct bpfbox_object_opts *opts,
			     struct bpfbox_object **out)
{
	struct bpfbox_object_opts o;
	struct bx_log log;
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, err = 0;

	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	if (bx_opts_copy(&o, sizeof(o), opts))
		return -EINVAL;
	log = (struct bx_log){ o.log, o.log_ctx };
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		bx_err(&log, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		bx_err(&log, "%s: not a regular file of at most %u bytes", path, MAX_FILE);
		err = -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;
			bx_err(&log, "%s: read failed", path);
			goto out;
		}
		got += (size_t)r;
	}
	close(fd);
	fd = -1;
	err = obj_open(buf, got, path, opts, out);
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

/* See object.h. */
void bpfbox_object__close(struct bpfbox_object *obj)
{
	if (!obj)
		return;
	bxe_obj_unload(obj);
	for (size_t i = 0; i < obj->nprogs; i++) {
		struct bpfbox_program *p = &obj->progs[i];
		free(p->insns);
		free(p->place);
		free(p->lines);
		free(p->finfo);
		free(p->core);
		free(p->attach_name);
	}
	free(obj->progs);
	bxe_core_free(obj);
	bxe_kconfig_free(obj);
	if (obj->init_buf)
		for (size_t i = 0; i < obj->nmaps; i++)
			free(obj->init_buf[i]);
	free(obj->init_buf);
	bxe_maps_free(obj);
	free(obj->funcs);
	if (obj->secs)
		for (size_t s = 0; s < obj->elf.shnum; s++)
			free(obj->secs[s].rels);
	free(obj->secs);
	bxe_btf_ext_free(obj->ext);
	bxe_btf_free(obj->btf);
	bxe_elf_free(&obj->elf);
	free(obj->buf);
	free(obj->name);
	free(obj);
}

/* ---- getters (one-liners documented in object.h) -------------------------- */

const char *bpfbox_object__name(const struct bpfbox_object *obj) { return obj ? obj->name : NULL; }
const char *bpfbox_object__license(const struct bpfbox_object *obj) { return obj ? obj->license : ""; }
uint32_t bpfbox_object__kversion(const struct bpfbox_object *obj) { return obj ? obj->kversion : 0; }
const struct bpfbox_btf *bpfbox_object__btf(const struct bpfbox_object *obj) { return obj ? obj->btf : NULL; }
size_t bpfbox_object__program_cnt(const struct bpfbox_object *obj) { return obj ? obj->nprogs : 0; }
size_t bpfbox_object__map_cnt(const struct bpfbox_object *obj) { return obj ? obj->nmaps : 0; }

/* See object.h. */
struct bpfbox_program *bpfbox_object__program(const struct bpfbox_object *obj, size_t idx)
{
	return obj && idx < obj->nprogs ? &obj->progs[idx] : NULL;
}

/* See object.h. */
struct bpfbox_program *bpfbox_object__next_program(const struct bpfbox_object *obj,
						   const struct bpfbox_program *prev)
{
	if (!obj)
		return NULL;
	if (!prev)
		return bpfbox_object__program(obj, 0);
	return bpfbox_object__program(obj, (size_t)(prev - obj->progs) + 1);
}

/* See object.h. */
struct bpfbox_program *bpfbox_object__find_program_by_name(const struct bpfbox_object *obj,
							   const char *name)
{
	for (size_t i = 0; obj && name && i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return NULL;
}

/* See object.h. */
const struct bpfbox_map_def *bpfbox_object__map(const struct bpfbox_object *obj, size_t idx)
{
	return obj && idx < obj->nmaps ? &obj->maps[idx] : NULL;
}

/* See object.h. */
const struct bpfbox_map_def *bpfbox_object__find_map_by_name(const struct bpfbox_object *obj,
							     const char *name)
{
	for (size_t i = 0; obj && name && i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return &obj->maps[i];
	return NULL;
}

/* See object.h. */
int bpfbox_object__map_idx(const struct bpfbox_object *obj, const struct bpfbox_map_def *def)
{
	if (!obj || !def || def < obj->maps || def >= obj->maps + obj->nmaps)
		return -1;
	return (int)(def - obj->maps);
}

const char *bpfbox_program__name(const struct bpfbox_program *p) { return p->name; }
const char *bpfbox_program__section_name(const struct bpfbox_program *p) { return p->sec_name; }
uint32_t bpfbox_program__type(const struct bpfbox_program *p) { return p->sm.prog_type; }
uint32_t bpfbox_program__expected_attach_type(const struct bpfbox_program *p) { return p->sm.attach_type; }
const char *bpfbox_program__attach_target(const struct bpfbox_program *p) { return p->sm.target; }
const char *bpfbox_program__sec_kind(const struct bpfbox_program *p) { return p->sm.kind; }
bool bpfbox_program__autoload(const struct bpfbox_program *p) { return p->sm.autoload; }
const struct bpfbox_insn *bpfbox_program__insns(const struct bpfbox_program *p) { return p->insns; }
size_t bpfbox_program__insn_cnt(const struct bpfbox_program *p) { return p->cnt; }
size_t bpfbox_program__main_insn_cnt(const struct bpfbox_program *p) { return p->main_cnt; }
size_t bpfbox_program__core_relo_cnt(const struct bpfbox_program *p) { return p->ncore; }
size_t bpfbox_program__func_info_cnt(const struct bpfbox_program *p) { return p->nfinfo; }

/* See object.h. */
bool bpfbox_program__loadable(const struct bpfbox_program *p, const char **reason)
{
	if (reason)
		*reason = !p->loadable ? p->reason : !p->sm.prog_type ? BXE_NO_TYPE_REASON : "";
	return p->loadable && p->sm.prog_type;
}

/* See object.h. */
const struct bpfbox_core_relo *bpfbox_program__core_relo(const struct bpfbox_program *p, size_t idx)
{
	return idx < p->ncore ? &p->core[idx] : NULL;
}

/* See object.h. */
int bpfbox_program__func_info(const struct bpfbox_program *p, size_t idx, size_t *insn_idx,
			      uint32_t *btf_type_id)
{
	if (idx >= p->nfinfo)
		return -ERANGE;
	if (insn_idx)
		*insn_idx = p->finfo[idx].insn;
	if (btf_type_id)
		*btf_type_id = p->finfo[idx].type_id;
	return 0;
}

/* ctx_struct - the name of the struct a program type's context is (the
 * kernel's bpf_ctx_convert table, uapi side), or NULL. */
static const char *ctx_struct(uint32_t prog_type)
{
	switch (prog_type) {
	case BPFBOX_PROG_TYPE_SOCKET_FILTER: case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT: case BPFBOX_PROG_TYPE_CGROUP_SKB:
	case BPFBOX_PROG_TYPE_LWT_IN: case BPFBOX_PROG_TYPE_LWT_OUT:
	case BPFBOX_PROG_TYPE_LWT_XMIT: case BPFBOX_PROG_TYPE_LWT_SEG6LOCAL:
	case BPFBOX_PROG_TYPE_SK_SKB: case BPFBOX_PROG_TYPE_FLOW_DISSECTOR:
		return "__sk_buff";
	case BPFBOX_PROG_TYPE_XDP: return "xdp_md";
	case BPFBOX_PROG_TYPE_KPROBE: return "pt_regs";
	case BPFBOX_PROG_TYPE_PERF_EVENT: return "bpf_perf_event_data";
	case BPFBOX_PROG_TYPE_CGROUP_SOCK: return "bpf_sock";
	case BPFBOX_PROG_TYPE_SOCK_OPS: return "bpf_sock_ops";
	case BPFBOX_PROG_TYPE_SK_MSG: return "sk_msg_md";
	case BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR: return "bpf_sock_addr";
	case BPFBOX_PROG_TYPE_CGROUP_SYSCTL: return "bpf_sysctl";
	case BPFBOX_PROG_TYPE_CGROUP_SOCKOPT: return "bpf_sockopt";
	case BPFBOX_PROG_TYPE_SK_LOOKUP: return "bpf_sk_lookup";
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: return "bpf_raw_tracepoint_args";
	default: return NULL;
	}
}

/* arg_tag - the "arg:..." decl tag of argument idx of BTF function fid. */
static const char *arg_tag(const struct bpfbox_btf *btf, uint32_t fid, uint32_t idx)
{
	struct bpfbox_btf_type t;

	for (uint32_t id = 1; id < bpfbox_btf__type_cnt(btf); id++)
		if (!bpfbox_btf__type(btf, id, &t) && t.kind == BPFBOX_BTF_KIND_DECL_TAG &&
		    t.type == fid && t.component_idx == (int32_t)idx && !strncmp(t.name, "arg:", 4))
			return t.name + 4;
	return NULL;
}

/* func_arg - what argument idx of global function fid (prototype proto) is,
 * as the kernel's btf_prepare_func_args decides it. */
static uint8_t func_arg(const struct bpfbox_btf *btf, uint32_t fid, uint32_t proto, uint32_t idx,
			uint32_t prog_type, uint32_t *size)
{
	struct bpfbox_btf_member m;
	struct bpfbox_btf_type t, tgt;
	const char *tag = arg_tag(btf, fid, idx), *cs = ctx_struct(prog_type);
	int64_t sz;

	*size = 0;
	if (bpfbox_btf__member(btf, proto, idx, &m) ||
	    bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, m.type), &t))
		return BPFBOX_ARG_UNSUPPORTED;
	if (t.kind == BPFBOX_BTF_KIND_INT || t.kind == BPFBOX_BTF_KIND_ENUM ||
	    t.kind == BPFBOX_BTF_KIND_ENUM64)
		return tag ? BPFBOX_ARG_UNSUPPORTED : BPFBOX_ARG_SCALAR;
	if (t.kind != BPFBOX_BTF_KIND_PTR)
		return BPFBOX_ARG_UNSUPPORTED;
	if (tag && !strcmp(tag, "ctx"))
		return BPFBOX_ARG_CTX;
	if (bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, t.type), &tgt))
		return BPFBOX_ARG_UNSUPPORTED;
	if (cs && tgt.kind == BPFBOX_BTF_KIND_STRUCT && !strcmp(tgt.name, cs))
		return BPFBOX_ARG_CTX;
	if (tag && strcmp(tag, "nonnull"))
		return BPFBOX_ARG_UNSUPPORTED;	/* trusted, nullable, arena: kernel objects */
	sz = bpfbox_btf__resolve_size(btf, tgt.id);
	if (sz <= 0 || sz > UINT32_MAX)
		return BPFBOX_ARG_UNSUPPORTED;
	*size = (uint32_t)sz;
	return tag ? BPFBOX_ARG_MEM : BPFBOX_ARG_MEM_OR_NULL;
}

/* See object.h. */
size_t bpfbox_program__verifier_funcs(const struct bpfbox_program *p, struct bpfbox_func_info *out,
				      size_t max)
{
	const struct bpfbox_btf *btf = p->obj->btf;

	for (size_t k = 0; k < p->nfinfo && k < max; k++) {
		struct bpfbox_btf_type f, proto, ret;
		struct bpfbox_func_info *o = &out[k];
		uint32_t fid = p->finfo[k].type_id;

		memset(o, 0, sizeof(*o));
		o->insn_off = (uint32_t)p->finfo[k].insn;
		if (!btf || bpfbox_btf__type(btf, fid, &f) || bpfbox_btf__type(btf, f.type, &proto))
			continue;
		o->name = f.name;
		if (!bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, proto.type), &ret))
			o->ret_scalar = (ret.kind == BPFBOX_BTF_KIND_INT && ret.size <= 8) ||
					ret.kind == BPFBOX_BTF_KIND_ENUM || ret.kind == BPFBOX_BTF_KIND_ENUM64;
		o->global = f.linkage == 1;
		o->nargs = (uint8_t)(proto.vlen < 5 ? proto.vlen : 5);
		for (uint32_t a = 0; o->global && a < o->nargs; a++)
			o->arg[a] = func_arg(btf, fid, f.type, a, p->sm.prog_type, &o->arg_size[a]);
	}
	return p->nfinfo;
}

/* See object.h. */
const char *bpfbox_program__func_at(const struct bpfbox_program *p, size_t insn_idx, size_t *start)
{
	for (size_t k = 0; k < p->nplace; k++) {
		const struct bxe_func *f = &p->obj->funcs[p->place[k].func];
		if (insn_idx >= p->place[k].start && insn_idx < p->place[k].start + f->cnt) {
			if (start)
				*start = p->place[k].start;
			return f->name;
		}
	}
	return NULL;
}

/* See object.h. */
int bpfbox_program__line_info(const struct bpfbox_program *p, size_t insn_idx, const char **file,
			      uint32_t *line, uint32_t *col, const char **line_text)
{
	size_t lo = 0, hi = p->nlines, fstart;
	const struct bxe_line *l;

	if (!bpfbox_program__func_at(p, insn_idx, &fstart))
		return -ENOENT;
	while (lo < hi) {   /* first record with insn > insn_idx */
		size_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid].insn <= insn_idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || p->lines[lo - 1].insn < fstart)
		return -ENOENT;
	l = &p->lines[lo - 1];
	if (file)
		*file = l->file;
	if (line)
		*line = l->line;
	if (col)
		*col = l->col;
	if (line_text)
		*line_text = l->text;
	return 0;
}
