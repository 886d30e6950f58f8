/*
 * load.c - the load pipeline, in the kernel's order (kernel/bpf/syscall.c
 * bpf_prog_load() -> bpf_check() -> bpf_prog_select_runtime()):
 *
 *   bpfbox_prog__load()
 *     copy the program, find its type's description (find_prog_type():
 *       prog->type_ops, src/progtype)
 *     1. structural check              bx_isa_check()          src/isa
 *     2. verifier (typed programs)     bxr_verify()            src/verifier
 *        load-time call rules          check_calls()           here
 *     3. context rewrite               type_ops->convert_ctx   src/progtype
 *     4. engine form                   bxv_prog_xlate()        src/vm
 *        native code                   vm->jit (first use)     src/jit
 *
 * The loader is the one folder that sees every stage: the stages include
 * src/vm (the shared types) and never each other backwards, so no two
 * folders of src/ include each other (tests/test_layout.sh checks it).
 * bpfbox_vm__new() lives here too: it installs the helper table's
 * functions (src/helpers) and the JIT engine (src/jit) in a new vm.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "jit/jit.h"
#include "progtype/prog_types.h"
#include "verifier/verifier.h"
#include "vm/vm_internal.h"

/*
 * bpfbox_vm__new - allocate a VM: its log, CPUs, the host's JIT engine,
 * and the kernel helpers of the helper table (unless opts.no_kernel_helpers).
 */
int bpfbox_vm__new(const struct bpfbox_vm_opts *opts, struct bpfbox_vm **vm_out)
{
	struct bpfbox_vm_opts o;
	struct bpfbox_vm *vm;
	struct bx_log lg;
	int err;

	if (!vm_out)
		return -EINVAL;
	*vm_out = NULL;
	/* the caller's log, for a refusal of the struct that carries it */
	lg.fn = BX_OPTS_GET(opts, log, NULL);
	lg.ctx = BX_OPTS_GET(opts, log_ctx, NULL);
	err = bx_opts_load(&o, sizeof(o), opts, &lg, "bpfbox_vm_opts");
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
	vm->jit = bxj_available() ? &bxj_engine : NULL;	/* the runtime: bpf_prog_select_runtime() */
	if (!o.no_kernel_helpers && (err = bxk_register_kernel_helpers(vm)) < 0) {
		bpfbox_vm__free(vm);
		return err;
	}
	*vm_out = vm;
	return 0;
}

/*
 * check_calls - the load-time rules bx_isa_check() does not know about:
 * helper calls name a helper registered in this vm, kfunc calls are not
 * supported, and no instruction writes r10 (in a verified program such
 * an instruction is dead code and becomes a `goto -1`).
 * In a verified program (verified: the verifier walked every path, proven
 * or accepted unproven) a kfunc call is dead code, as the verifier
 * rejects every reachable one (the kernel too); it stays, and would
 * stop the run with an error if ever reached.
 * So is libbpf's CO-RE poison `call 0xbad2310` (an unresolvable relocation
 * in code the verifier found dead): it becomes such a dead kfunc call.
 */
static int check_calls(const struct bpfbox_vm *vm, struct bpfbox_insn *insns,
		       int16_t *ops, size_t cnt, bool verified)
{
	for (size_t i = 0; i < cnt; i++) {
		int op = ops[i];

		if (op < 0)
			continue;
		if (op == BX_OP_CALL && verified && insns[i].imm == 195896080 &&
		    !bxv_vm_helper(vm, (uint32_t)insns[i].imm)) {
			insns[i].src_reg = BX_CALL_KFUNC;
			ops[i] = op = BX_OP_CALL_KFUNC;
		}
		if (op == BX_OP_CALL && !bxv_vm_helper(vm, (uint32_t)insns[i].imm)) {
			bx_err(&vm->log, "insn %zu: call to unknown helper %d", i, insns[i].imm);
			return -EINVAL;
		}
		if (op == BX_OP_CALL_KFUNC && !verified) {
			bx_err(&vm->log, "insn %zu: kfunc calls are not supported (btf id %d)",
			       i, insns[i].imm);
			return -EINVAL;
		}
		if (bx_writes_fp(&insns[i], op)) {
			size_t n = bx_ops[op].fmt == BX_F_LDDW ? 2 : 1;

			if (!verified) {
				bx_err(&vm->log, "insn %zu: r10 (the frame pointer) is read-only", i);
				return -EINVAL;
			}
			/* dead (the verifier refuses every reachable one, as the
			 * kernel's check_reg_arg): no engine may see it, so it
			 * becomes `goto -1` as the kernel's sanitize_dead_code */
			for (size_t k = 0; k < n; k++) {
				insns[i + k] = (struct bpfbox_insn){ .code = BX_JMP | BX_JA, .off = -1 };
				ops[i + k] = BX_OP_JA;
			}
		}
	}
	return 0;
}

