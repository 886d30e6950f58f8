/*
 * core_reloc.c - BPF CO-RE relocations (BTF.ext core_relo records) with
 * libbpf's semantics (tools/lib/bpf/relo_core.c): access-string specs,
 * candidate target types by "essential" name (up to a "___flavor"
 * suffix) and compatible kind, field/type/enum-value matching, and the
 * instruction patching of bpf_core_patch_insn(), including the poison
 * `call 0xbad2310` for relocations no target type satisfies.
 *
 * The target BTF is loaded on first use: opts->target_btf_path (raw BTF or
 * an ELF object's .BTF), else /sys/kernel/btf/vmlinux when readable, else
 * the object's own BTF (local layout) with a warning. Candidates are found
 * through a hash index of type names built lazily on the first lookup.
 */
#include "obj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "isa/opcodes.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define SPEC_MAX 64
#define MAX_DEPTH 32
#define POISON_IMM 195896080 /* 0xbad2310: "bad relo" */
#define MAX_TGT_FILE (1u << 30)

enum { K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF,
       K_FUNC_PROTO = 13, K_FLOAT = 16, K_ENUM64 = 19 };

struct bxe_core_tgt {
	struct bpfbox_btf *owned;      /* loaded target, NULL when using the object's */
	const struct bpfbox_btf *btf;  /* the target in use */
	char path[256];                /* "" = the object's own BTF */
	uint32_t *head, *next, mask;   /* name index (essential-name hash chains) */
};

struct acc {
	uint32_t type_id, idx;
	const char *name;           /* NULL for an array index */
};

struct spec {
	const struct bpfbox_btf *btf;
	struct acc a[SPEC_MAX];
	int len;
	uint32_t raw[SPEC_MAX];
	int raw_len;
	uint32_t root, kind;
	uint64_t bit_off;
};

struct res {
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz, orig_tid, new_tid;
	bool poison, validate, fail_memsz;
};

/* ---- small BTF helpers ------------------------------------------------------ */

static uint32_t kind_of(const struct bpfbox_btf *b, uint32_t id) { return bxe_btf_kind(b, id); }
static bool is_comp(uint32_t k) { return k == K_STRUCT || k == K_UNION; }
static bool is_enum(uint32_t k) { return k == K_ENUM || k == K_ENUM64; }

/* Decoded type (zeroed if the id is invalid). */
static struct bpfbox_btf_type ty(const struct bpfbox_btf *b, uint32_t id)
{
	struct bpfbox_btf_type t;

	bpfbox_btf__type(b, id, &t);
	return t;
}

/* Member idx of a struct/union/enum/func_proto. */
static struct bpfbox_btf_member mem(const struct bpfbox_btf *b, uint32_t id, uint32_t idx)
{
	struct bpfbox_btf_member m;

	bpfbox_btf__member(b, id, idx, &m);
	return m;
}

/* libbpf's kind compatibility: same kind, or both enums (32/64-bit). */
static bool kind_compat(uint32_t a, uint32_t b)
{
	return a == b || (is_enum(a) && is_enum(b));
}

/* Length of a name without its "___flavor" suffix. */
static size_t ess_len(const char *n)
{
	size_t l = strlen(n);

	for (size_t i = l >= 5 ? l - 5 + 1 : 0; i-- > 0;)
		if (n[i] != '_' && n[i + 1] == '_' && n[i + 2] == '_' && n[i + 3] == '_' && n[i + 4] != '_')
			return i + 1;
	return l;
}

/* Same essential names? */
static bool ess_eq(const char *a, const char *b)
{
	size_t la = ess_len(a), lb = ess_len(b);

	return la == lb && !strncmp(a, b, la);
}

/* ---- the target BTF ------------------------------------------------------- */

/* Read a whole file. */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_TGT_FILE) {
		close(fd);
		return -EINVAL;
	}
	*buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	*len = got;
	return err;
}

/* Load target BTF from path: raw BTF, or the .BTF section of an ELF file. */
static int load_btf_file(struct bpfbox_object *obj, const char *path, struct bpfbox_btf **out)
{
	struct bxe_elf e = { .file = path, .log = &obj->log };
	uint8_t *buf;
	size_t len = 0;
	int err = read_file(path, &buf, &len);

	if (err) {
		bx_err(&obj->log, "%s: CO-RE target BTF '%s': cannot read it: %s", obj->name, path,
		       strerror(-err));
		return err;
	}
	if (len >= 4 && buf[0] == 0x9f && buf[1] == 0xeb) {
		err = bxe_btf_load(&e, buf, len, out);
	} else if (len >= 4 && !memcmp(buf, "\177ELF", 4)) {
		struct bxe_elf el;
		size_t s;

		err = bxe_elf_parse(&el, buf, len, path, &obj->log);
		if (!err) {
			s = bxe_elf_find_sec(&el, ".BTF");
			if (!s || !el.sh[s].data) {
				bx_err(&obj->log, "%s: CO-RE target BTF '%s': ELF file without a .BTF section",
				       obj->name, path);
				err = -ENOENT;
			} else {
				err = bxe_btf_load(&el, el.sh[s].data, el.sh[s].size, out);
			}
			bxe_elf_free(&el);
		}
	} else {
		bx_err(&obj->log, "%s: CO-RE target BTF '%s': neither raw BTF nor an ELF file", obj->name, path);
		err = -EINVAL;
	}
	free(buf);
	return err;
}

