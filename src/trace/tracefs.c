/*
 * tracefs.c - trace-event record layouts: the tracefs format-file parser,
 * the built-in syscall layouts, the record builder (tracefs.h), and the
 * lookups over the generated syscall table (syscalls_x86_64.h).
 */
#include "trace/tracefs.h"
#include "trace/syscalls_x86_64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- syscall table lookups ------------------------------------------------ */

/* See syscalls_x86_64.h: binary search over the table sorted by nr. */
const struct bxh_syscall *bxh_syscall_by_nr(long nr)
{
	size_t lo = 0, hi = bxh_syscall_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long m = bxh_syscall_table[mid].nr;

		if (m == nr)
			return &bxh_syscall_table[mid];
		if (m < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* See syscalls_x86_64.h. Call names win over entry names. */
const struct bxh_syscall *bxh_syscall_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (!strncmp(name, "__x64_sys_", 10))
		name += 10;
	else if (!strncmp(name, "sys_", 4))
		name += 4;
	for (size_t i = 0; i < bxh_syscall_table_len; i++)
		if (!strcmp(bxh_syscall_table[i].name, name))
			return &bxh_syscall_table[i];
	for (size_t i = 0; i < bxh_syscall_table_len; i++)
		if (!strcmp(bxh_syscall_table[i].entry, name))
			return &bxh_syscall_table[i];
	return NULL;
}

/* See syscalls_x86_64.h. */
size_t bxh_syscall_count(void)
{
	return bxh_syscall_table_len;
}

/* See syscalls_x86_64.h. */
const struct bxh_syscall *bxh_syscall_at(size_t i)
{
	return i < bxh_syscall_table_len ? &bxh_syscall_table[i] : NULL;
}

/* ---- format file parser ---------------------------------------------------- */

/* Copy at most n bytes of s (trimmed of blanks) into dst[cap]; false if it
 * does not fit or is empty. */
static bool copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = 0;
	return true;
}

/* Parse "KEY:NUMBER" at *p (after blanks) into *v; advances past ';'. */
static bool parse_attr(const char **p, const char *end, const char *key, uint32_t *v)
{
	const char *s = *p;
	size_t kl = strlen(key);
	unsigned long long x = 0;
	bool any = false;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) < kl || memcmp(s, key, kl))
		return false;
	s += kl;
	while (s < end && *s >= '0' && *s <= '9') {
		x = x * 10 + (unsigned)(*s++ - '0');
		if (x > UINT32_MAX)
			return false;
		any = true;
	}
	if (!any || s >= end || *s != ';')
		return false;
	*v = (uint32_t)x;
	*p = s + 1;
	return true;
}

/* Split a declaration "const char * filename" / "unsigned long args[6]" /
 * "__data_loc char[] name" into type and name (+ array length). */
static bool parse_decl(struct bxh_ev_field *fd, const char *s, size_t n)
{
	const char *e = s + n, *nb, *br = NULL;

	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	fd->array_len = 0;
	if (e > s && e[-1] == ']') {
		/* NAME[N] (but "char[] name" has its brackets in the type) */
		for (br = e - 1; br > s && *br != '['; br--)
			;
		if (*br != '[')
			return false;
		for (const char *q = br + 1; q < e - 1; q++) {
			if (*q < '0' || *q > '9')
				return false;
			fd->array_len = fd->array_len * 10 + (uint32_t)(*q - '0');
			if (fd->array_len > 1u << 20)
				return false;
		}
		e = br;
	}
	for (nb = e; nb > s && nb[-1] != ' ' && nb[-1] != '\t' && nb[-1] != '*'; nb--)
		;
	if (nb == e)
		return false;
	if (!copy_trim(fd->name, sizeof(fd->name), nb, (size_t)(e - nb)))
		return false;
	if (nb == s) {
		fd->type[0] = 0;  /* no type: unusual, but keep the field */
		return true;
	}
	return copy_trim(fd->type, sizeof(fd->type), s, (size_t)(nb - s));
}

