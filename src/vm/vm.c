/*
 * vm.c - the VM object, its helper registry, the bpfbox_call accessors
 * and the library version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vm_internal.h"
#include "maps/map_internal.h"
#include "helpers/helpers.h"
#include "progtype/ctx.h"

/*
 * bpfbox_version - the library's version string.
 */
const char *bpfbox_version(void)
{
	return "0.1.0";
}

/*
 * bpfbox_vm__new - allocate an empty VM (no helpers registered).
 */
int bpfbox_vm__new(const struct bpfbox_vm_opts *opts, struct bpfbox_vm **vm_out)
{
	struct bpfbox_vm_opts o;
	struct bpfbox_vm *vm;
	int err;

	if (!vm_out)
		return -EINVAL;
	*vm_out = NULL;
	err = bx_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->log.fn = o.log;
	vm->log.ctx = o.log_ctx;
	vm->trace = o.trace;
	vm->trace_ctx = o.trace_ctx;
	vm->nr_cpus = o.nr_cpus;
	vm->no_jit = o.no_jit || (getenv("BPFBOX_NO_JIT") && strcmp(getenv("BPFBOX_NO_JIT"), "0"));
	if (!vm->nr_cpus) {
		long n = sysconf(_SC_NPROCESSORS_CONF);
		vm->nr_cpus = n < 1 ? 1 : n > (long)BXV_MAX_CPUS ? BXV_MAX_CPUS : (uint32_t)n;
	}
	if (vm->nr_cpus > BXV_MAX_CPUS) {
		bx_err(&vm->log, "nr_cpus %u is more than %u", vm->nr_cpus, BXV_MAX_CPUS);
		free(vm);
		return -EINVAL;
	}
	if (!o.no_kernel_helpers && (err = bxk_register_kernel_helpers(vm)) < 0) { bpfbox_vm__free(vm); return err; }
	*vm_out = vm;
	return 0;
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

/* proto_arg_kind - the internal (src/helpers) kind of a public argument
 * kind; BXK_ARG__BASE_MAX if it is not one. */
static uint32_t proto_arg_kind(enum bpfbox_arg_kind k)
{
	switch (k) {
	case BPFBOX_ARG_NONE:               return BXK_ARG_DONTCARE;
	case BPFBOX_ARG_ANYTHING:           return BXK_ARG_ANYTHING;
	case BPFBOX_ARG_PTR_TO_MEM:         return BXK_ARG_PTR_TO_MEM_RDONLY;
	case BPFBOX_ARG_PTR_TO_UNINIT_MEM:  return BXK_ARG_PTR_TO_UNINIT_MEM;
	case BPFBOX_ARG_CONST_SIZE:         return BXK_ARG_CONST_SIZE;
	case BPFBOX_ARG_CONST_SIZE_OR_ZERO: return BXK_ARG_CONST_SIZE_OR_ZERO;
	case BPFBOX_ARG_PTR_TO_CTX:         return BXK_ARG_PTR_TO_CTX;
	case BPFBOX_ARG_CONST_MAP_PTR:      return BXK_ARG_CONST_MAP_PTR;
	}
	return BXK_ARG__BASE_MAX;
}

/* is_mem_kind / is_size_kind - the two halves of a (memory, size) pair. */
static bool is_mem_kind(enum bpfbox_arg_kind k)
{
	return k == BPFBOX_ARG_PTR_TO_MEM || k == BPFBOX_ARG_PTR_TO_UNINIT_MEM;
}

static bool is_size_kind(enum bpfbox_arg_kind k)
{
	return k == BPFBOX_ARG_CONST_SIZE || k == BPFBOX_ARG_CONST_SIZE_OR_ZERO;
}

/*
 * bpfbox_vm__set_helper_proto - give helper `id` a prototype the verifier
 * checks its calls against (NULL: remove it). Memory arguments must come
 * in (memory, size) pairs, as the kernel's check_arg_pair_ok() requires.
 */
int bpfbox_vm__set_helper_proto(struct bpfbox_vm *vm, uint32_t id,
				const struct bpfbox_helper_proto *proto)
{
	struct bpfbox_helper_proto p;
	struct bxv_helper *h;
	uint32_t arg[5];
	int err;

	if (!vm)
		return -EINVAL;
	if (id == 0 || id > BPFBOX_MAX_HELPER_ID || !vm->helpers[id].fn) {
		bx_err(&vm->log, "helper %u: no helper with this id to give a prototype", id);
		return -ENOENT;
	}
	h = &vm->helpers[id];
	if (!proto) {
		h->has_proto = false;
		return 0;
	}
	err = bx_opts_copy(&p, sizeof(p), proto);
	if (err) {
		bx_err(&vm->log, "helper %u (%s): prototype struct has unknown fields", id, h->name);
		return err;
	}
	if (p.ret != BPFBOX_RET_INTEGER && p.ret != BPFBOX_RET_VOID) {
		bx_err(&vm->log, "helper %u (%s): unknown return kind %d", id, h->name, (int)p.ret);
		return -EINVAL;
	}
	for (int i = 0; i < 5; i++) {
		arg[i] = proto_arg_kind(p.args[i]);
		if (arg[i] == BXK_ARG__BASE_MAX) {
			bx_err(&vm->log, "helper %u (%s): argument %d: unknown kind %d", id, h->name,
			       i + 1, (int)p.args[i]);
			return -EINVAL;
		}
		if (is_mem_kind(p.args[i]) && (i == 4 || !is_size_kind(p.args[i + 1]))) {
			bx_err(&vm->log, "helper %u (%s): argument %d is memory but argument %d is not its size",
			       id, h->name, i + 1, i + 2);
			return -EINVAL;
		}
		if (is_size_kind(p.args[i]) && (i == 0 || !is_mem_kind(p.args[i - 1]))) {
			bx_err(&vm->log, "helper %u (%s): argument %d is a size but argument %d is not memory",
			       id, h->name, i + 1, i);
			return -EINVAL;
		}
	}
	h->proto_ret = p.ret == BPFBOX_RET_VOID ? BXK_RET_VOID : BXK_RET_INTEGER;
	memcpy(h->proto_arg, arg, sizeof(arg));
	h->has_proto = true;
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
	if (target->prog_type && !bxh_type_supported(target->prog_type)) {
		bx_err(&call->vm->log, "%s: tail call to '%s' refused: its program type cannot run",
		       call->prog->name, target->name);
		return -EOPNOTSUPP;
	}
	/* A run trusted because the verifier proved its program safe may only
	 * continue in code proved safe for the same context (the kernel's
	 * prog_array requires one type). A run the caller declared trusted
	 * (BPFBOX_RUN_TRUSTED on unverified code) keeps the caller's word. */
	if (!call->checked && call->prog->verified &&
	    (!target->verified || target->prog_type != call->prog->prog_type)) {
		bx_err(&call->vm->log, "%s: tail call to '%s' refused: %s", call->prog->name,
		       target->name, !target->verified ? "it is not verified and this run is not checked"
						       : "it has another program type");
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
