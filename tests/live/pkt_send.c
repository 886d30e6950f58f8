/*
 * pkt_send.c - the traffic source of tests/test_pkt_live.sh: send N_TCP
 * TCP, N_UDP UDP and N_ICMP ICMP echo IPv4 frames (interleaved) out of an
 * interface through an AF_PACKET socket, with fixed MAC and IP addresses
 * (so no ARP or neighbour discovery traffic is needed).
 *
 *   pkt_send IFNAME N_TCP N_UDP N_ICMP
 *
 * Built by mk/pktlive.mk into $(BUILD)/pkt_send (not a test binary).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the one's-complement checksum of n bytes */
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

/* build one frame of protocol proto (6, 17, 1); returns its length */
static size_t frame(uint8_t *f, int proto, unsigned seq)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 }, src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	size_t l4 = proto == 6 ? 20 : 8, pay = 18, ip_len = 20 + l4 + pay;
	uint8_t *ip = f + 14, *l = ip + 20;
	uint16_t c;

	memset(f, 0, 14 + ip_len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[4] = (uint8_t)(seq >> 8);
	ip[5] = (uint8_t)seq;
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	memcpy(ip + 12, (uint8_t[]){ 10, 99, 0, 1 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 10, 99, 0, 2 }, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	if (proto == 1) {
		l[0] = 8;	/* echo request */
		l[6] = (uint8_t)(seq >> 8);
		l[7] = (uint8_t)seq;
	} else {
		l[0] = 0x9c;	/* ports 40000 -> 9 */
		l[1] = 0x40;
		l[3] = 9;
		if (proto == 6) {
			l[12] = 0x50;	/* data offset 5 */
			l[13] = 0x02;	/* SYN */
		} else {
			l[5] = (uint8_t)(8 + pay);
		}
	}
	for (size_t i = 0; i < pay; i++)
		l[l4 + i] = (uint8_t)('a' + i);
	return 14 + ip_len;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll;
	unsigned n[3], left[3];
	static const int protos[3] = { 6, 17, 1 };
	uint8_t f[128];
	unsigned seq = 0;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: pkt_send IFNAME N_TCP N_UDP N_ICMP\n");
		return 2;
	}
	for (int i = 0; i < 3; i++)
		left[i] = n[i] = (unsigned)strtoul(argv[2 + i], NULL, 10);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = ETH_ALEN;
	if (!sll.sll_ifindex) {
		fprintf(stderr, "pkt_send: no interface '%s'\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "pkt_send: socket: %s\n", strerror(errno));
		return 1;
	}
	while (left[0] + left[1] + left[2]) {
		for (int i = 0; i < 3; i++) {
			size_t len;

			if (!left[i])
				continue;
			left[i]--;
			len = frame(f, protos[i], seq++);
			if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)len) {
				fprintf(stderr, "pkt_send: sendto: %s\n", strerror(errno));
				return 1;
			}
			if ((seq & 63) == 0)
				usleep(1000);	/* do not overrun the receiver's ring */
		}
	}
	printf("sent %u tcp, %u udp, %u icmp\n", n[0], n[1], n[2]);
	close(fd);
	return 0;
}