/* Parse one "field:..." line (p points after "field:"). */
static int parse_field(struct bxh_ev_format *out, const char *p, const char *end, unsigned line,
		       const struct bx_log *log)
{
	struct bxh_ev_field *fd;
	const char *semi = memchr(p, ';', (size_t)(end - p));
	uint32_t sg = 0;

	if (out->nfields >= BXH_EV_MAX_FIELDS) {
		bx_err(log, "format line %u: more than %d fields", line, BXH_EV_MAX_FIELDS);
		return -EINVAL;
	}
	fd = &out->fields[out->nfields];
	memset(fd, 0, sizeof(*fd));
	if (!semi || !parse_decl(fd, p, (size_t)(semi - p))) {
		bx_err(log, "format line %u: bad field declaration", line);
		return -EINVAL;
	}
	p = semi + 1;
	if (!parse_attr(&p, end, "offset:", &fd->offset) || !parse_attr(&p, end, "size:", &fd->size)) {
		bx_err(log, "format line %u: field '%s' without offset:/size:", line, fd->name);
		return -EINVAL;
	}
	if (parse_attr(&p, end, "signed:", &sg))
		fd->is_signed = sg != 0;
	if ((uint64_t)fd->offset + fd->size > 1u << 16) {
		bx_err(log, "format line %u: field '%s' beyond 64 KiB", line, fd->name);
		return -EINVAL;
	}
	if (fd->offset + fd->size > out->size)
		out->size = fd->offset + fd->size;
	out->nfields++;
	return 0;
}

/* See tracefs.h. */
int bxh_ev_parse(const char *text, size_t len, struct bxh_ev_format *out, const struct bx_log *log)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;
	bool in_format = false;
	int err;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *s = p;

		line++;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		if (le - s >= 5 && !memcmp(s, "name:", 5)) {
			if (!copy_trim(out->name, sizeof(out->name), s + 5, (size_t)(le - s - 5))) {
				bx_err(log, "format line %u: bad event name", line);
				return -EINVAL;
			}
		} else if (le - s >= 3 && !memcmp(s, "ID:", 3)) {
			uint32_t id = 0;
			const char *q = s + 3;
			char tmp[16];
			size_t n;

			while (q < le && *q == ' ')
				q++;
			n = (size_t)(le - q);
			if (!n || n >= sizeof(tmp) - 1) {
				bx_err(log, "format line %u: bad ID", line);
				return -EINVAL;
			}
			memcpy(tmp, q, n);
			tmp[n] = ';';
			tmp[n + 1] = 0;
			q = tmp;
			if (!parse_attr(&q, tmp + n + 1, "", &id)) {
				bx_err(log, "format line %u: bad ID", line);
				return -EINVAL;
			}
			out->id = id;
		} else if (le - s >= 7 && !memcmp(s, "format:", 7)) {
			in_format = true;
		} else if (le - s >= 6 && !memcmp(s, "field:", 6)) {
			if (!in_format) {
				bx_err(log, "format line %u: field before 'format:'", line);
				return -EINVAL;
			}
			err = parse_field(out, s + 6, le, line, log);
			if (err)
				return err;
		} else if (le - s >= 10 && !memcmp(s, "print fmt:", 10)) {
			break;
		}
		p = nl ? nl + 1 : end;
	}
	if (!out->name[0] || !out->nfields) {
		bx_err(log, "format: no %s", out->name[0] ? "fields" : "'name:' line");
		return -EINVAL;
	}
	return 0;
}

/* ---- built-in layouts -------------------------------------------------------- */

/* Append a field to a built-in layout. */
static void add_field(struct bxh_ev_format *f, const char *type, const char *name, uint32_t off,
		      uint32_t size, bool sg, uint32_t alen)
{
	struct bxh_ev_field *fd = &f->fields[f->nfields++];

	snprintf(fd->type, sizeof(fd->type), "%s", type);
	snprintf(fd->name, sizeof(fd->name), "%s", name);
	fd->offset = off;
	fd->size = size;
	fd->is_signed = sg;
	fd->array_len = alen;
	if (off + size > f->size)
		f->size = off + size;
}

