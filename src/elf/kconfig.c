/*
 * kconfig.c - `extern ... __kconfig` variables, as libbpf resolves them.
 *
 * clang lists them as VARs of the BTF DATASEC ".kconfig" and leaves them
 * undefined in the symbol table. They become one read-only internal ARRAY
 * map ".kconfig" (1 entry, BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, frozen after
 * load), laid out like libbpf's: sorted by alignment (largest first), then
 * by name, each at the next multiple of its alignment. Values:
 *   LINUX_KERNEL_VERSION        KERNEL_VERSION(a, b, min(c, 255)) of uname -r
 *   LINUX_HAS_SYSCALL_WRAPPER   1 (bpfbox's kprobes on __x64_sys_* get a regs->di
 *                               that points at the user pt_regs, as the kernel's)
 *   LINUX_HAS_BPF_COOKIE        0 (bpfbox has no bpf_get_attach_cookie helper)
 *   CONFIG_* (and other names)  opts->kconfig lines, then /proc/config.gz, then
 *                               /boot/config-$(uname -r): y/n/m for bool,
 *                               tristate (enum libbpf_tristate) and char;
 *                               "strings" for char arrays; integers
 * A missing __weak extern is 0; a missing strong one makes the programs that
 * use it not loadable, naming it.
 */
#include "obj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "isa/opcodes.h"
#include "util/inflate.h"

#define MAP_TYPE_ARRAY 2
#define F_RDONLY_PROG 0x80
#define F_MMAPABLE 0x400
#define MAX_CONFIG (64u << 20)

enum kcfg_type { KC_UNKNOWN, KC_CHAR, KC_BOOL, KC_INT, KC_TRISTATE, KC_CHAR_ARR };

struct bxe_kcfg {
	const char *name;
	uint32_t btf_id;        /* VAR */
	enum kcfg_type type;
	uint32_t size, align, off;
	bool is_signed, weak, set;
};

/* libbpf's find_kcfg_type(). */
static enum kcfg_type kcfg_type(const struct bpfbox_btf *b, uint32_t id, bool *is_signed)
{
	struct bpfbox_btf_type t;

	bpfbox_btf__type(b, bpfbox_btf__skip_mods(b, id), &t);
	switch (t.kind) {
	case BPFBOX_BTF_KIND_INT:
		if (is_signed)
			*is_signed = t.int_encoding & 1;
		if (t.int_encoding & 4)
			return t.size == 1 ? KC_BOOL : KC_UNKNOWN;
		if (t.size == 1)
			return KC_CHAR;
		if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1)))
			return KC_UNKNOWN;
		return KC_INT;
	case BPFBOX_BTF_KIND_ENUM:
		return t.size == 4 && !strcmp(t.name, "libbpf_tristate") ? KC_TRISTATE : KC_UNKNOWN;
	case BPFBOX_BTF_KIND_ARRAY:
		if (!t.nelems || kcfg_type(b, t.type, NULL) != KC_CHAR)
			return KC_UNKNOWN;
		return KC_CHAR_ARR;
	default:
		return KC_UNKNOWN;
	}
}

/* Order: larger alignment first, then by name (libbpf's cmp_externs). */
static int cmp_kcfg(const void *a, const void *b)
{
	const struct bxe_kcfg *x = a, *y = b;

	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The extern by name, or NULL. */
static struct bxe_kcfg *find(struct bpfbox_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nkcfg; i++)
		if (!strcmp(obj->kcfg[i].name, name))
			return &obj->kcfg[i];
	return NULL;
}

/* Store an unsigned value of the extern's size. */
static void store(struct bpfbox_object *obj, struct bxe_kcfg *k, uint64_t v)
{
	for (uint32_t i = 0; i < k->size && i < 8; i++)
		obj->kcfg_data[k->off + i] = (uint8_t)(v >> (8 * i));
	k->set = true;
}

/* LINUX_KERNEL_VERSION from uname -r ("6.8.12-foo" -> 0x06080c). */
static uint32_t kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

