/*
 * uprobe_sym.c - uprobe targets: ELF symbol -> file offset (a small,
 * bounds-checked reader of ELF64 little-endian executables and shared
 * libraries: section headers, .symtab/.dynsym, PT_LOAD program headers),
 * library search, and file offset -> runtime address via /proc/PID/maps.
 */
#include "trace/uprobe_sym.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SHT_SYMTAB_ 2
#define SHT_DYNSYM_ 11
#define PT_LOAD_ 1
#define STT_NOTYPE_ 0
#define STT_FUNC_ 2
#define STT_GNU_IFUNC_ 10

/* Little-endian reads from possibly unaligned memory. */
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Is [off, off+len) inside [0, size)? */
static bool in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* See uprobe_sym.h. */
int bxh_uprobe_split(const char *target, char *path, size_t path_sz, char *spec, size_t spec_sz)
{
	const char *c = target ? strrchr(target, ':') : NULL;
	size_t pl;

	if (!c || c == target || !c[1])
		return -EINVAL;
	pl = (size_t)(c - target);
	if (pl >= path_sz || strlen(c + 1) >= spec_sz)
		return -EINVAL;
	memcpy(path, target, pl);
	path[pl] = 0;
	strcpy(spec, c + 1);
	return 0;
}

/* Parse a whole decimal or 0x-hex number; false if s is not one. */
static bool parse_num(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* A mapped ELF file. */
struct elf_file {
	const char *path;
	const uint8_t *buf;
	size_t size;
	const struct bx_log *log;
};

/* Map path read-only; -errno / -ENOEXEC logged. */
static int elf_open(struct elf_file *ef, const char *path, const struct bx_log *log)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	void *m;

	ef->path = path;
	ef->log = log;
	if (fd < 0) {
		err = -errno;
		bx_err(log, "%s: cannot open: %s", path, strerror(-err));
		return err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 64) {
		close(fd);
		bx_err(log, "%s: not an ELF file", path);
		return -ENOEXEC;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		err = -errno;
		bx_err(log, "%s: cannot map: %s", path, strerror(-err));
		return err;
	}
	ef->buf = m;
	ef->size = (size_t)st.st_size;
	if (memcmp(ef->buf, "\x7f" "ELF", 4) || ef->buf[4] != 2 || ef->buf[5] != 1) {
		munmap((void *)ef->buf, ef->size);
		bx_err(log, "%s: not a 64-bit little-endian ELF file", path);
		return -ENOEXEC;
	}
	return 0;
}

/* Unmap. */
static void elf_close(struct elf_file *ef)
{
	munmap((void *)ef->buf, ef->size);
}

/* Virtual address -> file offset through the PT_LOAD segments; false if
 * no segment holds it in its file part. */
static bool vaddr_to_off(const struct elf_file *ef, uint64_t va, uint64_t *off)
{
	uint64_t phoff = rd64(ef->buf + 32);
	uint16_t phentsize = rd16(ef->buf + 54), phnum = rd16(ef->buf + 56);

	if (phentsize < 56 || !in_range(phoff, (uint64_t)phentsize * phnum, ef->size))
		return false;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = ef->buf + phoff + (uint64_t)i * phentsize;
		uint64_t p_off = rd64(ph + 8), p_va = rd64(ph + 16), p_fsz = rd64(ph + 32);

		if (rd32(ph) != PT_LOAD_)
			continue;
		if (va >= p_va && va - p_va < p_fsz) {
			*off = va - p_va + p_off;
			return true;
		}
	}
	return false;
}

/* Does symbol name sn equal want, ignoring a "@VERSION" suffix on either? */
static bool name_eq(const char *sn, const uint8_t *end, const char *want, size_t wl)
{
	size_t i = 0;

	while ((const uint8_t *)sn + i < end && sn[i] && sn[i] != '@' && i < wl && sn[i] == want[i])
		i++;
	if (i != wl)
		return false;
	return (const uint8_t *)sn + i < end && (sn[i] == 0 || sn[i] == '@');
}

/* Rank of a binding for choosing among duplicates: GLOBAL > WEAK > LOCAL. */
static int bind_rank(uint8_t bind)
{
	return bind == 1 ? 3 : bind == 2 ? 2 : 1;
}

