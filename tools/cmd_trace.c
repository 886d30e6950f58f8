/*
 * cmd_trace.c - "bpfbox trace OBJ [...] (-- CMD ARGS... | --pid PID)":
 * load a BPF object, attach its tracing programs to a command it starts
 * or to a running process (include/bpfbox/trace.h, the ptrace engine),
 * print the trace log, ring-buffer / perf records as they arrive
 * (trace_out.c), maps periodically and at exit.
 *
 * Exit status: for a started command, the command's own (its exit code,
 * or 128 + the signal that killed it); 0 for --pid once the process is
 * gone or detached; 130 after Ctrl-C if the started command is still
 * running; 1 on bpfbox errors, 2 on usage errors.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfbox/trace.h"

#define TRACE_PERF_BUF_SZ (256u * 1024)
#define TRACE_TICK_MS 200    /* wake-ups to notice Ctrl-C and dump deadlines */

/* Set by the signal handlers (the CLI's only mutable globals). */
static volatile sig_atomic_t trace_stop_sig;

/* SIGINT / SIGTERM / SIGHUP: stop tracing (detach). */
static void on_stop_signal(int sig)
{
	trace_stop_sig = sig;
}

/* SIGALRM: only interrupts the wait. */
static void on_tick(int sig)
{
	(void)sig;
}

struct trace_args {
	const char *obj_path;
	const char *progs[CLI_MAX_PROGS];
	size_t nprogs;
	bool json, no_verify;
	bool no_seccomp, seccomp_nnp;  /* the seccomp fast path (docs/HOOKS.md) */
	const char *trace_log;
	const char *event_type;
	double dump_every;     /* seconds, 0 = never */
	pid_t pid;             /* --pid, 0 if a command is given */
	char **cmd;            /* after "--" */
	enum bpfbox_engine engine;
	struct cli_obj_cfg cfg;        /* --set */
};

/* What the event callback needs. */
struct trace_state {
	const struct bpfbox_object *obj;
	struct cli_trace_out *out;
	struct bpfbox_map *maps[64];   /* ring buffers and perf event arrays */
	const char *names[64];
	size_t nmaps;
	uint64_t records;
};

static void help(FILE *out)
{
	fprintf(out,
		"Attach the tracing programs of a BPF object to a command or a running process.\n"
		"\n"
		"  OBJ                  BPF ELF object (clang -target bpf)\n"
		"  -- CMD ARGS...       start CMD (searched in PATH) traced from its execve on\n"
		"  --pid PID            attach to every thread of a running process\n"
		"  --prog NAME          attach only this program (repeatable); default: every\n"
		"                       autoload program with a tracing section (except the\n"
		"                       programs a prog array's initialiser names)\n"
		"  --json               at exit one JSON object {\"maps\": {...}, \"exit_status\": N,\n"
		"                       \"syscalls\": N, ...}; records as JSON lines\n"
		"  --trace-log FILE     bpf_printk lines (trace_pipe format) to FILE, not stderr\n"
		"  --set NAME=VALUE     set global variable NAME (.rodata, .data, .bss) before\n"
		"                       load, typed by its BTF: --set targ_pid=1234 (repeatable)\n"
		"  --event-type STRUCT  decode ring-buffer / perf records as this BTF struct\n"
		"  --dump-maps-every S  print all maps every S seconds while tracing\n"
		"  --engine E           jit, interp or default\n"
		"  --no-verify          load the programs unverified (they run checked)\n"
		"  --no-seccomp         stop the command at every syscall entry and exit, not\n"
		"                       only where programs need it (also BPFBOX_TRACE_SECCOMP=off)\n"
		"  --seccomp-nnp        use the seccomp fast path even where it needs\n"
		"                       no_new_privs (not root); see docs/HOOKS.md\n"
		"\n"
		"Attach points: raw_tracepoint/sys_enter|sys_exit, tracepoint/raw_syscalls/sys_enter|\n"
		"sys_exit, tracepoint/syscalls/sys_enter_NAME|sys_exit_NAME, kprobe|kretprobe/\n"
		"__x64_sys_NAME, ksyscall|kretsyscall/NAME, uprobe|uretprobe/PATH:SYMBOL.\n"
		"\n"
		"Exit status: the started command's (128+N if signal N killed it); 0 with --pid;\n"
		"130 after Ctrl-C while the command still runs; 1 on errors; 2 on usage errors.\n"
		"Ctrl-C detaches (breakpoints removed, tracees left running). If bpfbox is killed,\n"
		"a started command dies with it; an attached process is released by the kernel.\n");
}

