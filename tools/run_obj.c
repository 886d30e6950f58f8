/*
 * run_obj.c - "bpfbox run OBJ.o": load a BPF ELF object into a VM and
 * test-run one or more of its programs (BPF_PROG_TEST_RUN semantics, via
 * bpfbox_prog__test_run()), then print the results, the maps
 * (--dump-maps, dump_maps.c) and the trace log (cli_trace_fn).
 */
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_F_TEST_RUN_ON_CPU 1u  /* BPF_F_TEST_RUN_ON_CPU */
#define CLI_PERF_BUF_SZ (64u * 1024)

/* The trace log: one line per bpf_printk, in the kernel's trace_pipe
 * layout ("%16s-%-7d [%03d] FLAGS %5lu.%06lu: bpf_trace_printk: MSG").
 * The flags column (irqs-off, need-resched, ...) has no meaning here and is
 * printed as dots. */
void cli_trace_fn(void *ctx, const struct bpfbox_trace_rec *rec)
{
	FILE *f = ctx;
	const char *comm = rec->task ? rec->task->comm : "bpfbox";
	int pid = rec->task ? (int)rec->task->pid : (int)getpid();

	fprintf(f, "%16.16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: %s\n", comm, pid,
		rec->cpu, (unsigned long long)(rec->ts_ns / 1000000000u),
		(unsigned long long)(rec->ts_ns % 1000000000u / 1000u), rec->msg ? rec->msg : "");
	fflush(f);
}

/* Does a program of this type run on a packet (data_in / data_out)? */
static bool has_packet(uint32_t type)
{
	switch (type) {
	case BPFBOX_PROG_TYPE_SOCKET_FILTER: case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT: case BPFBOX_PROG_TYPE_XDP:
	case BPFBOX_PROG_TYPE_CGROUP_SKB: case BPFBOX_PROG_TYPE_LWT_IN:
	case BPFBOX_PROG_TYPE_LWT_OUT: case BPFBOX_PROG_TYPE_LWT_XMIT:
	case BPFBOX_PROG_TYPE_SK_SKB: case BPFBOX_PROG_TYPE_FLOW_DISSECTOR:
		return true;
	default:
		return false;
	}
}

/* Does BPF_PROG_TEST_RUN take `repeat` for this type? (Raw tracepoints
 * and syscall programs refuse it: the CLI repeats the run itself.) */
static bool repeat_in_lib(uint32_t type)
{
	return type != BPFBOX_PROG_TYPE_RAW_TRACEPOINT &&
	       type != BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE && type != BPFBOX_PROG_TYPE_SYSCALL;
}

/* Does the test run of this type take BPF_F_TEST_RUN_ON_CPU? (Packet
 * types run on the CPU the thread is on: cli_run_object() pins it.) */
static bool takes_cpu_flag(uint32_t type)
{
	switch (type) {
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: case BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPFBOX_PROG_TYPE_TRACEPOINT: case BPFBOX_PROG_TYPE_KPROBE:
	case BPFBOX_PROG_TYPE_PERF_EVENT:
		return true;
	default:
		return false;
	}
}

/* One test run of `repeat` runs: in the library when the type allows
 * repeat, else run by run here (duration: the mean of the runs' durations). */
static int test_run(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *t, uint64_t repeat)
{
	uint64_t total = 0;
	uint32_t out_sz = t->data_size_out, ctx_sz = t->ctx_size_out;
	int err;

	if (t->repeat || repeat <= 1)
		return bpfbox_prog__test_run(prog, t);
	for (uint64_t r = 0; r < repeat; r++) {
		t->data_size_out = out_sz;
		t->ctx_size_out = ctx_sz;
		if ((err = bpfbox_prog__test_run(prog, t)))
			return err;
		total += t->duration;
	}
	t->duration = (uint32_t)(total / repeat);
	return 0;
}

/* Give every perf event array a buffer per CPU, as a perf reader would
 * (so bpf_perf_event_output() has somewhere to write). */
