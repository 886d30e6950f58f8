/*
 * pcapgen.c - write a deterministic capture file of generated packets.
 *
 *   build/pcapgen --count N --seed S -o FILE.pcap [--snaplen N] [--min-len N]
 *                 [--stats] [--pcapng]
 *
 * The packets come from tests/pktgen.c (the same seed gives the same
 * capture): IPv4 and IPv6 carrying TCP, UDP, ICMP or other protocols,
 * 802.1Q / 802.1ad VLAN tags, ARP, 802.3 frames, junk, and truncated
 * frames (short packets of 0..N bytes). The file is classic pcap
 * (magic a1b2c3d4, microsecond timestamps, LINKTYPE_ETHERNET), written by
 * the small writer below (no libpcap). Timestamps start at 2024-01-01
 * 00:00:00 UTC and advance by 1..100 microseconds per packet.
 *
 * --snaplen N  records at most N bytes of each packet (caplen < len: the
 *              pcap form of a truncated frame; default 65535 = whole).
 * --min-len N  leaves out packets shorter than N bytes (e.g. 14, the
 *              Ethernet header the kernel's XDP test run requires).
 * --stats      prints the number of packets of each kind to stderr.
 * --pcapng     writes pcapng instead (a section header, one Ethernet
 *              interface with microsecond timestamps, an enhanced packet
 *              block per packet): the same packets and timestamps.
 *
 * Exit status 0, 1 on an I/O error, 2 on a usage error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"

#define PCAPGEN_EPOCH 1704067200u	/* 2024-01-01T00:00:00Z */
#define PCAPGEN_MAXKINDS 32

/* usage - print the synopsis to f */
static void usage(FILE *f)
{
	fprintf(f, "usage: pcapgen --count N --seed S -o FILE.pcap [--snaplen N] [--min-len N] [--stats] [--pcapng]\n"
		   "  writes N generated Ethernet packets (tests/pktgen.c: IPv4/IPv6, TCP/UDP/ICMP,\n"
		   "  VLAN, ARP, 802.3, junk, truncated frames) as a classic pcap file; '-o -' is stdout\n");
}

