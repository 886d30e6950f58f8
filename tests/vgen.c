/*
 * vgen.c - the random program generator of tests/vgen.h.
 *
 * Register use in the main program: r6 = ctx (kept), r9 = an accumulated
 * scalar (r0 = r9 & 1 at exit), r7 / r8 free for the blocks (callee-saved,
 * so they survive helper calls). Main stack frame:
 *   r10-8 .. r10-64     scratch slots of the plain blocks
 *   r10-72 .. r10-128   the class blocks' spill slots
 *   r10-136, r10-144    map keys
 *   r10-256 .. r10-193  a 64-byte area (variable offsets, callback ctx)
 * Subprograms (bpf-to-bpf calls and callbacks) are written to a second
 * buffer and appended after the main program's exit; calls and
 * `lddw rX, func` get their relative offsets then.
 */
#include "vgen.h"

#include <linux/bpf.h>
#include <string.h>

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80   /* sign-extending load (cpu v4); older uapi headers lack it */
#endif

const uint32_t vg_types[VG_NTYPES] = {
	BPFBOX_PROG_TYPE_SOCKET_FILTER, BPFBOX_PROG_TYPE_SCHED_CLS, BPFBOX_PROG_TYPE_XDP,
	BPFBOX_PROG_TYPE_KPROBE, BPFBOX_PROG_TYPE_RAW_TRACEPOINT,
};

static const char *const class_names[VG_C_COUNT] = {
#define VG_X(n, d) #n,
	VG_CLASS_MAP(VG_X)
#undef VG_X
};
static const char *const class_descr[VG_C_COUNT] = {
#define VG_X(n, d) d,
	VG_CLASS_MAP(VG_X)
#undef VG_X
};

/* The class's name (as in the X-macro table). */
const char *vg_class_name(int cls)
{
	return cls >= 0 && cls < VG_C_COUNT ? class_names[cls] : "?";
}

/* The class's description. */
const char *vg_class_descr(int cls)
{
	return cls >= 0 && cls < VG_C_COUNT ? class_descr[cls] : "?";
}

/* A printable name of a program type. */
const char *vg_type_name(uint32_t type)
{
	switch (type) {
	case BPFBOX_PROG_TYPE_SOCKET_FILTER: return "socket_filter";
	case BPFBOX_PROG_TYPE_SCHED_CLS: return "sched_cls";
	case BPFBOX_PROG_TYPE_XDP: return "xdp";
	case BPFBOX_PROG_TYPE_KPROBE: return "kprobe";
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	default: return "?";
	}
}

/* ---- emitting ------------------------------------------------------------- */

#define SUB_MAX 256
#define FIX_MAX 16

struct g {
	struct vg_prog *p;
	uint64_t rng;
	bool in_sub;                       /* emitting into sub[] */
	struct bpfbox_insn sub[SUB_MAX];
	size_t nsub;
	struct {
		size_t at;                     /* the call / lddw (in main or sub) */
		bool at_sub;
		size_t target;                 /* index in sub[] */
	} fix[FIX_MAX];
	int nfix;
	bool full;                         /* out of room: stop adding blocks */
};

/* xorshift64* */
static uint64_t rnd(struct g *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dull;
}

/* 0 .. n-1 */
static unsigned rn(struct g *g, unsigned n)
{
	return n ? (unsigned)(rnd(g) % n) : 0;
}

/* true with probability num/den */
static bool chance(struct g *g, unsigned num, unsigned den)
{
	return rn(g, den) < num;
}

/* Index of the next instruction in the current buffer. */
static size_t here(struct g *g)
{
	return g->in_sub ? g->nsub : g->p->cnt;
}

/* One instruction slot into the current buffer. */
static void E(struct g *g, uint8_t code, int dst, int src, int off, int32_t imm)
{
	struct bpfbox_insn *buf = g->in_sub ? g->sub : g->p->insn;
	size_t *n = g->in_sub ? &g->nsub : &g->p->cnt;
	size_t max = g->in_sub ? SUB_MAX : VG_MAX_INSNS - SUB_MAX - 8;

	if (*n >= max) {
		g->full = true;
		return;
	}
	buf[*n].code = code;
	buf[*n].dst_reg = (uint8_t)dst & 0xf;
	buf[*n].src_reg = (uint8_t)src & 0xf;
	buf[*n].off = (int16_t)off;
	buf[*n].imm = imm;
	(*n)++;
}

#define ALU64K(op, d, k) E(g, BPF_ALU64 | BPF_##op | BPF_K, d, 0, 0, k)
#define ALU64X(op, d, s) E(g, BPF_ALU64 | BPF_##op | BPF_X, d, s, 0, 0)
#define ALU32K(op, d, k) E(g, BPF_ALU | BPF_##op | BPF_K, d, 0, 0, k)
#define ALU32X(op, d, s) E(g, BPF_ALU | BPF_##op | BPF_X, d, s, 0, 0)
#define OP32K(o, d, k) E(g, BPF_ALU | (o) | BPF_K, d, 0, 0, k)
#define OP64X(o, d, s) E(g, BPF_ALU64 | (o) | BPF_X, d, s, 0, 0)
#define MOVK(d, k) ALU64K(MOV, d, k)
#define MOVX(d, s) ALU64X(MOV, d, s)
#define LDX(sz, d, s, o) E(g, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) E(g, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define STK(sz, d, o, k) E(g, BPF_ST | BPF_MEM | (sz), d, 0, o, k)
#define CALL(id) E(g, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() E(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static const uint8_t size_code[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };

/* lddw dst, map[idx] */
static void ldmap(struct g *g, int dst, int idx)
{
	E(g, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, idx);
	E(g, 0, 0, 0, 0, 0);
}

/* A forward jump whose offset land() sets; returns its index. */
static size_t jfwd(struct g *g, uint8_t code, int dst, int src, int32_t imm)
{
	size_t at = here(g);

	E(g, code, dst, src, 0, imm);
	return at;
}

/* Point the forward jump at `at` to the next instruction. */
static void land(struct g *g, size_t at)
{
	struct bpfbox_insn *buf = g->in_sub ? g->sub : g->p->insn;

	if (at < here(g))
		buf[at].off = (int16_t)(here(g) - at - 1);
}

