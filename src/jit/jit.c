/*
 * jit.c - the JIT's entry points: compiling a program once (lazily,
 * thread-safe), the executable memory (written while RW, then made RX,
 * never both), running native code, and the run-time functions the code
 * calls (tail calls, errors). See docs/JIT.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "jit_int.h"

#if defined(__x86_64__)

#define MAX_PASSES 24
#define LONG_AFTER 16      /* passes after which every jump is long (always converges) */

/* the value prog->jit takes when compiling failed (never written) */
static const struct bxj_image failed_image;
#define FAILED ((struct bxj_image *)&failed_image)

/* bxj_available - x86-64: yes. */
bool bxj_available(void)
{
	return true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * image_offset - where in its mapping the image starts: a random multiple
 * of 64 bytes within the slack the page rounding leaves, as the kernel's
 * bpf_jit_binary_alloc() starts each image at a random offset (against
 * JIT spraying; it also means the code's placement, which branch
 * predictors are sensitive to, is not the same for every program).
 * Loop heads stay aligned: the JIT aligns them relative to the start.
 */
static size_t image_offset(size_t len, size_t map_len)
{
	size_t slots = (map_len - len) / 64 + 1;
	unsigned r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)(uintptr_t)&r >> 4;	/* no entropy: any value is fine */
	return (size_t)(r % slots) * 64;
}

/* free_image - unmap and free (NULL and FAILED are fine). */
static void free_image(struct bxj_image *img)
{
	if (!img || img == FAILED)
		return;
	if (img->map)
		munmap(img->map, img->map_len);
	free(img->addrs);
	free(img->entry);
	free(img);
}

/*
 * generate - run the code generator until the layout converges (jump
 * sizes depend on distances, distances on sizes). The result is in g->b
 * and g->lab. Returns 0, -ENOMEM, or -ERANGE (no convergence).
 */
static int generate(struct bxj_gen *g, size_t nlab)
{
	for (int pass = 0; pass < MAX_PASSES; pass++) {
		g->first = pass == 0;
		g->force_long = pass >= LONG_AFTER;
		g->b.len = 0;
		g->nsites = 0;
		g->skip = 0;
		g->zf = -1;
		memset(g->lab, 0, nlab * sizeof(*g->lab));
		bxj_gen_prologue(g);
		for (size_t i = 0; i < g->cnt; i++) {
			if (g->info[i] & BXJ_I_LOOP)
				bxj_nops(&g->b, bxj_loop_pad(g, i));
			g->lab[i] = (uint32_t)g->b.len;
			bxj_gen_insn(g, i);
		}
		g->lab[g->cnt] = (uint32_t)g->b.len;
		bxj_gen_stubs(g);
		if (g->b.err)
			return g->b.err;
		if (g->b.len > UINT32_MAX / 2)
			return -E2BIG;
		if (!g->first && !memcmp(g->lab, g->prev, nlab * sizeof(*g->lab)))
			return 0;
		memcpy(g->prev, g->lab, nlab * sizeof(*g->lab));
	}
	return -ERANGE;
}

/* at most this many per-site stubs per slot (a budget charge and one check) */
#define SITES_PER_SLOT 3

/*
 * build - compile prog into a new image (checked: the checked JIT's).
 */
