/*
 * btf_ext.c - .BTF.ext: func_info, line_info and CO-RE relocation records,
 * grouped per ELF section, every record bounds- and string-checked.
 */
#include "btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EXT_HDR_MIN  24
#define EXT_HDR_CORE 32

/* Which of the three record kinds, for messages and checks. */
enum { EXT_FUNC, EXT_LINE, EXT_CORE };
static const char *const ext_names[] = { "func_info", "line_info", "core_relo" };
static const uint32_t ext_min[] = { 8, 16, 16 };

/* Check the strings and ids one record refers to. */
static int chk_rec(const struct bxe_elf *e, const struct bpfbox_btf *btf, int what,
		   const char *sec, uint32_t i, const uint8_t *r)
{
	uint32_t insn_off = bxe_rd32(r);

	if (insn_off % 8) {
		bxe_err(e, ".BTF.ext %s for '%s', record %u: instruction offset %u is not a multiple of 8",
			ext_names[what], sec, i, insn_off);
		return -EINVAL;
	}
	switch (what) {
	case EXT_FUNC:
		if (bxe_btf_kind(btf, bxe_rd32(r + 4)) != BPFBOX_BTF_KIND_FUNC) {
			bxe_err(e, ".BTF.ext func_info for '%s', record %u: type [%u] is not a BTF func",
				sec, i, bxe_rd32(r + 4));
			return -EINVAL;
		}
		return 0;
	case EXT_LINE:
		if (!bxe_btf_str(btf, bxe_rd32(r + 4)) || !bxe_btf_str(btf, bxe_rd32(r + 8))) {
			bxe_err(e, ".BTF.ext line_info for '%s', record %u: file (%u) or line (%u) string "
				"offset out of range", sec, i, bxe_rd32(r + 4), bxe_rd32(r + 8));
			return -EINVAL;
		}
		return 0;
	default:
		if (bxe_rd32(r + 4) >= btf->cnt || !bxe_btf_str(btf, bxe_rd32(r + 8))) {
			bxe_err(e, ".BTF.ext core_relo for '%s', record %u: type [%u] or access string "
				"offset %u out of range", sec, i, bxe_rd32(r + 4), bxe_rd32(r + 8));
			return -EINVAL;
		}
		return 0;
	}
}

/* Parse one info subsection: u32 rec_size, then {sec_name_off, num, recs}. */
static int parse_info(const struct bxe_elf *e, const struct bpfbox_btf *btf, int what,
		      const uint8_t *p, size_t len, struct bxe_ext_info *out)
{
	uint32_t rec_size;
	size_t pos = 4, cap = 0;

	if (len == 0)
		return 0;
	if (len < 4) {
		bxe_err(e, ".BTF.ext %s: %zu bytes is too short", ext_names[what], len);
		return -EINVAL;
	}
	rec_size = bxe_rd32(p);
	if (rec_size < ext_min[what] || rec_size % 4 || rec_size > 1024) {
		bxe_err(e, ".BTF.ext %s: bad record size %u", ext_names[what], rec_size);
		return -EINVAL;
	}
	while (pos < len) {
		struct bxe_ext_sec s;

		if (len - pos < 8) {
			bxe_err(e, ".BTF.ext %s: truncated section header at byte %zu", ext_names[what], pos);
			return -EINVAL;
		}
		s.sec_name = bxe_btf_str(btf, bxe_rd32(p + pos));
		s.num = bxe_rd32(p + pos + 4);
		s.rec_size = rec_size;
		s.recs = p + pos + 8;
		if (!s.sec_name || !s.sec_name[0]) {
			bxe_err(e, ".BTF.ext %s: section name offset %u is not a string", ext_names[what],
				bxe_rd32(p + pos));
			return -EINVAL;
		}
		if (s.num == 0 || (uint64_t)s.num * rec_size > len - pos - 8) {
			bxe_err(e, ".BTF.ext %s for '%s': %u records of %u bytes do not fit", ext_names[what],
				s.sec_name, s.num, rec_size);
			return -EINVAL;
		}
		for (uint32_t i = 0; i < s.num; i++) {
			int err = chk_rec(e, btf, what, s.sec_name, i, s.recs + (size_t)i * rec_size);
			if (err)
				return err;
		}
		if (out->nsecs == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct bxe_ext_sec *n = realloc(out->secs, ncap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			out->secs = n;
			cap = ncap;
		}
		out->secs[out->nsecs++] = s;
		pos += 8 + (size_t)s.num * rec_size;
	}
	return 0;
}

/* See btf.h. */
int bxe_btf_ext_load(const struct bxe_elf *e, const struct bpfbox_btf *btf,
		     const uint8_t *data, size_t size, struct bxe_btf_ext **out)
{
	struct bxe_btf_ext *x;
	uint32_t hdr_len, off[3], len[3];
	int err = 0;

	*out = NULL;
	if (!btf) {
		bxe_err(e, ".BTF.ext without .BTF");
		return -EINVAL;
	}
	if (size < EXT_HDR_MIN || bxe_rd16(data) != 0xeB9F || data[2] != 1) {
		bxe_err(e, ".BTF.ext: bad header (size %zu)", size);
		return -EINVAL;
	}
	hdr_len = bxe_rd32(data + 4);
	if (hdr_len < EXT_HDR_MIN || hdr_len > size) {
		bxe_err(e, ".BTF.ext: bad header length %u", hdr_len);
		return -EINVAL;
	}
	for (int i = 0; i < 3; i++) {
		off[i] = len[i] = 0;
		if (i == 2 && hdr_len < EXT_HDR_CORE)
			break;
		off[i] = bxe_rd32(data + 8 + 8 * i);
		len[i] = bxe_rd32(data + 12 + 8 * i);
		if (!bxe_in_range(off[i], len[i], size - hdr_len)) {
			bxe_err(e, ".BTF.ext: %s (offset %u, %u bytes) is outside the section",
				ext_names[i], off[i], len[i]);
			return -EINVAL;
		}
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	err = parse_info(e, btf, EXT_FUNC, data + hdr_len + off[0], len[0], &x->func) ?:
	      parse_info(e, btf, EXT_LINE, data + hdr_len + off[1], len[1], &x->line) ?:
	      parse_info(e, btf, EXT_CORE, data + hdr_len + off[2], len[2], &x->core);
	if (err) {
		bxe_btf_ext_free(x);
		return err;
	}
	*out = x;
	return 0;
}

/* See btf.h. */
void bxe_btf_ext_free(struct bxe_btf_ext *x)
{
	if (!x)
		return;
	free(x->func.secs);
	free(x->line.secs);
	free(x->core.secs);
	free(x);
}

/* See btf.h. */
const struct bxe_ext_sec *bxe_ext_find(const struct bxe_ext_info *info, const char *sec)
{
	for (size_t i = 0; i < info->nsecs; i++)
		if (strcmp(info->secs[i].sec_name, sec) == 0)
			return &info->secs[i];
	return NULL;
}
