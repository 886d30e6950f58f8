/*
 * pktgen.h - a deterministic (seeded) Ethernet packet generator for the
 * test-run tests: valid, truncated and odd packets.
 *
 *   struct pktgen g;
 *   pktgen_init(&g, 42);
 *   size_t n = pktgen_next(&g, buf, sizeof(buf), &kind);
 *
 * Kinds: IPv4 and IPv6 carrying TCP, UDP, ICMP/ICMPv6 or another protocol
 * (IPv4 with options, fragments and bad header lengths too), 802.1Q and
 * 802.1ad VLAN tags, ARP, 802.3 length frames, random junk, and any of
 * them truncated; destination MACs zero, broadcast, multicast or unicast;
 * lengths from 0 to 1500 bytes. The same seed gives the same sequence.
 */
#ifndef BPFBOX_PKTGEN_H
#define BPFBOX_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

struct pktgen {
	uint64_t s;
};

void pktgen_init(struct pktgen *g, uint64_t seed);
/* A random 64-bit value (xorshift64*). */
uint64_t pktgen_rand(struct pktgen *g);
/* Write the next packet into buf (at most cap bytes, cap >= 1500 for the
 * full range); returns its length. *kind (if non-NULL) names it. */
size_t pktgen_next(struct pktgen *g, uint8_t *buf, size_t cap, const char **kind);

#endif /* BPFBOX_PKTGEN_H */
