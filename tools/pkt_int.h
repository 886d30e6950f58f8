/*
 * pkt_int.h - shared pieces of "bpfbox xdp | tc | socket" (cmd_pkt.c):
 * the run state with its verdict counters, the per-packet step, and the
 * two packet sources: capture files (pkt_pcap.c, libpcap) and live
 * interfaces (pkt_live.c, AF_PACKET with a TPACKET_V2 mmap ring).
 */
#ifndef BPFBOX_PKT_INT_H
#define BPFBOX_PKT_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/hooks.h"

#define PKT_MAX_VERDICTS 10

/* Where a packet goes once the program has run. */
enum pkt_fate {
	PKT_FATE_PASS,      /* --out (live: the kernel already has it) */
	PKT_FATE_TX,        /* --tx-out (live: sent back out of the interface) */
	PKT_FATE_DROP,      /* --drop-out */
	PKT_FATE_REDIRECT,  /* no file (live: sent out of the target interface) */
	PKT_FATE_ERROR,     /* refused or stopped: counted in "errors" only */
};

struct pkt_run {
	const char *cmd;                /* "xdp", "tc", "socket" */
	const char *obj_path;
	uint32_t prog_type;
	struct bpfbox_pkt_hook *hook;
	const char *const *names;       /* verdict names, nverdicts of them */
	unsigned nverdicts;
	uint64_t cnt[PKT_MAX_VERDICTS];
	uint64_t packets, errors;
	uint64_t ring_drops;            /* live: packets the kernel dropped from the ring */
	bool live;
	uint64_t t0_ns;                 /* start of processing */
	uint64_t t_end_ns;
	uint64_t stats_every_ns;        /* 0: no progress lines */
	uint64_t next_stats_ns;
	uint64_t last_stats_pkts, last_stats_ns;
	int last_err;                   /* the first error a packet gave (for the message) */
	uint64_t max_packets;           /* --count: stop after this many (0: no limit) */
};

/* Set by SIGINT / SIGTERM: stop reading, print the statistics. */
extern volatile sig_atomic_t pkt_stop;

/* CLOCK_MONOTONIC in ns. */
uint64_t pkt_now_ns(void);

/* Run the program on one packet, count its verdict, and say where it goes. */
enum pkt_fate pkt_process(struct pkt_run *r, const uint8_t *data, uint32_t len,
			  struct bpfbox_pkt_result *res);

/* Print a progress line to stderr when --stats-every is due. */
void pkt_maybe_stats(struct pkt_run *r);

/* The packet to write for --out / --drop-out: socket filters keep the
 * original frame cut to the bytes the filter kept; others the packet as
 * the program left it. */
void pkt_out_bytes(const struct pkt_run *r, const uint8_t *orig, uint32_t orig_len,
		   const struct bpfbox_pkt_result *res, enum pkt_fate fate,
		   const uint8_t **data, uint32_t *len);

struct pkt_files {
	const char *out, *tx_out, *drop_out;
};

/* Process every packet of a capture file. 0: done; 1: the file is damaged
 * (reported; the whole packets before the damage were processed); -1:
 * nothing could be processed (reported). */
int pkt_pcap_run(struct pkt_run *r, const char *path, const struct pkt_files *f);

/* The interface index of IF, or 0 (reported as a clear error). */
unsigned pkt_live_ifindex(const char *cmd, const char *ifname);
/* Process the packets of a live interface until pkt_stop (or --count).
 * 0, or -1 (reported) if the interface cannot be opened. */
int pkt_live_run(struct pkt_run *r, const char *ifname, unsigned ifindex, bool egress);

#endif /* BPFBOX_PKT_INT_H */
