/*
 * prog.c - a loaded program as the VM sees it: the pre-decoded form the
 * engines run (bxv_prog_xlate), its accessors and the license rule. The
 * load pipeline that builds it is src/loader/load.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"
#include "maps/map_internal.h"

/*
 * map_at - prog->maps[idx] for lddw at slot i, or NULL (logged).
 */
static struct bpfbox_map *map_at(const struct bpfbox_prog *prog, size_t i, int32_t idx)
{
	if (idx < 0 || (size_t)idx >= prog->map_cnt || !prog->maps[idx]) {
		bx_err(&prog->vm->log, "insn %zu: lddw names map %d, but the program has %zu map%s",
		       i, idx, prog->map_cnt, prog->map_cnt == 1 ? "" : "s");
		return NULL;
	}
	return prog->maps[idx];
}

/*
 * add_dv - remember the direct-value storage of map m (once) as a
 * checked-mode region, read-only for BPFBOX_F_RDONLY_PROG maps. Maps
 * without one are skipped. -ENOSPC when dv is full.
 */
static int add_dv(struct bxv_region *dv, unsigned *n, const struct bpfbox_map *m)
{
	uint64_t a;

	if (bxm_direct_value_addr(m, &a))
		return 0;
	for (unsigned k = 0; k < *n; k++)
		if (dv[k].lo == a)
			return 0;
	if (*n >= BXV_MAX_DV_REGIONS)
		return -ENOSPC;
	dv[(*n)++] = (struct bxv_region){
		.lo = a, .len = bpfbox_map__value_size(m),
		.writable = !(bpfbox_map__map_flags(m) & BPFBOX_F_RDONLY_PROG),
	};
	return 0;
}

/*
 * resolve_lddw - the 64-bit value an lddw pseudo form at slot i loads (see
 * bxv_prog_xlate() in vm_internal.h). Returns 0 or a negative errno (logged).
 */
static int resolve_lddw(struct bpfbox_prog *prog, struct bxv_insn *x, size_t i,
			struct bxv_region *dv, unsigned *ndv)
{
	const struct bpfbox_insn *in = &prog->insns[i];
	const struct bx_log *log = &prog->vm->log;
	uint32_t off = (uint32_t)in[1].imm;
	struct bpfbox_map *m;
	uint64_t addr;
	int64_t t;

	switch (in->src_reg) {
	case BX_PSEUDO_NONE:
		return 0;
	case BX_PSEUDO_MAP_FD:
	case BX_PSEUDO_MAP_IDX:
		if (in[1].imm) {
			bx_err(log, "insn %zu: lddw of a map (src %u) needs 0 in its second half's imm",
			       i, in->src_reg);
			return -EINVAL;
		}
		if (!(m = map_at(prog, i, in->imm)))
			return -EINVAL;
		x[i].imm = (uint64_t)(uintptr_t)m;
		return 0;
	case BX_PSEUDO_MAP_VALUE:
	case BX_PSEUDO_MAP_IDX_VALUE:
		if (!(m = map_at(prog, i, in->imm)))
			return -EINVAL;
		if (bxm_direct_value_addr(m, &addr)) {
			bx_err(log, "insn %zu: lddw of a map value needs an array map with one entry "
			       "(map %d '%s' is a %s with %u entries)", i, in->imm, bpfbox_map__name(m),
			       bpfbox_map_type_name(bpfbox_map__type(m)), bpfbox_map__max_entries(m));
			return -EINVAL;
		}
		if (off >= bpfbox_map__value_size(m)) {
			bx_err(log, "insn %zu: offset %u is outside the %u-byte value of map %d '%s'",
			       i, off, bpfbox_map__value_size(m), in->imm, bpfbox_map__name(m));
			return -EINVAL;
		}
		x[i].imm = addr + off;
		if (add_dv(dv, ndv, m)) {
			bx_err(log, "insn %zu: the program addresses more than %d global data maps",
			       i, BXV_MAX_DV_REGIONS);
			return -E2BIG;
		}
		return 0;
	case BX_PSEUDO_FUNC:
		t = (int64_t)i + 1 + in->imm;
		if (t < 0 || t >= (int64_t)prog->cnt || prog->ops[t] < 0) {
			bx_err(log, "insn %zu: function address (lddw src 4) targets %lld, which is no "
			       "instruction of the program", i, (long long)t);
			return -EINVAL;
		}
		x[i].imm = (uint64_t)(uintptr_t)&x[t];
		return 0;
	case BX_PSEUDO_BTF_ID:
		bx_err(log, "insn %zu: BTF id loads (ksyms) are not supported", i);
		return -EOPNOTSUPP;
	default:
		bx_err(log, "insn %zu: unknown lddw pseudo form (src %u)", i, in->src_reg);
		return -EINVAL;
	}
}

