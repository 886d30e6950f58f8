/*
 * trace_out.c - `bpfbox trace` output of ring-buffer and perf records as
 * they arrive: one line per record, flushed.
 *
 *  - --event-type STRUCT: the record decoded through the object's BTF as a
 *    JSON object (bpfbox_btf__dump_value() with BPFBOX_BTF_DUMP_JSON), e.g.
 *    {"pid": 12, "comm": "sh"}; a record shorter than the type is printed
 *    in hex instead (with a one-time warning on stderr);
 *  - otherwise hex: "MAP: 01 02 03" ("MAP cpu N: ..." for perf), or with
 *    --json {"map": "MAP", "size": 3, "hex": "010203"} (+ "cpu": N).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct cli_trace_out {
	FILE *f;
	const struct bpfbox_btf *btf;
	uint32_t type_id;       /* 0: hex */
	size_t type_size;
	bool json;
	bool warned_short;
	char *buf;
	size_t cap;
};

/* Find STRUCT (also "struct X", "union X", a typedef) in btf; 0 if none. */
static uint32_t find_type(const struct bpfbox_btf *btf, const char *name)
{
	static const uint32_t kinds[] = { BPFBOX_BTF_KIND_STRUCT, BPFBOX_BTF_KIND_UNION,
					  BPFBOX_BTF_KIND_TYPEDEF };
	int id;

	if (!strncmp(name, "struct ", 7)) {
		id = bpfbox_btf__find_by_name_kind(btf, name + 7, BPFBOX_BTF_KIND_STRUCT);
		return id > 0 ? (uint32_t)id : 0;
	}
	if (!strncmp(name, "union ", 6)) {
		id = bpfbox_btf__find_by_name_kind(btf, name + 6, BPFBOX_BTF_KIND_UNION);
		return id > 0 ? (uint32_t)id : 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		id = bpfbox_btf__find_by_name_kind(btf, name, kinds[i]);
		if (id > 0)
			return (uint32_t)id;
	}
	return 0;
}

/* See cli.h. */
struct cli_trace_out *cli_trace_out_new(FILE *f, const struct bpfbox_object *obj,
					const char *event_type, bool json)
{
	struct cli_trace_out *o = calloc(1, sizeof(*o));
	int64_t sz;

	if (!o) {
		cli_err("trace", "out of memory");
		return NULL;
	}
	o->f = f;
	o->json = json;
	if (!event_type)
		return o;
	o->btf = obj ? bpfbox_object__btf(obj) : NULL;
	if (!o->btf) {
		cli_err("trace", "--event-type %s: the object has no BTF", event_type);
		free(o);
		return NULL;
	}
	o->type_id = find_type(o->btf, event_type);
	sz = o->type_id ? bpfbox_btf__resolve_size(o->btf, o->type_id) : -1;
	if (!o->type_id || sz <= 0) {
		cli_err("trace", "--event-type %s: no such struct, union or typedef in the object's BTF",
			event_type);
		free(o);
		return NULL;
	}
	o->type_size = (size_t)sz;
	return o;
}

/* Hex of a record, in the text or JSON form. */
static void put_hex(struct cli_trace_out *o, const char *map, int cpu, const uint8_t *b,
		    size_t n)
{
	if (o->json) {
		fputs("{\"map\": ", o->f);
		cli_json_str(o->f, map ? map : "");
		if (cpu >= 0)
			fprintf(o->f, ", \"cpu\": %d", cpu);
		fprintf(o->f, ", \"size\": %zu, \"hex\": \"", n);
		for (size_t i = 0; i < n; i++)
			fprintf(o->f, "%02x", b[i]);
		fputs("\"}\n", o->f);
		return;
	}
	fputs(map ? map : "?", o->f);
	if (cpu >= 0)
		fprintf(o->f, " cpu %d", cpu);
	fputc(':', o->f);
	for (size_t i = 0; i < n; i++)
		fprintf(o->f, " %02x", b[i]);
	fputc('\n', o->f);
}

/* See cli.h. */
void cli_trace_out_record(struct cli_trace_out *o, const char *map, int cpu, const void *data,
			  size_t size)
{
	int n;

	if (!o)
		return;
	if (o->type_id && size >= o->type_size) {
		n = bpfbox_btf__dump_value(o->btf, o->type_id, data, o->type_size,
					   BPFBOX_BTF_DUMP_JSON, o->buf, o->cap);
		if (n >= 0 && (size_t)n >= o->cap) {
			char *nb = realloc(o->buf, (size_t)n + 1);
			if (nb) {
				o->buf = nb;
				o->cap = (size_t)n + 1;
				n = bpfbox_btf__dump_value(o->btf, o->type_id, data, o->type_size,
							   BPFBOX_BTF_DUMP_JSON, o->buf, o->cap);
			}
		}
		if (n >= 0 && (size_t)n < o->cap) {
			fputs(o->buf, o->f);
			fputc('\n', o->f);
			fflush(o->f);
			return;
		}
	} else if (o->type_id && !o->warned_short) {
		o->warned_short = true;
		cli_err("trace", "%s: a %zu-byte record is shorter than --event-type (%zu bytes); "
			"printing such records in hex", map ? map : "?", size, o->type_size);
	}
	put_hex(o, map, cpu, data, size);
	fflush(o->f);
}

/* See cli.h. */
void cli_trace_out_free(struct cli_trace_out *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o);
}
