/*
 * dump_maps.c - `bpfbox run --dump-maps`: print every map of a loaded
 * object. Keys and values go through BTF (bpfbox_btf__dump_value()) when
 * the map definition names their types, hex otherwise.
 *
 *  - hash, array, LRU, LPM trie: every entry (get_next_key + lookup);
 *  - per-CPU maps: the value of each CPU, in CPU order;
 *  - prog arrays / map-in-maps: the name of the program / map in a slot;
 *  - queue, stack: every element in pop order; they are popped and pushed
 *    back, so the map is unchanged afterwards;
 *  - ring buffer, perf event array: the pending records, in hex (this
 *    consumes them, as a reader would);
 *  - bloom filter: cannot be listed (only membership can be tested).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dumper {
	FILE *f;
	bool json;
	const struct bpfbox_object *obj;
	const struct bpfbox_btf *btf;
	char *buf;
	size_t cap;
	size_t n;           /* entries printed for the current map */
};

/* Hex: "01 02" in text, "\"0102\"" in JSON. */
static void put_hex(struct dumper *d, const uint8_t *b, size_t n)
{
	if (d->json)
		fputc('"', d->f);
	for (size_t i = 0; i < n; i++)
		fprintf(d->f, d->json || !i ? "%02x" : " %02x", b[i]);
	if (d->json)
		fputc('"', d->f);
}

/* A key or value: through BTF type_id if there is one, else hex. */
static void put_val(struct dumper *d, uint32_t type_id, const void *data, size_t size)
{
	unsigned flags = d->json ? BPFBOX_BTF_DUMP_JSON : 0;
	int n;

	if (d->btf && type_id) {
		n = bpfbox_btf__dump_value(d->btf, type_id, data, size, flags, d->buf, d->cap);
		if (n >= 0 && (size_t)n >= d->cap) {
			char *nb = realloc(d->buf, (size_t)n + 1);
			if (nb) {
				d->buf = nb;
				d->cap = (size_t)n + 1;
				n = bpfbox_btf__dump_value(d->btf, type_id, data, size, flags, d->buf,
							   d->cap);
			}
		}
		if (n >= 0 && (size_t)n < d->cap) {
			fputs(d->buf, d->f);
			return;
		}
	}
	put_hex(d, data, size);
}

/* Start an entry: separator / indentation. */
static void entry_start(struct dumper *d)
{
	if (d->json)
		fprintf(d->f, "%s{", d->n ? ", " : "");
	else
		fputs("  ", d->f);
	d->n++;
}

/* End an entry. */
static void entry_end(struct dumper *d)
{
	fputs(d->json ? "}" : "\n", d->f);
}

/* The value part of one keyed entry (per-CPU, pointer maps, plain). */
static void put_entry_value(struct dumper *d, const struct bpfbox_map_def *def,
			    struct bpfbox_map *m, const uint8_t *val)
{
	uint32_t t = bpfbox_map__type(m), vs = bpfbox_map__value_size(m);

	fputs(d->json ? ", \"value\": " : "  value: ", d->f);
	if (t == BPFBOX_MAP_TYPE_PERCPU_HASH || t == BPFBOX_MAP_TYPE_PERCPU_ARRAY ||
	    t == BPFBOX_MAP_TYPE_LRU_PERCPU_HASH) {
		size_t stride = (vs + 7u) & ~7u;

		if (d->json)
			fputc('[', d->f);
		for (uint32_t c = 0; c < bpfbox_map__nr_cpus(m); c++) {
			fputs(c ? ", " : "", d->f);
			if (!d->json)
				fprintf(d->f, "[cpu%u] ", c);
			put_val(d, def->btf_value_type_id, val + c * stride, vs);
		}
		if (d->json)
			fputc(']', d->f);
	} else if (t == BPFBOX_MAP_TYPE_PROG_ARRAY) {
		struct bpfbox_prog *p;
		const struct bpfbox_program *pp;

		memcpy(&p, val, sizeof(p));
		pp = bpfbox_object__program_of(d->obj, p);
		if (d->json)
			cli_json_str(d->f, pp ? bpfbox_program__name(pp) : "?");
		else
			fprintf(d->f, "prog %s", pp ? bpfbox_program__name(pp) : "?");
	} else if (t == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS || t == BPFBOX_MAP_TYPE_HASH_OF_MAPS) {
		struct bpfbox_map *im;

		memcpy(&im, val, sizeof(im));
		if (d->json)
			cli_json_str(d->f, im ? bpfbox_map__name(im) : "?");
		else
			fprintf(d->f, "map %s", im ? bpfbox_map__name(im) : "?");
	} else {
		put_val(d, def->btf_value_type_id, val, vs);
	}
}

/* Array-like maps: the key is a u32 index. */
static bool is_array(uint32_t t)
{
	return t == BPFBOX_MAP_TYPE_ARRAY || t == BPFBOX_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPFBOX_MAP_TYPE_PROG_ARRAY || t == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS;
}

