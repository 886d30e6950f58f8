/*
 * cmd_pkt.c - "bpfbox xdp | tc | socket OBJ (--pcap IN | --iface IF)": run
 * an XDP, tc or socket-filter program of a BPF object on every packet of a
 * capture file or of a live interface through a packet hook
 * (include/bpfbox/hooks.h), count the verdicts, write the packets, print
 * the statistics and the maps.
 */
#include "pkt_int.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t pkt_stop;

static const char *const xdp_names[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};
/* index 0 is TC_ACT_UNSPEC (-1, and values tc does not know), then 0..8 */
static const char *const tc_names[] = {
	"TC_ACT_UNSPEC", "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
	"TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP",
};
static const char *const sock_names[] = { "kept", "dropped" };

enum { TC_SHOT = 2, TC_STOLEN = 4, TC_QUEUED = 5, TC_REDIRECT = 7, TC_TRAP = 8 };

/* pkt_now_ns - see pkt_int.h */
uint64_t pkt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * pkt_process - see pkt_int.h. XDP actions above XDP_REDIRECT count as
 * XDP_ABORTED (the kernel warns and drops them), tc values it does not
 * know as TC_ACT_UNSPEC.
 */
enum pkt_fate pkt_process(struct pkt_run *r, const uint8_t *data, uint32_t len,
			  struct bpfbox_pkt_result *res)
{
	int err = bpfbox_pkt_hook__run(r->hook, data, len, res);
	uint32_t a = res->action;

	r->packets++;
	if (err) {
		r->errors++;
		if (!r->last_err)
			r->last_err = err;
		return PKT_FATE_ERROR;
	}
	switch (r->prog_type) {
	case BPFBOX_PROG_TYPE_XDP:
		if (a > 4)
			a = 0;
		r->cnt[a]++;
		return a == 2 ? PKT_FATE_PASS : a == 3 ? PKT_FATE_TX : a == 4 ? PKT_FATE_REDIRECT
								  : PKT_FATE_DROP;
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
		r->cnt[a ? 0 : 1]++;
		return a ? PKT_FATE_PASS : PKT_FATE_DROP;
	default:
		r->cnt[a <= TC_TRAP ? a + 1 : 0]++;
		if (a == TC_SHOT || a == TC_STOLEN || a == TC_QUEUED || a == TC_TRAP)
			return PKT_FATE_DROP;
		return a == TC_REDIRECT ? PKT_FATE_REDIRECT : PKT_FATE_PASS;
	}
}

/* pkt_out_bytes - see pkt_int.h */
void pkt_out_bytes(const struct pkt_run *r, const uint8_t *orig, uint32_t orig_len,
		   const struct bpfbox_pkt_result *res, enum pkt_fate fate,
		   const uint8_t **data, uint32_t *len)
{
	if (r->prog_type == BPFBOX_PROG_TYPE_SOCKET_FILTER) {
		uint32_t keep = orig_len;

		if (fate == PKT_FATE_PASS && res->action < orig_len - 14)
			keep = 14 + res->action;
		*data = orig;
		*len = keep;
		return;
	}
	*data = res->data;
	*len = res->len;
}

/* one line of verdict counts (progress and text output) */
static void print_counts(FILE *f, const struct pkt_run *r)
{
	for (unsigned i = 0; i < r->nverdicts; i++)
		fprintf(f, "%s%s %llu", i ? ", " : "", r->names[i], (unsigned long long)r->cnt[i]);
}

/* pkt_maybe_stats - see pkt_int.h */
void pkt_maybe_stats(struct pkt_run *r)
{
	uint64_t now;

	if (!r->stats_every_ns)
		return;
	now = pkt_now_ns();
	if (now < r->next_stats_ns)
		return;
	fprintf(stderr, "bpfbox %s: %.1fs: %llu packets (%.0f pps): ", r->cmd,
		(double)(now - r->t0_ns) / 1e9, (unsigned long long)r->packets,
		now > r->last_stats_ns ? (double)(r->packets - r->last_stats_pkts) * 1e9 /
						 (double)(now - r->last_stats_ns) : 0.0);
	print_counts(stderr, r);
	fprintf(stderr, ", errors %llu\n", (unsigned long long)r->errors);
	r->last_stats_pkts = r->packets;
	r->last_stats_ns = now;
	r->next_stats_ns = now + r->stats_every_ns;
}