/* Drain every ring buffer and perf buffer through trace_out. */
static int on_ringbuf(void *ctx, void *data, size_t size);
struct drain_ctx {
	struct trace_state *s;
	const char *name;
};

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	struct drain_ctx *d = ctx;

	cli_trace_out_record(d->s->out, d->name, -1, data, size);
	d->s->records++;
	return 0;
}

static void on_perf(void *ctx, uint32_t cpu, void *data, uint32_t size)
{
	struct drain_ctx *d = ctx;

	cli_trace_out_record(d->s->out, d->name, (int)cpu, data, size);
	d->s->records++;
}

static void on_lost(void *ctx, uint32_t cpu, uint64_t lost)
{
	struct drain_ctx *d = ctx;

	fprintf(stderr, "bpfbox trace: %s: cpu %u: %llu records lost\n", d->name, cpu,
		(unsigned long long)lost);
}

/* The tracer's event callback: print the records that programs produced. */
static void drain(void *ctx)
{
	struct trace_state *s = ctx;

	for (size_t i = 0; i < s->nmaps; i++) {
		struct drain_ctx d = { s, s->names[i] };

		if (bpfbox_map__type(s->maps[i]) == BPFBOX_MAP_TYPE_RINGBUF)
			bpfbox_map__ringbuf_consume(s->maps[i], on_ringbuf, &d);
		else
			bpfbox_map__perf_consume(s->maps[i], on_perf, on_lost, &d);
	}
}

/* Ring buffers and perf event arrays of obj (perf ones get a buffer per CPU). */
static void find_event_maps(const struct bpfbox_object *obj, struct trace_state *s)
{
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj) && s->nmaps < 64; i++) {
		struct bpfbox_map *m = bpfbox_object__map_instance(obj, i);
		uint32_t type = m ? bpfbox_map__type(m) : 0;

		if (type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY) {
			uint32_t n = bpfbox_map__nr_cpus(m);

			if (n > bpfbox_map__max_entries(m))
				n = bpfbox_map__max_entries(m);
			for (uint32_t c = 0; c < n; c++)
				bpfbox_map__perf_attach(m, c, TRACE_PERF_BUF_SZ);
		} else if (type != BPFBOX_MAP_TYPE_RINGBUF) {
			continue;
		}
		s->maps[s->nmaps] = m;
		s->names[s->nmaps++] = bpfbox_object__map(obj, i)->name;
	}
}

/* Is program p named in a prog array initialiser (a tail-call target)? */
static bool is_tail_target(const struct bpfbox_object *obj, const struct bpfbox_program *p)
{
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++) {
		const struct bpfbox_map_def *d = bpfbox_object__map(obj, i);

		for (size_t k = 0; k < d->init_cnt; k++)
			if (d->init[k].prog_name && !strcmp(d->init[k].prog_name, bpfbox_program__name(p)))
				return true;
	}
	return false;
}

/* Choose the programs to attach (sel) and set autoload flags. */
static int select_progs(const struct trace_args *a, struct bpfbox_object *obj,
			struct bpfbox_program **sel, size_t *nsel)
{
	const char *path = a->obj_path;

