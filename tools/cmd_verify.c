/*
 * cmd_verify.c - "bpfbox verify OBJ": run the verifier on every program of
 * a BPF ELF object (or the one chosen with --prog), or on raw bytecode /
 * .s assembly with --type, and print the verdicts.
 *
 *   xdp_drop_tcp: accepted (processed 118 insns, 10 states)
 *   bad_prog: rejected
 *   <the verifier's report: error at insn N, reason, registers, source, hint>
 *
 * Exit status: 0 every selected program accepted, 1 one was rejected (or
 * the file could not be read), 2 usage error. -v prints the kernel-style
 * log (log_level 2); --json prints
 * {"programs": [{"name", "verdict", "error": {...} | null, "insns_processed"}]}.
 *
 * Object programs are loaded here one by one (not by bpfbox_object__load)
 * so that each gets its own verifier log: the object's maps are created by
 * loading it with every autoload off, then each program is loaded with
 * bpfbox_prog__load() as bpfbox_object__load() would, plus its BTF line
 * info (cli_load_object_prog(), also used by "bpfbox run --no-verify").
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_LOG_SZ (16u << 20)

/* The kernel's BPF_PROG_LOAD flags (BPF_F_*): name, bit, option. */
#define LOAD_FLAGS(X) \
	X("strict-alignment", 1u << 0, 'S') \
	X("any-alignment", 1u << 1, 'A') \
	X("test-rnd-hi32", 1u << 2, 'R') \
	X("test-state-freq", 1u << 3, 'F') \
	X("sleepable", 1u << 4, 'L') \
	X("xdp-has-frags", 1u << 5, 'G') \
	X("test-reg-invariants", 1u << 7, 'I')
#define VERIFY_MAX_SEL 64

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"Verify programs as the kernel's verifier does at BPF_PROG_LOAD. OBJ is a\n"
		"BPF ELF object (every program is verified, or the one --prog names), or\n"
		"raw bytecode / .s assembly with --type TYPE (xdp, socket_filter, kprobe,\n"
		"sched_cls, tracepoint, ...).\n\n"
		"Prints one line per program: 'NAME: accepted (processed N insns, M states)'\n"
		"or 'NAME: rejected' followed by the verifier's report: the instruction,\n"
		"the reason, the registers involved, the source line (from BTF line info)\n"
		"and a hint.\n\n"
		"Options:\n"
		"  -p, --prog NAME      verify only this program of the object (repeatable)\n"
		"  -t, --type TYPE      bytecode/.s: the program type; objects: the type of the\n"
		"                       --prog programs, or else of those whose section names\n"
		"                       none (bpf_program__set_type)\n"
		"  -v, --verbose        print the kernel-style log of every instruction and\n"
		"                       its register state (log_level 2)\n"
		"  -j, --json           {\"programs\": [{\"name\", \"verdict\", \"error\",\n"
		"                       \"insns_processed\"}]}\n"
		"  -s, --syntax SYNTAX  how to read .s input: auto, llvm or mnemonic\n"
		"      --flags LIST     BPF_PROG_LOAD flags: a number (0x3) or names joined\n"
		"                       by ',' or '|': strict-alignment, any-alignment,\n"
		"                       test-rnd-hi32, test-state-freq, sleepable,\n"
		"                       xdp-has-frags, test-reg-invariants\n"
		"      --strict-alignment, --any-alignment, --test-rnd-hi32, ...\n"
		"      --unpriv         the kernel's rules for unprivileged users (no pointer\n"
		"                       leaks, Spectre-v1 masking, socket filter / cgroup skb)\n"
		"                       the same, one flag each\n"
		"  -h, --help           this help\n\n"
		"Exit status: 0 all accepted, 1 a program was rejected, 2 usage error.\n",
		cli_cmd_verify.usage);
}

/* Collects the VM's error messages (the reason when the verifier's own log
 * is empty, e.g. an instruction the ISA check refuses). */
struct vlog {
	char buf[4096];
	size_t len;
};

static void vlog_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct vlog *v = ctx;
	int n;

	if (level != BPFBOX_LOG_ERROR || v->len >= sizeof(v->buf) - 1)
		return;
	n = snprintf(v->buf + v->len, sizeof(v->buf) - v->len, "%s\n", msg);
	if (n > 0)
		v->len += (size_t)n < sizeof(v->buf) - v->len ? (size_t)n : sizeof(v->buf) - v->len - 1;
}

/* The object's log: errors to stderr; warnings (e.g. prog array slots left
 * empty because the programs are loaded one by one here) are dropped. */