/* the final statistics and maps */
static void print_stats(const struct pkt_run *r, const struct bpfbox_object *obj, bool json)
{
	uint64_t ns = r->t_end_ns > r->t0_ns ? r->t_end_ns - r->t0_ns : 0;
	uint64_t pps = ns ? (uint64_t)((double)r->packets * 1e9 / (double)ns) : 0;

	if (json) {
		printf("{\"verdicts\": {");
		for (unsigned i = 0; i < r->nverdicts; i++)
			printf("%s\"%s\": %llu", i ? ", " : "", r->names[i],
			       (unsigned long long)r->cnt[i]);
		printf("}, \"packets\": %llu, \"errors\": %llu, \"duration_ns\": %llu, \"pps\": %llu",
		       (unsigned long long)r->packets, (unsigned long long)r->errors,
		       (unsigned long long)ns, (unsigned long long)pps);
		if (r->live)
			printf(", \"ring_drops\": %llu", (unsigned long long)r->ring_drops);
		printf(", \"maps\": ");
		cli_dump_maps(stdout, obj, true);
		printf("}\n");
		return;
	}
	for (unsigned i = 0; i < r->nverdicts; i++)
		printf("%-16s %llu\n", r->names[i], (unsigned long long)r->cnt[i]);
	printf("packets          %llu\n", (unsigned long long)r->packets);
	printf("errors           %llu\n", (unsigned long long)r->errors);
	if (r->live)
		printf("ring drops       %llu\n", (unsigned long long)r->ring_drops);
	printf("duration         %.6f s\n", (double)ns / 1e9);
	printf("packets/s        %llu\n", (unsigned long long)pps);
	cli_dump_maps(stdout, obj, false);
}

static void on_signal(int sig)
{
	(void)sig;
	pkt_stop = 1;
}

/* SIGINT / SIGTERM set pkt_stop (no SA_RESTART: poll() returns EINTR) */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Does a program of this type belong to the command? */
static bool type_fits(const char *cmd, uint32_t t)
{
	if (!strcmp(cmd, "xdp"))
		return t == BPFBOX_PROG_TYPE_XDP;
	if (!strcmp(cmd, "tc"))
		return t == BPFBOX_PROG_TYPE_SCHED_CLS || t == BPFBOX_PROG_TYPE_SCHED_ACT;
	return t == BPFBOX_PROG_TYPE_SOCKET_FILTER;
}

static const char *want_type(const char *cmd)
{
	return !strcmp(cmd, "xdp") ? "xdp" : !strcmp(cmd, "tc") ? "tc (sched_cls / sched_act)"
								: "socket_filter";
}

/*
 * pick_prog - the program to run: --prog NAME, or the only program of the
 * command's type. A program of another type is a clear error.
 */
static struct bpfbox_program *pick_prog(const char *cmd, const char *path,
					struct bpfbox_object *obj, const char *name)
{
	struct bpfbox_program *sel = NULL;
	unsigned n = 0;
	char tb[32];

	if (name) {
		sel = cli_select_prog(cmd, path, obj, name);
		if (!sel)
			return NULL;
		if (!type_fits(cmd, bpfbox_program__type(sel))) {
			cli_err(cmd, "%s: program '%s' is of type %s, not %s", path, name,
				cli_prog_type_str(bpfbox_program__type(sel), tb, sizeof(tb)),
				want_type(cmd));
			return NULL;
		}
		return sel;
	}
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
		struct bpfbox_program *p = bpfbox_object__program(obj, i);