/* The common header of every trace event. */
static void add_common(struct bxh_ev_format *f)
{
	add_field(f, "unsigned short", "common_type", 0, 2, false, 0);
	add_field(f, "unsigned char", "common_flags", 2, 1, false, 0);
	add_field(f, "unsigned char", "common_preempt_count", 3, 1, false, 0);
	add_field(f, "int", "common_pid", 4, 4, true, 0);
}

/* Built-in layout of system/name, or -ENOENT. */
static int builtin_format(const char *system, const char *name, struct bxh_ev_format *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->system, sizeof(f->system), "%s", system);
	f->builtin = true;
	add_common(f);
	if (!strcmp(system, "raw_syscalls")) {
		if (!strcmp(name, "sys_enter")) {
			add_field(f, "long", "id", 8, 8, true, 0);
			add_field(f, "unsigned long", "args", 16, 48, false, 6);
		} else if (!strcmp(name, "sys_exit")) {
			add_field(f, "long", "id", 8, 8, true, 0);
			add_field(f, "long", "ret", 16, 8, true, 0);
		} else {
			return -ENOENT;
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
		return 0;
	}
	if (!strcmp(system, "syscalls")) {
		bool is_exit;
		int nr = bxh_ev_syscall_nr(name, &is_exit);
		const struct bxh_syscall *sc = nr >= 0 ? bxh_syscall_by_nr(nr) : NULL;

		if (!sc || sc->nargs < 0)
			return -ENOENT;
		snprintf(f->name, sizeof(f->name), "sys_%s_%s", is_exit ? "exit" : "enter", sc->entry);
		add_field(f, "int", "__syscall_nr", 8, 4, true, 0);
		if (is_exit) {
			add_field(f, "long", "ret", 16, 8, true, 0);
		} else {
			for (int i = 0; i < sc->nargs; i++)
				add_field(f, sc->arg_types[i], sc->arg_names[i], 16 + 8 * (uint32_t)i, 8,
					  false, 0);
		}
		return 0;
	}
	return -ENOENT;
}

/* ---- lookups by event name ------------------------------------------------- */

/* See tracefs.h. */
int bxh_ev_syscall_nr(const char *event, bool *is_exit)
{
	const char *s = event, *sep;
	const struct bxh_syscall *sc;

	if (!event)
		return -ENOENT;
	sep = strpbrk(event, "/:");
	if (sep) {
		if ((size_t)(sep - event) != 8 || memcmp(event, "syscalls", 8))
			return -ENOENT;
		s = sep + 1;
	}
	if (!strncmp(s, "sys_enter_", 10)) {
		*is_exit = false;
		s += 10;
	} else if (!strncmp(s, "sys_exit_", 9)) {
		*is_exit = true;
		s += 9;
	} else {
		return -ENOENT;
	}
	sc = bxh_syscall_by_name(s);
	if (!sc || !strncmp(s, "sys_", 4) || !strncmp(s, "__x64_", 6))
		return -ENOENT;
	return sc->nr;
}