/*
 * bpfbox_prog__load - see bpfbox.h. A typed program is verified here
 * (unless opts->no_verify) and BPFBOX_RUN_AUTO then runs it trusted; raw
 * and unverified programs run checked.
 */
int bpfbox_prog__load(struct bpfbox_vm *vm, const struct bpfbox_insn *insns, size_t cnt,
		      const struct bpfbox_prog_opts *opts, struct bpfbox_prog **prog_out)
{
	struct bpfbox_prog_opts o;
	struct bpfbox_prog *prog;
	bool walked = false;	/* the verifier walked every path (proven or not) */
	int err;

	if (!prog_out)
		return -EINVAL;
	*prog_out = NULL;
	if (!vm || (!insns && cnt))
		return -EINVAL;
	err = bx_opts_load(&o, sizeof(o), opts, &vm->log, "bpfbox_prog_opts");
	if (err)
		return err;
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->vm = vm;
	prog->cnt = cnt;
	prog->prog_type = o.prog_type;
	prog->type_ops = bxp_prog_type(o.prog_type);	/* find_prog_type() */
	prog->expected_attach_type = o.expected_attach_type;
	prog->name = strdup(o.name ? o.name : "prog");
	if (o.license && !(prog->license = strdup(o.license)))
		goto nomem;
	prog->gpl = prog->license && bxv_license_is_gpl(prog->license);
	if (o.map_cnt) {
		if (!o.maps || !(prog->maps = malloc(o.map_cnt * sizeof(*prog->maps))))
			goto nomem;
		memcpy(prog->maps, o.maps, o.map_cnt * sizeof(*prog->maps));
		prog->map_cnt = o.map_cnt;
	}
	prog->insns = malloc((cnt ? cnt : 1) * sizeof(*insns));
	prog->ops = malloc((cnt ? cnt : 1) * sizeof(*prog->ops));
	err = -ENOMEM;
	if (!prog->name || !prog->insns || !prog->ops)
		goto fail;
	if (cnt)
		memcpy(prog->insns, insns, cnt * sizeof(*insns));
	/* 1. structural check (isa) */
	err = bx_isa_check(prog->insns, cnt, &vm->log, prog->ops);
	if (err)
		goto fail;
	/* 2. the verifier (bpf_check()): typed programs are verified on the original instructions, before the
	 * context rewriting (as the kernel); 1: accepted but unproven */
	if ((o.prog_type || o.mem_verify) && !o.no_verify) {
		err = bxr_verify(prog, &o);
		if (err < 0)
			goto fail;
		prog->verified = err == 0;
		walked = true;
		prog->mem_verified = prog->verified && !o.prog_type;	/* src/jit: raw on a buffer */
		prog->mem_size = o.mem_size;
	}
	err = check_calls(vm, prog->insns, prog->ops, cnt, walked);
	if (err)
		goto fail;
	/* 3. the context rewrite of the program type (convert_ctx_accesses) */
	if (prog->type_ops) {
		err = prog->type_ops->convert_ctx(prog);
		if (err)
			goto fail;
	} else if (o.prog_type) {
		bx_err(&vm->log, "%s: program type %u is not a kernel program type", prog->name,
		       o.prog_type);
		err = -EOPNOTSUPP;
		goto fail;
	}
	/* 4. the engines' form: the interpreter's pre-decoded slots; the JIT
	 * (vm->jit, installed by bpfbox_vm__new) compiles on first use */
	err = bxv_prog_xlate(prog);
	if (err)
		goto fail;
	*prog_out = prog;
	return 0;
nomem:
	err = -ENOMEM;
fail:
	bpfbox_prog__free(prog);
	return err;
}

/* bpfbox_prog__free - release a program (NULL is fine). */
void bpfbox_prog__free(struct bpfbox_prog *prog)
{
	if (!prog)
		return;
	if (prog->vm->jit)
		prog->vm->jit->free(prog);
	free(prog->xlated);
	free(prog->dv);
	free(prog->ops);
	free(prog->insns);
	free(prog->name);
	free(prog->license);
	free(prog->maps);
	if (prog->type_ops)
		prog->type_ops->free_ctx(prog);
	free(prog);
}

/* bpfbox_prog__jited - see bpfbox.h: compile now if needed. */
int bpfbox_prog__jited(struct bpfbox_prog *prog, const uint8_t **code, size_t *len,
		       const uint32_t **insn_off)
{
	int err;

	if (!prog)
		return -EINVAL;
	if (!prog->vm->jit) {
		bx_err(&prog->vm->log, "%s: there is no JIT for this host", prog->name);
		return -EOPNOTSUPP;
	}
	err = bxj_compile(prog);
	if (err)
		return err;
	return bxj_code(prog, code, len, insn_off);
}
