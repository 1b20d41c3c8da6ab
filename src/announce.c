/* announce.c - gratuitous ARP and unsolicited NA (see announce.h). */
#include "announce.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH_HDR 14
#define ARP_LEN 28
#define IP6_HDR 40
#define NA_LEN  32 /* ICMPv6 header 4 + flags 4 + target 16 + option 8 */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The ICMPv6 checksum over the pseudo header and the message. */
static uint16_t icmp6_sum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	sum += (uint32_t)len + 58;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	if (len & 1)
		sum += (uint32_t)(msg[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t vr_announce_frame(const struct vr_ip *ip, const uint8_t mac[6], int router, uint8_t *buf,
                         size_t len)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	uint8_t *p;

	if (ip->family == AF_INET) {
		if (len < ETH_HDR + ARP_LEN)
			return 0;
		memset(buf, 0, ETH_HDR + ARP_LEN);
		memset(buf, 0xff, 6);
		memcpy(buf + 6, mac, 6);
		put16(buf + 12, ETHERTYPE_ARP);
		p = buf + ETH_HDR;
		put16(p, 1); /* Ethernet */
		put16(p + 2, ETHERTYPE_IP);
		p[4] = 6;
		p[5] = 4;
		put16(p + 6, 1); /* request: sender = target = ip */
		memcpy(p + 8, mac, 6);
		memcpy(p + 14, ip->a, 4);
		memcpy(p + 24, ip->a, 4);
		return ETH_HDR + ARP_LEN;
	}
	if (ip->family != AF_INET6 || len < ETH_HDR + IP6_HDR + NA_LEN)
		return 0;
	memset(buf, 0, ETH_HDR + IP6_HDR + NA_LEN);
	buf[0] = 0x33;
	buf[1] = 0x33;
	buf[5] = 0x01; /* 33:33:00:00:00:01, all nodes */
	memcpy(buf + 6, mac, 6);
	put16(buf + 12, ETHERTYPE_IPV6);
	p = buf + ETH_HDR;
	p[0] = 0x60;
	put16(p + 4, NA_LEN);
	p[6] = 58;  /* ICMPv6 */
	p[7] = 255; /* hop limit: neighbour discovery */
	memcpy(p + 8, ip->a, 16);
	memcpy(p + 24, all_nodes, 16);
	p += IP6_HDR;
	p[0] = 136;                                   /* neighbour advertisement */
	p[4] = (uint8_t)((router ? 0x80 : 0) | 0x20); /* router, override; not solicited */
	memcpy(p + 8, ip->a, 16);
	p[24] = 2; /* target link-layer address */
	p[25] = 1;
	memcpy(p + 26, mac, 6);
	put16(p + 2, icmp6_sum(ip->a, all_nodes, p, NA_LEN));
	return ETH_HDR + IP6_HDR + NA_LEN;
}

int vr_announce(const char *dev, const uint8_t *mac, const struct vr_ip *ips, size_t n, int router)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_halen = 6};
	uint8_t own[6], frame[128];
	int fd, r = 0;

	if (!n)
		return 0;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	to.sll_ifindex = (int)if_nametoindex(dev);
	if (!to.sll_ifindex) {
		r = -errno;
		goto out;
	}
	if (!mac) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
			r = -errno;
			goto out;
		}
		memcpy(own, ifr.ifr_hwaddr.sa_data, 6);
		mac = own;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = vr_announce_frame(&ips[i], mac, router, frame, sizeof(frame));

		if (!len)
			continue;
		memcpy(to.sll_addr, frame, 6);
		to.sll_protocol = (uint16_t)(frame[12] | frame[13] << 8); /* network order as is */
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 && !r)
			r = -errno;
	}
out:
	close(fd);
	return r;
}