	*nsel = 0;
	if (a->nprogs) {
		for (size_t i = 0; i < a->nprogs; i++) {
			struct bpfbox_program *p = cli_select_prog("trace", path, obj, a->progs[i]);

			if (!p)
				return CLI_FAIL;
			if (!bpfbox_tracer__is_attach_point(bpfbox_program__section_name(p))) {
				cli_err("trace", "%s: program '%s': section '%s' is not a tracing attach "
					"point (see bpfbox trace --help)", path, a->progs[i],
					bpfbox_program__section_name(p));
				return CLI_FAIL;
			}
			sel[(*nsel)++] = p;
		}
	} else {
		for (size_t k = 0; k < bpfbox_object__program_cnt(obj); k++) {
			struct bpfbox_program *p = bpfbox_object__program(obj, k);

			if (*nsel < CLI_MAX_PROGS && bpfbox_program__autoload(p) &&
			    bpfbox_tracer__is_attach_point(bpfbox_program__section_name(p)) &&
			    !is_tail_target(obj, p))
				sel[(*nsel)++] = p;
		}
		if (!*nsel) {
			cli_err("trace", "%s: no program has a tracing section (raw_tracepoint/, "
				"tracepoint/, kprobe/, ksyscall/, uprobe/, ...)", path);
			return CLI_FAIL;
		}
	}
	return cli_autoload_selected("trace", path, obj, sel, *nsel, &a->cfg);
}

