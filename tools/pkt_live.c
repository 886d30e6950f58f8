/*
 * pkt_live.c - the live source of "bpfbox xdp | tc | socket --iface IF":
 * an AF_PACKET socket bound to IF with a TPACKET_V2 receive ring mapped
 * into memory. Every frame arriving on IF (tc --egress: leaving it) goes
 * through the hook; XDP_TX frames are sent back out of IF, XDP_REDIRECT
 * and TC_ACT_REDIRECT frames out of the target interface (bpf_redirect's
 * ifindex, or the devmap entry; BPF_F_BROADCAST: every entry of the map).
 *
 * This is a tap, not a kernel hook: the kernel has already received the
 * frame, so XDP_DROP / TC_ACT_SHOT are counted (and not forwarded) but do
 * not stop the kernel's own delivery. VLAN tags the NIC took off
 * (TP_STATUS_VLAN_VALID) are put back into the frame before the run.
 */
#include "pkt_int.h"
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_FRAME   4096u      /* bytes per frame slot */
#define RING_BLOCK   (RING_FRAME * 64u)
#define RING_BLOCKS  32u
#define RING_FRAMES  (RING_BLOCK / RING_FRAME * RING_BLOCKS)

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* pkt_live_ifindex - see pkt_int.h */
unsigned pkt_live_ifindex(const char *cmd, const char *ifname)
{
	unsigned i = if_nametoindex(ifname);

	if (!i)
		cli_err(cmd, "no such network interface '%s': %s", ifname, strerror(errno));
	return i;
}

/* send one frame out of ifindex */
static void send_out(struct pkt_run *r, int fd, unsigned ifindex, const uint8_t *data,
		     uint32_t len)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, data, ETH_ALEN);
	if (sendto(fd, data, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0 && !r->last_err)
		cli_err(r->cmd, "cannot send a %u-byte frame out of ifindex %u: %s", len, ifindex,
			strerror(errno));
}

/* XDP_TX / redirect: where the frame goes */
static void forward(struct pkt_run *r, int fd, unsigned ifindex,
		    const struct bpfbox_pkt_result *res, enum pkt_fate fate)
{
	uint32_t key, next, val[2];
	bool first = true;

	if (fate == PKT_FATE_TX) {
		send_out(r, fd, ifindex, res->data, res->len);
		return;
	}
	if (res->redirect_ifindex) {
		send_out(r, fd, res->redirect_ifindex, res->data, res->len);
		return;
	}
	if (!res->redirect_map || !(res->redirect_flags & BPFBOX_F_BROADCAST))
		return;
	/* BPF_F_BROADCAST: every device of the map */
	while (bpfbox_map__get_next_key(res->redirect_map, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpfbox_map__lookup_elem(res->redirect_map, &key, val, 0) || !val[0])
			continue;
		if ((res->redirect_flags & BPFBOX_F_EXCLUDE_INGRESS) && val[0] == ifindex)
			continue;
		send_out(r, fd, val[0], res->data, res->len);
	}
}

/* the frame of one ring slot, with a VLAN tag the kernel took off put back */
static const uint8_t *frame_data(struct tpacket2_hdr *th, uint8_t *vbuf, uint32_t *len)
{
	const uint8_t *d = (const uint8_t *)th + th->tp_mac;

	*len = th->tp_snaplen;
	if ((th->tp_status & TP_STATUS_VLAN_VALID) && *len >= 12 && *len + 4 <= RING_FRAME) {
		uint16_t tpid = (th->tp_status & TP_STATUS_VLAN_TPID_VALID) ? th->tp_vlan_tpid
									    : ETH_P_8021Q;

		memcpy(vbuf, d, 12);
		vbuf[12] = (uint8_t)(tpid >> 8);
		vbuf[13] = (uint8_t)tpid;
		vbuf[14] = (uint8_t)(th->tp_vlan_tci >> 8);
		vbuf[15] = (uint8_t)th->tp_vlan_tci;
		memcpy(vbuf + 16, d + 12, *len - 12);
		*len += 4;
		return vbuf;
	}
	return d;
}

/*
 * pkt_live_run - see pkt_int.h.
 */
int pkt_live_run(struct pkt_run *r, const char *ifname, unsigned ifindex, bool egress)
{
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK, .tp_block_nr = RING_BLOCKS,
		.tp_frame_size = RING_FRAME, .tp_frame_nr = RING_FRAMES,
	};
	int ver = TPACKET_V2, one = 1, fd;
	struct sockaddr_ll sll;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	static uint8_t vbuf[RING_FRAME + 4];
	uint8_t *ring = MAP_FAILED;
	size_t ring_len = (size_t)RING_BLOCK * RING_BLOCKS;
	unsigned idx = 0;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		cli_err(r->cmd, "%s: cannot open a packet socket: %s%s", ifname, strerror(errno),
			errno == EPERM ? " (live capture needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		cli_err(r->cmd, "%s: cannot set up the packet ring: %s", ifname, strerror(errno));
		goto fail;
	}
	/* ingress: our own XDP_TX / redirects and the host's sends stay out */
	if (!egress)
		setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		cli_err(r->cmd, "%s: cannot map the packet ring: %s", ifname, strerror(errno));
		goto fail;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		cli_err(r->cmd, "%s: cannot bind to the interface: %s", ifname, strerror(errno));
		goto fail;
	}
	/* drop what arrived between socket() and bind() on other interfaces */
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	fprintf(stderr, "bpfbox %s: attached to %s (ifindex %u)%s; Ctrl-C stops\n", r->cmd, ifname,
		ifindex, egress ? " egress" : "");
	r->t0_ns = r->last_stats_ns = pkt_now_ns();
	r->next_stats_ns = r->t0_ns + r->stats_every_ns;
	while (!pkt_stop) {
		struct tpacket2_hdr *th = (struct tpacket2_hdr *)(ring + (size_t)idx * RING_FRAME);

		if (!(__atomic_load_n(&th->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			pkt_maybe_stats(r);
			if (poll(&p, 1, 100) < 0 && errno != EINTR) {
				cli_err(r->cmd, "%s: poll: %s", ifname, strerror(errno));
				break;
			}
			continue;
		}
		struct sockaddr_ll *from = (struct sockaddr_ll *)((uint8_t *)th +
				TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
		bool out = from->sll_pkttype == PACKET_OUTGOING;

		if (out == egress && from->sll_ifindex == (int)ifindex) {
			struct bpfbox_pkt_result res;
			enum pkt_fate fate;
			uint32_t len;
			const uint8_t *d = frame_data(th, vbuf, &len);

			fate = pkt_process(r, d, len, &res);
			if (fate == PKT_FATE_TX || fate == PKT_FATE_REDIRECT)
				forward(r, fd, ifindex, &res, fate);
		}
		__atomic_store_n(&th->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		idx = (idx + 1) % RING_FRAMES;
		if (r->max_packets && r->packets >= r->max_packets)
			break;
	}
	sl = sizeof(st);
	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
		r->ring_drops = st.tp_drops;
	munmap(ring, ring_len);
	close(fd);
	return 0;
fail:
	if (ring != MAP_FAILED)
		munmap(ring, ring_len);
	close(fd);
	return -1;
}
