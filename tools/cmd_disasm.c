/*
 * cmd_disasm.c - "bpfbox disasm FILE": one instruction per line. FILE is
 * raw bytecode, assembly (.s), or a BPF ELF object: then every program
 * (or --prog NAME) is shown relocated, with function labels, helper names
 * and, with -S, the source lines from BTF line info as llvm-objdump -S.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Disassemble FILE: raw bytecode (any name but .s/.asm), assembly\n"
		"(.s/.asm, assembled first) or a BPF ELF object (clang -target bpf,\n"
		"detected by its magic). One instruction per line with its index.\n"
		"For an object every program is shown after relocation, functions\n"
		"start with \"<name>:\", helper calls read \"call bpf_NAME#ID\".\n\n"
		"Options:\n"
		"  -p, --prog NAME      objects: only this program\n"
		"  -S, --source         objects: source lines (\"; ...\") from BTF line info\n"
		"  -r, --raw            llvm-objdump -d layout: index, bytes, text\n"
		"  -m, --mnemonic       conformance-suite syntax (mov %%r0, 1) instead of LLVM\n"
		"  -j, --json           a JSON array of {\"idx\", \"bytes\", \"text\"}\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"  -h, --help           this help\n\n"
		"Invalid slots are shown as the library describes them and make the\n"
		"exit status 1.\n",
		cli_cmd_disasm.usage);
}

/* Text of one relocated instruction of p, with helper names, call targets
 * and map names filled in. Returns the slots used or -EINVAL. */
static int obj_insn_text(const struct bpfbox_object *obj, const struct bpfbox_program *p,
			 const struct bpfbox_vm *vm, size_t i, unsigned flags, char *buf,
			 size_t sz)
{
	const struct bpfbox_insn *insns = bpfbox_program__insns(p), *in = &insns[i];
	size_t cnt = bpfbox_program__insn_cnt(p), len;
	BPFBOX_OPTS(bpfbox_disasm_opts, dopts, .flags = flags);
	int n = bpfbox_disasm_insn(insns, cnt, i, &dopts, buf, sz);

	if (n < 0 || (flags & BPFBOX_DISASM_MNEMONIC))
		return n;
	len = strlen(buf);
	if (in->code == 0x85 && in->src_reg == 0) {
		const char *name = vm ? bpfbox_vm__helper_name(vm, (uint32_t)in->imm) : NULL;
		char *at = strstr(buf, "call ");
		if (name && at)
			snprintf(at, sz - (size_t)(at - buf), "call %s%s#%d",
				 strncmp(name, "bpf_", 4) ? "bpf_" : "", name, in->imm);
	} else if (in->code == 0x85 && in->src_reg == 1) {
		const char *f = bpfbox_program__func_at(p, i + 1 + (size_t)(int64_t)in->imm, NULL);
		if (f && len < sz)
			snprintf(buf + len, sz - len, " <%s>", f);
	} else if (in->code == 0x18 && (in->src_reg == 5 || in->src_reg == 6)) {
		const struct bpfbox_map_def *m = in->imm >= 0 ? bpfbox_object__map(obj, (size_t)in->imm) : NULL;
		if (m && len < sz)
			snprintf(buf + len, sz - len, "\t; %s", m->name);
	}
	return n;
}