/* Set one extern from a "CONFIG_X=value" value string (libbpf rules). */
static int set_value(struct bpfbox_object *obj, struct bxe_kcfg *k, const char *v, size_t vlen,
		     const char *src)
{
	if (vlen == 1 && (v[0] == 'y' || v[0] == 'n' || v[0] == 'm')) {
		switch (k->type) {
		case KC_BOOL:
			if (v[0] == 'm') {
				bx_err(&obj->log, "%s: .kconfig extern '%s' (bool): value 'm' (%s) needs a tristate",
				       obj->name, k->name, src);
				return -EINVAL;
			}
			store(obj, k, v[0] == 'y');
			return 0;
		case KC_TRISTATE:
			store(obj, k, v[0] == 'y' ? 1 : v[0] == 'm' ? 2 : 0);
			return 0;
		case KC_CHAR:
			store(obj, k, (uint8_t)v[0]);
			return 0;
		default:
			bx_err(&obj->log, "%s: .kconfig extern '%s': value '%c' (%s) implies a tristate or char "
			       "type", obj->name, k->name, v[0], src);
			return -EINVAL;
		}
	}
	if (vlen && v[0] == '"') {
		size_t n;

		if (k->type != KC_CHAR_ARR) {
			bx_err(&obj->log, "%s: .kconfig extern '%s': string value (%s) needs a char array",
			       obj->name, k->name, src);
			return -EINVAL;
		}
		if (vlen < 2 || v[vlen - 1] != '"') {
			bx_err(&obj->log, "%s: .kconfig extern '%s': unterminated string (%s)", obj->name,
			       k->name, src);
			return -EINVAL;
		}
		n = vlen - 2;
		if (n >= k->size) {
			bx_warn(&obj->log, "%s: .kconfig extern '%s': string truncated to %u bytes", obj->name,
				k->name, k->size - 1);
			n = k->size - 1;
		}
		memset(obj->kcfg_data + k->off, 0, k->size);
		memcpy(obj->kcfg_data + k->off, v + 1, n);
		k->set = true;
		return 0;
	}
	{
		char buf[32], *end;
		unsigned long long u;

		if (!vlen || vlen >= sizeof(buf)) {
			bx_err(&obj->log, "%s: .kconfig extern '%s': bad value (%s)", obj->name, k->name, src);
			return -EINVAL;
		}
		memcpy(buf, v, vlen);
		buf[vlen] = 0;
		errno = 0;
		u = buf[0] == '-' ? (unsigned long long)strtoll(buf, &end, 0) : strtoull(buf, &end, 0);
		if (errno || *end) {
			bx_err(&obj->log, "%s: .kconfig extern '%s': value '%s' (%s) is not a number", obj->name,
			       k->name, buf, src);
			return -EINVAL;
		}
		if (k->type != KC_INT && k->type != KC_CHAR) {
			bx_err(&obj->log, "%s: .kconfig extern '%s': value '%s' (%s) implies an integer type",
			       obj->name, k->name, buf, src);
			return -EINVAL;
		}
		if (k->size < 8) {
			int64_t s = (int64_t)u;
			int bits = (int)k->size * 8;
			bool ok = k->is_signed ? (s >= -(1ll << (bits - 1)) && s < (1ll << (bits - 1)))
					       : u < (1ull << bits);
			if (!ok) {
				bx_err(&obj->log, "%s: .kconfig extern '%s': value '%s' (%s) does not fit %u bytes",
				       obj->name, k->name, buf, src, k->size);
				return -ERANGE;
			}
		}
		store(obj, k, u);
		return 0;
	}
}

/* Apply the "CONFIG_X=value" lines of a config text to unset externs. */
static int parse_config(struct bpfbox_object *obj, const char *text, size_t len, const char *src)
{
	size_t pos = 0;
	int err = 0;

	while (pos < len && !err) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *eq;
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		char name[128];

		pos += ll + 1;
		while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' '))
			ll--;
		if (ll < 8 || strncmp(line, "CONFIG_", 7))
			continue;
		eq = memchr(line, '=', ll);
		if (!eq || (size_t)(eq - line) >= sizeof(name))
			continue;
		memcpy(name, line, (size_t)(eq - line));
		name[eq - line] = 0;
		{
			struct bxe_kcfg *k = find(obj, name);

			if (k && !k->set)
				err = set_value(obj, k, eq + 1, ll - (size_t)(eq + 1 - line), src);
		}
	}
	return err;
}