/* Install the handlers (no SA_RESTART: they must interrupt the wait). */
static void set_signals(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, TRACE_TICK_MS * 1000 }, { 0, TRACE_TICK_MS * 1000 } };

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Stop the timer and restore the default handlers. */
static void reset_signals(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One periodic dump. */
static void periodic_dump(const struct trace_args *a, struct trace_state *s, double t)
{
	drain(s);
	if (a->json) {
		printf("{\"time\": %.3f, \"maps\": ", t);
		cli_dump_maps(stdout, s->obj, true);
		printf("}\n");
	} else {
		printf("== maps at %.3f s\n", t);
		cli_dump_maps(stdout, s->obj, false);
	}
	fflush(stdout);
}

/* The tracing session proper. Returns the exit status. */
static int trace_session(const struct trace_args *a, struct bpfbox_object *obj)
{
	char prefix[4200];
	struct cli_log log = { .prefix = prefix };
	struct bpfbox_program *sel[CLI_MAX_PROGS];
	struct trace_state s = { .obj = obj };
	struct bpfbox_tracer *tr = NULL;
	struct bpfbox_vm *vm = NULL;
	BPFBOX_OPTS(bpfbox_tracer_stats, st);
	FILE *trace = stderr;
	size_t nsel = 0;
	pid_t pid = 0;
	bool detached = false;
	double t0, next_dump;
	int err, rc = CLI_FAIL;

	snprintf(prefix, sizeof(prefix), "bpfbox trace: %s", a->obj_path);
	if (select_progs(a, obj, sel, &nsel)) {
		bpfbox_object__close(obj);	/* ours, as on every other path */
		return CLI_FAIL;
	}
	if (a->trace_log && !(trace = fopen(a->trace_log, "w"))) {
		cli_err("trace", "cannot open '%s': %s", a->trace_log, strerror(errno));
		bpfbox_object__close(obj);
		return CLI_FAIL;
	}
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = cli_log_fn, .log_ctx = &log, .trace = cli_trace_fn,
		    .trace_ctx = trace);
	if ((err = bpfbox_vm__new(&vo, &vm))) {
		cli_err("trace", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	BPFBOX_OPTS(bpfbox_object_load_opts, lo, .no_verify = a->no_verify);
	if ((err = bpfbox_object__load(obj, vm, &lo))) {
		cli_err("trace", "%s: cannot load the object: %s", a->obj_path, strerror(-err));
		goto out;
	}
	find_event_maps(obj, &s);
	if (!(s.out = cli_trace_out_new(stdout, obj, a->event_type, a->json)))
		goto out;
	BPFBOX_OPTS(bpfbox_tracer_opts, to, .log = cli_log_fn, .log_ctx = &log,
		    .engine = a->engine, .on_event = s.nmaps ? drain : NULL, .event_ctx = &s,
		    .no_seccomp = a->no_seccomp, .seccomp_nnp = a->seccomp_nnp);
	if ((err = bpfbox_tracer__new(vm, &to, &tr))) {
		cli_err("trace", "cannot create a tracer: %s", strerror(-err));
		goto out;
	}
	if (a->pid && (err = bpfbox_tracer__attach_pid(tr, a->pid)))
		goto out;
	for (size_t i = 0; i < nsel; i++) {
		struct bpfbox_prog *p = bpfbox_program__prog(sel[i]);

		if (!p) {
			cli_err("trace", "%s: program '%s' was not loaded", a->obj_path,
				bpfbox_program__name(sel[i]));
			goto out;
		}
		if ((err = bpfbox_tracer__attach(tr, p, bpfbox_program__section_name(sel[i]))))
			goto out;
	}
	if (!a->pid && (err = bpfbox_tracer__spawn(tr, a->cmd, &pid)))
		goto out;
	set_signals();
	t0 = now_s();
	next_dump = t0 + a->dump_every;
	for (;;) {
		err = bpfbox_tracer__run(tr);
		if (!err)
			break;
		if (err != -EINTR) {
			cli_err("trace", "tracing failed: %s", strerror(-err));
			break;
		}
		if (trace_stop_sig) {
			bpfbox_tracer__detach(tr);
			detached = true;
			break;
		}
		if (a->dump_every > 0 && now_s() >= next_dump) {
			periodic_dump(a, &s, now_s() - t0);
			next_dump += a->dump_every;
		}
	}
	reset_signals();
	drain(&s);
	bpfbox_tracer__stats(tr, &st);
	if (detached && pid > 0 && st.exit_status < 0) {
		/* the command got the Ctrl-C too: give it a moment to finish */
		for (int i = 0; i < 50 && st.exit_status < 0; i++) {
			int status;

			if (waitpid(pid, &status, WNOHANG) == pid)
				st.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
						 128 + WTERMSIG(status);
			else
				usleep(20000);
		}
	}
	if (a->json) {
		printf("{\"maps\": ");
		cli_dump_maps(stdout, obj, true);
		if (st.exit_status >= 0)
			printf(", \"exit_status\": %d", st.exit_status);
		else
			printf(", \"exit_status\": null");
		printf(", \"pid\": %d, \"syscalls\": %llu, \"prog_runs\": %llu, "
		       "\"prog_errors\": %llu, \"uprobe_hits\": %llu, \"tasks\": %u, "
		       "\"records\": %llu, \"detached\": %s, \"seccomp\": %s}\n",
		       (int)(a->pid ? a->pid : pid), (unsigned long long)st.syscalls,
		       (unsigned long long)st.prog_runs, (unsigned long long)st.prog_errors,
		       (unsigned long long)st.uprobe_hits, st.tasks, (unsigned long long)s.records,
		       detached ? "true" : "false", st.seccomp ? "true" : "false");
	} else {
		cli_dump_maps(stdout, obj, false);
	}
	fflush(stdout);
	if (st.prog_errors)
		fprintf(stderr, "bpfbox trace: %llu program runs failed (see above)\n",
			(unsigned long long)st.prog_errors);
	if (a->pid)
		rc = CLI_OK;
	else if (st.exit_status >= 0)
		rc = st.exit_status;
	else
		rc = detached ? 128 + (int)trace_stop_sig : CLI_FAIL;
out:
	bpfbox_tracer__free(tr);
	cli_trace_out_free(s.out);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	if (trace != stderr)
		fclose(trace);
	return rc;
}

static int trace_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "prog", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "trace-log", required_argument, NULL, 't' },
		{ "event-type", required_argument, NULL, 'E' },
		{ "dump-maps-every", required_argument, NULL, 'D' },
		{ "pid", required_argument, NULL, 'P' },
		{ "engine", required_argument, NULL, 'e' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "no-seccomp", no_argument, NULL, 'S' },
		{ "seccomp-nnp", no_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_args a = { .engine = BPFBOX_ENGINE_DEFAULT };
	struct bpfbox_object *obj = NULL;
	int dash = argc, c;
	char *end;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dash = i;
			break;
		}
	optind = 1;
	while ((c = getopt_long(dash, argv, ":p:jt:E:D:P:e:Ns:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (a.nprogs == CLI_MAX_PROGS)
				return cli_usage_err(&cli_cmd_trace, "at most %d --prog", CLI_MAX_PROGS);
			a.progs[a.nprogs++] = optarg;
			break;
		case 'j': a.json = true; break;
		case 't': a.trace_log = optarg; break;
		case 'E': a.event_type = optarg; break;
		case 'D':
			a.dump_every = strtod(optarg, &end);
			if (*end || !(a.dump_every > 0) || a.dump_every > 1e6)
				return cli_usage_err(&cli_cmd_trace, "--dump-maps-every: '%s' is not a "
						     "positive number of seconds", optarg);
			break;
		case 'P': {
			long v = strtol(optarg, &end, 10);

			if (*end || v <= 0 || v > 0x7fffffff)
				return cli_usage_err(&cli_cmd_trace, "--pid: '%s' is not a process id",
						     optarg);
			a.pid = (pid_t)v;
			break;
		}
		case 'e':
			if (cli_parse_engine(optarg, &a.engine))
				return cli_usage_err(&cli_cmd_trace, "unknown engine '%s' (jit, interp, "
						     "default)", optarg);
			break;
		case 'N': a.no_verify = true; break;
		case 'S': a.no_seccomp = true; break;
		case 'n': a.seccomp_nnp = true; break;
		case 's':
			if (cli_add_set(&cli_cmd_trace, &a.cfg, optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'h': help(stdout); return CLI_OK;
		default: return cli_bad_opt(&cli_cmd_trace, c, argv);
		}
	}
	if (optind >= dash)
		return cli_usage_err(&cli_cmd_trace, "missing object file");
	if (optind + 1 < dash)
		return cli_usage_err(&cli_cmd_trace, "unexpected argument '%s' (the command goes "
				     "after '--')", argv[optind + 1]);
	a.obj_path = argv[optind];
	if (getenv("BPFBOX_TRACE_SECCOMP") && !strcmp(getenv("BPFBOX_TRACE_SECCOMP"), "off"))
		a.no_seccomp = true;
	if (dash < argc)
		a.cmd = argv + dash + 1;
	if (a.pid && a.cmd)
		return cli_usage_err(&cli_cmd_trace, "give either --pid PID or -- CMD, not both");
	if (!a.pid && (!a.cmd || !a.cmd[0]))
		return cli_usage_err(&cli_cmd_trace, "nothing to trace: give -- CMD ARGS... or --pid PID");
	if (cli_read_maybe_object("trace", a.obj_path, &obj))
		return CLI_FAIL;
	if (!obj) {
		cli_err("trace", "%s: not a BPF ELF object", a.obj_path);
		return CLI_FAIL;
	}
	return trace_session(&a, obj);
}

const struct cli_cmd cli_cmd_trace = {
	.name = "trace",
	.summary = "attach tracing programs to a command or a running process (ptrace)",
	.usage = "bpfbox trace OBJ [--prog NAME ...] [--json] [--trace-log FILE] [--event-type STRUCT]\n"
		 "                  [--dump-maps-every SEC] [--engine E] [--no-verify] [--no-seccomp] "
		 "(-- CMD ARGS... | --pid PID)",
	.main = trace_main,
	.help = help,
};