/* Disassemble the programs of an object (or the one named). */
static int disasm_object(const char *path, const struct bpfbox_object *obj, const char *name,
			 unsigned flags, int source, int json)
{
	struct bpfbox_vm *vm = NULL;
	const struct bpfbox_program *only = NULL;
	int rc = CLI_OK, np = 0;
	char buf[512], tb[32];

	if (name && !(only = cli_select_prog("disasm", path, obj, name)))
		return CLI_FAIL;
	if (bpfbox_vm__new(NULL, &vm))
		vm = NULL; /* no helper names then */
	if (json)
		printf("[");
	for (size_t k = 0; k < bpfbox_object__program_cnt(obj); k++) {
		const struct bpfbox_program *p = bpfbox_object__program(obj, k);
		const struct bpfbox_insn *insns = bpfbox_program__insns(p);
		size_t cnt = bpfbox_program__insn_cnt(p);
		const char *last_file = NULL;
		uint32_t last_line = 0;

		if (only && p != only)
			continue;
		if (json) {
			printf("%s\n {\"name\": ", np ? "," : "");
			cli_json_str(stdout, bpfbox_program__name(p));
			printf(", \"section\": ");
			cli_json_str(stdout, bpfbox_program__section_name(p));
			printf(", \"insns\": [");
		} else {
			printf("%s%s: section %s, type %s, %zu insns\n", np ? "\n" : "",
			       bpfbox_program__name(p), bpfbox_program__section_name(p),
			       cli_prog_type_str(bpfbox_program__type(p), tb, sizeof(tb)), cnt);
		}
		np++;
		for (size_t i = 0; i < cnt;) {
			size_t fstart = 0;
			const char *fn = bpfbox_program__func_at(p, i, &fstart);
			int n = obj_insn_text(obj, p, vm, i, flags, buf, sizeof(buf));
			size_t slots = n > 0 ? (size_t)n : 1;
			const char *file, *text;
			uint32_t line;

			if (n < 0) {
				cli_err("disasm", "%s: %s: insn %zu: %s", path, bpfbox_program__name(p), i, buf);
				rc = CLI_FAIL;
			}
			if (json) {
				const uint8_t *b = (const uint8_t *)&insns[i];
				printf("%s\n  {\"idx\": %zu, \"bytes\": \"", i ? "," : "", i);
				for (size_t q = 0; q < 8 * slots && i + q / 8 < cnt; q++)
					printf("%s%02x", q ? " " : "", b[q]);
				printf("\", \"text\": ");
				cli_json_str(stdout, buf);
				if (bpfbox_program__line_info(p, i, &file, &line, NULL, &text) == 0) {
					printf(", \"line\": %u, \"source\": ", line);
					cli_json_str(stdout, text ? text : "");
				}
				printf("}");
				i += slots;
				continue;
			}
			if (fn && fstart == i) {
				printf("%s<%s>:\n", i ? "\n" : "", fn);
				last_file = NULL;
			}
			if (source && bpfbox_program__line_info(p, i, &file, &line, NULL, &text) == 0 &&
			    (file != last_file || line != last_line)) {
				printf("; %s\n", text ? text : "");
				last_file = file;
				last_line = line;
			}
			if (flags & BPFBOX_DISASM_RAW)
				printf("%s\n", buf);
			else
				printf("%4zu: %s\n", i, buf);
			i += slots;
		}
		if (json)
			printf("\n ]}");
	}
	if (json)
		printf("\n]\n");
	bpfbox_vm__free(vm);
	return rc;
}

static int disasm_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "mnemonic", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "syntax", required_argument, NULL, 's' },
		{ "prog", required_argument, NULL, 'p' },
		{ "source", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	int raw = 0, json = 0, source = 0, c, rc = CLI_OK;
	const char *prog_name = NULL;
	struct bpfbox_object *obj = NULL;
	unsigned flags = 0;
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	const char *path;
	char buf[512];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":rmjs:p:Sh", lopts, NULL)) != -1) {
		switch (c) {
		case 'r': raw = 1; break;
		case 'm': flags |= BPFBOX_DISASM_MNEMONIC; break;
		case 'j': json = 1; break;
		case 's':
			if (cli_parse_syntax(optarg, &syntax))
				return cli_usage_err(&cli_cmd_disasm, "unknown syntax '%s' (auto, llvm or mnemonic)", optarg);
			break;
		case 'p': prog_name = optarg; break;
		case 'S': source = 1; break;
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
	if (!cli_is_asm_path(path) && cli_read_maybe_object("disasm", path, &obj))
		return CLI_FAIL;
	if (obj) {
		rc = disasm_object(path, obj, prog_name, flags, source, json);
		bpfbox_object__close(obj);
		return rc;
	}
	if (prog_name || source)
		return cli_usage_err(&cli_cmd_disasm, "%s is only for ELF objects",
				     prog_name ? "--prog" : "-S");
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
	.summary = "disassemble an object, bytecode or a .s file (-S: with source)",
	.usage = "bpfbox disasm FILE [--raw] [--mnemonic] [--json] [--prog NAME] [-S]",
	.main = disasm_main,
	.help = help,
};
