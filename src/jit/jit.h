/*
 * jit.h - the x86-64 JIT as the rest of the library sees it.
 *
 * A program is compiled lazily, once, the first time a trusted run picks
 * the JIT (bxv_prog_run()); the image is freed with the program. On a
 * host that is not x86-64 bxj_available() is false and the interpreter
 * runs everything.
 */
#ifndef BXJ_JIT_H
#define BXJ_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfbox_prog;
struct bpfbox_call;
struct bxv_engine;

/* This JIT as an engine of the VM (compile, run, free below); the loader
 * installs it in vm->jit when bxj_available(). */
extern const struct bxv_engine bxj_engine;

/* Is there a JIT for this host? */
bool bxj_available(void);

/* Compile prog now unless it already is (thread-safe; a failure is
 * remembered and logged once). Returns 0, -EOPNOTSUPP (no JIT here, or
 * it failed before), -ENOMEM, ... */
int bxj_compile(struct bpfbox_prog *prog);

/* The same for the trusted code (checked = false: bxj_compile()) or the
 * checked JIT's (bounds-checked accesses, budget, for checked runs). */
int bxj_compile_mode(struct bpfbox_prog *prog, bool checked);

/* The native code of a compiled program: its bytes, and the offset of
 * each instruction slot's code (cnt + 1 entries, the last is the end of
 * the body). Returns 0 or -ENOENT if it is not compiled. */
int bxj_code(const struct bpfbox_prog *prog, const uint8_t **code, size_t *len,
	     const uint32_t **insn_off);

/* Nanoseconds the compilation took (0 if not compiled). */
uint64_t bxj_compile_ns(const struct bpfbox_prog *prog);

/* Run call->prog's native code (the checked JIT's if call->checked) from
 * slot `start` with r1..r5 = args and r10 = fp (as bxv_interp_run()); the
 * interpreter if it is not compiled. */
int bxj_run(struct bpfbox_call *call, uint32_t start, const uint64_t args[5], uint64_t fp,
	    uint64_t *r0);

/* Release the program's image (bpfbox_prog__free, bxv_prog_xlate). */
void bxj_free(struct bpfbox_prog *prog);

#endif /* BXJ_JIT_H */
