/*
 * inflate.c - gzip / DEFLATE decoder (RFC 1951, RFC 1952): stored, fixed
 * and dynamic Huffman blocks, canonical-code decoding one bit at a time
 * (small and plenty fast for a 25 KB kernel config). libc only, no state
 * outside the call.
 */
#include "util/inflate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAXBITS 15
#define MAXLCODES 286
#define MAXDCODES 30

struct infl {
	const uint8_t *in;
	size_t inlen, inpos;
	uint32_t bitbuf;
	int bitcnt;
	uint8_t *out;
	size_t outlen, outcap, max;
	int err;
};

struct huff {
	short count[MAXBITS + 1];
	short symbol[288];
};

/* Grow the output buffer: doubling, but to at most max + 1 bytes (room for
 * the NUL that bx_gunzip() appends after max bytes of data). */
static int grow(struct infl *s)
{
	size_t cap = s->outcap ? s->outcap * 2 : 65536;
	uint8_t *n;

	if (s->max < SIZE_MAX && cap > s->max + 1)
		cap = s->max + 1;
	if (cap <= s->outlen)
		return s->err = -E2BIG;
	n = realloc(s->out, cap);
	if (!n)
		return s->err = -ENOMEM;
	s->out = n;
	s->outcap = cap;
	return 0;
}

/* Append one byte of data to the output; -E2BIG past max bytes. */
static int put(struct infl *s, uint8_t b)
{
	if (s->outlen >= s->max)
		return s->err = -E2BIG;
	if (s->outlen == s->outcap && grow(s))
		return s->err;
	s->out[s->outlen++] = b;
	return 0;
}