/* Start a subprogram in sub[]; returns its index there. */
static size_t sub_begin(struct g *g)
{
	g->in_sub = true;
	return g->nsub;
}

/* A reference (call, or lddw of a function when ld) to sub[target]. */
static void sub_ref(struct g *g, size_t target, bool ld, int dst)
{
	if (g->nfix >= FIX_MAX) {
		g->full = true;
		return;
	}
	g->fix[g->nfix].at = here(g);
	g->fix[g->nfix].at_sub = g->in_sub;
	g->fix[g->nfix].target = target;
	g->nfix++;
	if (ld) {
		E(g, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_FUNC, 0, 0);
		E(g, 0, 0, 0, 0, 0);
	} else {
		E(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	}
}

/* ---- sources of values ------------------------------------------------------ */

/* Does the type have direct packet access (data / data_end)? */
static bool pkt_type(uint32_t t)
{
	return t == BPFBOX_PROG_TYPE_XDP || t == BPFBOX_PROG_TYPE_SCHED_CLS;
}

/* reg = a scalar the verifier cannot know (clobbers r0-r5 in some ways). */
static void unk(struct g *g, int reg)
{
	switch (rn(g, 4)) {
	case 0:
	case 1:
		CALL(BPF_FUNC_get_prandom_u32);
		MOVX(reg, 0);
		break;
	case 2:
		switch (g->p->type) {
		case BPFBOX_PROG_TYPE_XDP: LDX(BPF_W, reg, 6, 12); break;             /* ingress_ifindex */
		case BPFBOX_PROG_TYPE_KPROBE: LDX(BPF_DW, reg, 6, 8 * (int)rn(g, 21)); break;
		case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: LDX(BPF_DW, reg, 6, 8 * (int)rn(g, 4)); break;
		default: LDX(BPF_W, reg, 6, rn(g, 2) ? 0 : 8); break;                 /* len, mark */
		}
		break;
	default:
		MOVX(reg, 9);
		break;
	}
}

/* r0 = lookup in map (array or hash) with a key on the stack at -136. */
static void lookup(struct g *g, int map)
{
	if (map == VG_MAP_HASH)
		STK(BPF_DW, 10, -136, (int32_t)rn(g, 10));
	else
		STK(BPF_W, 10, -136, (int32_t)rn(g, VG_ARRAY_ENTRIES + 1));
	MOVX(2, 10);
	ALU64K(ADD, 2, -136);
	ldmap(g, 1, map);
	CALL(BPF_FUNC_map_lookup_elem);
}

/* The value size of a map. */
static int vsize(int map)
{
	return map == VG_MAP_HASH ? VG_HASH_VALUE : VG_ARRAY_VALUE;
}

/* A jump op, conditional, at random. */
static uint8_t rjop(struct g *g)
{
	static const uint8_t ops[] = { BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT,
				       BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JEQ, BPF_JNE };
	return ops[rn(g, sizeof(ops))];
}

/* r0 (a map value) += reg; then a load at an offset that is in bounds
 * when reg <= bound; r9 += the load. */
static void use_off(struct g *g, int map, int reg, int bound)
{
	int vs = vsize(map), szi = (int)rn(g, 4), sz = 1 << szi, off;

	ALU64X(ADD, 0, reg);
	off = vs - sz - bound;
	if (off < 0)
		off = 0;
	if (chance(g, 1, 4))
		off += (int)rn(g, 3) - 1;   /* at the edge */
	else if (off > 0)
		off = (int)rn(g, (unsigned)off + 1) & ~(sz - 1);
	LDX(size_code[szi], 3, 0, off);
	ALU64X(ADD, 9, 3);
}

/* ---- plain blocks ---------------------------------------------------------- */

/* r9 op= an immediate or another register. */
static void blk_alu(struct g *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR,
				       BPF_LSH, BPF_RSH, BPF_ARSH, BPF_DIV, BPF_MOD };
	unsigned n = 1 + rn(g, 4);

	MOVK(8, (int32_t)rn(g, 100));
	for (unsigned i = 0; i < n; i++) {
		uint8_t op = ops[rn(g, sizeof(ops))];
		bool w = chance(g, 1, 3), shift = op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
		uint8_t cls = w ? BPF_ALU : BPF_ALU64;

		if (shift || chance(g, 1, 2))
			E(g, cls | op | BPF_K, 9, 0, 0, shift ? (int32_t)rn(g, w ? 32 : 64) : (int32_t)rn(g, 1000) + 1);
		else
			E(g, cls | op | BPF_X, 9, 8, 0, 0);
	}
}

/* A stack slot written and read back. */
static void blk_stack(struct g *g)
{
	int szi = (int)rn(g, 4), off = -8 * (1 + (int)rn(g, 8));

	STX(size_code[szi], 10, 9, off);
	LDX(size_code[szi], 3, 10, off);
	ALU64X(ADD, 9, 3);
}

/* A small counted loop. */
static void blk_loop(struct g *g)
{
	size_t top;

	MOVK(8, 0);
	top = here(g);
	ALU64X(ADD, 9, 8);
	ALU64K(ADD, 8, 1);
	E(g, BPF_JMP | BPF_JLT | BPF_K, 8, 0, (int)top - (int)here(g) - 1, 2 + (int32_t)rn(g, 6));
}

/* A lookup behind its null check. */
static void blk_map(struct g *g)
{
	int map = rn(g, 2) ? VG_MAP_ARRAY : VG_MAP_HASH, szi = (int)rn(g, 4), sz = 1 << szi;
	int off = (int)rn(g, (unsigned)(vsize(map) / sz)) * sz;
	size_t j;

	lookup(g, map);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	LDX(size_code[szi], 3, 0, off);
	ALU64X(ADD, 9, 3);
	if (rn(g, 2))
		STX(size_code[szi], 0, 9, off);
	land(g, j);
}