/*
 * bxv_prog_xlate - build the pre-decoded form: per slot the trusted
 * interpreter's label, the op, registers, the sign-extended immediate
 * (the 64-bit value for lddw, pseudo forms resolved) and the memory
 * offset or jump distance; then the checked-mode regions of the maps'
 * direct values (those an lddw addresses first, then the program's other
 * one-entry arrays while room is left).
 */
int bxv_prog_xlate(struct bpfbox_prog *prog)
{
	const void *const *labels = bxv_interp_labels();
	struct bxv_region dv[BXV_MAX_DV_REGIONS], *dvp = NULL;
	unsigned ndv = 0;
	struct bxv_insn *x;
	int err;

	x = calloc(prog->cnt ? prog->cnt : 1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < prog->cnt; i++) {
		const struct bpfbox_insn *in = &prog->insns[i];
		int op = prog->ops[i];

		if (op < 0) {	/* second half of lddw: never executed */
			x[i] = x[i - 1];
			continue;
		}
		x[i].lbl = labels[op];
		x[i].op = (uint8_t)op;
		x[i].dst = in->dst_reg;
		x[i].src = in->src_reg;
		x[i].imm = (uint64_t)(int64_t)in->imm;
		x[i].off = in->off;
		if (bx_op_is_jump(op))
			x[i].off = (int32_t)(bx_jump_target(in, i, op) - (int64_t)i - 1);
		if (bx_ops[op].fmt == BX_F_LDDW) {
			x[i].imm = (uint64_t)(uint32_t)in->imm |
				   (uint64_t)(uint32_t)in[1].imm << 32;
			err = resolve_lddw(prog, x, i, dv, &ndv);
			if (err) {
				free(x);
				return err;
			}
		}
	}
	for (size_t k = 0; k < prog->map_cnt && ndv < BXV_MAX_DV_REGIONS; k++)
		if (prog->maps[k])
			(void)add_dv(dv, &ndv, prog->maps[k]);
	if (ndv && !(dvp = malloc(ndv * sizeof(*dvp)))) {
		free(x);
		return -ENOMEM;
	}
	if (ndv)
		memcpy(dvp, dv, ndv * sizeof(*dvp));
	if (prog->vm->jit)	/* native code of the old form */
		prog->vm->jit->free(prog);
	free(prog->xlated);
	free(prog->dv);
	prog->xlated = x;
	prog->dv = dvp;
	prog->ndv = ndv;
	return 0;
}

/* bpfbox_prog__name - the name given at load ("prog" if none). */
const char *bpfbox_prog__name(const struct bpfbox_prog *prog)
{
	return prog ? prog->name : NULL;
}

/* bpfbox_prog__insn_cnt - number of instruction slots. */
size_t bpfbox_prog__insn_cnt(const struct bpfbox_prog *prog)
{
	return prog ? prog->cnt : 0;
}

/* bpfbox_prog__type - the program type given at load (0: raw). */
uint32_t bpfbox_prog__type(const struct bpfbox_prog *prog)
{
	return prog ? prog->prog_type : 0;
}

/*
 * bxv_license_is_gpl - the licenses the kernel's license_is_gpl_compatible()
 * accepts for gpl_only helpers.
 */
bool bxv_license_is_gpl(const char *license)
{
	static const char *const ok[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(license, ok[i]))
			return true;
	return false;
}

/* bpfbox_prog__insns - the program's own copy of its slots. */
const struct bpfbox_insn *bpfbox_prog__insns(const struct bpfbox_prog *prog)
{
	return prog ? prog->insns : NULL;
}