		if (type_fits(cmd, bpfbox_program__type(p))) {
			sel = p;
			n++;
		}
	}
	if (n == 1)
		return sel;
	if (n == 0) {
		cli_err(cmd, "%s: the object has no %s program%s", path, want_type(cmd),
			bpfbox_object__program_cnt(obj) ? ":" : "");
		for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
			struct bpfbox_program *p = bpfbox_object__program(obj, i);

			fprintf(stderr, "  %s (%s)\n", bpfbox_program__name(p),
				cli_prog_type_str(bpfbox_program__type(p), tb, sizeof(tb)));
		}
		return NULL;
	}
	cli_err(cmd, "%s: the object has %u %s programs; choose one with --prog NAME", path, n,
		cmd);
	return NULL;
}

#define PKT_MAX_DEVMAP 16

struct pkt_args {
	const char *obj, *prog, *pcap, *iface, *trace_log;
	const char *devmap[PKT_MAX_DEVMAP];     /* --devmap MAP:KEY=IF */
	unsigned ndevmap;
	struct pkt_files files;
	bool json, egress, dir_given;
	enum bpfbox_engine engine;
	uint64_t stats_every, count;
	struct cli_obj_cfg cfg;     /* --set */
};

/*
 * fill_devmap - apply one --devmap MAP:KEY=IF (IF: a name or an ifindex)
 * to the loaded object. CLI_OK or CLI_FAIL (reported).
 */
