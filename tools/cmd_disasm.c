/*
 * cmd_disasm.c - "bpfbox disasm FILE": one instruction per line.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Disassemble FILE: raw bytecode (any name but .s/.asm) or assembly\n"
		"(.s/.asm, assembled first). One instruction per line with its index.\n\n"
		"Options:\n"
		"  -r, --raw            llvm-objdump -d layout: index, bytes, text\n"
		"  -m, --mnemonic       conformance-suite syntax (mov %%r0, 1) instead of LLVM\n"
		"  -j, --json           a JSON array of {\"idx\", \"bytes\", \"text\"}\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"  -h, --help           this help\n\n"
		"Invalid slots are shown as the library describes them and make the\n"
		"exit status 1.\n",
		cli_cmd_disasm.usage);
}

static int disasm_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "mnemonic", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "syntax", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	int raw = 0, json = 0, c, rc = CLI_OK;
	unsigned flags = 0;
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	const char *path;
	char buf[512];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":rmjs:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'r': raw = 1; break;
		case 'm': flags |= BPFBOX_DISASM_MNEMONIC; break;
		case 'j': json = 1; break;
		case 's':
			if (cli_parse_syntax(optarg, &syntax))
				return cli_usage_err(&cli_cmd_disasm, "unknown syntax '%s' (auto, llvm or mnemonic)", optarg);
			break;
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_disasm, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_disasm, "missing input file");
	if (optind + 1 < argc)
		return cli_usage_err(&cli_cmd_disasm, "unexpected argument '%s'", argv[optind + 1]);
	path = argv[optind];
	if (raw && !json)
		flags |= BPFBOX_DISASM_RAW;
	if (cli_load_insns("disasm", path, syntax, &insns, &cnt))
		return CLI_FAIL;

	BPFBOX_OPTS(bpfbox_disasm_opts, dopts, .flags = flags);
	if (json)
		printf("[");
	for (size_t i = 0; i < cnt;) {
		int n = bpfbox_disasm_insn(insns, cnt, i, &dopts, buf, sizeof(buf));
		size_t slots = n > 0 ? (size_t)n : 1;

		if (n < 0) {
			/* name the problem without the raw-bytes prefix */
			char why[256];
			BPFBOX_OPTS(bpfbox_disasm_opts, plain, .flags = flags & ~BPFBOX_DISASM_RAW);
			bpfbox_disasm_insn(insns, cnt, i, &plain, why, sizeof(why));
			cli_err("disasm", "%s: insn %zu: %s", path, i, why);
			rc = CLI_FAIL;
		}
		if (json) {
			const uint8_t *b = (const uint8_t *)&insns[i];
			printf("%s\n  {\"idx\": %zu, \"bytes\": \"", i ? "," : "", i);
			for (size_t k = 0; k < 8 * slots; k++)
				printf("%s%02x", k ? " " : "", b[k]);
			printf("\", \"text\": ");
			cli_json_str(stdout, buf);
			printf("}");
		} else if (raw) {
			printf("%s\n", buf);
		} else {
			printf("%4zu: %s\n", i, buf);
		}
		i += slots;
	}
	if (json)
		printf("\n]\n");
	free(insns);
	return rc;
}

const struct cli_cmd cli_cmd_disasm = {
	.name = "disasm",
	.summary = "disassemble bytecode (or a .s file) one instruction per line",
	.usage = "bpfbox disasm FILE [--raw] [--mnemonic] [--json]",
	.main = disasm_main,
	.help = help,
};