/* Is s a safe path component ([A-Za-z0-9_.-], not "." or "..")? */
static bool safe_component(const char *s, size_t n)
{
	if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* Read dir/events/system/name/format into a malloc'ed buffer; -errno. */
static int read_format(const char *dir, const char *system, const char *name, char **buf,
		       size_t *len)
{
	char path[512];
	size_t cap = 8192, n = 0;
	char *b;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, system, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	b = malloc(cap);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap < (1u << 20) ? realloc(b, cap * 2) : NULL;
			if (!nb) {
				free(b);
				close(fd);
				return -EFBIG;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(b);
			close(fd);
			return e;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

/* See tracefs.h. */
int bxh_ev_format(const char *event, const char *tracefs, struct bxh_ev_format *out,
		  const struct bx_log *log)
{
	static const char *const dflt[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char system[32], name[64];
	const char *sep = event ? strpbrk(event, "/:") : NULL;
	size_t sl, nl;
	int err;

	if (!sep) {
		bx_err(log, "tracepoint '%s': expected SYSTEM/EVENT", event ? event : "(null)");
		return -EINVAL;
	}
	sl = (size_t)(sep - event);
	nl = strlen(sep + 1);
	if (!safe_component(event, sl) || !safe_component(sep + 1, nl) || sl >= sizeof(system) ||
	    nl >= sizeof(name)) {
		bx_err(log, "tracepoint '%s': bad name", event);
		return -EINVAL;
	}
	memcpy(system, event, sl);
	system[sl] = 0;
	memcpy(name, sep + 1, nl + 1);

	/* a syscall event named by its call name (sys_enter_stat) is read
	 * from its entry's directory (sys_enter_newstat) */
	if (!strcmp(system, "syscalls")) {
		bool is_exit;
		int nr = bxh_ev_syscall_nr(name, &is_exit);
		const struct bxh_syscall *sc = nr >= 0 ? bxh_syscall_by_nr(nr) : NULL;

		if (sc)
			snprintf(name, sizeof(name), "sys_%s_%s", is_exit ? "exit" : "enter", sc->entry);
	}
	for (size_t i = 0; i < 2 && !(tracefs && !*tracefs); i++) {
		const char *dir = tracefs ? tracefs : dflt[i];
		char *buf = NULL;
		size_t len = 0;

		if (tracefs && i)
			break;
		if (read_format(dir, system, name, &buf, &len))
			continue;
		err = bxh_ev_parse(buf, len, out, log);
		free(buf);
		if (err) {
			bx_err(log, "%s/events/%s/%s/format: cannot parse", dir, system, name);
			return err;
		}
		snprintf(out->system, sizeof(out->system), "%s", system);
		return 0;
	}
	err = builtin_format(system, name, out);
	if (err)
		bx_err(log, "tracepoint '%s': no such event (not in tracefs, not built in)", event);
	return err;
}

/* See tracefs.h. */
const struct bxh_ev_field *bxh_ev_field(const struct bxh_ev_format *f, const char *name)
{
	for (size_t i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

/* ---- record builder ----------------------------------------------------- */

/* Store the low fd->size bytes of v (host order = little endian). */
static void put_int(uint8_t *rec, const struct bxh_ev_field *fd, uint32_t off, uint64_t v)
{
	uint32_t n = fd->array_len ? fd->size / fd->array_len : fd->size;

	if (n > 8)
		n = 8;
	memcpy(rec + off, &v, n);
}

/* See tracefs.h. */
int bxh_ev_build(const struct bxh_ev_format *f, const struct bxh_ev_vals *v, uint8_t *rec,
		 size_t cap)
{
	size_t argi = 0;

	if (cap < f->size)
		return -ENOSPC;
	memset(rec, 0, f->size);
	for (size_t i = 0; i < f->nfields; i++) {
		const struct bxh_ev_field *fd = &f->fields[i];

		if (!strcmp(fd->name, "common_type")) {
			put_int(rec, fd, fd->offset, f->id);
		} else if (!strcmp(fd->name, "common_pid")) {
			put_int(rec, fd, fd->offset, (uint64_t)(int64_t)v->pid);
		} else if (!strncmp(fd->name, "common_", 7)) {
			continue;
		} else if (!strcmp(fd->name, "__syscall_nr") || !strcmp(fd->name, "id")) {
			put_int(rec, fd, fd->offset, (uint64_t)v->nr);
		} else if (!strcmp(fd->name, "ret")) {
			put_int(rec, fd, fd->offset, (uint64_t)v->ret);
		} else if (fd->array_len && !strcmp(fd->name, "args")) {
			uint32_t es = fd->size / fd->array_len;
			for (uint32_t k = 0; k < fd->array_len && k < 6 && es; k++)
				put_int(rec, fd, fd->offset + k * es, v->args[k]);
		} else if (argi < 6) {
			put_int(rec, fd, fd->offset, v->args[argi++]);
		}
	}
	return (int)f->size;
}
