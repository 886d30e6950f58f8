/*
 * cmd_dump.c - "bpfbox prog dump xlated|jited PROG [--prog NAME]": a loaded
 * program as the engines see it.
 *
 *   xlated  the instructions after loading (relocation, context rewrites),
 *           with the value each lddw pseudo form resolved to
 *   jited   the x86-64 JIT's native code, per instruction, disassembled
 *           by libcapstone (opened with dlopen here, and only here, so
 *           that no other command pays for loading it; without it: an
 *           error on stderr and hex bytes)
 *
 * PROG is a BPF ELF object (only the chosen program is loaded), raw
 * bytecode or assembly source (.s).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>
#include <dlfcn.h>

static const char dump_usage[] = "bpfbox prog dump xlated|jited PROG [--prog NAME] [--syntax SYNTAX]";

static void dump_help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Print a program after loading: 'xlated' shows its instructions after\n"
		"relocation and context rewrites; 'jited' the native x86-64 code the\n"
		"JIT makes of it, under each instruction (disassembled with libcapstone;\n"
		"hex bytes if it is not installed). PROG is an ELF object, raw\n"
		"bytecode or .s source.\n\n"
		"Options:\n"
		"  -p, --prog NAME      objects: the program (default: the only one)\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"  -h, --help           this help\n", dump_usage);
}

/* One instruction in LLVM syntax, "idx: text". */
static void put_insn(const struct bpfbox_insn *insns, size_t cnt, size_t i)
{
	BPFBOX_OPTS(bpfbox_disasm_opts, dopts, .flags = BPFBOX_DISASM_RAW);
	char line[256];

	bpfbox_disasm_insn(insns, cnt, i, &dopts, line, sizeof(line));
	printf("%s\n", line);
}

/* The capstone functions "prog dump jited" uses, from the library whose
 * ABI major the header names (cs_insn's layout changes between majors). */
struct capstone {
	void *dl;
	cs_err (*open)(cs_arch, cs_mode, csh *);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	void (*free)(cs_insn *, size_t);
	cs_err (*close)(csh *);
};

#define CS_STR2(x) #x
#define CS_STR(x) CS_STR2(x)
#define CS_SONAME "libcapstone.so." CS_STR(CS_API_MAJOR)