/* Next n bits (LSB first); sets s->err at end of input. */
static uint32_t bits(struct infl *s, int n)
{
	uint32_t v;

	while (s->bitcnt < n) {
		if (s->inpos >= s->inlen) {
			s->err = -EINVAL;
			return 0;
		}
		s->bitbuf |= (uint32_t)s->in[s->inpos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	v = s->bitbuf & ((1u << n) - 1);
	s->bitbuf = n == 32 ? 0 : s->bitbuf >> n;
	s->bitcnt -= n;
	return v;
}

/* Build a canonical code from code lengths. Returns <0 if over-subscribed. */
static int construct(struct huff *h, const short *len, int n)
{
	short offs[MAXBITS + 1];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (int i = 0; i < n; i++)
		h->count[len[i]]++;
	if (h->count[0] == n)
		return 0;
	for (int l = 1; l <= MAXBITS; l++) {
		left <<= 1;
		left -= h->count[l];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (int l = 1; l < MAXBITS; l++)
		offs[l + 1] = (short)(offs[l] + h->count[l]);
	for (int i = 0; i < n; i++)
		if (len[i])
			h->symbol[offs[len[i]]++] = (short)i;
	return left;
}

/* Decode one symbol. */
static int decode(struct infl *s, const struct huff *h)
{
	int code = 0, first = 0, index = 0;

	for (int l = 1; l <= MAXBITS; l++) {
		int count;

		code |= (int)bits(s, 1);
		if (s->err)
			return -1;
		count = h->count[l];
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	s->err = -EINVAL;
	return -1;
}

/* A stored block. */
static int stored(struct infl *s)
{
	unsigned len;

	s->bitbuf = 0;
	s->bitcnt = 0;
	if (s->inlen - s->inpos < 4)
		return s->err = -EINVAL;
	len = s->in[s->inpos] | s->in[s->inpos + 1] << 8;
	if ((unsigned)(s->in[s->inpos + 2] | s->in[s->inpos + 3] << 8) != (~len & 0xffff))
		return s->err = -EINVAL;
	s->inpos += 4;
	if (s->inlen - s->inpos < len)
		return s->err = -EINVAL;
	while (len-- && !s->err)
		put(s, s->in[s->inpos++]);
	return s->err;
}

/* Literal/length and distance symbols of one Huffman block. */
static int codes(struct infl *s, const struct huff *lc, const struct huff *dc)
{
	static const short lbase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
					 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const short lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
					3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
	static const short dbase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
					 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
					 8193, 12289, 16385, 24577 };
	static const short dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
					7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

	for (;;) {
		int sym = decode(s, lc);

		if (s->err)
			return s->err;
		if (sym < 256) {
			if (put(s, (uint8_t)sym))
				return s->err;
		} else if (sym == 256) {
			return 0;
		} else {
			size_t len, dist;

			sym -= 257;
			if (sym >= 29)
				return s->err = -EINVAL;
			len = (size_t)lbase[sym] + bits(s, lext[sym]);
			sym = decode(s, dc);
			if (s->err || sym < 0 || sym >= 30)
				return s->err = -EINVAL;
			dist = (size_t)dbase[sym] + bits(s, dext[sym]);
			if (s->err || dist > s->outlen)
				return s->err = -EINVAL;
			while (len-- && !s->err)
				put(s, s->out[s->outlen - dist]);
			if (s->err)
				return s->err;
		}
	}
}

/* A block with the fixed codes. */
static int fixed(struct infl *s)
{
	struct huff lc, dc;
	short len[288];
	int i;

	for (i = 0; i < 144; i++)
		len[i] = 8;
	for (; i < 256; i++)
		len[i] = 9;
	for (; i < 280; i++)
		len[i] = 7;
	for (; i < 288; i++)
		len[i] = 8;
	construct(&lc, len, 288);
	for (i = 0; i < MAXDCODES; i++)
		len[i] = 5;
	construct(&dc, len, MAXDCODES);
	return codes(s, &lc, &dc);
}

/* A block with dynamic codes. */
static int dynamic(struct infl *s)
{
	static const short order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	short len[MAXLCODES + MAXDCODES];
	struct huff lc, dc;
	int nlen, ndist, ncode, idx;

	nlen = (int)bits(s, 5) + 257;
	ndist = (int)bits(s, 5) + 1;
	ncode = (int)bits(s, 4) + 4;
	if (s->err || nlen > MAXLCODES || ndist > MAXDCODES)
		return s->err = -EINVAL;
	for (idx = 0; idx < ncode; idx++)
		len[order[idx]] = (short)bits(s, 3);
	for (; idx < 19; idx++)
		len[order[idx]] = 0;
	if (s->err || construct(&lc, len, 19) != 0)
		return s->err = -EINVAL;
	for (idx = 0; idx < nlen + ndist;) {
		int sym = decode(s, &lc), rep;
		short v = 0;

		if (s->err)
			return s->err;
		if (sym < 16) {
			len[idx++] = (short)sym;
			continue;
		}
		if (sym == 16) {
			if (idx == 0)
				return s->err = -EINVAL;
			v = len[idx - 1];
			rep = 3 + (int)bits(s, 2);
		} else if (sym == 17) {
			rep = 3 + (int)bits(s, 3);
		} else {
			rep = 11 + (int)bits(s, 7);
		}
		if (s->err || idx + rep > nlen + ndist)
			return s->err = -EINVAL;
		while (rep--)
			len[idx++] = v;
	}
	if (len[256] == 0)
		return s->err = -EINVAL;
	if (construct(&lc, len, nlen) < 0 || construct(&dc, len + nlen, ndist) < 0)
		return s->err = -EINVAL;
	return codes(s, &lc, &dc);
}

/* Little-endian u32. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CRC-32 (IEEE) of a buffer. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* See inflate.h. */
int bx_gunzip(const uint8_t *in, size_t len, size_t max_out, uint8_t **out, size_t *out_len)
{
	struct infl s = { .in = in, .inlen = len, .max = max_out };
	size_t p = 10;
	uint8_t flg;
	bool last = false;

	*out = NULL;
	*out_len = 0;
	if (!in || len < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8)
		return -EINVAL;
	flg = in[3];
	if (flg & 4) {	/* FEXTRA */
		if (len - p < 2)
			return -EINVAL;
		p += 2 + (size_t)(in[p] | in[p + 1] << 8);
	}
	for (int f = 8; f <= 16; f += 8)	/* FNAME, FCOMMENT */
		if (flg & f) {
			while (p < len && in[p])
				p++;
			p++;
		}
	if (flg & 2)
		p += 2;
	if (p >= len)
		return -EINVAL;
	s.inpos = p;
	while (!last && !s.err) {
		uint32_t type;

		last = bits(&s, 1);
		type = bits(&s, 2);
		if (s.err)
			break;
		if (type == 0)
			stored(&s);
		else if (type == 1)
			fixed(&s);
		else if (type == 2)
			dynamic(&s);
		else
			s.err = -EINVAL;
	}
	if (!s.err && (s.inlen - s.inpos < 8 ||
		       le32(s.in + s.inpos) != crc32(s.out, s.outlen) ||
		       le32(s.in + s.inpos + 4) != (uint32_t)s.outlen))
		s.err = -EINVAL;
	if (!s.err && s.outlen == s.outcap)
		grow(&s);	/* room for the NUL (outlen <= max < outcap after) */
	if (s.err) {
		free(s.out);
		return s.err;
	}
	s.out[s.outlen] = 0;
	*out = s.out;
	*out_len = s.outlen;
	return 0;
}
