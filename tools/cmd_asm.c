/*
 * cmd_asm.c - "bpfbox asm IN.s -o OUT.bin": assemble to raw bytecode.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Assemble IN (LLVM syntax 'r0 = 1' or mnemonic syntax 'mov %%r0, 1';\n"
		"'-' is stdin) into raw little-endian eBPF bytecode, 8 bytes per slot.\n\n"
		"Options:\n"
		"  -o, --output OUT     where to write the bytecode ('-' is stdout)\n"
		"  -s, --syntax SYNTAX  auto (default, decided per line), llvm or mnemonic\n"
		"  -h, --help           this help\n\n"
		"Errors are printed as 'IN:LINE: error: ...' and the exit status is 1.\n",
		cli_cmd_asm.usage);
}

/* Write all of buf to path ("-" is stdout). */
static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;

	if (!f) {
		cli_err("asm", "cannot create '%s': %s", path, strerror(errno));
		return CLI_FAIL;
	}
	if (fwrite(buf, 1, len, f) != len || (f == stdout ? fflush(f) : fclose(f))) {
		cli_err("asm", "cannot write '%s': %s", path, strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int asm_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "syntax", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	const char *out = NULL, *in;
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			if (cli_parse_syntax(optarg, &syntax))
				return cli_usage_err(&cli_cmd_asm, "unknown syntax '%s' (auto, llvm or mnemonic)", optarg);
			break;
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_asm, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_asm, "missing input file");
	if (optind + 1 < argc)
		return cli_usage_err(&cli_cmd_asm, "unexpected argument '%s'", argv[optind + 1]);
	if (!out)
		return cli_usage_err(&cli_cmd_asm, "missing -o OUT");
	in = argv[optind];
	{
		/* asm always treats its input as source, whatever its name */
		uint8_t *buf;
		size_t len;
		struct cli_log log = { 0 };
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = strcmp(in, "-") ? in : "<stdin>",
			    .syntax = syntax, .log = cli_log_fn, .log_ctx = &log);

		if (cli_read_file("asm", in, &buf, &len))
			return CLI_FAIL;
		rc = bpfbox_asm((const char *)buf, len, &ao, &insns, &cnt);
		free(buf);
		if (rc) {
			if (!log.nerr)
				cli_err("asm", "%s: cannot assemble: %s", in, strerror(-rc));
			return CLI_FAIL;
		}
	}
	rc = write_file(out, insns, cnt * sizeof(*insns));
	free(insns);
	return rc;
}

const struct cli_cmd cli_cmd_asm = {
	.name = "asm",
	.summary = "assemble a .s file into raw bytecode",
	.usage = "bpfbox asm IN.s -o OUT.bin [--syntax auto|llvm|mnemonic]",
	.main = asm_main,
	.help = help,
};
