/*
 * log.c - see log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bx_logf(const struct bx_log *log, enum bpfbox_log_level level,
	     const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, level, buf);
}

int bx_opts_copy(void *dst, size_t dst_sz, const void *src)
{
	size_t src_sz;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	memcpy(&src_sz, src, sizeof(src_sz));
	if (src_sz < sizeof(size_t))
		return -EINVAL;
	if (src_sz > dst_sz) {
		const unsigned char *p = (const unsigned char *)src;
		for (size_t i = dst_sz; i < src_sz; i++)
			if (p[i])
				return -EINVAL;
		src_sz = dst_sz;
	}
	memcpy(dst, src, src_sz);
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	return 0;
}
