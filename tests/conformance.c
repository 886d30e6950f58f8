/*
 * conformance.c - loader for the bpf_conformance suite (see conformance.h).
 */
#include "conformance.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* $BPFBOX_SHARED, else ../shared. */
const char *bxt_shared_dir(void)
{
	const char *env = getenv("BPFBOX_SHARED");

	return env && *env ? env : "../shared";
}

/* Read a file into a NUL-terminated buffer. */
int bxt_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(b, cap = cap * 2 + 8192);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Hex bytes, whitespace allowed between bytes. */
int bxt_parse_hex(const char *s, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *b = malloc(n / 2 + 1);
	size_t k = 0;

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (i + 1 >= n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0) {
			free(b);
			return -EINVAL;
		}
		b[k++] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
		i += 2;
	}
	*out = b;
	*len = k;
	return 0;
}

/* In one JSON line, the raw value text of "key" (string without quotes,
 * or number); NULL if absent. The jsonl has flat objects and no escapes
 * in the fields read here. */
static const char *json_field(const char *line, const char *key, size_t *vlen)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p == '"') {
		e = strchr(++p, '"');
		if (!e)
			return NULL;
	} else {
		e = p + strcspn(p, ",}");
	}
	*vlen = (size_t)(e - p);
	return p;
}

/* Parse one *.data file into t->asm_text (and, if t has no mem from the
 * jsonl, t->mem). Returns 0 or -errno. */
static int parse_data(struct bxt_conf_test *t, const char *path, uint64_t *result, int *has_result)
{
	char *text, *asm_buf;
	size_t len, an = 0;
	const char *sec = "";
	int err = bxt_read_file(path, &text, &len);

	if (err)
		return err;
	asm_buf = malloc(len + 1);
	if (!asm_buf) {
		free(text);
		return -ENOMEM;
	}
	*has_result = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);

		if (ll >= 3 && !strncmp(line, "-- ", 3)) {
			static const char *names[] = { "asm", "mem", "result" };
			sec = "other";
			for (size_t i = 0; i < 3; i++)
				if (ll - 3 >= strlen(names[i]) && !strncmp(line + 3, names[i], strlen(names[i])))
					sec = names[i];
		} else if (!strcmp(sec, "asm")) {
			memcpy(asm_buf + an, line, ll);
			an += ll;
			asm_buf[an++] = '\n';
		} else if (!strcmp(sec, "mem") && !t->mem) {
			uint8_t *m = NULL;
			size_t ml = 0;
			if (bxt_parse_hex(line, ll, &m, &ml) == 0 && ml) {
				t->mem = m;
				t->mem_len = ml;
			} else {
				free(m);
			}
		} else if (!strcmp(sec, "result") && !*has_result) {
			char tmp[64];
			size_t k = ll < sizeof(tmp) - 1 ? ll : sizeof(tmp) - 1;
			memcpy(tmp, line, k);
			tmp[k] = 0;
			if (strspn(tmp, " \t\r") != k) {
				*result = strtoull(tmp, NULL, 0);
				*has_result = 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	asm_buf[an] = 0;
	t->asm_text = asm_buf;
	t->asm_len = an;
	free(text);
	return 0;
}

/* Fill one test from a jsonl line and its .data file. */
static int parse_test(struct bxt_conf_test *t, const char *line, const char *dir,
		      char *why, size_t why_sz)
{
	const char *v;
	size_t vl;
	char path[4200], num[64];
	uint64_t dres = 0;
	int has_dres = 0, err;

	memset(t, 0, sizeof(*t));
	if (!(v = json_field(line, "name", &vl)) || !(t->name = strndup(v, vl)))
		goto bad;
	if (!(v = json_field(line, "cpu_version", &vl)))
		goto bad;
	t->cpu_version = atoi(v);
	if (!(v = json_field(line, "code_hex", &vl)) || bxt_parse_hex(v, vl, &t->code, &t->code_len))
		goto bad;
	if ((v = json_field(line, "mem_hex", &vl)) && vl) {
		if (bxt_parse_hex(v, vl, &t->mem, &t->mem_len))
			goto bad;
	}
	if ((v = json_field(line, "result_hex", &vl)) && vl < sizeof(num)) {
		memcpy(num, v, vl);
		num[vl] = 0;
		t->result = strtoull(num, NULL, 0);
	} else if ((v = json_field(line, "result", &vl))) {
		t->result = strtoull(v, NULL, 10);
	} else {
		goto bad;
	}
	snprintf(path, sizeof(path), "%s/bpf_conformance/%s", dir, t->name);
	err = parse_data(t, path, &dres, &has_dres);
	if (err && err != -ENOENT) {
		snprintf(why, why_sz, "%s: %s", path, strerror(-err));
		return err;
	}
	if (has_dres && dres != t->result) {
		snprintf(why, why_sz, "%s: result 0x%llx disagrees with the jsonl's 0x%llx", path,
			 (unsigned long long)dres, (unsigned long long)t->result);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(why, why_sz, "%s/bpf_conformance.jsonl: malformed line: %.60s", dir, line);
	return -EINVAL;
}

/* Load the suite (see conformance.h). */
int bxt_conf_load(struct bxt_conf *conf, char *why, size_t why_sz)
{
	char path[4200], *text, *line;
	size_t len, cap = 0;
	struct stat st;
	int err;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->dir, sizeof(conf->dir), "%s/conformance", bxt_shared_dir());
	snprintf(path, sizeof(path), "%s/bpf_conformance.jsonl", conf->dir);
	if (stat(conf->dir, &st) || !S_ISDIR(st.st_mode) || stat(path, &st)) {
		snprintf(why, why_sz, "%s not found", conf->dir);
		return -ENOENT;
	}
	err = bxt_read_file(path, &text, &len);
	if (err) {
		snprintf(why, why_sz, "%s: %s", path, strerror(-err));
		return err;
	}
	for (line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (*line == '{') {
			if (conf->cnt == cap) {
				void *n = realloc(conf->tests, (cap = cap * 2 + 64) * sizeof(*conf->tests));
				if (!n) {
					err = -ENOMEM;
					break;
				}
				conf->tests = n;
			}
			err = parse_test(&conf->tests[conf->cnt], line, conf->dir, why, why_sz);
			conf->cnt++;
			if (err)
				break;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	if (err)
		bxt_conf_free(conf);
	return err;
}

/* Free everything bxt_conf_load() allocated. */
void bxt_conf_free(struct bxt_conf *conf)
{
	for (size_t i = 0; i < conf->cnt; i++) {
		free(conf->tests[i].name);
		free(conf->tests[i].asm_text);
		free(conf->tests[i].mem);
		free(conf->tests[i].code);
	}
	free(conf->tests);
	conf->tests = NULL;
	conf->cnt = 0;
}

/* Find a test by its name, with or without ".data". */
const struct bxt_conf_test *bxt_conf_find(const struct bxt_conf *conf, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < conf->cnt; i++) {
		const char *n = conf->tests[i].name;
		if (!strcmp(n, name) || (!strncmp(n, name, nl) && !strcmp(n + nl, ".data")))
			return &conf->tests[i];
	}
	return NULL;
}