/* Choose and load the target BTF (once per object). */
static int tgt_load(struct bpfbox_object *obj)
{
	const struct bpfbox_object_opts *o = obj->open_opts;
	const char *path = o ? o->target_btf_path : NULL;
	struct bxe_core_tgt *t = calloc(1, sizeof(*t));
	struct timespec t0, t1;
	int err;

	if (!t)
		return -ENOMEM;
	obj->core_tgt = t;
	if (!path && access(VMLINUX_BTF, R_OK) == 0)
		path = VMLINUX_BTF;
	if (!path || !*path) {
		if (!path)
			bx_warn(&obj->log, "%s: no kernel BTF (%s is not readable): CO-RE relocations use "
				"the object's own BTF (its local layout)", obj->name, VMLINUX_BTF);
		t->btf = obj->btf;
		return 0;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = load_btf_file(obj, path, &t->owned);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->btf = t->owned;
	bx_info(&obj->log, "%s: CO-RE target BTF %s: %u types, %zu bytes, loaded in %.1f ms", obj->name,
		path, bpfbox_btf__type_cnt(t->btf), t->owned->size,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}

/* FNV-1a of the first n bytes. */
static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* Build the essential-name index of the target (first lookup only). */
static int tgt_index(struct bxe_core_tgt *t)
{
	uint32_t cnt = bpfbox_btf__type_cnt(t->btf), n = 64;

	if (t->head)
		return 0;
	while (n < cnt * 2u && n < (1u << 30))
		n <<= 1;
	t->head = malloc(sizeof(uint32_t) * n);
	t->next = malloc(sizeof(uint32_t) * (cnt ? cnt : 1));
	if (!t->head || !t->next)
		return -ENOMEM;
	memset(t->head, 0, sizeof(uint32_t) * n);
	t->mask = n - 1;
	for (uint32_t id = cnt; id-- > 1;) {	/* descending: chains come out ascending */
		const char *nm = ty(t->btf, id).name;
		uint32_t h;

		t->next[id] = 0;
		if (!*nm)
			continue;
		h = hash(nm, ess_len(nm)) & t->mask;
		t->next[id] = t->head[h];
		t->head[h] = id;
	}
	return 0;
}

/* ---- specs ---------------------------------------------------------------- */

static bool kind_field(uint32_t k) { return k <= BPFBOX_CORE_FIELD_RSHIFT_U64; }
static bool kind_type(uint32_t k)
{
	return (k >= BPFBOX_CORE_TYPE_ID_LOCAL && k <= BPFBOX_CORE_TYPE_SIZE) || k == BPFBOX_CORE_TYPE_MATCHES;
}
static bool kind_enumval(uint32_t k)
{
	return k == BPFBOX_CORE_ENUMVAL_EXISTS || k == BPFBOX_CORE_ENUMVAL_VALUE;
}

/* A zero-length array that is the last member of the enclosing struct. */
static bool is_flex(const struct bpfbox_btf *b, const struct acc *prev, uint32_t nelems)
{
	return prev->name && nelems == 0 && prev->idx + 1 == ty(b, prev->type_id).vlen;
}

/* Parse an access string against the local type (bpf_core_parse_spec). */
static int parse_spec(const struct bpfbox_btf *b, uint32_t root, const char *str, uint32_t kind,
		      struct spec *sp)
{
	uint32_t id;
	int64_t sz;

	memset(sp, 0, sizeof(*sp));
	sp->btf = b;
	sp->root = root;
	sp->kind = kind;
	if (!str || !*str || *str == ':')
		return -EINVAL;
	if (kind_type(kind))
		return strcmp(str, "0") ? -EINVAL : 0;
	while (*str) {
		uint64_t v = 0;

		if (*str == ':')
			str++;
		if (*str < '0' || *str > '9')
			return -EINVAL;
		while (*str >= '0' && *str <= '9') {
			v = v * 10 + (uint64_t)(*str++ - '0');
			if (v > INT32_MAX)
				return -EINVAL;
		}
		if (*str && *str != ':')
			return -EINVAL;
		if (sp->raw_len == SPEC_MAX)
			return -E2BIG;
		sp->raw[sp->raw_len++] = (uint32_t)v;
	}
	id = bpfbox_btf__skip_mods(b, root);
	sp->a[0] = (struct acc){ id, sp->raw[0], NULL };
	sp->len = 1;
	if (kind_enumval(kind)) {
		struct bpfbox_btf_type t = ty(b, id);

		if (!is_enum(t.kind) || sp->raw_len > 1 || sp->raw[0] >= t.vlen)
			return -EINVAL;
		sp->a[0].name = mem(b, id, sp->raw[0]).name;
		return 0;
	}
	if (!kind_field(kind))
		return -EINVAL;
	sz = bpfbox_btf__resolve_size(b, id);
	if (sz < 0)
		return (int)sz;
	sp->bit_off = (uint64_t)sp->raw[0] * (uint64_t)sz * 8;
	for (int i = 1; i < sp->raw_len; i++) {
		struct bpfbox_btf_type t;
		uint32_t ai = sp->raw[i];

		id = bpfbox_btf__skip_mods(b, id);
		t = ty(b, id);
		if (is_comp(t.kind)) {
			struct bpfbox_btf_member m;

			if (ai >= t.vlen)
				return -EINVAL;
			m = mem(b, id, ai);
			sp->bit_off += m.offset;
			if (*m.name)
				sp->a[sp->len++] = (struct acc){ id, ai, m.name };
			id = m.type;
		} else if (t.kind == K_ARRAY) {
			bool flex = is_flex(b, &sp->a[sp->len - 1], t.nelems);

			id = bpfbox_btf__skip_mods(b, t.type);
			if (!flex && ai >= t.nelems)
				return -EINVAL;
			sp->a[sp->len++] = (struct acc){ id, ai, NULL };
			sz = bpfbox_btf__resolve_size(b, id);
			if (sz < 0)
				return (int)sz;
			sp->bit_off += (uint64_t)ai * (uint64_t)sz * 8;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- compatibility and matching --------------------------------------------- */

/* bpf_core_fields_are_compat(). */
static int fields_compat(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		struct bpfbox_btf_type l, t;

		lid = bpfbox_btf__skip_mods(lb, lid);
		tid = bpfbox_btf__skip_mods(tb, tid);
		l = ty(lb, lid);
		t = ty(tb, tid);
		if (is_comp(l.kind) && is_comp(t.kind))
			return 1;
		if (!kind_compat(l.kind, t.kind))
			return 0;
		switch (l.kind) {
		case K_PTR: case K_FLOAT:
			return 1;
		case K_FWD: case K_ENUM: case K_ENUM64:
			return !*l.name || !*t.name || ess_eq(l.name, t.name);
		case K_INT:
			return l.int_offset == 0 && t.int_offset == 0;
		case K_ARRAY:
			lid = l.type;
			tid = t.type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* bpf_core_types_are_compat(). */
static int types_compat(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb, uint32_t tid,
			int level)
{
	if (!kind_compat(kind_of(lb, lid), kind_of(tb, tid)))
		return 0;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		struct bpfbox_btf_type l, t;

		lid = bpfbox_btf__skip_mods(lb, lid);
		tid = bpfbox_btf__skip_mods(tb, tid);
		l = ty(lb, lid);
		t = ty(tb, tid);
		if (!kind_compat(l.kind, t.kind))
			return 0;
		switch (l.kind) {
		case 0: case K_STRUCT: case K_UNION: case K_ENUM: case K_FWD: case K_ENUM64:
			return 1;
		case K_INT:
			return l.int_offset == 0 && t.int_offset == 0;
		case K_PTR:
			lid = l.type;
			tid = t.type;
			continue;
		case K_ARRAY:
			lid = l.type;
			tid = t.type;
			continue;
		case K_FUNC_PROTO:
			if (l.vlen != t.vlen)
				return 0;
			for (uint32_t i = 0; i < l.vlen; i++) {
				int r;

				if (level <= 0)
					return -EINVAL;
				r = types_compat(lb, bpfbox_btf__skip_mods(lb, mem(lb, lid, i).type), tb,
						 bpfbox_btf__skip_mods(tb, mem(tb, tid, i).type), level - 1);
				if (r <= 0)
					return r;
			}
			lid = l.type;
			tid = t.type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* bpf_core_names_match(): an anonymous target matches only anonymous. */
static bool names_match(const char *l, const char *t)
{
	if (!*t)
		return !*l;
	return ess_eq(l, t);
}

static int types_match(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb, uint32_t tid,
		       bool behind_ptr, int level);

/* Every local enumerator name exists in the target; same size. */
static int enums_match(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb, uint32_t tid)
{
	struct bpfbox_btf_type l = ty(lb, lid), t = ty(tb, tid);

	if (l.size != t.size || l.vlen > t.vlen)
		return 0;
	for (uint32_t i = 0; i < l.vlen; i++) {
		const char *ln = mem(lb, lid, i).name;
		bool ok = false;

		for (uint32_t j = 0; j < t.vlen && !ok; j++)
			ok = names_match(ln, mem(tb, tid, j).name);
		if (!ok)
			return 0;
	}
	return 1;
}

/* Every local member has a same-named, matching member in the target. */
static int composites_match(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb,
			    uint32_t tid, bool behind_ptr, int level)
{
	struct bpfbox_btf_type l = ty(lb, lid), t = ty(tb, tid);

	if (l.vlen > t.vlen)
		return 0;
	for (uint32_t i = 0; i < l.vlen; i++) {
		struct bpfbox_btf_member lm = mem(lb, lid, i);
		bool ok = false;

		for (uint32_t j = 0; j < t.vlen && !ok; j++) {
			struct bpfbox_btf_member tm = mem(tb, tid, j);
			int r;

			if (!names_match(lm.name, tm.name))
				continue;
			r = types_match(lb, lm.type, tb, tm.type, behind_ptr, level - 1);
			if (r < 0)
				return r;
			ok = r > 0;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* __bpf_core_types_match() (TYPE_MATCHES). */
static int types_match(const struct bpfbox_btf *lb, uint32_t lid, const struct bpfbox_btf *tb, uint32_t tid,
		       bool behind_ptr, int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		struct bpfbox_btf_type l, t;

		lid = bpfbox_btf__skip_mods(lb, lid);
		tid = bpfbox_btf__skip_mods(tb, tid);
		l = ty(lb, lid);
		t = ty(tb, tid);
		if (!names_match(l.name, t.name))
			return 0;
		switch (l.kind) {
		case 0:
			return t.kind == 0;
		case K_FWD:
			if (behind_ptr && t.kind != K_FWD)
				return (t.kind == K_STRUCT && !l.kflag) || (t.kind == K_UNION && l.kflag);
			return t.kind == K_FWD && l.kflag == t.kflag;
		case K_ENUM: case K_ENUM64:
			return is_enum(t.kind) ? enums_match(lb, lid, tb, tid) : 0;
		case K_STRUCT: case K_UNION:
			if (behind_ptr) {
				if (l.kind == t.kind)
					return 1;
				return t.kind == K_FWD && (l.kind == K_UNION) == t.kflag;
			}
			if (l.kind != t.kind)
				return 0;
			return composites_match(lb, lid, tb, tid, behind_ptr, level);
		case K_INT:
			return t.kind == K_INT && l.size == t.size &&
			       (l.int_encoding & 1) == (t.int_encoding & 1);
		case K_PTR:
			if (t.kind != K_PTR)
				return 0;
			behind_ptr = true;
			lid = l.type;
			tid = t.type;
			continue;
		case K_ARRAY:
			if (t.kind != K_ARRAY || l.nelems != t.nelems)
				return 0;
			lid = l.type;
			tid = t.type;
			continue;
		case K_FUNC_PROTO:
			if (t.kind != K_FUNC_PROTO || l.vlen != t.vlen)
				return 0;
			for (uint32_t i = 0; i < l.vlen; i++) {
				int r = types_match(lb, mem(lb, lid, i).type, tb, mem(tb, tid, i).type,
						    behind_ptr, level - 1);
				if (r <= 0)
					return r;
			}
			lid = l.type;
			tid = t.type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* bpf_core_match_member(): find local accessor la's field in target type
 * tid (descending into anonymous members), extending ts. */
static int match_member(const struct spec *ls, const struct acc *la, const struct bpfbox_btf *tb,
			uint32_t tid, struct spec *ts, uint32_t *next, int depth)
{
	struct bpfbox_btf_type t;
	struct bpfbox_btf_member lm = mem(ls->btf, la->type_id, la->idx);

	if (depth > SPEC_MAX)
		return -E2BIG;
	tid = bpfbox_btf__skip_mods(tb, tid);
	t = ty(tb, tid);
	if (!is_comp(t.kind))
		return 0;
	for (uint32_t i = 0; i < t.vlen; i++) {
		struct bpfbox_btf_member m = mem(tb, tid, i);
		int found;

		if (ts->raw_len == SPEC_MAX)
			return -E2BIG;
		ts->bit_off += m.offset;
		ts->raw[ts->raw_len++] = i;
		if (!*m.name) {
			found = match_member(ls, la, tb, m.type, ts, next, depth + 1);
			if (found)
				return found;
		} else if (!strcmp(lm.name, m.name)) {
			if (ts->len == SPEC_MAX)
				return -E2BIG;
			ts->a[ts->len++] = (struct acc){ tid, i, m.name };
			*next = m.type;
			found = fields_compat(ls->btf, lm.type, tb, m.type);
			if (!found)
				ts->len--;
			return found;
		}
		ts->bit_off -= m.offset;
		ts->raw_len--;
	}
	return 0;
}

/* bpf_core_spec_match(): 1 if target type tid satisfies local spec ls. */
static int spec_match(const struct spec *ls, const struct bpfbox_btf *tb, uint32_t tid, struct spec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root = tid;
	ts->kind = ls->kind;
	if (kind_type(ls->kind)) {
		if (ls->kind == BPFBOX_CORE_TYPE_MATCHES)
			return types_match(ls->btf, ls->root, tb, tid, false, MAX_DEPTH);
		return types_compat(ls->btf, ls->root, tb, tid, MAX_DEPTH);
	}
	if (kind_enumval(ls->kind)) {
		struct bpfbox_btf_type t;

		tid = bpfbox_btf__skip_mods(tb, tid);
		t = ty(tb, tid);
		if (!is_enum(t.kind))
			return 0;
		for (uint32_t i = 0; i < t.vlen; i++) {
			const char *n = mem(tb, tid, i).name;

			if (ess_eq(ls->a[0].name, n)) {
				ts->a[0] = (struct acc){ tid, i, n };
				ts->len = 1;
				ts->raw[ts->raw_len++] = i;
				return 1;
			}
		}
		return 0;
	}
	if (!kind_field(ls->kind))
		return -EINVAL;
	for (int i = 0; i < ls->len; i++) {
		const struct acc *la = &ls->a[i];

		tid = bpfbox_btf__skip_mods(tb, tid);
		if (la->name) {
			int r = match_member(ls, la, tb, tid, ts, &tid, 0);
			if (r <= 0)
				return r;
		} else {
			int64_t sz;

			if (i > 0) {
				struct bpfbox_btf_type t = ty(tb, tid);

				if (t.kind != K_ARRAY)
					return 0;
				if (!is_flex(tb, &ts->a[ts->len - 1], t.nelems) && la->idx >= t.nelems)
					return 0;
				tid = bpfbox_btf__skip_mods(tb, t.type);
			}
			if (ts->raw_len == SPEC_MAX || ts->len == SPEC_MAX)
				return -E2BIG;
			ts->a[ts->len++] = (struct acc){ tid, la->idx, NULL };
			ts->raw[ts->raw_len++] = la->idx;
			sz = bpfbox_btf__resolve_size(tb, tid);
			if (sz < 0)
				return (int)sz;
			ts->bit_off += (uint64_t)la->idx * (uint64_t)sz * 8;
		}
	}
	return 1;
}

/* ---- relocation values -------------------------------------------------------- */

/* bpf_core_calc_field_relo(). -EUCLEAN asks for poisoning. */
static int calc_field(uint32_t kind, const struct spec *sp, uint64_t *val, uint32_t *fsz, uint32_t *tid,
		      bool *validate)
{
	const struct acc *a;
	struct bpfbox_btf_member m;
	struct bpfbox_btf_type mt;
	uint32_t ftid, byte_off, byte_sz, bit_sz;
	uint64_t bit_off;
	bool bitfield;
	int64_t sz;

	*fsz = 0;
	if (kind == BPFBOX_CORE_FIELD_EXISTS) {
		*val = sp ? 1 : 0;
		return 0;
	}
	if (!sp)
		return -EUCLEAN;
	a = &sp->a[sp->len - 1];
	if (!a->name) {
		sz = bpfbox_btf__resolve_size(sp->btf, a->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == BPFBOX_CORE_FIELD_BYTE_OFFSET) {
			*val = sp->bit_off / 8;
			*fsz = (uint32_t)sz;
			*tid = a->type_id;
		} else if (kind == BPFBOX_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return -EINVAL;	/* not applicable to an array element */
		}
		if (validate)
			*validate = true;
		return 0;
	}
	m = mem(sp->btf, a->type_id, a->idx);
	ftid = bpfbox_btf__skip_mods(sp->btf, m.type);
	mt = ty(sp->btf, ftid);
	bit_off = sp->bit_off;
	bit_sz = m.size;
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt.size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		while (bit_off + bit_sz - (uint64_t)byte_off * 8 > (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;	/* cannot be read with one 64-bit load */
			byte_sz *= 2;
			byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		}
	} else {
		sz = bpfbox_btf__resolve_size(sp->btf, ftid);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case BPFBOX_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*fsz = byte_sz;
			*tid = ftid;
		}
		return 0;
	case BPFBOX_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		return 0;
	case BPFBOX_CORE_FIELD_SIGNED:
		*val = (is_enum(mt.kind) && mt.kflag) || (mt.kind == K_INT && (mt.int_encoding & 1));
		if (validate)
			*validate = true;
		return 0;
	case BPFBOX_CORE_FIELD_LSHIFT_U64:
		*val = 64 - (bit_off + bit_sz - (uint64_t)byte_off * 8);
		return 0;
	case BPFBOX_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* bpf_core_calc_type_relo(). */
static int calc_type(uint32_t kind, const struct spec *sp, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!sp) {
		*val = 0;
		return 0;
	}
	switch (kind) {
	case BPFBOX_CORE_TYPE_ID_TARGET:
		*val = sp->root;
		if (validate)
			*validate = false;
		return 0;
	case BPFBOX_CORE_TYPE_EXISTS: case BPFBOX_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BPFBOX_CORE_TYPE_SIZE:
		sz = bpfbox_btf__resolve_size(sp->btf, sp->root);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* bpf_core_calc_enumval_relo(): 32-bit enumerators sign-extend as in libbpf. */
static int calc_enumval(uint32_t kind, const struct spec *sp, uint64_t *val)
{
	struct bpfbox_btf_member m;

	if (kind == BPFBOX_CORE_ENUMVAL_EXISTS) {
		*val = sp ? 1 : 0;
		return 0;
	}
	if (kind != BPFBOX_CORE_ENUMVAL_VALUE)
		return -EOPNOTSUPP;
	if (!sp)
		return -EUCLEAN;
	m = mem(sp->btf, sp->a[0].type_id, sp->a[0].idx);
	if (kind_of(sp->btf, sp->a[0].type_id) == K_ENUM)
		*val = (uint64_t)(int64_t)(int32_t)(uint32_t)m.value;
	else
		*val = (uint64_t)m.value;
	return 0;
}

/* bpf_core_calc_relo(): values for the local spec and a target (or NULL). */
static int calc_relo(uint32_t kind, const struct spec *ls, const struct spec *ts, struct res *r)
{
	int err = -EOPNOTSUPP;

	memset(r, 0, sizeof(*r));
	r->validate = true;
	if (kind_field(kind)) {
		err = calc_field(kind, ls, &r->orig_val, &r->orig_sz, &r->orig_tid, &r->validate);
		err = err ?: calc_field(kind, ts, &r->new_val, &r->new_sz, &r->new_tid, NULL);
		if (!err && r->orig_sz != r->new_sz) {
			struct bpfbox_btf_type o = ty(ls->btf, r->orig_tid), n = ty(ts->btf, r->new_tid);

			r->fail_memsz = !((o.kind == K_PTR && n.kind == K_PTR) ||
					  (o.kind == K_INT && n.kind == K_INT && o.int_encoding != 1 &&
					   n.int_encoding != 1));
		}
	} else if (kind_type(kind)) {
		err = calc_type(kind, ls, &r->orig_val, &r->validate);
		err = err ?: calc_type(kind, ts, &r->new_val, NULL);
	} else if (kind_enumval(kind)) {
		err = calc_enumval(kind, ls, &r->orig_val);
		err = err ?: calc_enumval(kind, ts, &r->new_val);
	}
	if (err == -EUCLEAN) {
		r->poison = true;
		err = 0;
	}
	return err;
}

/* ---- patching ----------------------------------------------------------------- */

/* bpf_core_poison_insn(). */
static void poison(struct bpfbox_insn *in)
{
	*in = (struct bpfbox_insn){ .code = BX_JMP | BX_CALL, .imm = POISON_IMM };
}

/* Bytes of an LDX/ST/STX size field. */
static uint32_t size_bytes(uint8_t code)
{
	switch (BX_SIZE(code)) {
	case BX_DW: return 8;
	case BX_W: return 4;
	case BX_H: return 2;
	default: return 1;
	}
}

/* bpf_core_patch_insn(). Returns 0, or -EINVAL/-ERANGE with *why set. */
static int patch(struct bpfbox_program *p, size_t at, const struct res *r, bool *poisoned, const char **why)
{
	struct bpfbox_insn *in = &p->insns[at];
	uint8_t cls = BX_CLASS(in->code);
	bool lddw = in->code == (BX_LD | BX_IMM | BX_DW);

	*poisoned = false;
	if (lddw && at + 1 >= p->cnt)
		lddw = false;
	if (r->poison)
		goto do_poison;
	switch (cls) {
	case BX_ALU: case BX_ALU64:
		if (BX_SRC(in->code) != BX_K) {
			*why = "an ALU instruction with a register source";
			return -EINVAL;
		}
		if (r->validate && (uint32_t)in->imm != (uint32_t)r->orig_val) {
			*why = "ALU immediate differs from the local value";
			return -EINVAL;
		}
		if (r->new_val > UINT32_MAX && (int64_t)r->new_val != (int32_t)r->new_val) {
			*why = "value does not fit a 32-bit immediate";
			return -ERANGE;
		}
		in->imm = (int32_t)(uint32_t)r->new_val;
		return 0;
	case BX_LDX: case BX_ST: case BX_STX:
		if (r->validate && (int64_t)in->off != (int64_t)r->orig_val) {
			*why = "memory offset differs from the local value";
			return -EINVAL;
		}
		if (r->new_val > INT16_MAX) {
			*why = "offset does not fit 16 bits";
			return -ERANGE;
		}
		if (r->fail_memsz)
			goto do_poison;	/* field of another size that cannot be narrowed/widened */
		in->off = (int16_t)r->new_val;
		if (r->new_sz != r->orig_sz) {
			static const uint8_t sz_code[9] = { 0xff, BX_B, BX_H, 0xff, BX_W, 0xff, 0xff, 0xff, BX_DW };

			if (size_bytes(in->code) != r->orig_sz) {
				*why = "access size differs from the local field size";
				return -EINVAL;
			}
			if (r->new_sz > 8 || sz_code[r->new_sz] == 0xff) {
				*why = "target field size is not 1, 2, 4 or 8";
				return -EINVAL;
			}
			in->code = (uint8_t)(BX_MODE(in->code) | sz_code[r->new_sz] | BX_CLASS(in->code));
		}
		return 0;
	case BX_LD: {
		uint64_t imm;

		if (!lddw || in[0].src_reg || in[0].off || in[1].code || in[1].dst_reg || in[1].src_reg ||
		    in[1].off) {
			*why = "unexpected form of lddw";
			return -EINVAL;
		}
		imm = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
		if (r->validate && imm != r->orig_val) {
			*why = "lddw immediate differs from the local value";
			return -EINVAL;
		}
		in[0].imm = (int32_t)(uint32_t)r->new_val;
		in[1].imm = (int32_t)(uint32_t)(r->new_val >> 32);
		return 0;
	}
	default:
		*why = "instruction class cannot be relocated";
		return -EINVAL;
	}
do_poison:
	if (lddw)
		poison(&in[1]);
	poison(in);
	*poisoned = true;
	return 0;
}

/* ---- one relocation --------------------------------------------------------------- */

/* Resolve and apply relocation c of program p. */
static int apply_one(struct bpfbox_program *p, struct bpfbox_core_relo *c, size_t ri)
{
	struct bpfbox_object *obj = p->obj;
	struct bxe_core_tgt *tg = obj->core_tgt;
	const struct bpfbox_btf *lb = obj->btf;
	struct spec *ls = NULL, *cs, *ts;
	struct res r = { 0 }, cr;
	const char *why = NULL;
	int err, nmatch = 0;
	bool pois;

	if (c->insn_idx >= p->cnt) {
		bxe_prog_unloadable(p, "CO-RE relocation #%zu: instruction %zu is outside the program", ri,
				    c->insn_idx);
		return 0;
	}
	ls = calloc(3, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	cs = ls + 1;
	ts = ls + 2;
	err = parse_spec(lb, c->type_id, c->access, c->kind, ls);
	if (err) {
		bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of [%u] '%s', access '%s': the access "
				    "string does not fit the local type (%d)", c->insn_idx, c->kind_name,
				    c->type_id, c->type_name, c->access, err);
		err = 0;
		goto out;
	}
	if (c->kind == BPFBOX_CORE_TYPE_ID_LOCAL) {
		r.orig_val = r.new_val = ls->root;
		r.validate = false;
		goto do_patch;
	}
	if (!*c->type_name) {
		bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of an anonymous type [%u]: no candidate "
				    "search for anonymous types (as libbpf)", c->insn_idx, c->kind_name, c->type_id);
		goto out;
	}
	err = tgt_index(tg);
	if (err)
		goto out;
	{
		uint32_t lkind = kind_of(lb, c->type_id);
		size_t el = ess_len(c->type_name);

		for (uint32_t id = tg->head[hash(c->type_name, el) & tg->mask]; id; id = tg->next[id]) {
			const char *tn = ty(tg->btf, id).name;

			if (!kind_compat(kind_of(tg->btf, id), lkind) || !ess_eq(tn, c->type_name))
				continue;
			err = spec_match(ls, tg->btf, id, cs);
			if (err < 0) {
				bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of '%s', access '%s': error "
						    "matching target type [%u] (%d)", c->insn_idx, c->kind_name,
						    c->type_name, c->access, id, err);
				err = 0;
				goto out;
			}
			if (!err)
				continue;
			err = calc_relo(c->kind, ls, cs, &cr);
			if (err) {
				bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of '%s', access '%s': cannot "
						    "compute it for target type [%u] (%d)", c->insn_idx,
						    c->kind_name, c->type_name, c->access, id, err);
				err = 0;
				goto out;
			}
			if (nmatch == 0) {
				r = cr;
				*ts = *cs;
			} else if (cs->bit_off != ts->bit_off || cr.poison != r.poison || cr.new_val != r.new_val) {
				bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of '%s', access '%s': "
						    "ambiguous: target types [%u] and [%u] give different results "
						    "(%llu / %llu)", c->insn_idx, c->kind_name, c->type_name,
						    c->access, ts->root, id, (unsigned long long)r.new_val,
						    (unsigned long long)cr.new_val);
				goto out;
			}
			nmatch++;
		}
	}
	if (nmatch == 0) {
		err = calc_relo(c->kind, ls, NULL, &r);
		if (err) {
			bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of '%s', access '%s': cannot "
					    "compute it (%d)", c->insn_idx, c->kind_name, c->type_name, c->access, err);
			err = 0;
			goto out;
		}
	}
do_patch:
	err = patch(p, c->insn_idx, &r, &pois, &why);
	if (err) {
		bxe_prog_unloadable(p, "insn %zu: CO-RE relocation %s of '%s', access '%s': %s", c->insn_idx,
				    c->kind_name, c->type_name, c->access, why);
		err = 0;
		goto out;
	}
	c->applied = true;
	c->poisoned = pois;
	c->orig_val = r.orig_val;
	c->new_val = r.new_val;
	if (pois)
		bx_info(&obj->log, "%s: program '%s', insn %zu: CO-RE relocation %s of %s '%s', access '%s' "
			"has no match in the target BTF: instruction poisoned (call 0xbad2310; the verifier "
			"rejects it if it is reachable)", obj->name, p->name, c->insn_idx, c->kind_name,
			bpfbox_btf_kind_name(kind_of(lb, c->type_id)), c->type_name, c->access);
out:
	free(ls);
	return err;
}

/* ---- API ----------------------------------------------------------------------------- */

/* See obj.h. */
int bxe_core_prog(struct bpfbox_program *p)
{
	struct bpfbox_object *obj = p->obj;
	int err = 0;

	if (!p->ncore)
		return 0;
	if (!obj->btf) {
		bxe_prog_unloadable(p, "CO-RE relocations without BTF");
		return 0;
	}
	if (!obj->core_tgt) {
		err = tgt_load(obj);
		if (err == -ENOMEM)
			return err;
	}
	if (!obj->core_tgt->btf) {
		bxe_prog_unloadable(p, "insn %zu: CO-RE relocations cannot be applied: target BTF '%s' did not "
				    "load", p->core[0].insn_idx, obj->core_tgt->path);
		return 0;
	}
	for (size_t i = 0; i < p->ncore && !err; i++)
		err = apply_one(p, &p->core[i], i);
	return err;
}

/* See obj.h. */
int bxe_core_target(struct bpfbox_object *obj, const struct bpfbox_btf **btf)
{
	int err;

	*btf = NULL;
	if (!obj->core_tgt && (err = tgt_load(obj)) == -ENOMEM)
		return err;
	if (obj->core_tgt && obj->core_tgt->btf && obj->core_tgt->path[0])
		*btf = obj->core_tgt->btf;
	return 0;
}

/* See obj.h. */
void bxe_core_free(struct bpfbox_object *obj)
{
	struct bxe_core_tgt *t = obj->core_tgt;

	if (!t)
		return;
	bxe_btf_free(t->owned);
	free(t->head);
	free(t->next);
	free(t);
	obj->core_tgt = NULL;
}

/* See object.h. */
const struct bpfbox_btf *bpfbox_object__target_btf(const struct bpfbox_object *obj)
{
	return obj && obj->core_tgt ? obj->core_tgt->btf : NULL;
}

/* See object.h. */
const char *bpfbox_object__target_btf_path(const struct bpfbox_object *obj)
{
	return obj && obj->core_tgt ? obj->core_tgt->path : "";
}
