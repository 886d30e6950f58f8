/*
 * pktgen.c - the deterministic packet generator (see pktgen.h).
 */
#include "pktgen.h"

#include <string.h>

/* pktgen_init - seed the generator (0 is replaced by a fixed constant). */
void pktgen_init(struct pktgen *g, uint64_t seed)
{
	g->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* pktgen_rand - xorshift64*. */
uint64_t pktgen_rand(struct pktgen *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd(struct pktgen *g, uint32_t n)
{
	return n ? (uint32_t)(pktgen_rand(g) % n) : 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* the Internet checksum of p[0..n) */
static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void fill(struct pktgen *g, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)pktgen_rand(g);
}

/* destination and source MAC */
static void macs(struct pktgen *g, uint8_t *p)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	switch (rnd(g, 6)) {
	case 0: memset(p, 0, 6); break;
	case 1: memcpy(p, bcast, 6); break;
	case 2: fill(g, p, 6); p[0] |= 1; break;              /* multicast */
	default: fill(g, p, 6); p[0] &= (uint8_t)~1; break;   /* unicast */
	}
	fill(g, p + 6, 6);
	p[6] &= (uint8_t)~1;
}

/* an L4 header and payload of protocol `proto` at p (room: n bytes); returns its length */
static size_t l4(struct pktgen *g, uint8_t proto, uint8_t *p, size_t n)
{
	size_t len = 8 + rnd(g, 200);

	if (len > n)
		len = n;
	fill(g, p, len);
	if (proto == 6 && len >= 20) {	/* TCP: data offset 5..15 words, flags */
		p[12] = (uint8_t)((5 + rnd(g, 3)) << 4);
		p[13] = (uint8_t)rnd(g, 64);
		if (rnd(g, 2))
			put16(p + 2, (uint16_t)(rnd(g, 2) ? 80 : 443));
	} else if (proto == 17 && len >= 8) {
		put16(p + 4, (uint16_t)len);
		if (rnd(g, 2))
			put16(p + 2, 53);
	} else if ((proto == 1 || proto == 58) && len >= 4) {
		p[0] = (uint8_t)(rnd(g, 2) ? 8 : 0);
		p[1] = 0;
	}
	return len;
}

static uint8_t l4proto(struct pktgen *g)
{
	static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1, 47, 50, 132, 0, 255 };
	return protos[rnd(g, sizeof(protos))];
}

/* an IPv4 packet at p; returns its length */
static size_t ipv4(struct pktgen *g, uint8_t *p, size_t n, const char **kind)
{
	uint8_t proto = l4proto(g);
	size_t ihl = 5, len;
	uint32_t odd = rnd(g, 10);

	if (odd == 0)
		ihl = 5 + rnd(g, 11);       /* options */
	if (ihl * 4 > n)
		return 0;
	fill(g, p, ihl * 4);
	p[0] = (uint8_t)(0x40 | ihl);
	p[1] = 0;
	p[6] = 0x40;	/* DF */
	p[7] = 0;
	if (odd == 1) {                     /* a fragment */
		p[6] = (uint8_t)rnd(g, 0x20);
		p[7] = (uint8_t)rnd(g, 256);
	}
	if (odd == 2)
		p[0] = (uint8_t)(0x40 | rnd(g, 5));   /* bad ihl */
	if (odd == 3)
		p[0] = (uint8_t)(rnd(g, 16) << 4 | 5); /* any version */
	p[8] = (uint8_t)rnd(g, 3) ? (uint8_t)(1 + rnd(g, 128)) : (uint8_t)rnd(g, 2);
	p[9] = proto;
	len = ihl * 4 + l4(g, proto, p + ihl * 4, n - ihl * 4);
	put16(p + 2, (uint16_t)len);
	p[10] = p[11] = 0;
	put16(p + 10, csum(p, ihl * 4));
	*kind = proto == 6 ? "ipv4/tcp" : proto == 17 ? "ipv4/udp" : proto == 1 ? "ipv4/icmp" : "ipv4/other";
	return len;
}