static void obj_log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	if (level == BPFBOX_LOG_ERROR) {
		(*(unsigned *)ctx)++;
		fprintf(stderr, "bpfbox verify: %s\n", msg);
	}
}

/* Read PATH; open it if it is an ELF object (else *obj = NULL; a *.o must
 * be ELF). CLI_OK or CLI_FAIL (reported). */
static int read_object(const char *path, struct bpfbox_object **obj)
{
	static unsigned nerr;
	BPFBOX_OPTS(bpfbox_object_opts, oo, .name = path, .log = obj_log_fn, .log_ctx = &nerr);
	uint8_t *buf;
	size_t len;
	int err, rc = CLI_OK;

	*obj = NULL;
	if (!strcmp(path, "-"))
		return CLI_OK;
	if (cli_read_file("verify", path, &buf, &len))
		return CLI_FAIL;
	if (cli_is_elf(buf, len)) {
		err = bpfbox_object__open_mem(buf, len, &oo, obj);
		if (err) {
			if (!nerr)
				cli_err("verify", "%s: cannot open the object: %s", path, strerror(-err));
			rc = CLI_FAIL;
		}
	} else if (strlen(path) > 2 && !strcmp(path + strlen(path) - 2, ".o")) {
		cli_err("verify", "%s: not an ELF object (no ELF magic)", path);
		rc = CLI_FAIL;
	}
	free(buf);
	return rc;
}

/* The program type called name ("xdp"), or -1. */
static int parse_type(const char *name)
{
	for (uint32_t t = 1; bpfbox_prog_type_name(t); t++)
		if (!strcmp(bpfbox_prog_type_name(t), name))
			return (int)t;
	return -1;
}

/* The object's BTF line info for program p as a bpfbox_line_info array
 * (one entry where the source line changes); *cnt entries, NULL if none. */
static struct bpfbox_line_info *line_info_of(const struct bpfbox_program *p, size_t *cnt)
{
	size_t n = bpfbox_program__insn_cnt(p), k = 0;
	struct bpfbox_line_info *li = calloc(n ? n : 1, sizeof(*li));
	const char *last_file = NULL;
	uint32_t last_line = 0;

	*cnt = 0;
	if (!li)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *file = NULL, *text = NULL;
		uint32_t line = 0, col = 0;

		if (bpfbox_program__line_info(p, i, &file, &line, &col, &text) || !file)
			continue;
		if (k && file == last_file && line == last_line)
			continue;
		li[k++] = (struct bpfbox_line_info){ .insn_off = (uint32_t)i, .line = line,
						     .col = col, .file = file, .text = text };
		last_file = file;
		last_line = line;
	}
	if (!k) {
		free(li);
		return NULL;
	}
	*cnt = k;
	return li;
}

/* See cli.h. */
int cli_load_object_prog(struct bpfbox_vm *vm, const struct bpfbox_object *obj,
			 const struct bpfbox_program *p, const struct bpfbox_prog_opts *base,
			 struct bpfbox_prog **prog, struct bpfbox_line_info **li_out)
{
	size_t nmaps = bpfbox_object__map_cnt(obj), nli = 0;
	struct bpfbox_map **maps = calloc(nmaps ? nmaps : 1, sizeof(*maps));
	struct bpfbox_prog_opts po = *base;
	struct bpfbox_func_info *fi = NULL;
	size_t fi_cnt;
	int err;

	*prog = NULL;
	*li_out = NULL;
	if (!maps)
		return -ENOMEM;
	for (size_t i = 0; i < nmaps; i++)
		maps[i] = bpfbox_object__map_instance(obj, i);
	*li_out = line_info_of(p, &nli);
	po.sz = sizeof(po);
	po.name = bpfbox_program__name(p);
	po.prog_type = bpfbox_program__type(p);
	po.expected_attach_type = bpfbox_program__expected_attach_type(p);
	po.prog_flags |= bpfbox_program__flags(p);	/* as libbpf: BPF_F_SLEEPABLE for "*.s" */
	/* BTF-typed programs: their attach target in the kernel BTF */
	if ((po.attach_btf_id = bpfbox_program__attach_btf_id(p)))
		po.attach_btf = bpfbox_object__target_btf(obj);
	po.license = bpfbox_object__license(obj);
	po.maps = maps;
	po.map_cnt = nmaps;
	po.line_info = *li_out;
	po.line_info_cnt = nli;
	fi_cnt = bpfbox_program__func_info_cnt(p);
	if (fi_cnt && (fi = calloc(fi_cnt, sizeof(*fi)))) {
		po.func_info = fi;
		po.func_info_cnt = bpfbox_program__verifier_funcs(p, fi, fi_cnt);
	}
	err = bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p), &po, prog);
	free(fi);
	free(maps);
	return err;
}

