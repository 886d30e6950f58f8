/*
 * fuzz_tracefs.c - libFuzzer target for the tracefs event "format" file
 * parser (src/trace/tracefs.c, bxh_ev_parse).
 *
 * The input is the text of a format file, handed over without a NUL so
 * ASan sees any read past its end. A layout the parser accepts is then
 * used like the tracepoint hook does: field lookups and a record built
 * into a buffer of exactly the size the layout claims. The input (as a
 * NUL-terminated string) is also tried as an event name against the
 * built-in layouts. Seeds: the host's syscalls/raw_syscalls format files
 * (copied by tests/fuzz/run.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/tracefs.h"

/* Drop log messages, but only after they were formatted. */
static void sink_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "common_type", "common_pid", "__syscall_nr", "id",
					     "ret", "args", "filename", "" };
	const struct bx_log log = { .fn = sink_log };
	struct bxh_ev_format *f = malloc(sizeof(*f));
	char *text = malloc(size ? size : 1);
	volatile size_t sink = 0;

	if (!f || !text)
		goto out;
	memcpy(text, data, size);
	if (bxh_ev_parse(text, size, f, &log) == 0) {
		const struct bxh_ev_vals v = { .pid = 42, .nr = 257, .ret = -2,
					       .args = { 1, 2, 3, 4, 5, 6 } };
		uint8_t *rec = malloc(f->size ? f->size : 1);

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const struct bxh_ev_field *fd = bxh_ev_field(f, names[i]);
			if (fd)
				sink += fd->offset + fd->size + strlen(fd->type);
		}
		if (rec) {
			int n = bxh_ev_build(f, &v, rec, f->size);
			for (int i = 0; i < n; i++)
				sink += rec[i];
			if (f->size)
				sink += (size_t)bxh_ev_build(f, &v, rec, f->size - 1);  /* -ENOSPC */
			free(rec);
		}
	}
	if (size < 128) {   /* as an event name: the built-in layouts only */
		char *ev = malloc(size + 1);
		bool is_exit;

		if (ev) {
			memcpy(ev, data, size);
			ev[size] = 0;
			if (bxh_ev_format(ev, "", f, &log) == 0)
				sink += f->size + f->nfields;
			sink += (size_t)bxh_ev_syscall_nr(ev, &is_exit);
			free(ev);
		}
	}
	(void)sink;
out:
	free(text);
	free(f);
	return 0;
}
