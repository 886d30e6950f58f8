/*
 * obj.c - BPF ELF objects in the CLI: detecting them, opening them with
 * the library's messages on stderr, choosing a program, and names for
 * program types and XDP/TC return codes.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "\x7f" "ELF" at the start. */
bool cli_is_elf(const uint8_t *buf, size_t len)
{
	return len >= 4 && !memcmp(buf, "\x7f" "ELF", 4);
}

/* Open an object already read into memory, named by its path. The object
 * keeps its log sink for later messages (load errors), so the sink lives
 * as long as the process (the tool opens one object at a time). */
int cli_open_object(const char *cmd, const char *path, const uint8_t *buf, size_t len,
		    struct bpfbox_object **obj)
{
	static char prefix[64];
	static struct cli_log log = { .prefix = prefix };
	BPFBOX_OPTS(bpfbox_object_opts, oo, .name = path, .log = cli_log_fn, .log_ctx = &log);
	int err;

	snprintf(prefix, sizeof(prefix), "bpfbox %s", cmd);
	log.nerr = 0;
	err = bpfbox_object__open_mem(buf, len, &oo, obj);
	if (err) {
		if (!log.nerr)
			cli_err(cmd, "%s: cannot open the object: %s", path, strerror(-err));
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Read PATH; if it is an ELF object, open it (*obj set), else leave *obj
 * NULL. A file named *.o must be ELF. Returns CLI_OK or CLI_FAIL (reported). */
int cli_read_maybe_object(const char *cmd, const char *path, struct bpfbox_object **obj)
{
	uint8_t *buf;
	size_t len;
	int rc;

	*obj = NULL;
	if (!strcmp(path, "-"))
		return CLI_OK;
	if (cli_read_file(cmd, path, &buf, &len))
		return CLI_FAIL;
	if (cli_is_elf(buf, len)) {
		rc = cli_open_object(cmd, path, buf, len, obj);
	} else if (strlen(path) > 2 && !strcmp(path + strlen(path) - 2, ".o")) {
		/* a .o that is not ELF is a broken object, not bytecode */
		cli_err(cmd, "%s: not an ELF object (no ELF magic)", path);
		rc = CLI_FAIL;
	} else {
		rc = CLI_OK;
	}
	free(buf);
	return rc;
}

/* The program names of obj, comma-separated, into buf. */
static void prog_names(const struct bpfbox_object *obj, char *buf, size_t sz)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj) && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s", i ? ", " : "",
				      bpfbox_program__name(bpfbox_object__program(obj, i)));
}

/* The program called name, or the only one if name is NULL. Reports. */
struct bpfbox_program *cli_select_prog(const char *cmd, const char *path,
				       const struct bpfbox_object *obj, const char *name)
{
	struct bpfbox_program *p;
	char names[1024];

	prog_names(obj, names, sizeof(names));
	if (name) {
		p = bpfbox_object__find_program_by_name(obj, name);
		if (!p)
			cli_err(cmd, "%s: no program '%s' (programs: %s)", path, name,
				names[0] ? names : "none");
		return p;
	}
	if (bpfbox_object__program_cnt(obj) == 1)
		return bpfbox_object__program(obj, 0);
	if (bpfbox_object__program_cnt(obj) == 0)
		cli_err(cmd, "%s: the object has no programs", path);
	else
		cli_err(cmd, "%s: the object has %zu programs; choose one with --prog NAME (%s)",
			path, bpfbox_object__program_cnt(obj), names);
	return NULL;
}

/* "xdp", ... or "unspec"/"type N". */
const char *cli_prog_type_str(uint32_t type, char *buf, size_t sz)
{
	const char *n = bpfbox_prog_type_name(type);

	if (n)
		return n;
	if (type == 0)
		return "unspec";
	snprintf(buf, sz, "type %u", type);
	return buf;
}

/* XDP_* / TC_ACT_* name of a return value, or NULL. */
const char *cli_action_name(uint32_t prog_type, uint64_t ret)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };
	static const char *const tc[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					  "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
					  "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP" };

	if (prog_type == BPFBOX_PROG_TYPE_XDP && ret < sizeof(xdp) / sizeof(xdp[0]))
		return xdp[ret];
	if (prog_type == BPFBOX_PROG_TYPE_SCHED_CLS || prog_type == BPFBOX_PROG_TYPE_SCHED_ACT) {
		if ((uint32_t)ret == 0xffffffffu)
			return "TC_ACT_UNSPEC";
		if (ret < sizeof(tc) / sizeof(tc[0]))
			return tc[ret];
	}
	return NULL;
}

/* cli_add_set - see cli.h. */
int cli_add_set(const struct cli_cmd *cmd, struct cli_obj_cfg *cfg, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return cli_usage_err(cmd, "--set: '%s' is not NAME=VALUE", arg);
	if (cfg->nsets == CLI_MAX_SETS)
		return cli_usage_err(cmd, "at most %d --set", CLI_MAX_SETS);
	cfg->sets[cfg->nsets++] = arg;
	return CLI_OK;
}

/* Apply the --set NAME=VALUE list to obj. Errors are the library's. */
static int apply_sets(const char *cmd, const char *path, struct bpfbox_object *obj,
		      const struct cli_obj_cfg *cfg)
{
	for (size_t i = 0; i < cfg->nsets; i++) {
		const char *eq = strchr(cfg->sets[i], '=');
		char name[256];
		int err;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - cfg->sets[i]), cfg->sets[i]);
		err = bpfbox_object__set_var(obj, name, eq + 1);
		if (err) {
			if (err == -EINVAL && !*name)
				cli_err(cmd, "%s: --set %s: %s", path, cfg->sets[i], strerror(-err));
			return CLI_FAIL;
		}
	}
	return CLI_OK;
}

/* cli_autoload_selected - see cli.h. */
int cli_autoload_selected(const char *cmd, const char *path, struct bpfbox_object *obj,
			  struct bpfbox_program *const *sel, size_t nsel,
			  const struct cli_obj_cfg *cfg)
{
	int err;

	for (size_t i = 0; cfg && cfg->type && i < nsel; i++)
		bpfbox_program__set_type(sel[i], cfg->type);
	if (cfg && apply_sets(cmd, path, obj, cfg))
		return CLI_FAIL;
	for (size_t i = 0; i < nsel; i++) {
		const char *why = NULL;

		if (!bpfbox_program__loadable(sel[i], &why)) {
			cli_err(cmd, "%s: program '%s' cannot be loaded: %s", path,
				bpfbox_program__name(sel[i]), why ? why : "unknown reason");
			return CLI_FAIL;
		}
	}
	err = bpfbox_object__autoload_only(obj, sel, nsel);
	if (err) {
		cli_err(cmd, "%s: cannot choose the programs to load: %s", path, strerror(-err));
		return CLI_FAIL;
	}
	return CLI_OK;
}
