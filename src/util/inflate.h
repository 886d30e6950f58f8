/*
 * inflate.h - a small gzip / DEFLATE (RFC 1951/1952) decoder, libc only.
 * Used to read /proc/config.gz for .kconfig externs (src/elf/kconfig.c).
 */
#ifndef BX_INFLATE_H
#define BX_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Decompress a gzip member (in, len) into a malloc'ed buffer *out of
 * *out_len bytes plus a NUL byte (not counted). At most max_out bytes are
 * produced. Returns 0, -EINVAL for malformed input (or a CRC/size
 * mismatch), -E2BIG past max_out, -ENOMEM. */
int bx_gunzip(const uint8_t *in, size_t len, size_t max_out, uint8_t **out, size_t *out_len);

#endif /* BX_INFLATE_H */
