/*
 * main.c - the bpfbox command-line tool: dispatch to a subcommand.
 *
 *   bpfbox asm IN.s -o OUT.bin       assemble
 *   bpfbox disasm FILE               disassemble
 *   bpfbox run PROG                  run in the interpreter (ELF object or bytecode)
 *   bpfbox prog list OBJ.o           programs and maps of an object
 *   bpfbox verify OBJ.o              run the verifier on an object's programs
 *   bpfbox help [CMD] | --version
 */
#include "cli.h"

#include <string.h>

static const struct cli_cmd *const cmds[] = { &cli_cmd_asm, &cli_cmd_disasm, &cli_cmd_run,
						 &cli_cmd_prog, &cli_cmd_verify, &cli_cmd_xdp,
						 &cli_cmd_tc, &cli_cmd_socket, &cli_cmd_trace };
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* The top-level usage text. */
static void usage(FILE *out)
{
	fprintf(out, "Usage: bpfbox COMMAND [ARGS...]\n"
		     "       bpfbox help [COMMAND]\n"
		     "       bpfbox --version\n\n"
		     "eBPF in userspace: load and run BPF ELF objects (clang -target bpf),\n"
		     "assemble, disassemble and run eBPF bytecode.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(out, "\nRun 'bpfbox COMMAND --help' for a command's options.\n"
		     "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "version")) {
		printf("bpfbox %s\n", bpfbox_version());
		return CLI_OK;
	}
	if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
		if (argc > 2) {
			if (!(cmd = find_cmd(argv[2]))) {
				fprintf(stderr, "bpfbox: unknown command '%s'\n", argv[2]);
				usage(stderr);
				return CLI_USAGE;
			}
			cmd->help(stdout);
			return CLI_OK;
		}
		usage(stdout);
		return CLI_OK;
	}
	if (!(cmd = find_cmd(name))) {
		fprintf(stderr, "bpfbox: unknown %s '%s'\n", name[0] == '-' ? "option" : "command", name);
		usage(stderr);
		return CLI_USAGE;
	}
	return cmd->main(argc - 1, argv + 1);
}
