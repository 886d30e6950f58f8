/*
 * cmd_prog.c - "bpfbox prog list OBJ.o": the programs and maps of a BPF
 * ELF object, in columns (as bpftool) or as JSON.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
	fprintf(out,
		"Usage: %s\n\n"
		"List the programs of a BPF ELF object (clang -O2 -g -target bpf):\n"
		"name, section, program type, attach target, instruction count\n"
		"(with subprograms) and whether bpfbox can load it, or why not; then\n"
		"its maps: name, type, key and value sizes, max_entries, flags.\n\n"
		"Options:\n"
		"  -j, --json   {\"programs\": [...], \"maps\": [...]}\n"
		"  -h, --help   this help\n",
		cli_cmd_prog.usage);
}

/* "yes", "no (reason)" or "yes (autoload off)" into buf. */
static const char *loadable_str(const struct bpfbox_program *p, char *buf, size_t sz)
{
	const char *why = NULL;

	if (!bpfbox_program__loadable(p, &why))
		snprintf(buf, sz, "no: %s", why ? why : "unknown reason");
	else if (!bpfbox_program__autoload(p))
		snprintf(buf, sz, "yes (autoload off)");
	else
		snprintf(buf, sz, "yes");
	return buf;
}

/* Map type name or "type N". */
static const char *map_type_str(uint32_t type, char *buf, size_t sz)
{
	const char *n = bpfbox_map_type_name(type);

	if (n)
		return n;
	snprintf(buf, sz, "type %u", type);
	return buf;
}

/* Width of the longest string among n (at least min). */
#define WIDEN(w, s) do { size_t l_ = strlen(s); if (l_ > (w)) (w) = l_; } while (0)

/* The table layout. */
static void list_text(const struct bpfbox_object *obj)
{
	size_t np = bpfbox_object__program_cnt(obj), nm = bpfbox_object__map_cnt(obj);
	size_t wn = 4, ws = 7, wt = 4, wa = 6;
	char tb[32], lb[512];

	for (size_t i = 0; i < np; i++) {
		const struct bpfbox_program *p = bpfbox_object__program(obj, i);
		const char *tgt = bpfbox_program__attach_target(p);
		WIDEN(wn, bpfbox_program__name(p));
		WIDEN(ws, bpfbox_program__section_name(p));
		WIDEN(wt, cli_prog_type_str(bpfbox_program__type(p), tb, sizeof(tb)));
		WIDEN(wa, tgt[0] ? tgt : "-");
	}
	printf("%-*s  %-*s  %-*s  %-*s  %5s  %s\n", (int)wn, "NAME", (int)ws, "SECTION",
	       (int)wt, "TYPE", (int)wa, "ATTACH", "INSNS", "LOADABLE");
	for (size_t i = 0; i < np; i++) {
		const struct bpfbox_program *p = bpfbox_object__program(obj, i);
		const char *tgt = bpfbox_program__attach_target(p);
		printf("%-*s  %-*s  %-*s  %-*s  %5zu  %s\n", (int)wn, bpfbox_program__name(p),
		       (int)ws, bpfbox_program__section_name(p), (int)wt,
		       cli_prog_type_str(bpfbox_program__type(p), tb, sizeof(tb)), (int)wa,
		       tgt[0] ? tgt : "-", bpfbox_program__insn_cnt(p),
		       loadable_str(p, lb, sizeof(lb)));
	}
	if (!nm)
		return;
	wn = 4, wt = 4;
	for (size_t i = 0; i < nm; i++) {
		const struct bpfbox_map_def *m = bpfbox_object__map(obj, i);
		WIDEN(wn, m->name);
		WIDEN(wt, map_type_str(m->type, tb, sizeof(tb)));
	}
	printf("\n%-*s  %-*s  %5s  %5s  %11s  %s\n", (int)wn, "MAP", (int)wt, "TYPE", "KEY",
	       "VALUE", "MAX_ENTRIES", "FLAGS");
	for (size_t i = 0; i < nm; i++) {
		const struct bpfbox_map_def *m = bpfbox_object__map(obj, i);
		printf("%-*s  %-*s  %5u  %5u  %11u  0x%x\n", (int)wn, m->name, (int)wt,
		       map_type_str(m->type, tb, sizeof(tb)), m->key_size, m->value_size,
		       m->max_entries, m->map_flags);
	}
}

