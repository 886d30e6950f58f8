/*
 * uprobe_sym.h - where a uprobe goes: PATH:SYMBOL[+OFF] or PATH:0xOFF
 * resolved through the ELF symbol tables (.symtab, then .dynsym) of an
 * executable or shared library to a file offset, and a file offset turned
 * into a runtime address of a process through /proc/PID/maps. libc only.
 */
#ifndef BXH_UPROBE_SYM_H
#define BXH_UPROBE_SYM_H

#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

/* Split a uprobe section target "PATH:SPEC" (uprobe/PATH:SPEC) at the last
 * ':' into path and spec. -EINVAL (nothing logged) if either part is empty
 * or does not fit. */
int bxh_uprobe_split(const char *target, char *path, size_t path_sz, char *spec, size_t spec_sz);

/* Resolve SPEC in the ELF file PATH to a file offset:
 *   "NAME" / "NAME+OFF" (OFF decimal or 0x hex): a function symbol
 *   (FUNC, IFUNC or NOTYPE with a value, defined; GLOBAL preferred over
 *   WEAK over LOCAL; "NAME@VERSION" matches NAME) of .symtab, then .dynsym;
 *   "0xOFF" or a decimal number: that file offset itself.
 * *size (may be NULL) gets the symbol's size (0 for an offset).
 * -ENOENT "PATH: no symbol 'NAME'" when missing, -ENOEXEC when PATH is not
 * a 64-bit little-endian ELF file, -EINVAL for a bad spec, -errno if PATH
 * cannot be read; all logged. */
int bxh_uprobe_resolve(const char *path, const char *spec, uint64_t *file_off, uint64_t *size,
		       const struct bx_log *log);

/* Find a binary or library given without a '/' ("libc.so.6", "libc",
 * "bash"): first a file mapped in pid (pid > 0) whose base name is NAME or
 * starts with "NAME.so"; then NAME in /lib/x86_64-linux-gnu,
 * /usr/lib/x86_64-linux-gnu, /lib64, /usr/lib64, /lib, /usr/lib; then (no
 * ".so" in NAME) an executable NAME in $PATH. A NAME with '/' is returned
 * as is. -ENOENT (logged) if not found, -ENAMETOOLONG. */
int bxh_uprobe_find_path(int pid, const char *name, char *out, size_t out_sz,
			 const struct bx_log *log);

/* The runtime address of file offset off of PATH in process pid, from
 * /proc/PID/maps: the mapping of PATH (same device and inode, or the same
 * path) that covers off (executable mappings first); addr = start + off -
 * pgoff. -ENOENT (logged) if PATH is not mapped there or off is outside
 * its mappings; -ESRCH if the process does not exist. */
int bxh_uprobe_addr(int pid, const char *path, uint64_t off, uint64_t *addr,
		    const struct bx_log *log);

#endif /* BXH_UPROBE_SYM_H */