/* Maps with keys: walk get_next_key, look each key up. */
static void dump_keyed(struct dumper *d, const struct bpfbox_map_def *def, struct bpfbox_map *m)
{
	uint32_t ks = bpfbox_map__key_size(m);
	uint8_t *key = calloc(1, ks), *next = calloc(1, ks);
	uint8_t *val = calloc(1, bpfbox_map__value_buf_size(m) + 8);
	uint64_t limit = (uint64_t)bpfbox_map__max_entries(m) * 2 + 16;
	int err;

	if (!key || !next || !val) {
		fputs(d->json ? "" : "  (out of memory)\n", d->f);
		goto out;
	}
	err = bpfbox_map__get_next_key(m, NULL, next);
	for (uint64_t i = 0; !err && i < limit; i++) {
		if (bpfbox_map__lookup_elem(m, next, val, 0) == 0) {
			bool empty = false;
			if (bpfbox_map__type(m) == BPFBOX_MAP_TYPE_PROG_ARRAY ||
			    bpfbox_map__type(m) == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS) {
				void *ptr;
				memcpy(&ptr, val, sizeof(ptr));
				empty = !ptr;
			}
			if (!empty) {
				entry_start(d);
				fputs(d->json ? "\"key\": " : "key: ", d->f);
				if (!def->btf_key_type_id && is_array(bpfbox_map__type(m)) && ks == 4) {
					uint32_t idx;
					memcpy(&idx, next, 4);
					fprintf(d->f, "%u", idx);  /* an array index is a u32 */
				} else {
					put_val(d, def->btf_key_type_id, next, ks);
				}
				put_entry_value(d, def, m, val);
				entry_end(d);
			}
		}
		memcpy(key, next, ks);
		err = bpfbox_map__get_next_key(m, key, next);
	}
out:
	free(key);
	free(next);
	free(val);
}

/* Queue / stack: pop everything, print it, push it back in order. */
static void dump_queue(struct dumper *d, const struct bpfbox_map_def *def, struct bpfbox_map *m)
{
	uint32_t vs = bpfbox_map__value_size(m), max = bpfbox_map__max_entries(m), n = 0;
	uint8_t *vals = calloc(max ? max : 1, vs ? vs : 1);
	bool stack = bpfbox_map__type(m) == BPFBOX_MAP_TYPE_STACK;

	if (!vals)
		return;
	while (n < max && bpfbox_map__lookup_and_delete_elem(m, NULL, vals + (size_t)n * vs, 0) == 0)
		n++;
	for (uint32_t i = 0; i < n; i++) {
		entry_start(d);
		fputs(d->json ? "\"value\": " : "value: ", d->f);
		put_val(d, def->btf_value_type_id, vals + (size_t)i * vs, vs);
		entry_end(d);
	}
	/* restore: a queue gets them back oldest first, a stack bottom first */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = stack ? n - 1 - i : i;
		bpfbox_map__update_elem(m, NULL, vals + (size_t)k * vs, BPFBOX_ANY);
	}
	free(vals);
}

/* One ring-buffer or perf record. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct dumper *d = ctx;

	entry_start(d);
	if (d->json) {
		fprintf(d->f, "\"size\": %zu, \"value\": ", size);
	} else {
		fprintf(d->f, "record %zu (%zu bytes): ", d->n - 1, size);
	}
	put_hex(d, data, size);
	entry_end(d);
	return 0;
}

/* perf_event_array sample callback. */
static void on_perf(void *ctx, uint32_t cpu, void *data, uint32_t size)
{
	struct dumper *d = ctx;

	entry_start(d);
	fprintf(d->f, d->json ? "\"cpu\": %u, \"size\": %u, \"value\": " : "cpu %u, %u bytes: ", cpu,
		size);
	put_hex(d, data, size);
	entry_end(d);
}

/* A perf event array's lost-records report. */
static void on_lost(void *ctx, uint32_t cpu, uint64_t lost)
{
	struct dumper *d = ctx;

	if (!d->json)
		fprintf(d->f, "  (cpu %u: %llu records lost)\n", cpu, (unsigned long long)lost);
}

/* See cli.h. */
void cli_dump_maps(FILE *f, const struct bpfbox_object *obj, bool json)
{
	struct dumper d = { .f = f, .json = json, .obj = obj, .btf = bpfbox_object__btf(obj) };

	if (json)
		fputc('{', f);
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++) {
		const struct bpfbox_map_def *def = bpfbox_object__map(obj, i);
		struct bpfbox_map *m = bpfbox_object__map_instance(obj, i);
		const char *tn = bpfbox_map_type_name(def->type);
		uint32_t t;

		if (json) {
			fputs(i ? ", " : "", f);
			cli_json_str(f, def->name);
			fputs(": [", f);
		} else {
			fprintf(f, "%smap %s (%s, key %u, value %u, max_entries %u):\n", i ? "\n" : "",
				def->name, tn ? tn : "?", def->key_size, def->value_size,
				def->max_entries);
		}
		d.n = 0;
		if (!m) {
			if (!json)
				fputs("  (not created)\n", f);
			fputs(json ? "]" : "", f);
			continue;
		}
		t = bpfbox_map__type(m);
		switch (t) {
		case BPFBOX_MAP_TYPE_QUEUE:
		case BPFBOX_MAP_TYPE_STACK:
			dump_queue(&d, def, m);
			break;
		case BPFBOX_MAP_TYPE_RINGBUF:
			bpfbox_map__ringbuf_consume(m, on_record, &d);
			break;
		case BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY:
			bpfbox_map__perf_consume(m, on_perf, on_lost, &d);
			break;
		case BPFBOX_MAP_TYPE_BLOOM_FILTER:
			if (!json)
				fputs("  (a bloom filter cannot be listed)\n", f);
			d.n = 1;
			break;
		default:
			dump_keyed(&d, def, m);
			break;
		}
		if (json)
			fputc(']', f);
		else if (!d.n)
			fputs("  (empty)\n", f);
	}
	if (json)
		fputc('}', f);
	free(d.buf);
}
