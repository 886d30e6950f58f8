/*
 * cmd_run.c - "bpfbox run PROG": run a program in the interpreter. PROG is
 * raw bytecode, assembly (.s), or a BPF ELF object (detected by its magic;
 * then run_obj.c loads it and test-runs the chosen program).
 *
 * Raw programs are verified against their memory (r1 = the --mem bytes,
 * r2 = their length; bpfbox_prog_opts.mem_verify): a proven program runs
 * trusted (on the JIT by default), one that cannot be proven is loaded
 * again unverified and runs checked (BPFBOX_RUN_AUTO): a bad program stops
 * with an error instead of crashing the tool. On x86-64 both run on the
 * JIT by default (an unproven program on the checked JIT; the library's
 * default engine would take the checked interpreter), unless --engine
 * interp or BPFBOX_NO_JIT=1.
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
		"Run PROG in the interpreter. PROG is a BPF ELF object (clang -O2 -g\n"
		"-target bpf, detected by its magic), raw bytecode, or .s/.asm assembly.\n\n"
		"An object is loaded with its maps; the program (--prog NAME, needed when\n"
		"the object has several) gets the context its type expects, as\n"
		"BPF_PROG_TEST_RUN builds it: xdp_md or __sk_buff over the --data packet,\n"
		"the --ctx bytes for raw_tracepoint (the args array), kprobe, tracepoint\n"
		"and syscall programs. Prints retval (with the XDP/TC action name), the\n"
		"output packet and the mean duration. Several --prog run in the given\n"
		"order and share the maps.\n\n"
		"Raw bytecode gets the memory given by --mem or --data as r1 = pointer,\n"
		"r2 = length (without either, a 0-byte buffer) and prints r0. It is verified\n"
		"against that memory: a proven program runs trusted on the JIT; one the\n"
		"verifier cannot prove runs checked on the checked JIT (native code with\n"
		"the interpreter's bounds checks; the budget --max-insns is charged per\n"
		"loop iteration and function call). --engine interp: the interpreter.\n\n"
		"Object programs are verified at load (as the kernel does) and rejected\n"
		"programs are not run; --no-verify loads them unverified and runs them\n"
		"checked (every memory access bounds-checked; a violation stops the\n"
		"program with an error). The kernel's helpers are\n"
		"available; bpf_printk lines\n"
		"go to stderr in the trace_pipe format, or to --trace-log FILE.\n\n"
		"Options:\n"
		"  -p, --prog NAME      objects: the program to run (repeatable); only it and\n"
		"                       the programs of its prog arrays are loaded\n"
		"  -S, --set NAME=VAL   objects: set global variable NAME (.rodata, .data,\n"
		"                       .bss) before load, typed by its BTF (repeatable)\n"
		"  -T, --type TYPE      objects: the --prog programs' type (xdp, kprobe, ...)\n"
		"                       where their section names none\n"
		"  -d, --data FILE      objects: the packet; bytecode: the memory\n"
		"  -c, --ctx FILE       objects: the context bytes\n"
		"  -D, --dump-maps      objects: print every map after the run(s); ring\n"
		"                       buffers and perf buffers are consumed\n"
		"  -C, --cpu N          objects: run on simulated CPU N (per-CPU maps)\n"
		"  -t, --trace-log FILE write the trace log (bpf_printk) to FILE\n"
		"  -m, --mem HEX        bytecode: memory bytes as hex: \"00 01 02\" or \"000102\"\n"
		"  -e, --engine ENGINE  jit (x86-64; checked runs on the checked JIT), interp,\n"
		"                       or default: bytecode the JIT; objects the JIT for\n"
		"                       trusted runs, else interp\n"
		"  -j, --json           objects: {\"retval\", \"data_out\", \"duration_ns\", \"repeat\",\n"
		"                       \"maps\"}; bytecode: {\"retval\", \"retval_hex\",\n"
		"                       \"insn_executed\", \"duration_ns\", \"verified\"}\n"
		"  -n, --max-insns N    bytecode: stop after N instructions (default 1000000000)\n"
		"      --no-verify      load without verifying; run in checked mode (bytecode too)\n"
		"      --unpriv         verify under the kernel's rules for unprivileged users\n"
		"  -r, --repeat N       run N times; duration is the mean per run\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"  -h, --help           this help\n",
		cli_cmd_run.usage);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CLI's log, silenced while a raw program's verification is tried. */
struct run_log {
	struct cli_log cl;
	bool quiet;
};

static void run_log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct run_log *rl = ctx;

	if (!rl->quiet)
		cli_log_fn(&rl->cl, level, msg);
}

/*
 * load_raw - load a raw program verified against mem_len bytes of memory
 * (trusted runs); if the verifier cannot prove it, load it unverified
 * (checked runs). *verified says which.
 */