/* A context field every type may read. */
static void blk_ctx(struct g *g)
{
	switch (g->p->type) {
	case BPFBOX_PROG_TYPE_XDP: LDX(BPF_W, 3, 6, 12 + 4 * (int)rn(g, 2)); break;
	case BPFBOX_PROG_TYPE_KPROBE: LDX(BPF_DW, 3, 6, 8 * (int)rn(g, 21)); break;
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: LDX(BPF_DW, 3, 6, 8 * (int)rn(g, 4)); break;
	default: LDX(BPF_W, 3, 6, 4 * (int)rn(g, 7)); break;
	}
	ALU64X(ADD, 9, 3);
}

/* r7 = data, r8 = data_end of a packet type. */
static void pkt_ptrs(struct g *g)
{
	int d = g->p->type == BPFBOX_PROG_TYPE_XDP ? 0 : 76;

	LDX(BPF_W, 7, 6, d);
	LDX(BPF_W, 8, 6, d + 4);
}

/* A packet read behind its data_end check. */
static void blk_pkt(struct g *g)
{
	int szi = (int)rn(g, 4), sz = 1 << szi, off = (int)rn(g, 32);
	size_t j;

	if (!pkt_type(g->p->type))
		return blk_ctx(g);
	pkt_ptrs(g);
	MOVX(2, 7);
	ALU64K(ADD, 2, off + sz);
	j = jfwd(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
	LDX(size_code[szi], 3, 7, off);
	ALU64X(ADD, 9, 3);
	land(g, j);
}

static void plain_block(struct g *g);

/* if r9 <op> imm goto over a block. */
static void blk_branch(struct g *g)
{
	size_t j = jfwd(g, BPF_JMP | rjop(g), 9, 0, (int32_t)rn(g, 100));

	plain_block(g);
	land(g, j);
}

/* One plain block. */
static void plain_block(struct g *g)
{
	switch (rn(g, 8)) {
	case 0: blk_alu(g); break;
	case 1: blk_stack(g); break;
	case 2: blk_loop(g); break;
	case 3: blk_map(g); break;
	case 4: blk_ctx(g); break;
	case 5: blk_pkt(g); break;
	case 6: blk_alu(g); break;
	default: blk_stack(g); break;
	}
}

/* ---- class blocks ---------------------------------------------------------- */

/* A bounded scalar spilled, maybe partly overwritten, filled back (maybe
 * narrower) and used as a map value offset. */
static void cls_spill_bounds(struct g *g)
{
	int slot = -72 - 8 * (int)rn(g, 8), mask = (1 << (1 + rn(g, 6))) - 1, fsz = 3;
	size_t j;

	unk(g, 7);
	if (!chance(g, 1, 6))
		ALU64K(AND, 7, mask);
	switch (rn(g, 6)) {
	case 0: STX(BPF_W, 10, 7, slot); fsz = 2; break;               /* 32-bit spill */
	case 1: STX(BPF_DW, 10, 7, slot); STK(BPF_B, 10, slot + (int)rn(g, 8), (int32_t)rn(g, 256)); break;
	case 2: STX(BPF_DW, 10, 7, slot); STX(BPF_B, 10, 9, slot + (int)rn(g, 8)); break;
	default: STX(BPF_DW, 10, 7, slot); break;
	}
	if (chance(g, 1, 3)) {
		/* clobber the register: only the spill keeps the bounds */
		unk(g, 7);
	}
	lookup(g, VG_MAP_ARRAY);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	if (chance(g, 1, 4))
		fsz = (int)rn(g, 4);
	LDX(size_code[fsz], 2, 10, slot + (chance(g, 1, 5) ? (int)rn(g, 8) & ~((1 << fsz) - 1) : 0));
	use_off(g, VG_MAP_ARRAY, 2, mask);
	land(g, j);
}

/* A compare (JMP32 or JMP) on a scalar, then 64-bit pointer arithmetic. */
static void cls_alu32_bounds(struct g *g)
{
	int bound = (int)rn(g, 40);
	size_t j[3];
	int nj = 0;

	unk(g, 7);
	switch (rn(g, 7)) {
	case 0:   /* w-compare only: upper half unknown */
		j[nj++] = jfwd(g, BPF_JMP32 | BPF_JGT | BPF_K, 7, 0, bound);
		break;
	case 1:   /* zero-extended first */
		ALU32X(MOV, 7, 7);
		j[nj++] = jfwd(g, BPF_JMP32 | BPF_JGT | BPF_K, 7, 0, bound);
		break;
	case 2:   /* signed 32-bit range */
		j[nj++] = jfwd(g, BPF_JMP32 | BPF_JSGT | BPF_K, 7, 0, bound);
		j[nj++] = jfwd(g, BPF_JMP32 | (rn(g, 2) ? BPF_JSLT : BPF_JSLE), 7, 0, 0);
		if (rn(g, 2))
			ALU32X(MOV, 7, 7);
		break;
	case 3:   /* 64-bit check, then 32-bit wrap */
		j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_K, 7, 0, bound);
		OP32K(rn(g, 2) ? BPF_SUB : BPF_ADD, 7, (int32_t)rn(g, 16) - 8);
		break;
	case 4:   /* sign extension by shifts */
		ALU64K(LSH, 7, 32);
		ALU64K(ARSH, 7, 32);
		j[nj++] = jfwd(g, BPF_JMP32 | BPF_JGT | BPF_K, 7, 0, bound);
		if (rn(g, 2))
			j[nj++] = jfwd(g, BPF_JMP | BPF_JSLT | BPF_K, 7, 0, 0);
		break;
	case 5:   /* 32-bit op after a 64-bit check */
		j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_K, 7, 0, bound);
		OP32K(rn(g, 2) ? BPF_LSH : BPF_MUL, 7, 1 + (int32_t)rn(g, 3));
		break;
	default:  /* both halves: JMP32 unsigned and JMP upper */
		j[nj++] = jfwd(g, BPF_JMP32 | BPF_JGT | BPF_K, 7, 0, bound);
		j[nj++] = jfwd(g, BPF_JMP | rjop(g), 7, 0, (int32_t)rn(g, 64));
		break;
	}
	lookup(g, VG_MAP_ARRAY);
	j[nj++] = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	use_off(g, VG_MAP_ARRAY, 7, bound * (rn(g, 3) ? 1 : 2));
	for (int i = 0; i < nj; i++)
		land(g, j[i]);
}

