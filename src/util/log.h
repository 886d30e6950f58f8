/*
 * log.h - the library's internal logging: one sink (the caller's callback),
 * printf-style formatting into a stack buffer, no allocation.
 */
#ifndef BX_LOG_H
#define BX_LOG_H

#include <stddef.h>

#include "bpfbox/bpfbox.h"

struct bx_log {
	bpfbox_log_fn fn;  /* NULL: messages are dropped */
	void *ctx;
};

/* Format and send one message. Long messages are truncated at 1 KiB. */
void bx_logf(const struct bx_log *log, enum bpfbox_log_level level,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define bx_err(log, ...)   bx_logf((log), BPFBOX_LOG_ERROR, __VA_ARGS__)
#define bx_warn(log, ...)  bx_logf((log), BPFBOX_LOG_WARN, __VA_ARGS__)
#define bx_info(log, ...)  bx_logf((log), BPFBOX_LOG_INFO, __VA_ARGS__)
#define bx_debug(log, ...) bx_logf((log), BPFBOX_LOG_DEBUG, __VA_ARGS__)

/* ---- options structs (libbpf's ABI: OPTS_VALID, OPTS_GET, OPTS_SET) ---- */

/*
 * bx_opts_valid - may the library use the caller's options struct `opts`
 * (NULL is fine) of which it knows `known_sz` bytes? Its sz must cover sz
 * itself, and a larger struct (a newer caller) must have only zero bytes
 * past known_sz. Otherwise -EINVAL and a log line naming the struct
 * `name` and the first unknown non-zero byte (log may be NULL).
 */
int bx_opts_valid(const void *opts, size_t known_sz, const struct bx_log *log,
		  const char *name);

/*
 * bx_opts_load - THE way the library reads an options struct: validate it
 * (bx_opts_valid) and copy the fields the caller knows into `dst` (ours,
 * dst_sz bytes), zeroing the rest, so that a field past the caller's sz
 * reads as 0 (libbpf's OPTS_GET(opts, field, 0)). dst.sz is dst_sz.
 */
int bx_opts_load(void *dst, size_t dst_sz, const void *src, const struct bx_log *log,
		 const char *name);

/* bx_opts_load without a log line (for structs read before a log exists). */
int bx_opts_copy(void *dst, size_t dst_sz, const void *src);

/* Does the caller's struct (sz first) cover `field`? */
#define BX_OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
/* The caller's field, or `fallback` if its struct ends before it. */
#define BX_OPTS_GET(opts, field, fallback) \
	(BX_OPTS_HAS(opts, field) ? (opts)->field : (fallback))
/* Write an output field if the caller's struct has it. */
#define BX_OPTS_SET(opts, field, value) \
	do { if (BX_OPTS_HAS(opts, field)) (opts)->field = (value); } while (0)

#endif /* BX_LOG_H */
