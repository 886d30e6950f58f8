/*
 * sec.h - libbpf SEC() names: program type, expected attach type and attach
 * target (internal to src/elf).
 */
#ifndef BXE_SEC_H
#define BXE_SEC_H

#include <stdbool.h>
#include <stdint.h>

struct bxe_sec_match {
	const char *kind;        /* the matched table prefix without '+'/'/': "kprobe" */
	uint32_t prog_type;      /* enum bpfbox_prog_type */
	uint32_t attach_type;    /* enum bpfbox_attach_type */
	const char *target;      /* points into the name: what follows "prefix/", or "" */
	bool autoload;           /* false for a leading '?' */
	bool sleepable;
};

/* Classify a section name. Returns false (m->prog_type UNSPEC, kind "")
 * if no rule matches. */
bool bxe_sec_match(const char *name, struct bxe_sec_match *m);

#endif /* BXE_SEC_H */