/* One or two compares of random signedness, then the scalar as offset. */
static void cls_sign_mix(struct g *g)
{
	int n = 1 + (int)rn(g, 2), bound = (int)rn(g, 40);
	size_t j[4];
	int nj = 0;

	unk(g, 7);
	if (chance(g, 1, 3))
		ALU64K(AND, 7, (1 << (2 + rn(g, 10))) - 1);
	for (int i = 0; i < n; i++) {
		uint8_t jc = chance(g, 1, 4) ? BPF_JMP32 : BPF_JMP;
		int32_t k = i == 0 ? bound : (int32_t)rn(g, 8) - 4;

		if (rn(g, 3) == 0) {   /* compare with a register holding k */
			MOVK(8, k);
			j[nj++] = jfwd(g, jc | rjop(g) | BPF_X, 7, 8, 0);
		} else {
			j[nj++] = jfwd(g, jc | rjop(g), 7, 0, k);
		}
	}
	lookup(g, VG_MAP_ARRAY);
	j[nj++] = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	use_off(g, VG_MAP_ARRAY, 7, bound);
	for (int i = 0; i < nj; i++)
		land(g, j[i]);
}

/* A pointer (map value, stack, packet, ctx) plus a partly bounded scalar. */
static void cls_ptr_arith(struct g *g)
{
	int mask = (1 << (1 + rn(g, 7))) - 1, kind = (int)rn(g, 4);
	size_t j[2];
	int nj = 0;

	unk(g, 7);
	switch (rn(g, 5)) {
	case 0: ALU64K(AND, 7, mask); break;
	case 1: ALU64K(RSH, 7, 58 + (int32_t)rn(g, 6)); mask = 63; break;
	case 2: ALU64K(AND, 7, mask); ALU64K(LSH, 7, (int32_t)rn(g, 3)); mask <<= 2; break;
	case 3: ALU64K(AND, 7, mask); ALU64K(MUL, 7, 3); mask *= 3; break;
	default: ALU64K(MOD, 7, mask + 1); break;
	}
	if (kind == 0 || (kind == 2 && !pkt_type(g->p->type))) {
		int map = rn(g, 2) ? VG_MAP_ARRAY : VG_MAP_HASH;

		lookup(g, map);
		j[nj++] = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		if (rn(g, 3) == 0) {   /* scalar += pointer */
			ALU64X(ADD, 7, 0);
			MOVX(0, 7);
			MOVK(7, 0);
		} else if (rn(g, 4) == 0) {
			ALU64X(SUB, 0, 7);
			MOVK(7, 0);
		}
		use_off(g, map, 7, mask);
	} else if (kind == 1) {   /* stack */
		MOVX(2, 10);
		ALU64K(ADD, 2, -256);
		OP64X(rn(g, 5) ? BPF_ADD : BPF_SUB, 2, 7);
		STX(BPF_B, 2, 9, (int)rn(g, 3) * 8);
		LDX(BPF_B, 3, 2, (int)rn(g, 3) * 8);
		ALU64X(ADD, 9, 3);
	} else if (kind == 2) {   /* packet: pointer + scalar, then checked */
		int sz = 1 << rn(g, 4);

		MOVX(4, 7);
		pkt_ptrs(g);
		MOVX(2, 7);
		ALU64X(ADD, 2, 4);
		MOVX(5, 2);
		ALU64K(ADD, 5, sz - (int)rn(g, 2));
		j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_X, 5, 8, 0);
		LDX(size_code[__builtin_ctz((unsigned)sz)], 3, 2, 0);
		ALU64X(ADD, 9, 3);
	} else {   /* ctx + scalar */
		MOVX(2, 6);
		ALU64X(ADD, 2, 7);
		LDX(BPF_W, 3, 2, 0);
		ALU64X(ADD, 9, 3);
	}
	for (int i = 0; i < nj; i++)
		land(g, j[i]);
}

/* Map lookups with null checks done right, wrong, late or not at all. */
static void cls_null_check(struct g *g)
{
	int map = rn(g, 2) ? VG_MAP_ARRAY : VG_MAP_HASH, off = (int)rn(g, 2) * 8;
	size_t j = (size_t)-1;

	lookup(g, map);
	switch (rn(g, 8)) {
	case 0: break;                                                       /* none */
	case 1: MOVX(1, 0); j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); MOVX(0, 1); break;
	case 2: MOVX(1, 0); j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0); break;   /* checks the copy */
	case 3: j = jfwd(g, BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0); break;       /* inverted */
	case 4: j = jfwd(g, BPF_JMP32 | BPF_JEQ | BPF_K, 0, 0, 0); break;     /* 32-bit check */
	case 5: ALU64K(ADD, 0, 8); j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); off = 0; break;
	case 6: j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, (int32_t)rn(g, 2)); break;
	default: j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); break;
	}
	if (chance(g, 1, 3)) {   /* survives a spill? */
		STX(BPF_DW, 10, 0, -80);
		LDX(BPF_DW, 0, 10, -80);
	}
	LDX(BPF_DW, 3, 0, off);
	ALU64X(ADD, 9, 3);
	if (j != (size_t)-1)
		land(g, j);
}