static void attach_perf_buffers(const struct bpfbox_object *obj)
{
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++) {
		struct bpfbox_map *m = bpfbox_object__map_instance(obj, i);
		uint32_t n;

		if (!m || bpfbox_map__type(m) != BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		n = bpfbox_map__nr_cpus(m);
		if (n > bpfbox_map__max_entries(m))
			n = bpfbox_map__max_entries(m);
		for (uint32_t c = 0; c < n; c++)
			bpfbox_map__perf_attach(m, c, CLI_PERF_BUF_SZ);
	}
}

/* Choose the programs to run and their autoload flags. Returns CLI_OK. */
static int select_progs(const char *path, struct bpfbox_object *obj,
			const struct cli_run_args *a, struct bpfbox_program **sel, size_t *nsel)
{
	if (a->nprogs == 0) {
		if (!(sel[0] = cli_select_prog("run", path, obj, NULL)))
			return CLI_FAIL;
		*nsel = 1;
	} else {
		for (size_t i = 0; i < a->nprogs; i++)
			if (!(sel[i] = cli_select_prog("run", path, obj, a->progs[i])))
				return CLI_FAIL;
		*nsel = a->nprogs;
	}
	return cli_autoload_selected("run", path, obj, sel, *nsel, &a->cfg);
}

/* Print bytes as contiguous lowercase hex. */
static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* One program's results. */
static void print_result(const struct bpfbox_program *p, const struct bpfbox_test_run_opts *t,
			 const uint8_t *out, uint64_t repeat, bool json, bool named)
{
	uint32_t type = bpfbox_program__type(p);
	const char *act = cli_action_name(type, t->retval);
	bool pkt = has_packet(type) || t->data_size_in;

	if (json) {
		if (named) {
			printf("{\"prog\": ");
			cli_json_str(stdout, bpfbox_program__name(p));
			printf(", ");
		}
		printf("\"retval\": %u", t->retval);
		if (act)
			printf(", \"action\": \"%s\"", act);
		if (pkt) {
			printf(", \"data_out\": \"");
			put_hex(stdout, out, t->data_size_out);
			printf("\"");
		}
		printf(", \"duration_ns\": %u, \"repeat\": %llu", t->duration,
		       (unsigned long long)repeat);
		if (named)
			printf("}");
		return;
	}
	if (named)
		printf("== %s\n", bpfbox_program__name(p));
	printf("retval = %u", t->retval);
	if (act)
		printf(" (%s)", act);
	printf("\n");
	if (pkt) {
		printf("data_out = ");
		put_hex(stdout, out, t->data_size_out);
		printf(" (%u bytes)\n", t->data_size_out);
	}
	printf("duration = %u ns (mean of %llu run%s)\n", t->duration, (unsigned long long)repeat,
	       repeat == 1 ? "" : "s");
}