/* put32 / put16 - little-endian stores (we write the a1b2c3d4 magic
 * little-endian, so every header field is little-endian too) */
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* write_hdr - the pcap global header */
static int write_hdr(FILE *f, uint32_t snaplen)
{
	uint8_t h[24];

	put32(h, 0xa1b2c3d4u);
	put16(h + 4, 2);
	put16(h + 6, 4);
	put32(h + 8, 0);	/* thiszone */
	put32(h + 12, 0);	/* sigfigs */
	put32(h + 16, snaplen);
	put32(h + 20, 1);	/* LINKTYPE_ETHERNET */
	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

/* write_rec - one record: header + the first caplen bytes of pkt */
static int write_rec(FILE *f, uint64_t ts_us, const uint8_t *pkt, uint32_t len, uint32_t snaplen)
{
	uint32_t cap = len < snaplen ? len : snaplen;
	uint8_t h[16];

	put32(h, (uint32_t)(PCAPGEN_EPOCH + ts_us / 1000000u));
	put32(h + 4, (uint32_t)(ts_us % 1000000u));
	put32(h + 8, cap);
	put32(h + 12, len);
	if (fwrite(h, sizeof(h), 1, f) != 1)
		return -EIO;
	if (cap && fwrite(pkt, cap, 1, f) != 1)
		return -EIO;
	return 0;
}

/* write_ng_hdr - pcapng: a section header block and one interface
 * description block (LINKTYPE_ETHERNET, snaplen; the default if_tsresol
 * of microseconds) */
static int write_ng_hdr(FILE *f, uint32_t snaplen)
{
	uint8_t h[28 + 20];

	put32(h, 0x0a0d0d0au);		/* SHB */
	put32(h + 4, 28);
	put32(h + 8, 0x1a2b3c4du);	/* byte-order magic */
	put16(h + 12, 1);		/* version 1.0 */
	put16(h + 14, 0);
	put32(h + 16, 0xffffffffu);	/* section length: unknown */
	put32(h + 20, 0xffffffffu);
	put32(h + 24, 28);
	put32(h + 28, 1);		/* IDB */
	put32(h + 32, 20);
	put16(h + 36, 1);		/* LINKTYPE_ETHERNET */
	put16(h + 38, 0);
	put32(h + 40, snaplen);
	put32(h + 44, 20);
	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

/* write_ng_rec - pcapng: one enhanced packet block, data padded to 4 bytes */
static int write_ng_rec(FILE *f, uint64_t ts_us, const uint8_t *pkt, uint32_t len, uint32_t snaplen)
{
	static const uint8_t zero[4];
	uint32_t cap = len < snaplen ? len : snaplen, pad = (4 - cap % 4) % 4;
	uint32_t total = 28 + cap + pad + 4;
	uint64_t t = (uint64_t)PCAPGEN_EPOCH * 1000000u + ts_us;
	uint8_t h[28], tail[4];

	put32(h, 6);			/* EPB */
	put32(h + 4, total);
	put32(h + 8, 0);		/* interface 0 */
	put32(h + 12, (uint32_t)(t >> 32));
	put32(h + 16, (uint32_t)t);
	put32(h + 20, cap);
	put32(h + 24, len);
	put32(tail, total);
	if (fwrite(h, sizeof(h), 1, f) != 1 || (cap && fwrite(pkt, cap, 1, f) != 1) ||
	    (pad && fwrite(zero, pad, 1, f) != 1) || fwrite(tail, 4, 1, f) != 1)
		return -EIO;
	return 0;
}

/* parse_u64 - a whole non-negative decimal or 0x number, or -1 */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

struct kind_count {
	const char *kind;
	uint64_t n;
};

/* count_kind - add one packet of kind k to the table */
static void count_kind(struct kind_count *t, size_t *nt, const char *k)
{
	for (size_t i = 0; i < *nt; i++) {
		if (!strcmp(t[i].kind, k)) {
			t[i].n++;
			return;
		}
	}
	if (*nt < PCAPGEN_MAXKINDS) {
		t[*nt].kind = k;
		t[(*nt)++].n = 1;
	}
}

int main(int argc, char **argv)
{
	uint64_t count = 1000, seed = 1, snaplen = 65535, min_len = 0, ts = 0, written = 0;
	const char *out = NULL;
	struct kind_count kinds[PCAPGEN_MAXKINDS];
	size_t nkinds = 0;
	bool stats = false, ng = false;
	static uint8_t pkt[1600];
	struct pktgen g;
	FILE *f;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t *dst = !strcmp(a, "--count") || !strcmp(a, "-n") ? &count :
				!strcmp(a, "--seed") || !strcmp(a, "-s") ? &seed :
				!strcmp(a, "--snaplen") ? &snaplen :
				!strcmp(a, "--min-len") ? &min_len : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--stats")) {
			stats = true;
		} else if (!strcmp(a, "--pcapng")) {
			ng = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "pcapgen: %s needs a file name\n", a);
				return 2;
			}
			out = argv[++i];
		} else if (dst) {
			if (i + 1 >= argc || parse_u64(argv[i + 1], dst)) {
				fprintf(stderr, "pcapgen: %s needs a non-negative number, got '%s'\n", a,
					i + 1 < argc ? argv[i + 1] : "");
				return 2;
			}
			i++;
		} else {
			fprintf(stderr, "pcapgen: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "pcapgen: -o FILE.pcap is required\n");
		usage(stderr);
		return 2;
	}
	if (snaplen == 0 || snaplen > 262144 || min_len > 1500) {
		fprintf(stderr, "pcapgen: --snaplen must be 1..262144 and --min-len 0..1500\n");
		return 2;
	}
	f = strcmp(out, "-") ? fopen(out, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "pcapgen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	pktgen_init(&g, seed);
	err = ng ? write_ng_hdr(f, (uint32_t)snaplen) : write_hdr(f, (uint32_t)snaplen);
	while (!err && written < count) {
		const char *kind = "junk";
		size_t n = pktgen_next(&g, pkt, sizeof(pkt), &kind);

		ts += 1 + pktgen_rand(&g) % 100;
		if (n < min_len)
			continue;
		err = ng ? write_ng_rec(f, ts, pkt, (uint32_t)n, (uint32_t)snaplen)
			 : write_rec(f, ts, pkt, (uint32_t)n, (uint32_t)snaplen);
		if (stats)
			count_kind(kinds, &nkinds, kind);
		written++;
	}
	if (f != stdout ? fclose(f) : fflush(f))
		err = -EIO;
	if (err) {
		fprintf(stderr, "pcapgen: %s: write error: %s\n", out, strerror(errno ? errno : EIO));
		return 1;
	}
	if (stats) {
		for (size_t i = 0; i < nkinds; i++)
			fprintf(stderr, "%-12s %llu\n", kinds[i].kind, (unsigned long long)kinds[i].n);
		fprintf(stderr, "%-12s %llu\n", "total", (unsigned long long)written);
	}
	return 0;
}
