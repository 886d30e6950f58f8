/*
 * attach.c - the attach target of BTF-typed programs (libbpf's
 * libbpf_find_attach_btf_id / bpf_program__set_attach_target): the
 * section says what to attach to (SEC("fentry/do_unlinkat"),
 * SEC("tp_btf/sched_switch"), SEC("lsm/file_open"), SEC("iter/task")),
 * and the kernel's BTF says which type that is. The id goes to the
 * verifier with the BTF (bpfbox_prog_opts.attach_btf / attach_btf_id, the
 * kernel's attach_btf_obj_fd / attach_btf_id). The kernel BTF is the one
 * CO-RE relocates against (core_reloc.c, bxe_core_target()).
 */
#include "obj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RAW_TP = 23, FENTRY = 24, FEXIT = 25, MODIFY_RETURN = 26, LSM_MAC = 27, ITER = 28 };

/* needs_btf - whether the kernel requires an attach_btf_id for this program. */
static bool needs_btf(uint32_t prog_type, uint32_t attach_type)
{
	if (prog_type == BPFBOX_PROG_TYPE_LSM)
		return attach_type == LSM_MAC;
	return prog_type == BPFBOX_PROG_TYPE_TRACING && attach_type >= RAW_TP &&
	       attach_type <= ITER && attach_type != LSM_MAC;
}

/* See object.h. */
int bpfbox_btf__find_attach(const struct bpfbox_btf *btf, uint32_t attach_type, const char *name)
{
	const char *pfx = attach_type == RAW_TP ? "btf_trace_" : attach_type == LSM_MAC ? "bpf_lsm_" :
			  attach_type == ITER ? "bpf_iter_" : "";
	uint32_t kind = attach_type == RAW_TP ? BPFBOX_BTF_KIND_TYPEDEF : BPFBOX_BTF_KIND_FUNC;
	char full[256];

	if (!btf || !name || !*name)
		return -ENOENT;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", pfx, name) >= sizeof(full))
		return -ENOENT;
	return bpfbox_btf__find_by_name_kind(btf, full, kind);
}

/* See obj.h. */
int bxe_attach_prog(struct bpfbox_program *p)
{
	const char *name = p->attach_name ? p->attach_name : p->sm.target;
	const struct bpfbox_btf *btf;
	int err, id;

	p->attach_btf_id = 0;
	if (!needs_btf(p->sm.prog_type, p->sm.attach_type) || !name || !*name)
		return 0;
	err = bxe_core_target(p->obj, &btf);
	if (err)
		return err;
	if (!btf) {	/* no kernel BTF: the raw tracepoint's context (scalars) */
		bx_warn(&p->obj->log, "%s: program '%s': no kernel BTF to find attach target '%s' in; "
			"its arguments are verified as numbers", p->obj->name, p->name, name);
		return 0;
	}
	id = bpfbox_btf__find_attach(btf, p->sm.attach_type, name);
	if (id <= 0) {
		bxe_prog_unloadable(p, "attach target '%s' (section '%s') is not in the kernel BTF", name,
				    p->sec_name);
		return 0;
	}
	p->attach_btf_id = (uint32_t)id;
	return 0;
}

/* See object.h. */
uint32_t bpfbox_program__attach_btf_id(const struct bpfbox_program *p)
{
	return p ? p->attach_btf_id : 0;
}

/* See object.h. */
int bpfbox_program__set_attach_target(struct bpfbox_program *p, const char *name)
{
	char *n;

	if (!p || !name || !*name)
		return -EINVAL;
	if (!(n = strdup(name)))
		return -ENOMEM;
	free(p->attach_name);
	p->attach_name = n;
	if (!p->loadable && strstr(p->reason, "is not in the kernel BTF")) {
		p->loadable = true;	/* the old target's failure; the new one decides */
		p->reason[0] = 0;
	}
	return bxe_attach_prog(p);
}