/* The JSON layout. */
static void list_json(const struct bpfbox_object *obj)
{
	size_t np = bpfbox_object__program_cnt(obj), nm = bpfbox_object__map_cnt(obj);
	char tb[32];

	printf("{\"programs\": [");
	for (size_t i = 0; i < np; i++) {
		const struct bpfbox_program *p = bpfbox_object__program(obj, i);
		const char *why = NULL;
		bool ok = bpfbox_program__loadable(p, &why);

		printf("%s{\"name\": ", i ? ", " : "");
		cli_json_str(stdout, bpfbox_program__name(p));
		printf(", \"section\": ");
		cli_json_str(stdout, bpfbox_program__section_name(p));
		printf(", \"type\": ");
		cli_json_str(stdout, cli_prog_type_str(bpfbox_program__type(p), tb, sizeof(tb)));
		printf(", \"attach\": ");
		cli_json_str(stdout, bpfbox_program__attach_target(p));
		printf(", \"insns\": %zu, \"autoload\": %s, \"loadable\": %s",
		       bpfbox_program__insn_cnt(p), bpfbox_program__autoload(p) ? "true" : "false",
		       ok ? "true" : "false");
		if (!ok) {
			printf(", \"reason\": ");
			cli_json_str(stdout, why ? why : "unknown reason");
		}
		printf("}");
	}
	printf("], \"maps\": [");
	for (size_t i = 0; i < nm; i++) {
		const struct bpfbox_map_def *m = bpfbox_object__map(obj, i);
		printf("%s{\"name\": ", i ? ", " : "");
		cli_json_str(stdout, m->name);
		printf(", \"type\": ");
		cli_json_str(stdout, map_type_str(m->type, tb, sizeof(tb)));
		printf(", \"key_size\": %u, \"value_size\": %u, \"max_entries\": %u, \"flags\": %u}",
		       m->key_size, m->value_size, m->max_entries, m->map_flags);
	}
	printf("]}\n");
}

static int prog_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bpfbox_object *obj = NULL;
	int json = 0, c;
	const char *path;

	if (argc > 1 && !strcmp(argv[1], "dump"))   /* cmd_dump.c */
		return cli_prog_dump(argc - 1, argv + 1);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":jh", lopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_prog, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(&cli_cmd_prog, "missing subcommand (list)");
	if (strcmp(argv[optind], "list") && strcmp(argv[optind], "show"))
		return cli_usage_err(&cli_cmd_prog, "unknown subcommand '%s' (list)", argv[optind]);
	if (optind + 1 >= argc)
		return cli_usage_err(&cli_cmd_prog, "missing object file");
	if (optind + 2 < argc)
		return cli_usage_err(&cli_cmd_prog, "unexpected argument '%s'", argv[optind + 2]);
	path = argv[optind + 1];
	if (cli_read_maybe_object("prog", path, &obj))
		return CLI_FAIL;
	if (!obj) {
		cli_err("prog", "%s: not an ELF object (no ELF magic)", path);
		return CLI_FAIL;
	}
	if (json)
		list_json(obj);
	else
		list_text(obj);
	bpfbox_object__close(obj);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_prog = {
	.name = "prog",
	.summary = "list the programs and maps of a BPF ELF object",
	.usage = "bpfbox prog list OBJ.o [--json]\n"
		 "       bpfbox prog dump xlated|jited PROG [--prog NAME]",
	.main = prog_main,
	.help = help,
};