/* Packet checked, a helper that may move the packet, then the old range. */
static void cls_pkt_stale(struct g *g)
{
	bool xdp = g->p->type == BPFBOX_PROG_TYPE_XDP;
	int n = 1 + (int)rn(g, 32), off = (int)rn(g, (unsigned)n);
	size_t j[2];
	int nj = 0;

	pkt_ptrs(g);
	MOVX(2, 7);
	ALU64K(ADD, 2, n);
	j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
	LDX(BPF_B, 3, 7, off);
	ALU64X(ADD, 9, 3);
	if (chance(g, 1, 3))
		STX(BPF_DW, 10, 7, -88);   /* a spilled copy of the packet pointer */
	MOVX(1, 6);
	switch (rn(g, 4)) {
	case 0: MOVK(2, (int32_t)rn(g, 16) - 8); CALL(xdp ? BPF_FUNC_xdp_adjust_head : BPF_FUNC_skb_pull_data); break;
	case 1:
		MOVK(2, xdp ? -(int32_t)rn(g, 8) : 64 + (int32_t)rn(g, 8));
		if (xdp) {
			CALL(BPF_FUNC_xdp_adjust_tail);
		} else {
			MOVK(3, 0);
			CALL(BPF_FUNC_skb_change_tail);
		}
		break;
	case 2:
		if (xdp) {
			MOVK(2, -(int32_t)rn(g, 8));
			CALL(BPF_FUNC_xdp_adjust_meta);
		} else {
			MOVK(2, (int32_t)rn(g, 16));
			MOVK(3, 0);
			CALL(BPF_FUNC_skb_change_head);
		}
		break;
	default: CALL(BPF_FUNC_get_prandom_u32); break;   /* does not move it */
	}
	switch (rn(g, 4)) {
	case 0: pkt_ptrs(g); break;    /* reloaded: the check below is needed */
	case 1: LDX(BPF_DW, 7, 10, -88); break;
	default: break;
	}
	if (chance(g, 1, 2)) {
		MOVX(2, 7);
		ALU64K(ADD, 2, n);
		j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
	}
	LDX(BPF_B, 3, 7, off);
	ALU64X(ADD, 9, 3);
	for (int i = 0; i < nj; i++)
		land(g, j[i]);
}

/* A pointer spilled to the stack, partly overwritten, filled and used. */
static void cls_stack_mixed(struct g *g)
{
	int slot = -96 - 8 * (int)rn(g, 4), src = 10, fsz = 3, foff = 0;
	size_t j = (size_t)-1;

	switch (rn(g, 3)) {
	case 0: lookup(g, VG_MAP_ARRAY); j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); src = 0; break;
	case 1: src = 6; break;
	default: MOVX(0, 10); ALU64K(ADD, 0, -8); STX(BPF_DW, 10, 9, -8); src = 0; break;
	}
	STX(BPF_DW, 10, src, slot);
	switch (rn(g, 6)) {
	case 0: STK(size_code[rn(g, 3)], 10, slot + (int)rn(g, 2) * 4, (int32_t)rn(g, 256)); break;
	case 1: STX(BPF_W, 10, 9, slot + 4 * (int)rn(g, 2)); break;
	case 2: STX(BPF_B, 10, 9, slot + (int)rn(g, 8)); break;
	case 3: fsz = (int)rn(g, 3); foff = (int)rn(g, 2) * 4; break;           /* narrow fill */
	case 4: STX(BPF_DW, 10, src, slot + 4); foff = rn(g, 2) * 4; break;     /* misaligned spill */
	default: break;
	}
	LDX(size_code[fsz], 1, 10, slot + (fsz == 3 ? foff : foff & ~((1 << fsz) - 1)));
	if (chance(g, 1, 3)) {
		ALU64X(ADD, 9, 1);          /* as a scalar */
	} else {
		LDX(src == 6 ? BPF_W : BPF_B, 3, 1, 0);
		ALU64X(ADD, 9, 3);
	}
	if (j != (size_t)-1)
		land(g, j);
}

/* A bpf-to-bpf call with a pointer to the caller's stack. */
static void cls_subprog(struct g *g)
{
	int v = (int)rn(g, 8), poff = chance(g, 1, 5) ? (int)rn(g, 3) * 8 - 8 : 0;
	size_t s, s2 = 0;

	if (v == 6) {   /* a second level, below */
		s2 = sub_begin(g);
		LDX(BPF_DW, 0, 1, poff);
		ALU64K(AND, 0, 0xff);
		EXIT();
		g->in_sub = false;
	}
	s = sub_begin(g);
	switch (v) {
	case 0: LDX(BPF_DW, 0, 1, poff); break;
	case 1: STX(BPF_DW, 1, 2, poff); MOVK(0, 0); break;
	case 2: MOVX(0, 10); ALU64K(ADD, 0, -8); STX(BPF_DW, 10, 2, -8); break;   /* callee stack out */
	case 3: MOVX(0, 6); break;                                              /* r6 not passed */
	case 4: STX(BPF_DW, 10, 1, -8); LDX(BPF_DW, 3, 10, -8); LDX(BPF_DW, 0, 3, poff); break;
	case 5: ALU64K(AND, 2, (int32_t)rn(g, 64)); ALU64X(ADD, 1, 2); LDX(BPF_B, 0, 1, 0); break;
	case 6: sub_ref(g, s2, false, 0); break;
	default:   /* returns a map value (or NULL) */
		lookup(g, VG_MAP_ARRAY);
		break;
	}
	EXIT();
	g->in_sub = false;

	if (!chance(g, 1, 6))
		STX(BPF_DW, 10, 9, -72);
	MOVX(1, 10);
	ALU64K(ADD, 1, -72 - (chance(g, 1, 8) ? 64 * (int)rn(g, 8) : 0));
	if (chance(g, 1, 8))
		MOVX(2, 10);
	else
		MOVX(2, 9);
	sub_ref(g, s, false, 0);
	if (v == 2 || v == 7) {
		size_t j = v == 7 && rn(g, 3) ? jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0) : (size_t)-1;

		LDX(BPF_B, 3, 0, 0);
		ALU64X(ADD, 9, 3);
		if (j != (size_t)-1)
			land(g, j);
	} else {
		ALU64X(ADD, 9, 0);
	}
}