/* See cli.h. Takes ownership of obj (closed before the VM is freed). */
int cli_run_object(const char *path, struct bpfbox_object *obj, const struct cli_run_args *a)
{
	char prefix[4200];
	struct cli_log log = { .prefix = prefix };
	struct bpfbox_program *sel[CLI_MAX_PROGS];
	struct bpfbox_test_run_opts res[CLI_MAX_PROGS];
	/* --no-verify: the chosen programs, loaded here unverified */
	struct bpfbox_prog *nv_prog[CLI_MAX_PROGS] = { 0 };
	struct bpfbox_line_info *nv_li[CLI_MAX_PROGS] = { 0 };
	size_t nsel = 0, out_cap = a->data_len + 4096;
	struct bpfbox_vm *vm = NULL;
	uint8_t *out = NULL;
	FILE *trace = stderr;
	int err, rc = CLI_FAIL;

	snprintf(prefix, sizeof(prefix), "bpfbox run: %s", path);
	if (select_progs(path, obj, a, sel, &nsel)) {
		bpfbox_object__close(obj);	/* ours, as on every other path */
		return CLI_FAIL;
	}
	if (a->trace_log && !(trace = fopen(a->trace_log, "w"))) {
		cli_err("run", "cannot open '%s': %s", a->trace_log, strerror(errno));
		bpfbox_object__close(obj);
		return CLI_FAIL;
	}
	if (a->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)a->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			cli_err("run", "--cpu %lld: cannot run on that CPU: %s", (long long)a->cpu,
				strerror(errno));
			goto out;
		}
	}
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = cli_log_fn, .log_ctx = &log, .trace = cli_trace_fn,
		    .trace_ctx = trace);
	err = bpfbox_vm__new(&vo, &vm);
	if (err) {
		cli_err("run", "cannot create a VM: %s", strerror(-err));
		goto out;
	}
	BPFBOX_OPTS(bpfbox_object_load_opts, lo, .unpriv = a->unpriv);
	log.nerr = 0;
	/* --no-verify: the object load creates the maps; the chosen programs
	 * are loaded below with no_verify (prog array slots stay empty) */
	for (size_t k = 0; a->no_verify && k < bpfbox_object__program_cnt(obj); k++)
		bpfbox_program__set_autoload(bpfbox_object__program(obj, k), false);
	err = bpfbox_object__load(obj, vm, &lo);
	if (err) {
		cli_err("run", "%s: cannot load the object: %s", path, strerror(-err));
		goto out;
	}
	for (size_t i = 0; a->no_verify && i < nsel; i++) {
		BPFBOX_OPTS(bpfbox_prog_opts, npo, .no_verify = true);
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup |= sel[j] == sel[i];
		if (dup)
			continue;
		err = cli_load_object_prog(vm, obj, sel[i], &npo, &nv_prog[i], &nv_li[i]);
		if (err) {
			cli_err("run", "%s: %s: cannot load: %s", path, bpfbox_program__name(sel[i]),
				strerror(-err));
			goto out;
		}
	}
	attach_perf_buffers(obj);
	if (!(out = malloc(out_cap * nsel))) {
		cli_err("run", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsel; i++) {
		struct bpfbox_prog *prog = bpfbox_program__prog(sel[i]);

		for (size_t j = 0; a->no_verify && j <= i; j++)
			if (sel[j] == sel[i] && nv_prog[j])
				prog = nv_prog[j];
		struct bpfbox_test_run_opts *t = &res[i];

		memset(t, 0, sizeof(*t));
		t->sz = sizeof(*t);
		t->data_in = a->data_len ? a->data : NULL;
		t->data_size_in = (uint32_t)a->data_len;
		if (a->data_len || has_packet(bpfbox_program__type(sel[i]))) {
			t->data_out = out + i * out_cap;
			t->data_size_out = (uint32_t)out_cap;
		}
		t->ctx_in = a->ctx_len ? a->ctx : NULL;
		t->ctx_size_in = (uint32_t)a->ctx_len;
		t->repeat = repeat_in_lib(bpfbox_program__type(sel[i])) ? (int)a->repeat : 0;
		t->mode = BPFBOX_RUN_AUTO;
		t->engine = a->engine;
		if (a->cpu >= 0 && takes_cpu_flag(bpfbox_program__type(sel[i]))) {
			t->flags |= CLI_F_TEST_RUN_ON_CPU;
			t->cpu = (uint32_t)a->cpu;
		}
		if (!prog) {
			cli_err("run", "%s: program '%s' was not loaded", path,
				bpfbox_program__name(sel[i]));
			goto out;
		}
		log.nerr = 0;
		err = test_run(prog, t, a->repeat);
		if (err) {
			cli_err("run", "%s: %s: the test run failed: %s", path,
				bpfbox_program__name(sel[i]), strerror(-err));
			goto out;
		}
		if (t->data_size_out > out_cap)
			t->data_size_out = (uint32_t)out_cap;
	}
	if (a->json)
		printf(nsel > 1 ? "{\"runs\": [" : "{");
	for (size_t i = 0; i < nsel; i++) {
		if (a->json && i)
			printf(", ");
		print_result(sel[i], &res[i], out + i * out_cap, a->repeat, a->json, nsel > 1);
	}
	if (a->json) {
		if (nsel > 1)
			printf("]");
		if (a->dump_maps) {
			printf(", \"maps\": ");
			cli_dump_maps(stdout, obj, true);
		}
		printf("}\n");
	} else if (a->dump_maps) {
		cli_dump_maps(stdout, obj, false);
	}
	rc = CLI_OK;
out:
	fflush(stdout);
	free(out);
	for (size_t i = 0; i < CLI_MAX_PROGS; i++) {
		bpfbox_prog__free(nv_prog[i]);
		free(nv_li[i]);
	}
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	if (trace != stderr)
		fclose(trace);
	return rc;
}
