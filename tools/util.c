/*
 * util.c - helpers shared by the bpfbox subcommands (see cli.h).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* "bpfbox CMD: message" on stderr. */
void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfbox %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A usage error: the message, then the short usage. */
int cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfbox %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: %s\nTry 'bpfbox %s --help' for more information.\n",
		cmd->usage, cmd->name);
	return CLI_USAGE;
}

/* getopt_long() returned '?' (unknown option) or ':' (missing argument). */
int cli_bad_opt(const struct cli_cmd *cmd, int c, char **argv)
{
	extern int optind, optopt;
	const char *arg = argv[optind - 1];

	if (c == ':')
		return cli_usage_err(cmd, "option '%s' needs an argument", arg);
	if (optopt && strncmp(arg, "--", 2))
		return cli_usage_err(cmd, "unknown option '-%c'", optopt);
	return cli_usage_err(cmd, "unknown option '%s'", arg);
}

/* The library's log callback. */
void cli_log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct cli_log *log = ctx;

	if (level > BPFBOX_LOG_WARN)
		return;
	if (level == BPFBOX_LOG_ERROR)
		log->nerr++;
	if (log->prefix)
		fprintf(stderr, "%s: %s%s\n", log->prefix,
			level == BPFBOX_LOG_WARN ? "warning: " : "", msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/* Read a file or stdin. */
int cli_read_file(const char *cmd, const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		cli_err(cmd, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - n < 4096) {
			uint8_t *nb = realloc(b, cap = cap * 2 + 8192);
			if (!nb) {
				cli_err(cmd, "%s: out of memory", path);
				goto fail;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		cli_err(cmd, "cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	b[n] = 0; /* handy for text */
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	if (f != stdin)
		fclose(f);
	return -1;
}

/* .s and .asm are assembly; anything else is bytecode. */
int cli_is_asm_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && (!strcmp(dot, ".s") || !strcmp(dot, ".asm") || !strcmp(dot, ".S"));
}

/* auto | llvm | mnemonic */
int cli_parse_syntax(const char *s, enum bpfbox_asm_syntax *out)
{
	if (!strcmp(s, "auto"))
		*out = BPFBOX_SYNTAX_AUTO;
	else if (!strcmp(s, "llvm"))
		*out = BPFBOX_SYNTAX_LLVM;
	else if (!strcmp(s, "mnemonic"))
		*out = BPFBOX_SYNTAX_MNEMONIC;
	else
		return -1;
	return 0;
}

/* A whole-string unsigned number. */
int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Hex bytes; whitespace separates bytes, each token has an even number of
 * digits. */
int cli_parse_hex(const char *s, uint8_t **out, size_t *len, char *why, size_t why_sz)
{
	size_t n = strlen(s), k = 0;
	uint8_t *b = malloc(n / 2 + 1);

	if (!b) {
		snprintf(why, why_sz, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n;) {
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (hexval(s[i]) < 0 || i + 1 >= n || hexval(s[i + 1]) < 0) {
			size_t bad = hexval(s[i]) < 0 ? i : i + 1;
			if (bad >= n || isspace((unsigned char)s[bad]))
				snprintf(why, why_sz, "odd number of hex digits at offset %zu", i);
			else
				snprintf(why, why_sz, "invalid hex digit '%c' at offset %zu",
					 s[bad], bad);
			free(b);
			return -1;
		}
		b[k++] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
		i += 2;
	}
	*out = b;
	*len = k;
	return 0;
}

/* Assemble or copy a program file into instruction slots. */
int cli_load_insns(const char *cmd, const char *path, enum bpfbox_asm_syntax syntax,
		   struct bpfbox_insn **insns, size_t *cnt)
{
	uint8_t *buf;
	size_t len;
	int err;

	if (cli_read_file(cmd, path, &buf, &len))
		return CLI_FAIL;
	if (cli_is_asm_path(path)) {
		struct cli_log log = { 0 };
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = strcmp(path, "-") ? path : "<stdin>",
			    .syntax = syntax, .log = cli_log_fn, .log_ctx = &log);

		err = bpfbox_asm((const char *)buf, len, &ao, insns, cnt);
		free(buf);
		if (err) {
			if (!log.nerr)
				cli_err(cmd, "%s: cannot assemble: %s", path, strerror(-err));
			return CLI_FAIL;
		}
		return CLI_OK;
	}
	if (len % 8) {
		cli_err(cmd, "%s: size %zu is not a multiple of 8 (eBPF instructions are 8 bytes)",
			path, len);
		free(buf);
		return CLI_FAIL;
	}
	if (len == 0) {
		cli_err(cmd, "%s: empty file (no instructions)", path);
		free(buf);
		return CLI_FAIL;
	}
	*insns = malloc(len);
	if (!*insns) {
		cli_err(cmd, "%s: out of memory", path);
		free(buf);
		return CLI_FAIL;
	}
	memcpy(*insns, buf, len);
	*cnt = len / 8;
	free(buf);
	return CLI_OK;
}

/* A JSON string literal. */
void cli_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* cli_parse_engine - see cli.h. */
int cli_parse_engine(const char *s, enum bpfbox_engine *out)
{
	if (!strcmp(s, "interp"))
		*out = BPFBOX_ENGINE_INTERP;
	else if (!strcmp(s, "jit"))
		*out = BPFBOX_ENGINE_JIT;
	else if (!strcmp(s, "default"))
		*out = BPFBOX_ENGINE_DEFAULT;
	else
		return -1;
	return 0;
}