/* Read a file (whole); NULL if it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (*len == cap) {
			uint8_t *n;

			if (cap >= MAX_CONFIG)
				break;
			cap = cap ? cap * 2 : 65536;
			n = realloc(buf, cap + 1);
			if (!n)
				break;
			buf = n;
		}
		r = read(fd, buf + *len, cap - *len);
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(fd);
	if (buf)
		buf[*len] = 0;
	return buf;
}

/* The host's kernel config: /proc/config.gz, else /boot/config-RELEASE. */
static int host_config(struct bpfbox_object *obj)
{
	struct utsname u;
	char path[512];
	size_t len, tlen;
	uint8_t *gz = slurp("/proc/config.gz", &len), *text = NULL;
	int err;

	if (gz) {
		err = bx_gunzip(gz, len, MAX_CONFIG, &text, &tlen);
		free(gz);
		if (!err) {
			err = parse_config(obj, (const char *)text, tlen, "/proc/config.gz");
			free(text);
			return err;
		}
		bx_warn(&obj->log, "%s: /proc/config.gz: cannot decompress it (%d)", obj->name, err);
	}
	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	text = slurp(path, &tlen);
	if (!text)
		return 0;
	err = parse_config(obj, (const char *)text, tlen, path);
	free(text);
	return err;
}

/* Is this the name of an ELF symbol that is an undefined weak extern? */
static bool sym_weak(const struct bpfbox_object *obj, const char *name)
{
	for (size_t i = 1; i < obj->elf.nsyms; i++) {
		const struct bxe_sym *y = &obj->elf.syms[i];

		if (y->shndx == BXE_SHN_UNDEF && !strcmp(y->name, name))
			return y->bind == BXE_STB_WEAK;
	}
	return false;
}

