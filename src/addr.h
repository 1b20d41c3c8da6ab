/* addr.h - IPv4/IPv6 addresses and prefixes as plain values: parse, print,
 * compare.  Pure. */
#ifndef VR_ADDR_H
#define VR_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define VR_ADDR_STRLEN 64 /* enough for "ipv6/128" */

struct vr_ip {
	uint8_t family; /* AF_INET, AF_INET6, or 0 = none */
	uint8_t plen;   /* prefix length; 32/128 for plain addresses */
	uint8_t a[16];  /* network byte order; v4 in the first 4 bytes */
};

/* "198.18.1.1" or "2001:db8::1" (plen = host length). 0 or -EINVAL. */
int vr_ip_parse(const char *s, struct vr_ip *ip);
/* "198.18.1.1/24": address with prefix length. 0 or -EINVAL. */
int vr_ip_parse_prefix(const char *s, struct vr_ip *ip);
/* True when no bit beyond plen is set. */
bool vr_ip_is_network(const struct vr_ip *ip);
/* True when a (any plen) lies in the prefix p. */
bool vr_ip_in_prefix(const struct vr_ip *a, const struct vr_ip *p);
/* Address only, or "addr/plen" when with_plen. Returns buf. */
char *vr_ip_str(const struct vr_ip *ip, bool with_plen, char *buf, size_t len);
/* Total order: family, address bytes, plen. */
int vr_ip_cmp(const struct vr_ip *x, const struct vr_ip *y);
static inline unsigned vr_ip_len(const struct vr_ip *ip)
{
	return ip->family == AF_INET ? 4 : ip->family == AF_INET6 ? 16 : 0;
}

#endif