static int fill_devmap(const char *cmd, const struct bpfbox_object *obj, const char *spec)
{
	char name[256], ifn[IF_NAMESIZE + 1];
	const char *colon = strchr(spec, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	struct bpfbox_map *m;
	uint64_t key, ifx;
	uint32_t val[2] = { 0, 0 };
	char kbuf[32];
	int err;

	if (!colon || !eq || colon == spec || (size_t)(colon - spec) >= sizeof(name) ||
	    (size_t)(eq - colon - 1) >= sizeof(kbuf) || !eq[1] || strlen(eq + 1) > IF_NAMESIZE) {
		cli_err(cmd, "--devmap '%s': expected MAP:KEY=IF", spec);
		return CLI_FAIL;
	}
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = 0;
	memcpy(kbuf, colon + 1, (size_t)(eq - colon - 1));
	kbuf[eq - colon - 1] = 0;
	snprintf(ifn, sizeof(ifn), "%s", eq + 1);
	if (cli_parse_u64(kbuf, &key) || key > UINT32_MAX) {
		cli_err(cmd, "--devmap '%s': key '%s' is not a 32-bit number", spec, kbuf);
		return CLI_FAIL;
	}
	if (cli_parse_u64(ifn, &ifx) || !ifx || ifx > UINT32_MAX) {
		ifx = if_nametoindex(ifn);
		if (!ifx) {
			cli_err(cmd, "--devmap '%s': no such network interface '%s'", spec, ifn);
			return CLI_FAIL;
		}
	}
	m = bpfbox_object__find_map_instance(obj, name);
	if (!m || (bpfbox_map__type(m) != BPFBOX_MAP_TYPE_DEVMAP &&
		   bpfbox_map__type(m) != BPFBOX_MAP_TYPE_DEVMAP_HASH)) {
		cli_err(cmd, "--devmap '%s': the object has no devmap or devmap_hash named '%s'",
			spec, name);
		return CLI_FAIL;
	}
	val[0] = (uint32_t)ifx;
	uint32_t k = (uint32_t)key;
	err = bpfbox_map__update_elem(m, &k, val, BPFBOX_ANY);
	if (err) {
		cli_err(cmd, "--devmap '%s': cannot set the entry: %s", spec, strerror(-err));
		return CLI_FAIL;
	}
	return CLI_OK;
}

/*
 * run_pkt - load the object, make the hook, run the source, print.
 */
static int run_pkt(const struct cli_cmd *cc, const struct pkt_args *a)
{
	const char *cmd = cc->name;
	char prefix[4200];
	struct cli_log log = { .prefix = prefix };
	struct bpfbox_object *obj = NULL;
	struct bpfbox_program *sel;
	struct bpfbox_vm *vm = NULL;
	struct pkt_run r;
	FILE *trace = stderr;
	unsigned ifindex = 0;
	int err, rc = CLI_FAIL, src;

	memset(&r, 0, sizeof(r));
	r.cmd = cmd;
	r.obj_path = a->obj;
	snprintf(prefix, sizeof(prefix), "bpfbox %s: %s", cmd, a->obj);
	if (a->iface && !(ifindex = pkt_live_ifindex(cmd, a->iface)))
		return CLI_FAIL;
	if (cli_read_maybe_object(cmd, a->obj, &obj))
		return CLI_FAIL;
	if (!obj) {
		cli_err(cmd, "%s: not a BPF ELF object", a->obj);
		return CLI_FAIL;
	}
	if (!(sel = pick_prog(cmd, a->obj, obj, a->prog)))
		goto out;
	if (cli_autoload_selected(cmd, a->obj, obj, &sel, 1, &a->cfg) != CLI_OK)
		goto out;
	if (a->trace_log && !(trace = fopen(a->trace_log, "w"))) {
		cli_err(cmd, "cannot open '%s': %s", a->trace_log, strerror(errno));
		goto out;
	}
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = cli_log_fn, .log_ctx = &log, .trace = cli_trace_fn,
		    .trace_ctx = trace);
	err = bpfbox_vm__new(&vo, &vm);
	if (err) {
		cli_err(cmd, "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	err = bpfbox_object__load(obj, vm, NULL);
	if (err) {
		cli_err(cmd, "%s: cannot load the object: %s", a->obj, strerror(-err));
		goto out;
	}
	for (unsigned i = 0; i < a->ndevmap; i++)
		if (fill_devmap(cmd, obj, a->devmap[i]))
			goto out;
	r.prog_type = bpfbox_program__type(sel);
	BPFBOX_OPTS(bpfbox_pkt_hook_opts, ho, .ifindex = ifindex, .engine = a->engine,
		    .dir = a->egress ? BPFBOX_PKT_EGRESS : BPFBOX_PKT_INGRESS);
	err = bpfbox_pkt_hook__new(bpfbox_program__prog(sel), &ho, &r.hook);
	if (err) {
		cli_err(cmd, "%s: program '%s': cannot attach a packet hook: %s", a->obj,
			bpfbox_program__name(sel), strerror(-err));
		goto out;
	}
	if (r.prog_type == BPFBOX_PROG_TYPE_XDP) {
		r.names = xdp_names;
		r.nverdicts = 5;
	} else if (r.prog_type == BPFBOX_PROG_TYPE_SOCKET_FILTER) {
		r.names = sock_names;
		r.nverdicts = 2;
	} else {
		r.names = tc_names;
		r.nverdicts = 10;
	}
	r.stats_every_ns = a->stats_every * 1000000000ull;
	r.max_packets = a->count;
	catch_signals();
	r.t0_ns = r.last_stats_ns = pkt_now_ns();
	r.next_stats_ns = r.t0_ns + r.stats_every_ns;
	if (a->pcap) {
		src = pkt_pcap_run(&r, a->pcap, &a->files);
	} else {
		r.live = true;
		src = pkt_live_run(&r, a->iface, ifindex, a->egress);
	}
	r.t_end_ns = pkt_now_ns();
	if (src < 0)
		goto out;
	print_stats(&r, obj, a->json);
	fflush(stdout);
	if (r.errors && r.last_err == -EINVAL)
		fprintf(stderr, "bpfbox %s: %llu packet%s not run: BPF_PROG_TEST_RUN refuses "
			"them too (e.g. shorter than an Ethernet header)\n", cmd,
			(unsigned long long)r.errors, r.errors == 1 ? " was" : "s were");
	else if (r.errors)
		fprintf(stderr, "bpfbox %s: %llu packet%s not run or stopped the program: %s\n", cmd,
			(unsigned long long)r.errors, r.errors == 1 ? " was" : "s were",
			strerror(-r.last_err));
	rc = src ? CLI_FAIL : CLI_OK;
out:
	fflush(stdout);
	bpfbox_pkt_hook__free(r.hook);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	if (trace && trace != stderr)
		fclose(trace);
	return rc;
}

/* the usage line and option list of one command */
static void pkt_help(FILE *out, const char *cmd)
{
	bool tc = !strcmp(cmd, "tc");

	fprintf(out,
		"Usage: bpfbox %s OBJ [--prog NAME] (--pcap IN | --iface IF)%s [options]\n"
		"Run the %s program of a BPF object on every packet of a capture (pcap or\n"
		"pcapng) or of a live interface (AF_PACKET mmap ring, as root), count the\n"
		"verdicts, and print the counts, packets per second and the maps.\n\n"
		"  -p, --prog NAME        the program (default: the only %s program)\n"
		"  -r, --pcap FILE        read packets from a capture file\n"
		"  -i, --iface IF         attach to a live interface until Ctrl-C%s\n"
		"  -o, --out FILE         write passed packets (as the program left them), pcap\n"
		"%s"
		"      --drop-out FILE    write dropped (and aborted) packets\n"
		"  -j, --json             one JSON object: verdicts, packets, errors, duration_ns,\n"
		"                         pps, maps\n"
		"      --stats-every SEC  print counts and rates to stderr every SEC seconds\n"
		"  -c, --count N          stop after N packets\n"
		"  -t, --trace-log FILE   bpf_printk output to FILE (default: stderr)\n"
		"  -e, --engine ENGINE    jit, interp or default\n"
		"      --devmap MAP:KEY=IF  set entry KEY of the devmap MAP to interface IF\n"
		"                         (name or ifindex) before the run\n"
		"      --set NAME=VALUE   set global variable NAME (.rodata, .data, .bss) before\n"
		"                         load, typed by its BTF (repeatable)\n"
		"%s"
		"Packets the kernel's BPF_PROG_TEST_RUN refuses (e.g. shorter than 14 bytes)\n"
		"are counted as errors and written nowhere. A damaged capture stops at the\n"
		"damage: the packets before it are counted, then exit status 1.\n",
		cmd, tc ? " [--ingress|--egress]" : "",
		!strcmp(cmd, "xdp") ? "XDP" : tc ? "tc (sched_cls / sched_act)" : "socket filter",
		cmd,
		!strcmp(cmd, "xdp") ? ";\n                         XDP_TX sends back out of IF, XDP_REDIRECT out of the\n                         devmap's / bpf_redirect's interface" : "",
		!strcmp(cmd, "xdp") ? "      --tx-out FILE      write XDP_TX packets\n" : "",
		tc ? "      --ingress          packets arriving (default)\n"
		     "      --egress           packets leaving (live: outgoing packets of IF)\n" : "");
}

static void xdp_help(FILE *out) { pkt_help(out, "xdp"); }
static void tc_help(FILE *out) { pkt_help(out, "tc"); }
static void sock_help(FILE *out) { pkt_help(out, "socket"); }

/*
 * pkt_main - parse the options of `cc` and run.
 */
static int pkt_main(const struct cli_cmd *cc, int argc, char **argv)
{
	enum { O_TX = 256, O_DROP, O_STATS, O_IN, O_EG, O_DEVMAP, O_SET };
	static const struct option lopts[] = {
		{ "prog", required_argument, NULL, 'p' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "iface", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "tx-out", required_argument, NULL, O_TX },
		{ "drop-out", required_argument, NULL, O_DROP },
		{ "json", no_argument, NULL, 'j' },
		{ "stats-every", required_argument, NULL, O_STATS },
		{ "count", required_argument, NULL, 'c' },
		{ "trace-log", required_argument, NULL, 't' },
		{ "engine", required_argument, NULL, 'e' },
		{ "ingress", no_argument, NULL, O_IN },
		{ "egress", no_argument, NULL, O_EG },
		{ "devmap", required_argument, NULL, O_DEVMAP },
		{ "set", required_argument, NULL, O_SET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_args a;
	bool tc = !strcmp(cc->name, "tc");
	int c;

	memset(&a, 0, sizeof(a));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:r:i:o:jc:t:e:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p': a.prog = optarg; break;
		case O_SET:
			if (cli_add_set(cc, &a.cfg, optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'r': a.pcap = optarg; break;
		case 'i': a.iface = optarg; break;
		case 'o': a.files.out = optarg; break;
		case O_TX: a.files.tx_out = optarg; break;
		case O_DROP: a.files.drop_out = optarg; break;
		case 'j': a.json = true; break;
		case 't': a.trace_log = optarg; break;
		case O_STATS:
			if (cli_parse_u64(optarg, &a.stats_every) || !a.stats_every ||
			    a.stats_every > 86400)
				return cli_usage_err(cc, "--stats-every: '%s' is not a number of seconds (1..86400)",
						     optarg);
			break;
		case 'c':
			if (cli_parse_u64(optarg, &a.count) || !a.count)
				return cli_usage_err(cc, "--count: '%s' is not a positive number", optarg);
			break;
		case 'e':
			if (cli_parse_engine(optarg, &a.engine))
				return cli_usage_err(cc, "unknown engine '%s' (available: jit, interp, default)",
						     optarg);
			break;
		case O_IN:
		case O_EG:
			if (!tc)
				return cli_usage_err(cc, "--%s is for tc programs only",
						     c == O_IN ? "ingress" : "egress");
			if (a.dir_given && a.egress != (c == O_EG))
				return cli_usage_err(cc, "--ingress and --egress exclude each other");
			a.dir_given = true;
			a.egress = c == O_EG;
			break;
		case O_DEVMAP:
			if (a.ndevmap == PKT_MAX_DEVMAP)
				return cli_usage_err(cc, "at most %d --devmap entries", PKT_MAX_DEVMAP);
			a.devmap[a.ndevmap++] = optarg;
			break;
		case 'h':
			cc->help(stdout);
			return CLI_OK;
		default:
			return cli_bad_opt(cc, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_err(cc, "missing the object file");
	if (argc - optind > 1)
		return cli_usage_err(cc, "unexpected argument '%s'", argv[optind + 1]);
	a.obj = argv[optind];
	if (!a.pcap == !a.iface)
		return cli_usage_err(cc, "give one packet source: --pcap FILE or --iface IF");
	if (a.iface && (a.files.out || a.files.tx_out || a.files.drop_out))
		return cli_usage_err(cc, "--out, --tx-out and --drop-out are for --pcap");
	if (a.files.tx_out && strcmp(cc->name, "xdp"))
		return cli_usage_err(cc, "--tx-out is for xdp programs only");
	return run_pkt(cc, &a);
}

static int xdp_main(int argc, char **argv) { return pkt_main(&cli_cmd_xdp, argc, argv); }
static int tc_main(int argc, char **argv) { return pkt_main(&cli_cmd_tc, argc, argv); }
static int sock_main(int argc, char **argv) { return pkt_main(&cli_cmd_socket, argc, argv); }

const struct cli_cmd cli_cmd_xdp = {
	.name = "xdp",
	.summary = "run an XDP program on a capture or a live interface",
	.usage = "bpfbox xdp OBJ [--prog NAME] (--pcap IN [--out F] [--tx-out F] [--drop-out F] | --iface IF) [--json] [--stats-every SEC] [--set NAME=VALUE]",
	.main = xdp_main,
	.help = xdp_help,
};

const struct cli_cmd cli_cmd_tc = {
	.name = "tc",
	.summary = "run a tc program on a capture or a live interface",
	.usage = "bpfbox tc OBJ [--prog NAME] (--pcap IN | --iface IF) [--ingress|--egress] [--json] [--set NAME=VALUE]",
	.main = tc_main,
	.help = tc_help,
};

const struct cli_cmd cli_cmd_socket = {
	.name = "socket",
	.summary = "run a socket filter on a capture or a live interface",
	.usage = "bpfbox socket OBJ [--prog NAME] (--pcap IN | --iface IF) [--json] [--set NAME=VALUE]",
	.main = sock_main,
	.help = sock_help,
};
