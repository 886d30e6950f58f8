/*
 * pkt_pcap.c - the capture-file source of "bpfbox xdp | tc | socket
 * --pcap": every packet of a pcap or pcapng file (libpcap) through the
 * hook, and the --out / --tx-out / --drop-out captures (pcap, the input's
 * link type, timestamps and timestamp precision).
 *
 * libpcap is opened with dlopen when --pcap needs it, not linked: it pulls
 * in a dozen libraries (dbus, systemd, gcrypt, ...) whose loading would
 * cost every other command its start-up time.
 */
#include "pkt_int.h"
#include "cli.h"

#include <dlfcn.h>
#include <pcap/pcap.h>
#include <string.h>

/* the libpcap functions this file calls: one list for the table and its loader */
#define PCAP_FNS(X) \
	X(pcap_close) X(pcap_datalink) X(pcap_datalink_val_to_name) X(pcap_dump) \
	X(pcap_dump_close) X(pcap_dump_flush) X(pcap_dump_open) X(pcap_get_tstamp_precision) \
	X(pcap_geterr) X(pcap_next_ex) X(pcap_open_dead_with_tstamp_precision) X(pcap_open_offline)

/* their addresses in the opened library (this command's process only) */
static struct {
#define PCAP_FN_PTR(n) __typeof__(n) *n;
	PCAP_FNS(PCAP_FN_PTR)
#undef PCAP_FN_PTR
} px;

/* Open libpcap (its upstream SONAME, then Debian's); 0, or -1 after an
 * error message naming what is missing. */
static int pcap_load(const char *cmd)
{
	static const char *const sonames[] = { "libpcap.so.1", "libpcap.so.0.8" };
	void *dl = NULL;

	if (px.pcap_open_offline)
		return 0;
	for (size_t i = 0; i < 2 && !dl; i++)
		dl = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		cli_err(cmd, "--pcap needs libpcap: %s (Debian: apt-get install libpcap0.8)", dlerror());
		return -1;
	}
#define PCAP_FN_LOAD(n) \
	if (!(*(void **)&px.n = dlsym(dl, #n))) { \
		cli_err(cmd, "--pcap: libpcap has no %s (too old?)", #n); \
		dlclose(dl); \
		memset(&px, 0, sizeof(px)); \
		return -1; \
	}
	PCAP_FNS(PCAP_FN_LOAD)
#undef PCAP_FN_LOAD
	return 0;
}

/* the calls below go through the table */
#define pcap_close px.pcap_close
#define pcap_datalink px.pcap_datalink
#define pcap_datalink_val_to_name px.pcap_datalink_val_to_name
#define pcap_dump px.pcap_dump
#define pcap_dump_close px.pcap_dump_close
#define pcap_dump_flush px.pcap_dump_flush
#define pcap_dump_open px.pcap_dump_open
#define pcap_get_tstamp_precision px.pcap_get_tstamp_precision
#define pcap_geterr px.pcap_geterr
#define pcap_next_ex px.pcap_next_ex
#define pcap_open_dead_with_tstamp_precision px.pcap_open_dead_with_tstamp_precision
#define pcap_open_offline px.pcap_open_offline

#define PKT_SNAPLEN 262144

/* open one output capture like the input (NULL path: none) */
static int open_out(struct pkt_run *r, pcap_t *in, const char *path, pcap_t **dead,
		    pcap_dumper_t **d)
{
	*dead = NULL;
	*d = NULL;
	if (!path)
		return 0;
	*dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(in), PKT_SNAPLEN,
						     pcap_get_tstamp_precision(in));
	if (!*dead) {
		cli_err(r->cmd, "%s: cannot create a capture", path);
		return -1;
	}
	*d = pcap_dump_open(*dead, path);
	if (!*d) {
		cli_err(r->cmd, "%s: %s", path, pcap_geterr(*dead));
		return -1;
	}
	return 0;
}

/* write one packet with the input's timestamp; the original length grows
 * or shrinks with the program's changes */
static void dump(pcap_dumper_t *d, const struct pcap_pkthdr *h, const uint8_t *data, uint32_t len)
{
	struct pcap_pkthdr o = *h;

	if (!d)
		return;
	o.caplen = len;
	o.len = h->len >= h->caplen ? h->len - h->caplen + len : len;
	pcap_dump((u_char *)d, &o, data);
}

/*
 * pkt_pcap_run - see pkt_int.h.
 */
int pkt_pcap_run(struct pkt_run *r, const char *path, const struct pkt_files *f)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *in, *dead[3] = { 0 };
	pcap_dumper_t *out[3] = { 0 };
	const char *paths[3] = { f->out, f->tx_out, f->drop_out };
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = -1, n = -2;

	if (pcap_load(r->cmd))
		return -1;
	in = pcap_open_offline(path, errbuf);
	if (!in) {
		cli_err(r->cmd, "%s: cannot read the capture: %s", path, errbuf);
		return -1;
	}
	if (pcap_datalink(in) != DLT_EN10MB) {
		const char *lt = pcap_datalink_val_to_name(pcap_datalink(in));

		cli_err(r->cmd, "%s: link type %s is not Ethernet (DLT_EN10MB)", path,
			lt ? lt : "unknown");
		goto out;
	}
	for (int i = 0; i < 3; i++)
		if (open_out(r, in, paths[i], &dead[i], &out[i]))
			goto out;
	rc = 0;
	while (!pkt_stop && (n = pcap_next_ex(in, &h, &data)) >= 0) {
		struct bpfbox_pkt_result res;
		enum pkt_fate fate;
		const uint8_t *ob;
		uint32_t ol;

		if (n == 0)
			continue;
		fate = pkt_process(r, data, h->caplen, &res);
		if (fate == PKT_FATE_PASS || fate == PKT_FATE_TX || fate == PKT_FATE_DROP) {
			pcap_dumper_t *d = out[fate == PKT_FATE_PASS ? 0 : fate == PKT_FATE_TX ? 1 : 2];

			if (d) {
				pkt_out_bytes(r, data, h->caplen, &res, fate, &ob, &ol);
				dump(d, h, ob, ol);
			}
		}
		if ((r->packets & 4095) == 0)
			pkt_maybe_stats(r);
		if (r->max_packets && r->packets >= r->max_packets)
			break;
	}
	if (!pkt_stop && !(r->max_packets && r->packets >= r->max_packets) && n == -1) {
		cli_err(r->cmd, "%s: the capture is damaged after packet %llu: %s", path,
			(unsigned long long)r->packets, pcap_geterr(in));
		rc = 1;
	}
out:
	for (int i = 0; i < 3; i++) {
		if (out[i]) {
			if (pcap_dump_flush(out[i]))
				cli_err(r->cmd, "%s: write error", paths[i]);
			pcap_dump_close(out[i]);
		}
		if (dead[i])
			pcap_close(dead[i]);
	}
	pcap_close(in);
	return rc;
}