/* an IPv6 packet at p */
static size_t ipv6(struct pktgen *g, uint8_t *p, size_t n, const char **kind)
{
	uint8_t proto = l4proto(g);
	size_t len;

	if (proto == 1)
		proto = 58;
	if (n < 40)
		return 0;
	fill(g, p, 40);
	p[0] = (uint8_t)(0x60 | (p[0] & 0xf));
	p[6] = proto;
	len = 40 + l4(g, proto, p + 40, n - 40);
	put16(p + 4, (uint16_t)(len - 40));
	*kind = proto == 6 ? "ipv6/tcp" : proto == 17 ? "ipv6/udp" : proto == 58 ? "ipv6/icmp" : "ipv6/other";
	return len;
}

/*
 * pktgen_next - see pktgen.h.
 */
size_t pktgen_next(struct pktgen *g, uint8_t *buf, size_t cap, const char **kind)
{
	const char *k = "junk";
	size_t len = 14, max = cap < 1500 ? cap : 1500;
	uint32_t what = rnd(g, 100);
	uint8_t *p = buf;

	if (max < 60) {
		len = rnd(g, (uint32_t)max + 1);
		fill(g, buf, len);
		if (kind)
			*kind = "junk";
		return len;
	}
	macs(g, p);
	p += 12;
	if (what < 10) {	/* VLAN tags, then IPv4 or IPv6 */
		int tags = 1 + (int)rnd(g, 2);

		for (int i = 0; i < tags; i++) {
			put16(p, i == 0 && tags == 2 ? 0x88a8 : 0x8100);
			put16(p + 2, (uint16_t)rnd(g, 4096));
			p += 4;
			len += 4;
		}
	}
	if (what < 45) {
		put16(p, 0x0800);
		len += ipv4(g, p + 2, max - len - 8, &k);
		if (what < 10)
			k = "vlan/ipv4";
	} else if (what < 65) {
		put16(p, 0x86dd);
		len += ipv6(g, p + 2, max - len - 8, &k);
	} else if (what < 72) {	/* ARP */
		put16(p, 0x0806);
		fill(g, p + 2, 28);
		put16(p + 2, 1);
		put16(p + 4, 0x0800);
		p[6] = 6;
		p[7] = 4;
		len += 28;
		k = "arp";
	} else if (what < 78) {	/* 802.3 length field (802.2 LLC, or raw 802.3 "ffff") */
		size_t n = 3 + rnd(g, 100);

		put16(p, (uint16_t)n);
		fill(g, p + 2, n);
		if (rnd(g, 2))
			p[2] = p[3] = 0xff;
		len += n;
		k = "802.3";
	} else if (what < 84) {	/* another ethertype */
		size_t n = rnd(g, 200);

		put16(p, (uint16_t)(0x0600 + rnd(g, 0xfa00)));
		fill(g, p + 2, n);
		len += n;
		k = "ethertype";
	} else if (what < 90) {	/* tiny: 0..20 bytes of anything */
		len = rnd(g, 21);
		fill(g, buf, len);
		k = "tiny";
	} else {		/* junk of any length */
		len = rnd(g, (uint32_t)max + 1);
		fill(g, buf, len);
		k = "junk";
	}
	if (len > max)
		len = max;
	/* a quarter of the well-formed packets are truncated at a random length */
	if (what < 84 && rnd(g, 4) == 0) {
		len = rnd(g, (uint32_t)len + 1);
		k = "truncated";
	} else if (what < 84 && rnd(g, 8) == 0 && len < max) {	/* padded */
		size_t pad = rnd(g, (uint32_t)(max - len) + 1);

		memset(buf + len, 0, pad);
		len += pad;
	}
	if (kind)
		*kind = k;
	return len;
}