/* Search symbol sections of type shtype for want; 1 found, 0 not, <0 bad. */
static int find_in(const struct elf_file *ef, uint32_t shtype, const char *want, size_t wl,
		   uint64_t *va, uint64_t *size)
{
	uint64_t shoff = rd64(ef->buf + 40);
	uint16_t shentsize = rd16(ef->buf + 58), shnum = rd16(ef->buf + 60);
	int best = 0;

	if (!shoff || !shnum)
		return 0;
	if (shentsize < 64 || !in_range(shoff, (uint64_t)shentsize * shnum, ef->size)) {
		bx_err(ef->log, "%s: section headers out of bounds", ef->path);
		return -ENOEXEC;
	}
	for (uint16_t s = 0; s < shnum; s++) {
		const uint8_t *sh = ef->buf + shoff + (uint64_t)s * shentsize, *strsh;
		uint64_t off, sz, ent, str_off, str_sz;
		uint32_t link;

		if (rd32(sh + 4) != shtype)
			continue;
		off = rd64(sh + 24);
		sz = rd64(sh + 32);
		link = rd32(sh + 40);
		ent = rd64(sh + 56);
		if (ent < 24 || link >= shnum || !in_range(off, sz, ef->size))
			continue;
		strsh = ef->buf + shoff + (uint64_t)link * shentsize;
		str_off = rd64(strsh + 24);
		str_sz = rd64(strsh + 32);
		if (!in_range(str_off, str_sz, ef->size))
			continue;
		for (uint64_t k = 1; k < sz / ent; k++) {
			const uint8_t *sym = ef->buf + off + k * ent;
			uint32_t nm = rd32(sym);
			uint8_t info = sym[4], type = info & 0xf, bind = info >> 4;
			uint16_t shndx = rd16(sym + 6);
			uint64_t value = rd64(sym + 8);

			if (nm >= str_sz || !shndx || !value)
				continue;
			if (type != STT_FUNC_ && type != STT_GNU_IFUNC_ && type != STT_NOTYPE_)
				continue;
			if (!name_eq((const char *)ef->buf + str_off + nm, ef->buf + str_off + str_sz,
				     want, wl))
				continue;
			if (bind_rank(bind) > best) {
				best = bind_rank(bind);
				*va = value;
				*size = rd64(sym + 16);
			}
		}
	}
	return best > 0;
}

/* See uprobe_sym.h. */
int bxh_uprobe_resolve(const char *path, const char *spec, uint64_t *file_off, uint64_t *size,
		       const struct bx_log *log)
{
	struct elf_file ef;
	char name[256];
	const char *plus;
	uint64_t add = 0, va = 0, sz = 0, off;
	size_t wl;
	int err;

	if (size)
		*size = 0;
	if (!path || !*path || !spec || !*spec) {
		bx_err(log, "uprobe: empty path or symbol");
		return -EINVAL;
	}
	if (parse_num(spec, &off)) {
		/* a bare file offset: only check the file is ELF */
		err = elf_open(&ef, path, log);
		if (err)
			return err;
		if (off >= ef.size) {
			bx_err(log, "%s: offset 0x%" PRIx64 " beyond the end of the file", path, off);
			elf_close(&ef);
			return -EINVAL;
		}
		elf_close(&ef);
		*file_off = off;
		return 0;
	}
	plus = strchr(spec, '+');
	wl = plus ? (size_t)(plus - spec) : strlen(spec);
	if (plus && !parse_num(plus + 1, &add)) {
		bx_err(log, "uprobe %s:%s: bad offset '%s'", path, spec, plus + 1);
		return -EINVAL;
	}
	if (!wl || wl >= sizeof(name)) {
		bx_err(log, "uprobe %s:%s: bad symbol name", path, spec);
		return -EINVAL;
	}
	memcpy(name, spec, wl);
	name[wl] = 0;
	if (strchr(name, '@'))
		wl = (size_t)(strchr(name, '@') - name);
	err = elf_open(&ef, path, log);
	if (err)
		return err;
	err = find_in(&ef, SHT_SYMTAB_, name, wl, &va, &sz);
	if (err == 0)
		err = find_in(&ef, SHT_DYNSYM_, name, wl, &va, &sz);
	if (err == 0) {
		bx_err(log, "%s: no symbol '%s'", path, name);
		err = -ENOENT;
	} else if (err > 0 && !vaddr_to_off(&ef, va, &off)) {
		bx_err(log, "%s: symbol '%s' (0x%" PRIx64 ") is in no loadable segment", path, name,
		       va);
		err = -ENOENT;
	} else if (err > 0) {
		if (sz && add >= sz)
			bx_warn(log, "%s: %s+0x%" PRIx64 " is past the end of %s (%" PRIu64 " bytes)",
				path, name, add, name, sz);
		*file_off = off + add;
		if (size)
			*size = sz;
		err = 0;
	}
	elf_close(&ef);
	return err;
}

/* Base name of a path. */
static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Copy s into out; -ENAMETOOLONG if it does not fit. */
static int put_path(char *out, size_t out_sz, const char *s)
{
	if (strlen(s) >= out_sz)
		return -ENAMETOOLONG;
	strcpy(out, s);
	return 0;
}