/* See obj.h. */
int bxe_kconfig_init(struct bpfbox_object *obj)
{
	const struct bpfbox_object_opts *o = obj->open_opts;
	struct bpfbox_btf_type ds;
	uint32_t off = 0, need_cfg = 0;
	int dsid, mi, err = 0;
	struct bpfbox_map_def *d;

	obj->kcfg_map = -1;
	dsid = bpfbox_btf__find_by_name_kind(obj->btf, ".kconfig", BPFBOX_BTF_KIND_DATASEC);
	if (dsid <= 0 || bpfbox_btf__type(obj->btf, (uint32_t)dsid, &ds) || !ds.vlen)
		return 0;
	obj->kcfg = calloc(ds.vlen, sizeof(*obj->kcfg));
	if (!obj->kcfg)
		return -ENOMEM;
	for (uint32_t i = 0; i < ds.vlen; i++) {
		struct bpfbox_btf_member m;
		struct bpfbox_btf_type v;
		struct bxe_kcfg *k = &obj->kcfg[obj->nkcfg];
		int64_t sz;

		if (bpfbox_btf__member(obj->btf, (uint32_t)dsid, i, &m) || bpfbox_btf__type(obj->btf, m.type, &v) ||
		    v.kind != BPFBOX_BTF_KIND_VAR)
			continue;
		k->name = v.name;
		k->btf_id = m.type;
		k->type = kcfg_type(obj->btf, v.type, &k->is_signed);
		sz = bpfbox_btf__resolve_size(obj->btf, v.type);
		if (k->type == KC_UNKNOWN || sz <= 0) {
			bx_err(&obj->log, "%s: .kconfig extern '%s': type is not bool, char, an integer, enum "
			       "libbpf_tristate or a char array", obj->name, k->name);
			return -ENOTSUP;
		}
		k->size = (uint32_t)sz;
		k->align = k->type == KC_CHAR_ARR ? 1 : k->size;
		k->weak = sym_weak(obj, k->name);
		obj->nkcfg++;
	}
	if (!obj->nkcfg)
		return 0;
	qsort(obj->kcfg, obj->nkcfg, sizeof(*obj->kcfg), cmp_kcfg);
	for (size_t i = 0; i < obj->nkcfg; i++) {
		off = (off + obj->kcfg[i].align - 1) / obj->kcfg[i].align * obj->kcfg[i].align;
		obj->kcfg[i].off = off;
		off += obj->kcfg[i].size;
	}
	obj->kcfg_data = calloc(1, off);
	if (!obj->kcfg_data)
		return -ENOMEM;
	/* virtual LINUX_* externs */
	for (size_t i = 0; i < obj->nkcfg; i++) {
		struct bxe_kcfg *k = &obj->kcfg[i];

		if (!strncmp(k->name, "LINUX_", 6)) {
			if (!strcmp(k->name, "LINUX_KERNEL_VERSION") && k->type == KC_INT && k->size >= 4)
				store(obj, k, kernel_version());
			else if (!strcmp(k->name, "LINUX_HAS_SYSCALL_WRAPPER") && k->type == KC_BOOL)
				store(obj, k, 1);
			else if (!strcmp(k->name, "LINUX_HAS_BPF_COOKIE") && k->type == KC_BOOL)
				store(obj, k, 0);	/* no bpf_get_attach_cookie helper in bpfbox */
			else {
				bx_err(&obj->log, "%s: .kconfig extern '%s': unknown LINUX_* extern or wrong type",
				       obj->name, k->name);
				return -ENOTSUP;
			}
		} else {
			need_cfg++;
		}
	}
	if (need_cfg && o && o->kconfig)
		err = parse_config(obj, o->kconfig, strlen(o->kconfig), "opts.kconfig");
	for (size_t i = 0; i < obj->nkcfg && !err && need_cfg; i++)
		if (!obj->kcfg[i].set && strncmp(obj->kcfg[i].name, "LINUX_", 6)) {
			if (!o || !o->no_host_kconfig)
				err = host_config(obj);
			break;
		}
	if (err)
		return err;
	for (size_t i = 0; i < obj->nkcfg; i++) {
		const struct bxe_kcfg *k = &obj->kcfg[i];

		if (k->set)
			continue;
		if (k->weak)
			bx_debug(&obj->log, "%s: .kconfig extern '%s' has no value: 0 (weak)", obj->name, k->name);
		else
			bx_warn(&obj->log, "%s: .kconfig extern '%s' has no value (not in the kernel config); "
				"programs using it cannot be loaded (declare it __weak to get 0)", obj->name,
				k->name);
	}
	mi = bxe_map_new(obj, ".kconfig", 0, 0, off);
	if (mi < 0)
		return mi;
	obj->kcfg_map = mi;
	d = &obj->maps[mi];
	d->section = ".kconfig";
	d->origin = BPFBOX_MAP_KCONFIG;
	d->type = MAP_TYPE_ARRAY;
	d->key_size = 4;
	d->value_size = off;
	d->max_entries = 1;
	d->internal = true;
	d->readonly = true;
	d->map_flags = F_MMAPABLE | F_RDONLY_PROG;
	d->init_data = obj->kcfg_data;
	d->btf_value_type_id = (uint32_t)dsid;
	return 0;
}

/* See obj.h. */
int bxe_kconfig_lddw(struct bpfbox_program *p, size_t pos, const struct bxe_sym *y)
{
	struct bpfbox_object *obj = p->obj;
	struct bxe_kcfg *k = obj->kcfg_map >= 0 ? find(obj, y->name) : NULL;
	struct bpfbox_insn *in = &p->insns[pos];

	if (!k)
		return 0;
	if (!k->set && !k->weak) {
		bxe_prog_unloadable(p, "insn %zu: .kconfig extern '%s' has no value (not in the kernel config "
				    "or opts.kconfig); declare it __weak to get 0", pos, k->name);
		return 1;
	}
	if (in->imm < 0 || (uint64_t)in->imm >= k->size) {
		bxe_prog_unloadable(p, "insn %zu: .kconfig extern '%s'%+d is outside the extern", pos, k->name,
				    in->imm);
		return 1;
	}
	in[1].imm = (int32_t)(k->off + (uint32_t)in->imm);
	in->src_reg = BX_PSEUDO_MAP_IDX_VALUE;
	in->imm = obj->kcfg_map;
	return 1;
}

/* See obj.h. */
void bxe_kconfig_free(struct bpfbox_object *obj)
{
	free(obj->kcfg);
	free(obj->kcfg_data);
	obj->kcfg = NULL;
	obj->kcfg_data = NULL;
	obj->nkcfg = 0;
}
