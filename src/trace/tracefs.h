/*
 * tracefs.h - trace-event record layouts (the context of tracepoint
 * programs): parsed from the tracefs "format" files
 * (/sys/kernel/tracing/events/SYSTEM/EVENT/format) when the host has them,
 * built in from the syscall table otherwise, and a builder that fills a
 * record for a syscall entry or exit.
 *
 * Built-in layouts (the kernel's): common header (u16 common_type,
 * u8 common_flags, u8 common_preempt_count, int common_pid) then
 *   raw_syscalls/sys_enter     long id @8, unsigned long args[6] @16
 *   raw_syscalls/sys_exit      long id @8, long ret @16
 *   syscalls/sys_enter_NAME    int __syscall_nr @8, each argument 8 bytes from @16
 *   syscalls/sys_exit_NAME     int __syscall_nr @8, long ret @16
 */
#ifndef BXH_TRACEFS_H
#define BXH_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

#define BXH_EV_MAX_FIELDS 32

struct bxh_ev_field {
	char name[64];              /* "filename", "args" */
	char type[64];              /* "const char *", "unsigned long" */
	uint32_t offset, size;      /* bytes */
	bool is_signed;
	uint32_t array_len;         /* 0: scalar; "args[6]" -> 6 */
};

struct bxh_ev_format {
	char system[32];            /* "syscalls" ("" if unknown) */
	char name[64];              /* "sys_enter_openat" */
	uint32_t id;                /* tracefs ID; 0 when built in */
	uint32_t size;              /* record size: end of the last field */
	size_t nfields;             /* including the common_* fields */
	struct bxh_ev_field fields[BXH_EV_MAX_FIELDS];
	bool builtin;               /* from the built-in table, not tracefs */
};

/* Parse the text of a tracefs format file ("name:", "ID:", "format:",
 * "field:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;" lines). Returns 0 or
 * -EINVAL (logged with the line number). */
int bxh_ev_parse(const char *text, size_t len, struct bxh_ev_format *out, const struct bx_log *log);

/* The layout of EVENT ("syscalls/sys_enter_openat", "raw_syscalls/sys_exit";
 * ':' works as the separator too): from TRACEFS/events/EVENT/format when it
 * can be read, else built in (syscall events and raw_syscalls only; a
 * syscall may be named by its call or entry name: sys_enter_stat and
 * sys_enter_newstat). tracefs NULL: /sys/kernel/tracing, then
 * /sys/kernel/debug/tracing; "": built in only. -ENOENT (logged) for an
 * unknown event, -EINVAL for a malformed name or format file. */
int bxh_ev_format(const char *event, const char *tracefs, struct bxh_ev_format *out,
		  const struct bx_log *log);

/* The field called name, or NULL. */
const struct bxh_ev_field *bxh_ev_field(const struct bxh_ev_format *f, const char *name);

/* For a syscall event ("syscalls/sys_enter_openat", "sys_exit_newstat"):
 * the syscall number, and *is_exit. -ENOENT if it is not one. */
int bxh_ev_syscall_nr(const char *event, bool *is_exit);

/* What goes into a record. */
struct bxh_ev_vals {
	int32_t pid;                /* common_pid (the thread id) */
	long nr;                    /* __syscall_nr / id */
	uint64_t args[6];           /* syscall arguments (entry events) */
	long ret;                   /* return value (exit events) */
};

/* Fill the record of f into rec: zeroes, common_type = f->id, common_pid,
 * __syscall_nr or id = nr, args[6] (raw) or each argument field in order
 * (syscalls/) from args, ret. Returns f->size, or -ENOSPC if cap is too
 * small. */
int bxh_ev_build(const struct bxh_ev_format *f, const struct bxh_ev_vals *v, uint8_t *rec,
		 size_t cap);

#endif /* BXH_TRACEFS_H */