/* Open libcapstone once; false (and one message on stderr) if it is missing. */
static bool capstone_open(struct capstone *cs)
{
	static const char *const names[] = { "cs_open", "cs_disasm", "cs_free", "cs_close" };
	void **fns[] = { (void **)&cs->open, (void **)&cs->disasm, (void **)&cs->free,
			 (void **)&cs->close };

	if (cs->dl)
		return true;
	if (!(cs->dl = dlopen(CS_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		cli_err("prog", "cannot disassemble: %s (install libcapstone%d); showing hex bytes",
			dlerror(), CS_API_MAJOR);
		return false;
	}
	for (size_t i = 0; i < 4; i++) {
		if (!(*fns[i] = dlsym(cs->dl, names[i]))) {
			cli_err("prog", "cannot disassemble: %s has no %s; showing hex bytes", CS_SONAME,
				names[i]);
			dlclose(cs->dl);
			cs->dl = NULL;
			return false;
		}
	}
	return true;
}

/* Disassemble [lo, hi) of `code` with capstone; false if it could not. */
static bool put_capstone(const uint8_t *code, size_t lo, size_t hi)
{
	static struct capstone cs;   /* this command's process only: opened once */
	static bool tried, ok;
	cs_insn *ins = NULL;
	size_t n;
	csh h;

	if (!tried)
		ok = capstone_open(&cs), tried = true;
	if (!ok || cs.open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return false;
	n = cs.disasm(h, code + lo, hi - lo, lo, 0, &ins);
	for (size_t k = 0; k < n; k++) {
		char bytes[64] = "";
		for (size_t b = 0; b < ins[k].size && b < 12; b++)
			sprintf(bytes + 3 * b, "%02x ", ins[k].bytes[b]);
		printf("\t%5llx:  %-30s %s %s\n", (unsigned long long)ins[k].address, bytes,
		       ins[k].mnemonic, ins[k].op_str);
	}
	if (n)
		cs.free(ins, n);
	cs.close(&h);
	return n > 0;
}

/* Native code [lo, hi) of `code`. */
static void put_native(const uint8_t *code, size_t lo, size_t hi)
{
	if (lo >= hi)
		return;
	if (put_capstone(code, lo, hi))
		return;
	for (size_t o = lo; o < hi; o += 16) {
		printf("\t%5zx: ", o);
		for (size_t b = o; b < hi && b < o + 16; b++)
			printf(" %02x", code[b]);
		printf("\n");
	}
}

/* Print the chosen form of a loaded program. */
static int dump_prog(struct bpfbox_prog *prog, bool jited)
{
	const struct bpfbox_insn *insns = bpfbox_prog__insns(prog);
	size_t cnt = bpfbox_prog__insn_cnt(prog);
	const uint8_t *code = NULL;
	const uint32_t *off = NULL;
	size_t len = 0;
	int err;

	if (!jited) {
		for (size_t i = 0; i < cnt; i++) {
			if (i && insns[i - 1].code == 0x18)
				continue;   /* second half of lddw */
			put_insn(insns, cnt, i);
		}
		return CLI_OK;
	}
	err = bpfbox_prog__jited(prog, &code, &len, &off);
	if (err) {
		cli_err("prog", "%s: no native code: %s", bpfbox_prog__name(prog), strerror(-err));
		return CLI_FAIL;
	}
	printf("; %s: %zu bytes of x86-64 for %zu instruction slots\n; entry\n",
	       bpfbox_prog__name(prog), len, cnt);
	put_native(code, 0, off[0]);
	for (size_t i = 0; i < cnt; i++) {
		if (i && insns[i - 1].code == 0x18)
			continue;
		printf("; ");
		put_insn(insns, cnt, i);
		put_native(code, off[i], off[i + 1 < cnt && insns[i].code == 0x18 ? i + 2 : i + 1]);
	}
	printf("; cold paths\n");
	put_native(code, off[cnt], len);
	return CLI_OK;
}

/* cli_prog_dump - "prog dump ..." (argv[0] is "dump"). */
int cli_prog_dump(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "prog", required_argument, NULL, 'p' },
		{ "syntax", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum bpfbox_asm_syntax syntax = BPFBOX_SYNTAX_AUTO;
	const char *name = NULL, *path, *what;
	struct cli_log log = { .prefix = NULL };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = cli_log_fn, .log_ctx = &log);
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	int c, rc = CLI_FAIL, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p': name = optarg; break;
		case 's':
			if (cli_parse_syntax(optarg, &syntax))
				return cli_usage_err(&cli_cmd_prog, "unknown syntax '%s'", optarg);
			break;
		case 'h': dump_help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_prog, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_prog, "missing what to dump (xlated or jited)");
	what = argv[optind];
	if (strcmp(what, "xlated") && strcmp(what, "jited"))
		return cli_usage_err(&cli_cmd_prog, "unknown dump '%s' (xlated or jited)", what);
	if (optind + 1 >= argc)
		return cli_usage_err(&cli_cmd_prog, "missing program file");
	if (optind + 2 < argc)
		return cli_usage_err(&cli_cmd_prog, "unexpected argument '%s'", argv[optind + 2]);
	path = argv[optind + 1];
	if (bpfbox_vm__new(&vo, &vm)) {
		cli_err("prog", "cannot create a VM");
		return CLI_FAIL;
	}
	if (cli_read_maybe_object("prog", path, &obj))
		goto out;
	if (obj) {
		BPFBOX_OPTS(bpfbox_object_load_opts, lo);
		struct bpfbox_program *p = cli_select_prog("prog", path, obj, name);

		if (!p)
			goto out;
		for (size_t k = 0; k < bpfbox_object__program_cnt(obj); k++)
			bpfbox_program__set_autoload(bpfbox_object__program(obj, k),
						     bpfbox_object__program(obj, k) == p);
		err = bpfbox_object__load(obj, vm, &lo);
		if (err) {
			cli_err("prog", "%s: cannot load: %s", path, strerror(-err));
			goto out;
		}
		prog = bpfbox_program__prog(p);
	} else {
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = path);

		if (name) {
			cli_usage_err(&cli_cmd_prog, "--prog is only for ELF objects");
			rc = CLI_USAGE;
			goto out;
		}
		if (cli_load_insns("prog", path, syntax, &insns, &cnt))
			goto out;
		err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
		if (err) {
			cli_err("prog", "%s: cannot load: %s", path, strerror(-err));
			goto out;
		}
	}
	if (prog)
		rc = dump_prog(prog, !strcmp(what, "jited"));
	if (!obj)
		bpfbox_prog__free(prog);
out:
	free(insns);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return rc;
}