/* One parsed /proc/PID/maps line. */
struct map_line {
	uint64_t start, end, pgoff, ino;
	unsigned maj, min;
	char perms[5];
	const char *path;   /* points into the line; "" if anonymous */
};

/* Parse a maps line (modified in place: the newline is dropped). */
static bool parse_maps_line(char *line, struct map_line *m)
{
	int n = 0;
	char *nl = strchr(line, '\n');

	if (nl)
		*nl = 0;
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n", &m->start,
		   &m->end, m->perms, &m->pgoff, &m->maj, &m->min, &m->ino, &n) < 7)
		return false;
	m->path = line + n;
	return true;
}

/* See uprobe_sym.h. */
int bxh_uprobe_find_path(int pid, const char *name, char *out, size_t out_sz,
			 const struct bx_log *log)
{
	static const char *const dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					    "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
	size_t nl = name ? strlen(name) : 0;
	char buf[4096];

	if (!nl) {
		bx_err(log, "uprobe: empty binary name");
		return -EINVAL;
	}
	if (strchr(name, '/'))
		return put_path(out, out_sz, name);
	if (pid > 0) {
		char mp[64], *line = NULL;
		size_t cap = 0;
		FILE *f;

		snprintf(mp, sizeof(mp), "/proc/%d/maps", pid);
		f = fopen(mp, "re");
		while (f && getline(&line, &cap, f) > 0) {
			struct map_line m;
			const char *b;

			if (!parse_maps_line(line, &m) || m.path[0] != '/')
				continue;
			b = base_of(m.path);
			if (!strcmp(b, name) || (!strncmp(b, name, nl) && !strncmp(b + nl, ".so", 3))) {
				int err = put_path(out, out_sz, m.path);
				free(line);
				fclose(f);
				return err;
			}
		}
		free(line);
		if (f)
			fclose(f);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/%s", dirs[i], name);
		if (!access(buf, R_OK))
			return put_path(out, out_sz, buf);
	}
	if (!strstr(name, ".so")) {
		const char *path = getenv("PATH");

		while (path && *path) {
			const char *c = strchr(path, ':');
			size_t dl = c ? (size_t)(c - path) : strlen(path);

			if (dl && dl + nl + 2 <= sizeof(buf)) {
				memcpy(buf, path, dl);
				buf[dl] = '/';
				memcpy(buf + dl + 1, name, nl + 1);
				if (!access(buf, X_OK))
					return put_path(out, out_sz, buf);
			}
			path = c ? c + 1 : NULL;
		}
	}
	bx_err(log, "uprobe: cannot find '%s'%s", name,
	       pid > 0 ? " (not mapped in the process, not in the library or PATH directories)"
		       : " (not in the library or PATH directories)");
	return -ENOENT;
}

/* See uprobe_sym.h. */
int bxh_uprobe_addr(int pid, const char *path, uint64_t off, uint64_t *addr,
		    const struct bx_log *log)
{
	char mp[64], *line = NULL, real[4096];
	size_t cap = 0;
	struct stat st;
	bool have_st, have_real, mapped = false;
	uint64_t found = 0;
	int best = 0;
	FILE *f;

	snprintf(mp, sizeof(mp), "/proc/%d/maps", pid);
	f = pid > 0 ? fopen(mp, "re") : NULL;
	if (!f) {
		bx_err(log, "pid %d: cannot read its memory map (no such process?)", pid);
		return -ESRCH;
	}
	have_st = stat(path, &st) == 0;
	have_real = realpath(path, real) != NULL;
	while (getline(&line, &cap, f) > 0) {
		struct map_line m;
		bool same;

		if (!parse_maps_line(line, &m) || m.path[0] != '/')
			continue;
		same = (have_st && m.ino == st.st_ino && makedev(m.maj, m.min) == st.st_dev) ||
		       (have_real && !strcmp(m.path, real)) || !strcmp(m.path, path);
		if (!same)
			continue;
		mapped = true;
		if (off >= m.pgoff && off - m.pgoff < m.end - m.start) {
			int rank = m.perms[2] == 'x' ? 2 : 1;
			if (rank > best) {
				best = rank;
				found = m.start + (off - m.pgoff);
			}
		}
	}
	free(line);
	fclose(f);
	if (!best) {
		if (mapped)
			bx_err(log, "pid %d: offset 0x%" PRIx64 " of %s is not mapped", pid, off, path);
		else
			bx_err(log, "pid %d: %s is not mapped in the process", pid, path);
		return -ENOENT;
	}
	*addr = found;
	return 0;
}
