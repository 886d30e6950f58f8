/*
 * fuzz_elf.c - libFuzzer target for the ELF + BTF object loader.
 *
 * The input is an ELF file. It is opened from memory; if that succeeds,
 * everything the object offers is walked (programs, relocated instructions,
 * line info, CO-RE records, map definitions, every BTF type and member),
 * then the object is freed. Good seeds: the objects make bpf builds in build/bpf.
 */
#include <stdint.h>
#include <string.h>

#include "bpfbox/object.h"

/* Touch every string and array the API hands out. */
static size_t walk(const struct bpfbox_object *obj)
{
	const struct bpfbox_btf *btf = bpfbox_object__btf(obj);
	size_t sink = strlen(bpfbox_object__license(obj)) + bpfbox_object__kversion(obj);

	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++) {
		const struct bpfbox_map_def *m = bpfbox_object__map(obj, i);
		sink += strlen(m->name) + strlen(m->section) + m->key_size;
		if (m->init_data)
			for (uint32_t k = 0; k < m->value_size; k++)
				sink += ((const uint8_t *)m->init_data)[k];
		for (size_t k = 0; k < m->init_cnt; k++)
			sink += strlen(m->init[k].prog_name ? m->init[k].prog_name : m->init[k].map_name);
		if (m->inner)
			sink += m->inner->type + m->inner->value_size;
	}
	for (struct bpfbox_program *p = NULL; (p = bpfbox_object__next_program(obj, p));) {
		const char *r;
		size_t n = bpfbox_program__insn_cnt(p);
		sink += strlen(bpfbox_program__name(p)) + strlen(bpfbox_program__section_name(p)) +
			strlen(bpfbox_program__attach_target(p)) + strlen(bpfbox_program__sec_kind(p));
		sink += bpfbox_program__loadable(p, &r) + strlen(r);
		for (size_t i = 0; i < n; i++) {
			const char *f, *t;
			uint32_t l, c;
			sink += bpfbox_program__insns(p)[i].code;
			if (!bpfbox_program__line_info(p, i, &f, &l, &c, &t))
				sink += strlen(f) + strlen(t) + l + c;
		}
		for (size_t i = 0; i < bpfbox_program__func_info_cnt(p); i++) {
			size_t at;
			uint32_t id;
			if (!bpfbox_program__func_info(p, i, &at, &id))
				sink += at + id;
		}
		for (size_t i = 0; i < bpfbox_program__core_relo_cnt(p); i++) {
			const struct bpfbox_core_relo *c = bpfbox_program__core_relo(p, i);
			sink += strlen(c->access) + strlen(c->type_name) + strlen(c->kind_name) + c->insn_idx;
		}
	}
	for (uint32_t id = 0; id < bpfbox_btf__type_cnt(btf); id++) {
		struct bpfbox_btf_type t;
		struct bpfbox_btf_member m;
		if (bpfbox_btf__type(btf, id, &t))
			continue;
		sink += strlen(t.name) + (size_t)bpfbox_btf__resolve_size(btf, id) + bpfbox_btf__skip_mods(btf, id);
		for (uint32_t k = 0; k < t.vlen; k++)
			if (!bpfbox_btf__member(btf, id, k, &m))
				sink += strlen(m.name) + m.type + m.offset;
	}
	return sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfbox_object *obj = NULL;
	volatile size_t sink;
	/* CO-RE against the object's own BTF: the fuzzer exercises the
	 * relocator without reading the 5 MB kernel BTF for every input */
	BPFBOX_OPTS(bpfbox_object_opts, oo, .target_btf_path = "");

	if (bpfbox_object__open_mem(data, size, &oo, &obj) == 0) {
		sink = walk(obj);
		(void)sink;
		bpfbox_object__close(obj);
	}
	return 0;
}