/* One verdict, for printing. */
struct verdict {
	const char *name;
	bool accepted;
	long long processed, states;  /* -1: not in the log */
	const char *log;              /* the verifier's log */
	const char *vmerr;            /* the VM's errors */
	int err;
};

/* The number after `key` in the log ("processed 118 insns"), or -1. */
static long long log_num(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	if (!p)
		return -1;
	p += strlen(key);
	return strtoll(p, NULL, 10);
}

/* The report: from "error at insn" (or the whole log) on; the VM's errors
 * if the verifier logged nothing. */
static const char *report_of(const struct verdict *v)
{
	const char *e = strstr(v->log, "error at insn");

	if (e) {
		while (e > v->log && e[-1] != '\n')
			e--;
		return e;
	}
	return *v->log ? v->log : v->vmerr;
}

/* Print one field of the report as JSON: the text after `key` on its line. */
static void json_field(const char *report, const char *key, const char *jkey, bool *first)
{
	const char *p = report;

	while (p && *p) {
		const char *s = p;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!strncmp(s, key, strlen(key))) {
			size_t n;
			char *tmp;

			s += strlen(key);
			while (*s == ' ')
				s++;
			n = strcspn(s, "\n");
			if (!(tmp = strndup(s, n)))
				return;
			printf("%s\"%s\": ", *first ? "" : ", ", jkey);
			cli_json_str(stdout, tmp);
			free(tmp);
			*first = false;
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static void print_json(const struct verdict *v, bool first)
{
	printf("%s{\"name\": ", first ? "" : ", ");
	cli_json_str(stdout, v->name);
	printf(", \"verdict\": \"%s\", \"error\": ", v->accepted ? "accepted" : "rejected");
	if (v->accepted) {
		printf("null");
	} else {
		const char *r = report_of(v), *e = strstr(r, "error at insn ");
		bool f = true;

		printf("{");
		if (e) {
			printf("\"insn\": %lld", strtoll(e + 14, NULL, 10));
			f = false;
			e = strchr(e, ':');
			if (e) {
				size_t n;
				char *tmp;

				e++;
				while (*e == ' ')
					e++;
				n = strcspn(e, "\n");
				if ((tmp = strndup(e, n))) {
					printf(", \"message\": ");
					cli_json_str(stdout, tmp);
					free(tmp);
				}
			}
		} else {
			size_t n = strcspn(r, "\n");
			char *tmp = strndup(r, n);

			printf("\"message\": ");
			cli_json_str(stdout, tmp ? tmp : "");
			free(tmp);
			f = false;
		}
		json_field(r, "reason:", "reason", &f);
		json_field(r, "registers:", "registers", &f);
		json_field(r, "source:", "source", &f);
		json_field(r, "hint:", "hint", &f);
		json_field(r, "kernel:", "kernel", &f);
		printf(", \"errno\": %d}", -v->err);
	}
	printf(", \"insns_processed\": ");
	if (v->processed >= 0)
		printf("%lld", v->processed);
	else
		printf("null");
	printf("}");
}

static void print_text(const struct verdict *v, bool verbose)
{
	if (verbose && *v->log)
		fputs(v->log, stdout);
	if (verbose && *v->log && v->log[strlen(v->log) - 1] != '\n')
		putchar('\n');
	if (v->accepted) {
		printf("%s: accepted", v->name);
		if (v->processed >= 0 && v->states >= 0)
			printf(" (processed %lld insns, %lld states)", v->processed, v->states);
		else if (v->processed >= 0)
			printf(" (processed %lld insns)", v->processed);
		printf("\n");
		return;
	}
	printf("%s: rejected\n", v->name);
	if (!verbose) {
		const char *r = report_of(v);
		fputs(*r ? r : "(no report)", stdout);
		if (!*r || r[strlen(r) - 1] != '\n')
			putchar('\n');
	} else if (!*v->log && *v->vmerr) {
		fputs(v->vmerr, stdout);
	}
}

/* Fill v from a load's result. */
static void set_verdict(struct verdict *v, const char *name, int err, const char *log,
			const struct vlog *vl)
{
	v->name = name;
	v->err = err;
	v->accepted = err == 0;
	v->log = log;
	v->vmerr = vl->buf;
	v->processed = log_num(log, "processed ");
	v->states = log_num(log, "total_states ");
	if (v->states < 0)
		v->states = log_num(log, "states ");
}

struct vopts {
	const char *progs[VERIFY_MAX_SEL];
	size_t nprogs;
	int type;
	uint32_t flags;          /* BPF_F_* load flags */
	bool unpriv;             /* --unpriv */
	bool verbose, json;
	enum bpfbox_asm_syntax syntax;
};

/* Verify the selected programs of an object. Closes obj. */
static int verify_object(const char *path, struct bpfbox_object *obj, const struct vopts *o)
{
	struct vlog vl = { .len = 0 };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = vlog_fn, .log_ctx = &vl);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo);
	struct bpfbox_program *sel[VERIFY_MAX_SEL];
	struct bpfbox_vm *vm = NULL;
	char *log = malloc(VERIFY_LOG_SZ);
	size_t nsel = 0;
	int err, rc = CLI_FAIL;
	bool first = true;

	if (!log) {
		cli_err("verify", "out of memory");
		goto out;
	}
	if (o->nprogs) {
		for (size_t i = 0; i < o->nprogs; i++)
			if (!(sel[nsel++] = cli_select_prog("verify", path, obj, o->progs[i])))
				goto out;
	} else {
		for (size_t i = 0; i < bpfbox_object__program_cnt(obj) && nsel < VERIFY_MAX_SEL; i++)
			sel[nsel++] = bpfbox_object__program(obj, i);
		if (!nsel) {
			cli_err("verify", "%s: the object has no programs", path);
			goto out;
		}
	}
	/* --type: the --prog programs, or else those whose section names no type */
	for (size_t i = 0; o->type > 0 && i < nsel; i++)
		if (o->nprogs || !bpfbox_program__type(sel[i]))
			bpfbox_program__set_type(sel[i], (uint32_t)o->type);
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++)
		bpfbox_program__set_autoload(bpfbox_object__program(obj, i), false);
	if ((err = bpfbox_vm__new(&vo, &vm))) {
		cli_err("verify", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	if ((err = bpfbox_object__load(obj, vm, &lo))) {
		cli_err("verify", "%s: cannot create the object's maps: %s", path, strerror(-err));
		if (vl.len)
			fputs(vl.buf, stderr);
		goto out;
	}
	rc = CLI_OK;
	if (o->json)
		printf("{\"programs\": [");
	for (size_t i = 0; i < nsel; i++) {
		BPFBOX_OPTS(bpfbox_prog_opts, po, .log_buf = log, .log_size = VERIFY_LOG_SZ,
			    .log_level = o->verbose ? 2 : 1, .prog_flags = o->flags,
			    .unpriv = o->unpriv);
		struct bpfbox_line_info *li = NULL;
		struct bpfbox_prog *prog = NULL;
		struct verdict v;
		const char *why = NULL;

		log[0] = 0;
		vl.len = 0;
		vl.buf[0] = 0;
		if (!bpfbox_program__loadable(sel[i], &why)) {
			snprintf(vl.buf, sizeof(vl.buf), "cannot be loaded: %s\n", why ? why : "unknown reason");
			err = -ENOTSUP;
		} else {
			err = cli_load_object_prog(vm, obj, sel[i], &po, &prog, &li);
		}
		set_verdict(&v, bpfbox_program__name(sel[i]), err, log, &vl);
		if (o->json)
			print_json(&v, first);
		else
			print_text(&v, o->verbose);
		first = false;
		if (err)
			rc = CLI_FAIL;
		bpfbox_prog__free(prog);
		free(li);
	}
	if (o->json)
		printf("]}\n");
out:
	fflush(stdout);
	free(log);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return rc;
}

/* Verify raw bytecode or assembly as a program of type o->type. */
static int verify_insns(const char *path, const struct vopts *o)
{
	struct vlog vl = { .len = 0 };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = vlog_fn, .log_ctx = &vl);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns = NULL;
	char *log = malloc(VERIFY_LOG_SZ);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t cnt = 0;
	struct verdict v;
	int err, rc = CLI_FAIL;

	if (!log) {
		cli_err("verify", "out of memory");
		return CLI_FAIL;
	}
	log[0] = 0;
	if (cli_load_insns("verify", path, o->syntax, &insns, &cnt))
		goto out;
	if ((err = bpfbox_vm__new(&vo, &vm))) {
		cli_err("verify", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = base, .prog_type = (uint32_t)o->type,
		    .license = "GPL", .log_buf = log, .log_size = VERIFY_LOG_SZ,
		    .log_level = o->verbose ? 2 : 1, .prog_flags = o->flags,
			    .unpriv = o->unpriv);
	err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
	set_verdict(&v, base, err, log, &vl);
	if (o->json) {
		printf("{\"programs\": [");
		print_json(&v, true);
		printf("]}\n");
	} else {
		print_text(&v, o->verbose);
	}
	rc = err ? CLI_FAIL : CLI_OK;
out:
	fflush(stdout);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	free(insns);
	free(log);
	return rc;
}

/* parse_flags - "0x3", "strict-alignment,any-alignment" (or '|'); 0 or -1
 * with the offending word in bad. */
static int parse_flags(const char *arg, uint32_t *out, char *bad, size_t badsz)
{
	static const struct { const char *name; uint32_t bit; } tab[] = {
#define X(NAME, BIT, OPT) { NAME, BIT },
		LOAD_FLAGS(X)
#undef X
	};
	char *end, *copy, *tok, *save = NULL;
	unsigned long v = strtoul(arg, &end, 0);

	if (*arg && !*end) {
		*out |= (uint32_t)v;
		return 0;
	}
	if (!(copy = strdup(arg)))
		return -1;
	for (tok = strtok_r(copy, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		size_t k;
		char *w = tok;

		/* BPF_F_STRICT_ALIGNMENT and strict_alignment name it too */
		for (char *q = tok; *q; q++)
			*q = *q == '_' ? '-' : (char)tolower((unsigned char)*q);
		if (!strncmp(w, "bpf-f-", 6))
			w += 6;
		for (k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
			if (!strcmp(w, tab[k].name))
				break;
		if (k == sizeof(tab) / sizeof(tab[0])) {
			snprintf(bad, badsz, "%s", tok);
			free(copy);
			return -1;
		}
		*out |= tab[k].bit;
	}
	free(copy);
	return 0;
}

static int verify_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "flags", required_argument, NULL, 'f' },
#define X(NAME, BIT, OPT) { NAME, no_argument, NULL, OPT },
		LOAD_FLAGS(X)
#undef X
		{ "prog", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "unpriv", no_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'j' },
		{ "syntax", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vopts o = { .type = -1 };
	struct bpfbox_object *obj = NULL;
	const char *path;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:t:vjs:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o.nprogs == VERIFY_MAX_SEL)
				return cli_usage_err(&cli_cmd_verify, "at most %d --prog", VERIFY_MAX_SEL);
			o.progs[o.nprogs++] = optarg;
			break;
		case 't':
			if ((o.type = parse_type(optarg)) < 0)
				return cli_usage_err(&cli_cmd_verify,
						     "unknown program type '%s' (e.g. xdp, socket_filter, "
						     "sched_cls, kprobe, tracepoint)", optarg);
			break;
		case 'v': o.verbose = true; break;
		case 'U': o.unpriv = true; break;
		case 'j': o.json = true; break;
		case 's':
			if (cli_parse_syntax(optarg, &o.syntax))
				return cli_usage_err(&cli_cmd_verify, "unknown syntax '%s' (auto, llvm or mnemonic)", optarg);
			break;
		case 'f': {
			char bad[64] = "";

			if (parse_flags(optarg, &o.flags, bad, sizeof(bad)))
				return cli_usage_err(&cli_cmd_verify, "--flags: unknown load flag '%s' in '%s' "
						     "(strict-alignment, any-alignment, test-rnd-hi32, "
						     "test-state-freq, sleepable, xdp-has-frags, "
						     "test-reg-invariants, or a number)", bad, optarg);
			break;
		}
#define X(NAME, BIT, OPT) case OPT: o.flags |= BIT; break;
		LOAD_FLAGS(X)
#undef X
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_verify, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_verify, "missing object or program file");
	if (optind + 1 < argc)
		return cli_usage_err(&cli_cmd_verify, "unexpected argument '%s'", argv[optind + 1]);
	path = argv[optind];
	if (!cli_is_asm_path(path) && read_object(path, &obj))
		return CLI_FAIL;
	if (obj)
		return verify_object(path, obj, &o);
	if (o.nprogs)
		return cli_usage_err(&cli_cmd_verify, "--prog is only for ELF objects");
	if (o.type < 0)
		return cli_usage_err(&cli_cmd_verify, "%s is not an ELF object: give its program type with --type TYPE", path);
	return verify_insns(path, &o);
}

const struct cli_cmd cli_cmd_verify = {
	.name = "verify",
	.summary = "verify programs (ELF object, or bytecode/.s with --type) as the kernel would",
	.usage = "bpfbox verify OBJ [--prog NAME] [--type TYPE] [--flags LIST] [--unpriv] [-v] [--json]",
	.main = verify_main,
	.help = help,
};
