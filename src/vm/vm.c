/*
 * vm.c - the VM object (bpfbox_vm__new is the loader's, src/loader), its
 * helper registry, the bpfbox_call accessors
 * and the library version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vm_internal.h"
#include "maps/map_internal.h"

/*
 * bpfbox_version - the library's version string.
 */
const char *bpfbox_version(void)
{
	return "0.1.0";
}

/*
 * bpfbox_vm__free - release a VM and the names of its helpers. Programs
 * loaded from it must be freed first.
 */
void bpfbox_vm__free(struct bpfbox_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i <= BPFBOX_MAX_HELPER_ID; i++)
		free(vm->helpers[i].name);
	free(vm);
}

/*
 * bpfbox_vm__register_helper - add or replace helper `id`. Programs
 * already loaded call the replacement from their next call on.
 */
int bpfbox_vm__register_helper(struct bpfbox_vm *vm, uint32_t id, const char *name,
			       bpfbox_helper_fn fn, void *helper_ctx)
{
	char *copy;

	if (!vm)
		return -EINVAL;
	if (id == 0 || id > BPFBOX_MAX_HELPER_ID) {
		bx_err(&vm->log, "helper id %u is out of range (1..%u)", id,
		       BPFBOX_MAX_HELPER_ID);
		return -EINVAL;
	}
	if (!fn) {
		bx_err(&vm->log, "helper %u (%s): the function is NULL", id,
		       name ? name : "?");
		return -EINVAL;
	}
	if (!name || !*name) {
		bx_err(&vm->log, "helper %u: a name is required", id);
		return -EINVAL;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(vm->helpers[id].name);
	vm->helpers[id].name = copy;
	vm->helpers[id].fn = fn;
	vm->helpers[id].ctx = helper_ctx;
	vm->helpers[id].has_proto = false;	/* a new function: its old prototype is moot */
	return 0;
}

/*
 * bpfbox_vm__helper_name - the name helper `id` was registered with.
 */
const char *bpfbox_vm__helper_name(const struct bpfbox_vm *vm, uint32_t id)
{
	const struct bxv_helper *h;

	if (!vm)
		return NULL;
	h = bxv_vm_helper(vm, id);
	return h ? h->name : NULL;
}

/* ---- inside a helper ------------------------------------------------------- */

/* bpfbox_call__helper_ctx - the helper_ctx the running helper was registered with. */
void *bpfbox_call__helper_ctx(const struct bpfbox_call *call)
{
	return call ? call->helper_ctx : NULL;
}

/* bpfbox_call__ctx - the run's ctx pointer (what r1 held at entry). */
void *bpfbox_call__ctx(const struct bpfbox_call *call)
{
	return call ? call->ctx : NULL;
}

/*
 * bpfbox_call__abort - stop the program once the helper returns; the run
 * then returns `err` (a non-negative value is turned into -ECANCELED).
 * The first abort wins.
 */
void bpfbox_call__abort(struct bpfbox_call *call, int err)
{
	if (!call || call->err)
		return;
	call->err = err < 0 ? err : -ECANCELED;
}

/*
 * bpfbox_call__check_mem - may the program access [ptr, ptr+len)?
 */
int bpfbox_call__check_mem(const struct bpfbox_call *call, uint64_t ptr,
			   uint64_t len, bool write)
{
	if (!call)
		return -EINVAL;
	if (!call->checked)
		return 0;
	if (len == 0)
		return 0;
	if (ptr + len < ptr)
		return -EFAULT;
	if (len <= call->stack_top - call->stack_lo &&
	    ptr - call->stack_lo <= call->stack_top - call->stack_lo - len)
		return 0;
	if (len <= call->ctx_size &&
	    ptr - (uint64_t)(uintptr_t)call->ctx <= call->ctx_size - len)
		return 0;
	return bxv_mem_ok_slow(call, ptr, len, write) ? 0 : -EFAULT;
}

/*
 * bxv_mem_ok_slow - the helper-registered regions (the stack and the ctx
 * were tried by bxv_mem_ok()).
 */
bool bxv_mem_ok_slow(const struct bpfbox_call *c, uint64_t a, uint64_t sz, bool write)
{
	for (unsigned i = 0; i < c->nregions; i++) {
		const struct bxv_region *r = &c->regions[i];
		if (write && !r->writable)
			continue;
		if (r->map ? bxm_value_ok(r->map, a, sz) : sz <= r->len && a - r->lo <= r->len - sz)
			return true;
	}
	return false;
}

/*
 * bxv_run_add_region - see vm_internal.h.
 */
int bxv_run_add_region(struct bpfbox_call *call, const void *ptr, size_t len,
		       bool writable)
{
	uint64_t lo = (uint64_t)(uintptr_t)ptr;

	if (!call || !ptr || len == 0 || lo + len < lo)
		return -EINVAL;
	if (!call->checked)
		return 0;
	for (unsigned i = 0; i < call->nregions; i++) {
		struct bxv_region *r = &call->regions[i];
		if (!r->map && len <= r->len && lo - r->lo <= r->len - len &&
		    (r->writable || !writable))
			return 0;
	}
	if (call->nregions >= BXV_MAX_REGIONS) {
		bx_err(&call->vm->log, "%s: too many memory regions registered by helpers (max %d)",
		       call->prog->name, BXV_MAX_REGIONS);
		return -ENOSPC;
	}
	call->regions[call->nregions++] = (struct bxv_region){
		.lo = lo, .len = len, .writable = writable,
	};
	return 0;
}

/*
 * bxv_run_add_map - see vm_internal.h.
 */
int bxv_run_add_map(struct bpfbox_call *call, const struct bpfbox_map *m, bool writable)
{
	if (!call || !m)
		return -EINVAL;
	if (!call->checked)
		return 0;
	for (unsigned i = 0; i < call->nregions; i++)
		if (call->regions[i].map == m && (call->regions[i].writable || !writable))
			return 0;
	if (call->nregions >= BXV_MAX_REGIONS) {
		bx_err(&call->vm->log, "%s: too many memory regions registered by helpers (max %d)",
		       call->prog->name, BXV_MAX_REGIONS);
		return -ENOSPC;
	}
	call->regions[call->nregions++] = (struct bxv_region){ .writable = writable, .map = m };
	return 0;
}

/*
 * bxv_call_task - see vm_internal.h. The calling thread is described on
 * first use only (a few system calls), then cached in call->self.
 */
const struct bpfbox_task *bxv_call_task(struct bpfbox_call *call)
{
	struct bpfbox_task *t = &call->self;
	char comm[17] = { 0 };

	if (call->task)
		return call->task;
	t->pid = (uint32_t)gettid();
	t->tgid = (uint32_t)getpid();
	t->uid = (uint32_t)getuid();
	t->gid = (uint32_t)getgid();
	if (prctl(PR_GET_NAME, comm, 0, 0, 0) < 0)
		comm[0] = 0;
	memcpy(t->comm, comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = 0;
	call->task = t;
	return t;
}

/*
 * bxv_tail_call - see vm_internal.h. Counted as the kernel counts: every
 * attempt that gets past the index check uses one of the 33, even if the
 * slot turns out empty (target NULL: -ENOENT, no jump).
 */
int bxv_tail_call(struct bpfbox_call *call, struct bpfbox_prog *target)
{
	if (!call)
		return -EINVAL;
	if (call->tail_cnt >= BXV_MAX_TAIL_CALLS)
		return -E2BIG;
	call->tail_cnt++;
	if (!target)
		return -ENOENT;
	if (target->vm != call->vm) {
		bx_err(&call->vm->log, "%s: tail call to '%s', a program of another vm",
		       call->prog->name, target->name);
		return -EINVAL;
	}
	if (target->prog_type && !bxp_runnable(target->type_ops)) {
		bx_err(&call->vm->log, "%s: tail call to '%s' refused: its program type cannot run",
		       call->prog->name, target->name);
		return -EOPNOTSUPP;
	}
	/* A run trusted because the verifier proved its program safe may only
	 * continue in code proved safe for the same context (the kernel's
	 * prog_array requires one type; a raw program proved for a buffer,
	 * the same size). A run the caller declared trusted
	 * (BPFBOX_RUN_TRUSTED on unverified code) keeps the caller's word. */
	if (!call->checked && call->prog->verified &&
	    (!target->verified || target->prog_type != call->prog->prog_type ||
	     (target->mem_verified && target->mem_size != call->ctx_size))) {
		bx_err(&call->vm->log, "%s: tail call to '%s' refused: %s", call->prog->name,
		       target->name, !target->verified ? "it is not verified and this run is not checked"
		       : target->prog_type != call->prog->prog_type ? "it has another program type"
		       : "it was verified for another buffer size");
		return -EINVAL;
	}
	call->tail_target = target;
	return 0;
}

/*
 * bxv_func_idx - see vm_internal.h: fnptr must be the address of an xlated
 * slot of the running program that starts an instruction.
 */
int bxv_func_idx(const struct bpfbox_call *call, uint64_t fnptr, uint32_t *insn_idx)
{
	const struct bpfbox_prog *prog;
	uint64_t base, d;

	if (!call || !insn_idx)
		return -EINVAL;
	prog = call->prog;
	base = (uint64_t)(uintptr_t)prog->xlated;
	d = fnptr - base;
	if (fnptr < base || d % sizeof(struct bxv_insn) ||
	    d / sizeof(struct bxv_insn) >= prog->cnt ||
	    prog->ops[d / sizeof(struct bxv_insn)] < 0) {
		bx_err(&call->vm->log, "%s: callback 0x%llx is not an instruction of the program",
		       prog->name, (unsigned long long)fnptr);
		return -EINVAL;
	}
	*insn_idx = (uint32_t)(d / sizeof(struct bxv_insn));
	return 0;
}
