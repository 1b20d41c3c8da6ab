/* addr.c - address parsing and printing (see addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vr_ip_parse(const char *s, struct vr_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->family = AF_INET;
		ip->plen = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->family = AF_INET6;
		ip->plen = 128;
		return 0;
	}
	return -EINVAL;
}

int vr_ip_parse_prefix(const char *s, struct vr_ip *ip)
{
	char buf[VR_ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	long plen;
	size_t n;

	if (!slash)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (vr_ip_parse(buf, ip) < 0)
		return -EINVAL;
	errno = 0;
	plen = strtol(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || plen < 0 || plen > (long)vr_ip_len(ip) * 8)
		return -EINVAL;
	ip->plen = (uint8_t)plen;
	return 0;
}

bool vr_ip_is_network(const struct vr_ip *ip)
{
	unsigned bits = vr_ip_len(ip) * 8;

	for (unsigned i = ip->plen; i < bits; i++)
		if (ip->a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool vr_ip_in_prefix(const struct vr_ip *a, const struct vr_ip *p)
{
	if (a->family != p->family)
		return false;
	for (unsigned i = 0; i < p->plen; i++) {
		uint8_t m = 0x80 >> (i % 8);
		if ((a->a[i / 8] & m) != (p->a[i / 8] & m))
			return false;
	}
	return true;
}

char *vr_ip_str(const struct vr_ip *ip, bool with_plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!ip->family) {
		snprintf(buf, len, "none");
		return buf;
	}
	inet_ntop(ip->family, ip->a, a, sizeof(a));
	if (with_plen)
		snprintf(buf, len, "%s/%u", a, ip->plen);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

int vr_ip_cmp(const struct vr_ip *x, const struct vr_ip *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, vr_ip_len(x));
	if (c)
		return c;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return 0;
}