static int build(const struct bpfbox_prog *prog, bool checked, struct bxj_image **out)
{
	struct bxj_gen g = { .prog = prog, .cnt = prog->cnt, .checked = checked };
	size_t nsite = SITES_PER_SLOT * prog->cnt + 1;
	size_t nlab = prog->cnt + 1 + BXJ_L__SHARED + nsite;
	struct bxj_image *img = NULL;
	uint64_t t0 = now_ns();
	long page = sysconf(_SC_PAGESIZE);
	int err = -ENOMEM;

	g.lab = calloc(nlab, sizeof(*g.lab));
	g.prev = calloc(nlab, sizeof(*g.prev));
	g.sites = calloc(nsite, sizeof(*g.sites));
	img = calloc(1, sizeof(*img));
	if (!g.lab || !g.prev || !g.sites || !img)
		goto out;
	err = bxj_analyse(&g);
	if (!err && checked)
		err = bxj_checked_charges(&g);
	if (err)
		goto out;
	err = generate(&g, nlab);
	if (err)
		goto out;
	err = -ENOMEM;
	img->cnt = prog->cnt;
	img->len = g.b.len;
	img->addrs = malloc((prog->cnt + 1) * sizeof(*img->addrs));
	if (!img->addrs)
		goto out;
	memcpy(img->addrs, g.lab, (prog->cnt + 1) * sizeof(*img->addrs));
	img->entry = malloc(prog->cnt + 1);
	if (!img->entry)
		goto out;
	for (size_t i = 0; i <= prog->cnt; i++)
		img->entry[i] = i < prog->cnt && (g.info[i] & BXJ_I_TARGET);
	if (page <= 0)
		page = 4096;
	img->map_len = (g.b.len + (size_t)page - 1) / (size_t)page * (size_t)page;
	img->map = mmap(NULL, img->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (img->map == MAP_FAILED) {
		img->map = NULL;
		goto out;
	}
	/* int3 around the image */
	memset(img->map, 0xcc, img->map_len);
	img->code = img->map + image_offset(g.b.len, img->map_len);
	memcpy(img->code, g.b.p, g.b.len);
	if (mprotect(img->map, img->map_len, PROT_READ | PROT_EXEC)) {
		err = -errno;
		goto out;
	}
	img->compile_ns = now_ns() - t0;
	*out = img;
	img = NULL;
	err = 0;
out:
	free_image(img);
	free(g.b.p);
	free(g.lab);
	free(g.prev);
	free(g.sites);
	free(g.info);
	free(g.upz);
	free(g.loop_end);
	free(g.live);
	free(g.charge);
	return err;
}

/* slot - where the program keeps its trusted or its checked image. */
static struct bxj_image **slot(const struct bpfbox_prog *prog, bool checked)
{
	struct bpfbox_prog *p = (struct bpfbox_prog *)prog;

	return checked ? &p->jit_checked : &p->jit;
}

/* image_of - the program's image of that kind, or NULL (none yet, or failed). */
static struct bxj_image *image_of(const struct bpfbox_prog *prog, bool checked)
{
	struct bxj_image *img = __atomic_load_n(slot(prog, checked), __ATOMIC_ACQUIRE);

	return img == FAILED ? NULL : img;
}

/* image - the program's trusted image, or NULL. */
static struct bxj_image *image(const struct bpfbox_prog *prog)
{
	return image_of(prog, false);
}

/*
 * bxj_compile_mode - see jit.h. Two threads may compile at once; the
 * first to publish wins and the other frees its copy.
 */
int bxj_compile_mode(struct bpfbox_prog *prog, bool checked)
{
	struct bxj_image **sl = slot(prog, checked);
	struct bxj_image *img = __atomic_load_n(sl, __ATOMIC_ACQUIRE), *exp = NULL;
	int err;

	if (img)
		return img == FAILED ? -EOPNOTSUPP : 0;
	err = build(prog, checked, &img);
	if (err) {
		bx_warn(&prog->vm->log, "%s: the %sJIT cannot compile the program (error %d); "
			"it runs in the interpreter", prog->name, checked ? "checked " : "", err);
		img = FAILED;
	}
	if (!__atomic_compare_exchange_n(sl, &exp, img, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free_image(img);
		img = exp;
	}
	return img == FAILED ? (err ? err : -EOPNOTSUPP) : 0;
}

/* bxj_compile - see jit.h: the trusted image. */
int bxj_compile(struct bpfbox_prog *prog)
{
	return bxj_compile_mode(prog, false);
}

/* bxj_code - see jit.h. */
int bxj_code(const struct bpfbox_prog *prog, const uint8_t **code, size_t *len,
	     const uint32_t **insn_off)
{
	struct bxj_image *img = image(prog);

	if (!img)
		return -ENOENT;
	if (code)
		*code = img->code;
	if (len)
		*len = img->len;
	if (insn_off)
		*insn_off = img->addrs;
	return 0;
}

/* bxj_compile_ns - see jit.h. */
uint64_t bxj_compile_ns(const struct bpfbox_prog *prog)
{
	struct bxj_image *img = image(prog);

	return img ? img->compile_ns : 0;
}

/*
 * bxj_run - see jit.h. Whatever way the native code ends, the run state
 * is put back as the interpreter leaves it: the program and depth of the
 * entry, no pending tail call.
 */
int bxj_run(struct bpfbox_call *call, uint32_t start, const uint64_t args[5], uint64_t fp,
	    uint64_t *r0)
{
	struct bpfbox_prog *prog0 = call->prog;
	struct bxj_image *img = image_of(prog0, call->checked);
	unsigned depth0 = call->depth;
	bool jit0 = call->jit;
	bxj_entry_fn fn;
	int err;

	/* a slot that is no target may have been fused into the one before */
	if (!img || start >= img->cnt || !img->entry[start])
		return bxv_interp_run(call, start, args, fp, r0);
	fn = (bxj_entry_fn)(void *)img->code;
	if (call->checked && !call->jit_rlen) {	/* the checked stubs' first guess */
		call->jit_rlo = (uint64_t)(uintptr_t)call->ctx;
		call->jit_rlen = call->ctx_size;
	}
	call->jit = true;
	err = fn(call, img->code + img->addrs[start], args, fp, r0);
	call->jit = jit0;
	call->prog = prog0;
	call->tail_target = NULL;
	call->depth = depth0;
	call->stack_lo = call->stack_top - (uint64_t)depth0 * BX_STACK_SIZE;
	return err;
}

/*
 * bxj_tail_enter - called by the code's tail stub once a helper set
 * call->tail_target. saved[] holds r5, r4, r3, r2, r1, r0. Returns the
 * target's native code to jump to; or, if the target cannot be compiled,
 * runs it in the interpreter (same frame, same r1..r5 and r10) and
 * returns 0 with its r0 in saved[5], or 1 with the error there.
 */
const void *bxj_tail_enter(struct bpfbox_call *call, uint64_t *saved, uint64_t fp)
{
	struct bpfbox_prog *t = call->tail_target;
	const uint64_t args[5] = { saved[4], saved[3], saved[2], saved[1], saved[0] };
	struct bxj_image *img;
	uint64_t r0 = 0;
	int err;

	call->tail_target = NULL;
	call->prog = t;
	/* a checked run may access the target's global data (as L__tail) */
	for (unsigned k = 0; call->checked && k < t->ndv; k++) {
		err = bxv_run_add_region(call, (const void *)(uintptr_t)t->dv[k].lo, t->dv[k].len,
					 t->dv[k].writable);
		if (err) {
			saved[5] = (uint64_t)(int64_t)err;
			return (const void *)1;
		}
	}
	if (bxj_compile_mode(t, call->checked) == 0 && (img = image_of(t, call->checked)))
		return img->code + img->addrs[0];
	err = bxv_interp_run(call, 0, args, fp, &r0);
	if (err) {
		saved[5] = (uint64_t)(int64_t)err;
		return (const void *)1;
	}
	saved[5] = r0;
	return NULL;
}

/*
 * bxj_error - log a run-time error the code detected (as the interpreter
 * words it) and return its errno. kind: BXJ_E_* | eBPF register << 8.
 */
int bxj_error(struct bpfbox_call *call, int kind, uint32_t insn, uint64_t value)
{
	const struct bx_log *log = &call->vm->log;

	switch (kind & 0xff) {
	case BXJ_E_BUDGET:
		bx_err(log, "insn %u: the instruction budget of %llu is exhausted", insn,
		       (unsigned long long)call->max_insns);
		call->budget = 0;
		return -ELOOP;
	case BXJ_E_DEPTH:
		bx_err(log, "insn %u: call depth exceeds %d frames", insn, BX_MAX_CALL_DEPTH);
		return -E2BIG;
	case BXJ_E_CALLX:
		bx_err(log, "insn %u: callx to unknown helper %llu (in r%d)", insn,
		       (unsigned long long)value, kind >> 8);
		return -EINVAL;
	default:
		bx_err(log, "insn %u: kfunc calls are not supported", insn);
		return -EINVAL;
	}
}

/* bxj_free - see jit.h: both images. */
void bxj_free(struct bpfbox_prog *prog)
{
	free_image(__atomic_exchange_n(&prog->jit, NULL, __ATOMIC_ACQ_REL));
	free_image(__atomic_exchange_n(&prog->jit_checked, NULL, __ATOMIC_ACQ_REL));
}

#else /* no JIT for this host: the interpreter runs everything */

bool bxj_available(void)
{
	return false;
}

int bxj_compile(struct bpfbox_prog *prog)
{
	(void)prog;
	return -EOPNOTSUPP;
}

int bxj_compile_mode(struct bpfbox_prog *prog, bool checked)
{
	(void)prog; (void)checked;
	return -EOPNOTSUPP;
}

int bxj_code(const struct bpfbox_prog *prog, const uint8_t **code, size_t *len,
	     const uint32_t **insn_off)
{
	(void)prog; (void)code; (void)len; (void)insn_off;
	return -ENOENT;
}

uint64_t bxj_compile_ns(const struct bpfbox_prog *prog)
{
	(void)prog;
	return 0;
}

int bxj_run(struct bpfbox_call *call, uint32_t start, const uint64_t args[5], uint64_t fp,
	    uint64_t *r0)
{
	return bxv_interp_run(call, start, args, fp, r0);
}

void bxj_free(struct bpfbox_prog *prog)
{
	(void)prog;
}

#endif /* __x86_64__ */

/* The JIT as the VM sees it (struct bxv_engine, vm_internal.h): the loader
 * puts it in vm->jit when bxj_available(). */
const struct bxv_engine bxj_engine = {
	.name = "x86-64 JIT",
	.compile = bxj_compile_mode,
	.run = bxj_run,
	.free = bxj_free,
};
