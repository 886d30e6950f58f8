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

/* bx_opts_valid - see log.h. */
int bx_opts_valid(const void *opts, size_t known_sz, const struct bx_log *log,
		  const char *name)
{
	const unsigned char *p = opts;
	size_t sz;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t)) {
		bx_err(log, "%s: sz is %zu, smaller than sz itself (use BPFBOX_OPTS())", name, sz);
		return -EINVAL;
	}
	for (size_t i = known_sz; i < sz; i++) {
		if (p[i]) {
			bx_err(log, "%s: unknown non-zero byte at offset %zu (the caller's struct has "
			       "%zu bytes, this library knows %zu): a newer caller's option this "
			       "library does not have", name, i, sz, known_sz);
			return -EINVAL;
		}
	}
	return 0;
}

/* bx_opts_load - see log.h. */
int bx_opts_load(void *dst, size_t dst_sz, const void *src, const struct bx_log *log,
		 const char *name)
{
	size_t src_sz;
	int err;

	memset(dst, 0, dst_sz);
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	if (!src)
		return 0;
	err = bx_opts_valid(src, dst_sz, log, name);
	if (err)
		return err;
	memcpy(&src_sz, src, sizeof(src_sz));
	memcpy(dst, src, src_sz < dst_sz ? src_sz : dst_sz);
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	return 0;
}

/* bx_opts_copy - see log.h. */
int bx_opts_copy(void *dst, size_t dst_sz, const void *src)
{
	return bx_opts_load(dst, dst_sz, src, NULL, "options");
}