/* bpf_loop or bpf_for_each_map_elem with a callback. */
static void cls_callback(struct g *g)
{
	bool each = rn(g, 3) == 0;
	size_t s = sub_begin(g);
	int ret = (int)rn(g, 8);

	if (each) {   /* r1 map, r2 key, r3 value, r4 ctx */
		int off = rn(g, 3) ? (int)rn(g, 6) * 8 : VG_ARRAY_VALUE - 4 + (int)rn(g, 8);
		LDX(rn(g, 2) ? BPF_W : BPF_DW, 5, 3, off);
		if (chance(g, 1, 5))
			STK(BPF_W, 2, 0, 1);   /* keys are read-only */
		LDX(BPF_DW, 0, 4, 0);
		STX(BPF_DW, 4, 5, 0);
	} else {      /* r1 index, r2 ctx */
		LDX(BPF_DW, 3, 2, chance(g, 1, 5) ? 8 * (int)rn(g, 4) : 0);
		ALU64X(ADD, 3, 1);
		STX(BPF_DW, 2, 3, 0);
		if (chance(g, 1, 5)) {   /* index as an offset */
			ALU64X(ADD, 2, 1);
			LDX(BPF_B, 0, 2, 0);
		}
	}
	switch (ret) {
	case 0: MOVK(0, 2); break;
	case 1: MOVX(0, 1); break;
	case 2: MOVK(0, 1); break;
	default: MOVK(0, 0); break;
	}
	EXIT();
	g->in_sub = false;

	if (!chance(g, 1, 6))
		STX(BPF_DW, 10, 9, -200);
	if (each)
		ldmap(g, 1, rn(g, 6) ? VG_MAP_ARRAY : VG_MAP_HASH);
	else if (rn(g, 3))
		MOVK(1, 1 + (int32_t)rn(g, 8));
	else {
		MOVX(1, 9);
		ALU64K(AND, 1, 15);
	}
	sub_ref(g, s, true, 2);
	if (chance(g, 1, 8)) {
		MOVX(3, 6);
	} else {
		MOVX(3, 10);
		ALU64K(ADD, 3, -200);
	}
	MOVK(4, chance(g, 1, 10) ? 1 : 0);
	CALL(each ? BPF_FUNC_for_each_map_elem : BPF_FUNC_loop);
	ALU64X(ADD, 9, 0);
	LDX(BPF_DW, 3, 10, -200);
	ALU64X(ADD, 9, 3);
}

/* bpf_tail_call, from the main program or a subprogram. */
static void cls_tail_call(struct g *g)
{
	bool in_sub = chance(g, 1, 4);
	size_t s = 0;

	if (in_sub) {
		s = sub_begin(g);
		MOVX(6, 1);
	}
	MOVX(1, chance(g, 1, 10) ? 10 : 6);
	ldmap(g, 2, chance(g, 1, 8) ? VG_MAP_ARRAY : VG_MAP_PROG);
	if (rn(g, 3))
		MOVK(3, (int32_t)rn(g, 6));
	else
		unk(g, 3);
	CALL(BPF_FUNC_tail_call);
	if (chance(g, 1, 6))
		ALU64X(ADD, 9, 1 + rn(g, 5));   /* clobbered by the call */
	if (in_sub) {
		MOVK(0, 0);
		EXIT();
		g->in_sub = false;
		MOVX(1, 6);
		sub_ref(g, s, false, 0);
		ALU64X(ADD, 9, 0);
	}
}

/* Pointer in a w-register, or a zero-extended scalar as an offset. */
static void cls_alu32_zext(struct g *g)
{
	size_t j;

	if (rn(g, 3) == 0) {   /* a pointer through an ALU32 op */
		lookup(g, VG_MAP_ARRAY);
		j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		switch (rn(g, 3)) {
		case 0: ALU32X(MOV, 1, 0); break;
		case 1: MOVX(1, 0); ALU32K(ADD, 1, 0); break;
		default: MOVX(1, 0); ALU32K(AND, 1, -1); break;
		}
		if (rn(g, 2)) {
			LDX(BPF_B, 3, 1, 0);
			ALU64X(ADD, 9, 3);
		} else {
			ALU64X(ADD, 9, 1);
		}
		land(g, j);
		return;
	}
	if (rn(g, 2))
		MOVK(7, -(int32_t)rn(g, 1000));
	else
		unk(g, 7);
	switch (rn(g, 4)) {
	case 0: ALU32X(MOV, 7, 7); break;
	case 1: ALU32K(ADD, 7, 0); break;
	case 2: ALU64K(LSH, 7, 32); ALU64K(RSH, 7, 32); break;
	default: E(g, BPF_ALU64 | BPF_MOV | BPF_X, 7, 7, 32, 0); break;   /* movsx w (sign-extend 32) */
	}
	ALU64K(RSH, 7, 24 + (int32_t)rn(g, 9));
	lookup(g, VG_MAP_ARRAY);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	use_off(g, VG_MAP_ARRAY, 7, 1 << (8 - rn(g, 3)));
	land(g, j);
}

/* BPF_NEG / BPF_END on pointers and on bounded scalars. */
static void cls_neg_end(struct g *g)
{
	static const int end_sz[3] = { 16, 32, 64 };
	bool ptr = rn(g, 2), neg = rn(g, 2);
	uint8_t end = rn(g, 3) == 0 ? BPF_ALU64 | BPF_END | BPF_TO_LE
		    : BPF_ALU | BPF_END | (rn(g, 2) ? BPF_TO_BE : BPF_TO_LE);
	size_t j;

	if (ptr) {
		lookup(g, VG_MAP_ARRAY);
		j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		MOVX(1, 0);
		if (neg)
			E(g, rn(g, 2) ? BPF_ALU64 | BPF_NEG : BPF_ALU | BPF_NEG, 1, 0, 0, 0);
		else
			E(g, end, 1, 0, 0, end_sz[rn(g, 3)]);
		if (rn(g, 2)) {
			LDX(BPF_B, 3, 1, 0);
			ALU64X(ADD, 9, 3);
		}
		land(g, j);
		return;
	}
	unk(g, 7);
	ALU64K(AND, 7, (1 << (1 + rn(g, 8))) - 1);
	if (neg) {
		E(g, BPF_ALU64 | BPF_NEG, 7, 0, 0, 0);
		if (rn(g, 2))
			E(g, BPF_ALU64 | BPF_NEG, 7, 0, 0, 0);
	} else {
		E(g, end, 7, 0, 0, end_sz[rn(g, 3)]);
	}
	lookup(g, VG_MAP_ARRAY);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	use_off(g, VG_MAP_ARRAY, 7, (int)rn(g, 48));
	land(g, j);
}

