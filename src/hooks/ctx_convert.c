/*
 * ctx_convert.c - load-time context conversion (see ctx.h).
 */
#include <errno.h>

#include "hooks/ctx.h"
#include "vm/vm_internal.h"

/*
 * bxh_prog_convert_ctx - raw programs (type 0) use r1 as a plain pointer
 * to the bytes they were given; typed programs are not converted yet.
 */
int bxh_prog_convert_ctx(struct bpfbox_prog *prog)
{
	if (!prog->prog_type)
		return 0;
	bx_err(&prog->vm->log, "%s: context conversion for program type %u is not implemented",
	       prog->name, prog->prog_type);
	return -EOPNOTSUPP;
}

/* bxh_prog_free_ctx - nothing attached yet. */
void bxh_prog_free_ctx(struct bpfbox_prog *prog)
{
	(void)prog;
}