static int load_raw(struct bpfbox_vm *vm, struct run_log *rl, const struct bpfbox_insn *insns,
		    size_t cnt, const char *path, size_t mem_len, bool no_verify, bool unpriv,
		    struct bpfbox_prog **prog, bool *verified)
{
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = path, .no_verify = true);
	BPFBOX_OPTS(bpfbox_prog_opts, pv, .name = path, .mem_verify = true, .mem_size = mem_len,
		    .unpriv = unpriv);
	int err;

	*verified = false;
	if (!no_verify) {
		rl->quiet = true;
		err = bpfbox_prog__load(vm, insns, cnt, &pv, prog);
		rl->quiet = false;
		if (!err) {
			*verified = true;	/* verified, or accepted unproven (runs checked) */
			return 0;
		}
	}
	return bpfbox_prog__load(vm, insns, cnt, &po, prog);
}

/* Load and run; everything after argument parsing. */
static int run_prog(const char *path, enum bpfbox_asm_syntax syntax, const uint8_t *mem,
		    size_t mem_len, uint64_t max_insns, uint64_t repeat, int json,
		    const char *trace_log, bool no_verify, bool unpriv, enum bpfbox_engine engine)
{
	char prefix[4200];
	struct run_log rlog = { .cl = { .prefix = prefix } };
	struct cli_log *log = &rlog.cl;
	FILE *trace = trace_log ? fopen(trace_log, "w") : stderr;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = run_log_fn, .log_ctx = &rlog,
		    .trace = cli_trace_fn, .trace_ctx = trace);
	bool verified = false;
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns = NULL;
	uint8_t *buf = NULL;
	size_t cnt = 0;
	uint64_t total_ns = 0;
	int err, rc = CLI_FAIL;

	snprintf(prefix, sizeof(prefix), "bpfbox run: %s", path);
	if (!trace) {
		cli_err("run", "cannot open '%s': %s", trace_log, strerror(errno));
		return CLI_FAIL;
	}
	if (cli_load_insns("run", path, syntax, &insns, &cnt))
		goto out;
	err = bpfbox_vm__new(&vo, &vm);
	if (err) {
		cli_err("run", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	err = load_raw(vm, &rlog, insns, cnt, path, mem_len, no_verify, unpriv, &prog, &verified);
	if (err) {
		if (!log->nerr)
			fprintf(stderr, "%s: cannot load: %s\n", prefix, strerror(-err));
		goto out;
	}
	buf = malloc(mem_len ? mem_len : 1);
	if (!buf) {
		cli_err("run", "out of memory");
		goto out;
	}
#if defined(__x86_64__)
	/* bytecode: the checked JIT too, unless the JIT is switched off */
	if (engine == BPFBOX_ENGINE_DEFAULT &&
	    !(getenv("BPFBOX_NO_JIT") && strcmp(getenv("BPFBOX_NO_JIT"), "0")))
		engine = BPFBOX_ENGINE_JIT;
#endif
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_AUTO, .engine = engine,
		    .max_insns = max_insns);
	for (uint64_t r = 0; r < repeat; r++) {
		uint64_t t0;

		if (mem_len)
			memcpy(buf, mem, mem_len);
		/* a verified program was proven for r1 = a buffer (never NULL) */
		ro.ctx = mem_len || verified ? buf : NULL;
		ro.ctx_size = mem_len;
		log->nerr = 0;
		t0 = now_ns();
		err = bpfbox_prog__run(prog, &ro);
		total_ns += now_ns() - t0;
		if (err) {
			if (!log->nerr)
				fprintf(stderr, "%s: %s\n", prefix, strerror(-err));
			goto out;
		}
	}
	if (json)
		printf("{\"retval\": %llu, \"retval_hex\": \"0x%llx\", \"insn_executed\": %llu, "
		       "\"duration_ns\": %llu, \"verified\": %s}\n",
		       (unsigned long long)ro.retval, (unsigned long long)ro.retval,
		       (unsigned long long)ro.insn_executed, (unsigned long long)(total_ns / repeat),
		       verified ? "true" : "false");
	else
		printf("r0 = 0x%llx\n", (unsigned long long)ro.retval);
	rc = CLI_OK;
out:
	free(buf);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	free(insns);
	if (trace && trace != stderr)
		fclose(trace);
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
		{ "prog", required_argument, NULL, 'p' },
		{ "ctx", required_argument, NULL, 'c' },
		{ "dump-maps", no_argument, NULL, 'D' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "trace-log", required_argument, NULL, 't' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "set", required_argument, NULL, 'S' },
		{ "type", required_argument, NULL, 'T' },
		{ "unpriv", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	const char *mem_hex = NULL, *data = NULL, *ctx = NULL, *path;
	uint64_t max_insns = 0, repeat = 1, u;
	uint8_t *mem = NULL, *ctx_buf = NULL;
	size_t mem_len = 0, ctx_len = 0;
	int json = 0, c, rc;
	char why[128];
	struct cli_run_args ra = { .cpu = -1 };
	struct bpfbox_object *obj = NULL;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:d:e:jn:r:s:p:c:DC:t:S:T:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'm': mem_hex = optarg; break;
		case 'd': data = optarg; break;
		case 'e':
			if (cli_parse_engine(optarg, &ra.engine))
				return cli_usage_err(&cli_cmd_run, "unknown engine '%s' (available: jit, interp, default)", optarg);
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
		case 'p':
			if (ra.nprogs == CLI_MAX_PROGS)
				return cli_usage_err(&cli_cmd_run, "at most %d --prog", CLI_MAX_PROGS);
			ra.progs[ra.nprogs++] = optarg;
			break;
		case 'c': ctx = optarg; break;
		case 'D': ra.dump_maps = true; break;
		case 'C':
			if (cli_parse_u64(optarg, &u) || u > 4095)
				return cli_usage_err(&cli_cmd_run, "--cpu: '%s' is not a CPU number (0-4095)", optarg);
			ra.cpu = (int64_t)u;
			break;
		case 't': ra.trace_log = optarg; break;
		case 'N': ra.no_verify = true; break;
		case 'S':
			if (cli_add_set(&cli_cmd_run, &ra.cfg, optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'T':
			if (!(ra.cfg.type = bpfbox_prog_type_by_name(optarg)))
				return cli_usage_err(&cli_cmd_run, "--type: unknown program type '%s' "
						     "(xdp, socket_filter, sched_cls, kprobe, ...)", optarg);
			break;
		case 'U': ra.unpriv = true; break;
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
	path = argv[optind];
	if (!cli_is_asm_path(path) && cli_read_maybe_object("run", path, &obj))
		return CLI_FAIL;
	if (obj) {
		const char *bad = mem_hex ? "--mem" : max_insns ? "--max-insns" : NULL;
		if (bad) {
			bpfbox_object__close(obj);
			return cli_usage_err(&cli_cmd_run, "%s is not for ELF objects (use %s)", bad,
					     mem_hex ? "--data or --ctx" : "--repeat");
		}
		if ((data && cli_read_file("run", data, &mem, &mem_len)) ||
		    (ctx && cli_read_file("run", ctx, &ctx_buf, &ctx_len))) {
			free(mem);
			bpfbox_object__close(obj);
			return CLI_FAIL;
		}
		ra.data = mem;
		ra.data_len = mem_len;
		ra.ctx = ctx_buf;
		ra.ctx_len = ctx_len;
		ra.repeat = repeat;
		ra.json = json;
		rc = cli_run_object(path, obj, &ra);
		free(mem);
		free(ctx_buf);
		return rc;
	}
	if (ra.nprogs || ctx || ra.dump_maps || ra.cpu >= 0 || ra.cfg.nsets || ra.cfg.type)
		return cli_usage_err(&cli_cmd_run, "%s is only for ELF objects",
				     ra.nprogs ? "--prog" : ctx ? "--ctx" : ra.dump_maps ? "--dump-maps" :
				     ra.cpu >= 0 ? "--cpu" : ra.cfg.nsets ? "--set" : "--type");
	if (mem_hex && cli_parse_hex(mem_hex, &mem, &mem_len, why, sizeof(why)))
		return cli_usage_err(&cli_cmd_run, "--mem: %s", why);
	if (data && cli_read_file("run", data, &mem, &mem_len))
		return CLI_FAIL;
	rc = run_prog(path, syntax, mem, mem_len, max_insns, repeat, json, ra.trace_log, ra.no_verify, ra.unpriv,
		      ra.engine);
	free(mem);
	return rc;
}

const struct cli_cmd cli_cmd_run = {
	.name = "run",
	.summary = "run a program (ELF object, bytecode or .s) in the interpreter",
	.usage = "bpfbox run PROG [--mem HEX | --data FILE] [--engine ENGINE] [--json] "
		 "[--max-insns N] [--repeat N] [--unpriv]\n"
		 "       bpfbox run OBJ.o [--prog NAME] [--data PKT] [--ctx CTX] [--repeat N] [--json]\n"
		 "                  [--dump-maps] [--trace-log FILE] [--engine ENGINE] [--cpu N] [--no-verify]\n"
		 "                  [--unpriv] [--set NAME=VALUE] [--type TYPE]",
	.main = run_main,
	.help = help,
};
