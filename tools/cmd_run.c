/*
 * cmd_run.c - "bpfbox run PROG": run a program in the interpreter.
 *
 * There is no verifier yet, so programs run in BPFBOX_RUN_AUTO mode, which
 * for an unverified program means checked: a bad program stops with an
 * error instead of crashing the tool.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Run PROG (raw bytecode, or .s/.asm assembly) in the interpreter and\n"
		"print r0. The memory given by --mem or --data is passed as r1 = pointer,\n"
		"r2 = length; without either, r1 = r2 = 0. Programs run checked (every\n"
		"memory access is bounds-checked) since there is no verifier yet.\n\n"
		"Options:\n"
		"  -m, --mem HEX        memory bytes as hex: \"00 01 02\" or \"000102\"\n"
		"  -d, --data FILE      memory bytes from a file\n"
		"  -e, --engine ENGINE  interp (default)\n"
		"  -j, --json           print {\"retval\", \"retval_hex\", \"insn_executed\", \"duration_ns\"}\n"
		"  -n, --max-insns N    stop after N instructions (default 1000000000)\n"
		"  -r, --repeat N       run N times (fresh memory each time); duration_ns is\n"
		"                       the mean per run\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"  -h, --help           this help\n\n"
		"No helper functions are registered yet: a call to a helper fails.\n",
		cli_cmd_run.usage);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Load and run; everything after argument parsing. */
static int run_prog(const char *path, enum bpfbox_asm_syntax syntax, const uint8_t *mem,
		    size_t mem_len, uint64_t max_insns, uint64_t repeat, int json)
{
	char prefix[4200];
	struct cli_log log = { .prefix = prefix };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = cli_log_fn, .log_ctx = &log);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = path);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns = NULL;
	uint8_t *buf = NULL;
	size_t cnt = 0;
	uint64_t total_ns = 0;
	int err, rc = CLI_FAIL;

	snprintf(prefix, sizeof(prefix), "bpfbox run: %s", path);
	if (cli_load_insns("run", path, syntax, &insns, &cnt))
		return CLI_FAIL;
	err = bpfbox_vm__new(&vo, &vm);
	if (err) {
		cli_err("run", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
	if (err) {
		if (!log.nerr)
			fprintf(stderr, "%s: cannot load: %s\n", prefix, strerror(-err));
		goto out;
	}
	buf = malloc(mem_len ? mem_len : 1);
	if (!buf) {
		cli_err("run", "out of memory");
		goto out;
	}
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_AUTO, .engine = BPFBOX_ENGINE_INTERP,
		    .max_insns = max_insns);
	for (uint64_t r = 0; r < repeat; r++) {
		uint64_t t0;

		if (mem_len)
			memcpy(buf, mem, mem_len);
		ro.ctx = mem_len ? buf : NULL;
		ro.ctx_size = mem_len;
		log.nerr = 0;
		t0 = now_ns();
		err = bpfbox_prog__run(prog, &ro);
		total_ns += now_ns() - t0;
		if (err) {
			if (!log.nerr)
				fprintf(stderr, "%s: %s\n", prefix, strerror(-err));
			goto out;
		}
	}
	if (json)
		printf("{\"retval\": %llu, \"retval_hex\": \"0x%llx\", \"insn_executed\": %llu, "
		       "\"duration_ns\": %llu}\n",
		       (unsigned long long)ro.retval, (unsigned long long)ro.retval,
		       (unsigned long long)ro.insn_executed, (unsigned long long)(total_ns / repeat));
	else
		printf("r0 = 0x%llx\n", (unsigned long long)ro.retval);
	rc = CLI_OK;
out:
	free(buf);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	free(insns);
	return rc;
}

static int run_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "engine", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "max-insns", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "syntax", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	const char *mem_hex = NULL, *data = NULL;
	uint64_t max_insns = 0, repeat = 1;
	uint8_t *mem = NULL;
	size_t mem_len = 0;
	int json = 0, c, rc;
	char why[128];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:d:e:jn:r:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'm': mem_hex = optarg; break;
		case 'd': data = optarg; break;
		case 'e':
			if (strcmp(optarg, "interp") && strcmp(optarg, "default"))
				return cli_usage_err(&cli_cmd_run, "unknown engine '%s' (available: interp)", optarg);
			break;
		case 'j': json = 1; break;
		case 'n':
			if (cli_parse_u64(optarg, &max_insns) || !max_insns)
				return cli_usage_err(&cli_cmd_run, "--max-insns: '%s' is not a positive number", optarg);
			break;
		case 'r':
			if (cli_parse_u64(optarg, &repeat) || !repeat)
				return cli_usage_err(&cli_cmd_run, "--repeat: '%s' is not a positive number", optarg);
			break;
		case 's':
			if (cli_parse_syntax(optarg, &syntax))
				return cli_usage_err(&cli_cmd_run, "unknown syntax '%s' (auto, llvm or mnemonic)", optarg);
			break;
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_run, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_run, "missing program file");
	if (optind + 1 < argc)
		return cli_usage_err(&cli_cmd_run, "unexpected argument '%s'", argv[optind + 1]);
	if (mem_hex && data)
		return cli_usage_err(&cli_cmd_run, "--mem and --data cannot be used together");
	if (mem_hex && cli_parse_hex(mem_hex, &mem, &mem_len, why, sizeof(why)))
		return cli_usage_err(&cli_cmd_run, "--mem: %s", why);
	if (data && cli_read_file("run", data, &mem, &mem_len))
		return CLI_FAIL;
	rc = run_prog(argv[optind], syntax, mem, mem_len, max_insns, repeat, json);
	free(mem);
	return rc;
}

const struct cli_cmd cli_cmd_run = {
	.name = "run",
	.summary = "run a program in the interpreter and print r0",
	.usage = "bpfbox run PROG [--mem HEX | --data FILE] [--engine interp] [--json] "
		 "[--max-insns N] [--repeat N]",
	.main = run_main,
	.help = help,
};