/* A spilled constant or bounded scalar filled back narrower (or wider). */
static void cls_narrow_fill(struct g *g)
{
	int slot = -104 - 8 * (int)rn(g, 3), fsz = (int)rn(g, 3), foff;
	size_t j;

	if (rn(g, 2))
		MOVK(7, (int32_t)rn(g, 64) - (chance(g, 1, 4) ? 256 : 0));
	else {
		unk(g, 7);
		ALU64K(AND, 7, (1 << (1 + rn(g, 12))) - 1);
	}
	if (chance(g, 1, 4)) {
		STX(BPF_W, 10, 7, slot);         /* 32-bit spill, 64-bit fill */
		fsz = 3;
		foff = 0;
	} else {
		STX(BPF_DW, 10, 7, slot);
		foff = rn(g, 3) == 0 ? 8 - (1 << fsz) : 0;   /* the high bytes */
	}
	lookup(g, VG_MAP_ARRAY);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	LDX(size_code[fsz], 2, 10, slot + foff);
	use_off(g, VG_MAP_ARRAY, 2, 63);
	land(g, j);
}

/* Atomic operations on the stack, a map value, the ctx or the packet. */
static void cls_atomic(struct g *g)
{
	static const int32_t ops[] = { BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR, BPF_AND | BPF_FETCH,
				       BPF_XOR, BPF_XCHG, BPF_CMPXCHG };
	int32_t op = ops[rn(g, sizeof(ops) / sizeof(ops[0]))];
	bool dw = rn(g, 2);
	int tgt = (int)rn(g, 8), dst = 2, off = 0, src = 3;
	size_t j = (size_t)-1;

	if (chance(g, 1, 10))
		off = 1 << rn(g, 3);   /* misaligned (or aligned for 4 with W) */
	if (tgt <= 3) {          /* stack */
		STX(BPF_DW, 10, 9, -120);
		MOVX(2, 10);
		ALU64K(ADD, 2, -120);
	} else if (tgt <= 5) {   /* map value */
		lookup(g, VG_MAP_ARRAY);
		j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		MOVX(2, 0);
		off += chance(g, 1, 6) ? VG_ARRAY_VALUE - 4 : 8 * (int)rn(g, 5);
	} else if (tgt == 6 || !pkt_type(g->p->type)) {
		MOVX(2, 6);
		off += g->p->type == BPFBOX_PROG_TYPE_SOCKET_FILTER || g->p->type == BPFBOX_PROG_TYPE_SCHED_CLS ? 48 : 0;
	} else {
		pkt_ptrs(g);
		MOVX(2, 7);
		ALU64K(ADD, 2, 8);
		j = jfwd(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
		MOVX(2, 7);
	}
	if (chance(g, 1, 8)) {
		MOVX(3, 10);   /* a pointer as the operand */
	} else {
		MOVX(3, 9);
	}
	if (op == BPF_CMPXCHG)
		MOVK(0, (int32_t)rn(g, 4));
	E(g, BPF_STX | BPF_ATOMIC | (dw ? BPF_DW : BPF_W), dst, src, off, op);
	if (op & BPF_FETCH) {
		int r = op == BPF_CMPXCHG ? 0 : 3;
		if (chance(g, 1, 3)) {   /* fetched value as an offset */
			MOVX(1, r);
			MOVX(0, 10);
			ALU64K(ADD, 0, -64);
			ALU64X(ADD, 0, 1);
			LDX(BPF_B, 3, 0, 0);
		} else {
			ALU64X(ADD, 9, r);
		}
	}
	if (tgt <= 3 && rn(g, 2)) {
		LDX(dw ? BPF_DW : BPF_W, 3, 10, -120);
		ALU64X(ADD, 9, 3);
	}
	if (j != (size_t)-1)
		land(g, j);
}

/* Stack access at a variable offset. */
static void cls_var_stack(struct g *g)
{
	int mask = (1 << (2 + rn(g, 8))) - 1, base = -256 + (chance(g, 1, 5) ? (int)rn(g, 512) - 256 : 0);
	int szi = (int)rn(g, 4);

	unk(g, 7);
	if (!chance(g, 1, 8))
		ALU64K(AND, 7, mask);
	if (chance(g, 1, 4))
		ALU64K(AND, 7, ~((1 << szi) - 1));
	MOVX(2, 10);
	ALU64K(ADD, 2, base);
	ALU64X(ADD, 2, 7);
	switch (rn(g, 4)) {
	case 0:   /* read only */
		break;
	case 1:   /* a helper reads it: a map key */
		ldmap(g, 1, VG_MAP_ARRAY);
		CALL(BPF_FUNC_map_lookup_elem);
		return;
	default:
		STX(size_code[szi], 2, 9, 0);
		break;
	}
	LDX(size_code[szi], 3, 2, 0);
	ALU64X(ADD, 9, 3);
}

/* Context fields at random offsets and sizes, read or written. */
static void cls_ctx_off(struct g *g)
{
	int ctx_sz, szi = (int)rn(g, 4), off;

	switch (g->p->type) {
	case BPFBOX_PROG_TYPE_XDP: ctx_sz = 24; break;
	case BPFBOX_PROG_TYPE_KPROBE: ctx_sz = 168; break;
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT: ctx_sz = 96; break;
	default: ctx_sz = 192; break;
	}
	off = (int)rn(g, (unsigned)ctx_sz + 8) - (chance(g, 1, 10) ? 8 : 0);
	if (!chance(g, 1, 5))
		off &= ~((1 << szi) - 1);
	if (chance(g, 1, 4)) {
		if (rn(g, 2))
			STX(size_code[szi], 6, 9, off);
		else
			STK(size_code[szi], 6, off, (int32_t)rn(g, 100));
	} else {
		LDX(size_code[szi], 3, 6, off);
		if (chance(g, 1, 2))
			ALU64X(ADD, 9, 3);
	}
}

/* Map value accesses at the end of the value, constant or variable. */
static void cls_mapval_edge(struct g *g)
{
	int map = rn(g, 3) ? VG_MAP_ARRAY : VG_MAP_HASH, vs = vsize(map);
	int szi = (int)rn(g, 4), sz = 1 << szi, mask = -1;
	size_t j;

	if (rn(g, 2)) {
		mask = (1 << rn(g, 5)) - 1;
		unk(g, 7);
		ALU64K(AND, 7, mask);
	}
	lookup(g, map);
	j = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	if (mask >= 0) {   /* variable: r7 in [0, mask] */
		ALU64X(ADD, 0, 7);
		LDX(size_code[szi], 3, 0, vs - sz - mask + (int)rn(g, 3) - 1);
	} else {
		int off = rn(g, 4) == 0 ? -(int)rn(g, 2) : vs - sz + (int)rn(g, 3) - 1;

		MOVK(3, 0);
		if (rn(g, 2))
			LDX(size_code[szi], 3, 0, off);
		else
			STX(size_code[szi], 0, 9, off);
	}
	ALU64X(ADD, 9, 3);
	land(g, j);
}

/* Sign extension (movsx, ldsx: cpu v4) of a bounded or loaded value. */
static void cls_sign_ext(struct g *g)
{
	static const int movsx_off[3] = { 8, 16, 32 };
	int bound = (int)rn(g, 48);
	size_t j[3];
	int nj = 0;

	if (rn(g, 2)) {   /* ldsx from the stack */
		int szi = (int)rn(g, 3);

		unk(g, 7);
		if (rn(g, 2))
			ALU64K(AND, 7, (1 << (4 + rn(g, 12))) - 1);
		STX(BPF_DW, 10, 7, -112);
		E(g, BPF_LDX | BPF_MEMSX | size_code[szi], 7, 10, -112, 0);
	} else {          /* movsx */
		unk(g, 7);
		if (rn(g, 2))
			ALU64K(AND, 7, (1 << (4 + rn(g, 12))) - 1);
		if (rn(g, 3))
			E(g, BPF_ALU64 | BPF_MOV | BPF_X, 7, 7, movsx_off[rn(g, 3)], 0);
		else
			E(g, BPF_ALU | BPF_MOV | BPF_X, 7, 7, movsx_off[rn(g, 2)], 0);
	}
	switch (rn(g, 4)) {
	case 0: j[nj++] = jfwd(g, BPF_JMP | BPF_JGT | BPF_K, 7, 0, bound); break;
	case 1: j[nj++] = jfwd(g, BPF_JMP | BPF_JSGT | BPF_K, 7, 0, bound);
		j[nj++] = jfwd(g, BPF_JMP | BPF_JSLT | BPF_K, 7, 0, 0); break;
	case 2: j[nj++] = jfwd(g, BPF_JMP32 | BPF_JGT | BPF_K, 7, 0, bound); break;
	default: j[nj++] = jfwd(g, BPF_JMP | rjop(g), 7, 0, bound); break;
	}
	lookup(g, VG_MAP_ARRAY);
	j[nj++] = jfwd(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	use_off(g, VG_MAP_ARRAY, 7, bound);
	for (int i = 0; i < nj; i++)
		land(g, j[i]);
}

typedef void (*blk_fn)(struct g *);

static const blk_fn class_blocks[VG_C_COUNT] = {
	[VG_C_PLAIN] = plain_block,
	[VG_C_SPILL_BOUNDS] = cls_spill_bounds,
	[VG_C_ALU32_BOUNDS] = cls_alu32_bounds,
	[VG_C_SIGN_MIX] = cls_sign_mix,
	[VG_C_PTR_ARITH] = cls_ptr_arith,
	[VG_C_NULL_CHECK] = cls_null_check,
	[VG_C_PKT_STALE] = cls_pkt_stale,
	[VG_C_STACK_MIXED] = cls_stack_mixed,
	[VG_C_SUBPROG] = cls_subprog,
	[VG_C_CALLBACK] = cls_callback,
	[VG_C_TAIL_CALL] = cls_tail_call,
	[VG_C_ALU32_ZEXT] = cls_alu32_zext,
	[VG_C_NEG_END] = cls_neg_end,
	[VG_C_NARROW_FILL] = cls_narrow_fill,
	[VG_C_ATOMIC] = cls_atomic,
	[VG_C_VAR_STACK] = cls_var_stack,
	[VG_C_CTX_OFF] = cls_ctx_off,
	[VG_C_MAPVAL_EDGE] = cls_mapval_edge,
	[VG_C_SIGN_EXT] = cls_sign_ext,
};

/* ---- a whole program --------------------------------------------------------- */

/* Append the subprograms and resolve the references to them. */
static void finish(struct g *g)
{
	struct vg_prog *p = g->p;
	size_t base = p->cnt;

	if (base + g->nsub > VG_MAX_INSNS)
		return;   /* cannot happen: main stops SUB_MAX short */
	memcpy(p->insn + base, g->sub, g->nsub * sizeof(g->sub[0]));
	p->cnt += g->nsub;
	for (int i = 0; i < g->nfix; i++) {
		size_t at = g->fix[i].at + (g->fix[i].at_sub ? base : 0);
		size_t to = base + g->fix[i].target;

		p->insn[at].imm = (int32_t)to - (int32_t)at - 1;
	}
}

/* The program of (seed, cls). */
void vg_gen(uint64_t seed, int cls, struct vg_prog *p)
{
	struct g g0, *g = &g0;
	unsigned nblk, ncls;

	memset(g, 0, offsetof(struct g, sub));
	g->nsub = 0;
	g->nfix = 0;
	g->full = false;
	g->p = p;
	g->rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (!g->rng)
		g->rng = 1;
	p->cnt = 0;
	if (cls < 0 || cls >= VG_C_COUNT)
		cls = rn(g, 10) == 0 ? VG_C_PLAIN : 1 + (int)rn(g, VG_C_COUNT - 1);
	p->cls = cls;
	p->type = vg_types[rn(g, VG_NTYPES)];
	if (cls == VG_C_PKT_STALE && !pkt_type(p->type))
		p->type = rn(g, 2) ? BPFBOX_PROG_TYPE_XDP : BPFBOX_PROG_TYPE_SCHED_CLS;

	MOVX(6, 1);
	MOVK(9, (int32_t)rn(g, 100));
	nblk = 1 + rn(g, 5);
	ncls = 1 + (rn(g, 4) == 0);
	for (unsigned i = 0; i < nblk + ncls && !g->full; i++) {
		/* the class blocks at random places among the plain ones */
		if (ncls && (rn(g, nblk + ncls - i) < ncls)) {
			ncls--;
			class_blocks[cls](g);
		} else if (rn(g, 5) == 0) {
			blk_branch(g);
		} else {
			plain_block(g);
		}
	}
	MOVX(0, 9);
	ALU64K(AND, 0, 1);
	EXIT();
	finish(g);
}
