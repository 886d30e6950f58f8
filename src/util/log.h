/*
 * log.h - the library's internal logging: one sink (the caller's callback),
 * printf-style formatting into a stack buffer, no allocation.
 */
#ifndef BX_LOG_H
#define BX_LOG_H

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

/* Read an options struct that may be older (smaller) than ours: copy the
 * fields the caller knows and zero the rest. Returns -EINVAL if the caller's
 * struct is larger than ours and the extra bytes are not zero. */
int bx_opts_copy(void *dst, size_t dst_sz, const void *src);

#endif /* BX_LOG_H */
