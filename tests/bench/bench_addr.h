/* bench_addr.h - route destinations shared by the bench helpers.
 *
 * Route i of a run is START + i * 2^(bits - plen): consecutive prefixes of
 * one length, in either family.  bench_gen (configs, ip -batch files) and
 * bench_routes (raw netlink) derive the same routes from the same START.
 * Only the documentation ranges 198.18.0.0/15 and 2001:db8::/32 are
 * accepted, so a bench can never install a route anywhere else. */
#ifndef BENCH_ADDR_H
#define BENCH_ADDR_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct bench_pfx {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char a[16];	/* network byte order */
	unsigned plen;
};

static inline unsigned bench_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* "ADDR" (full length) or "ADDR/LEN". 0, or -1 when malformed. */
static inline int bench_pfx_parse(const char *s, struct bench_pfx *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->a) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->a) == 1)
		p->family = AF_INET6;
	else
		return -1;
	p->plen = bench_alen(p->family) * 8;
	if (slash) {
		len = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len > p->plen)
			return -1;
		p->plen = (unsigned)len;
	}
	return 0;
}

static inline unsigned __int128 bench_load(const unsigned char *a, unsigned alen)
{
	unsigned __int128 v = 0;

	for (unsigned i = 0; i < alen; i++)
		v = (v << 8) | a[i];
	return v;
}

static inline void bench_store(unsigned __int128 v, unsigned char *a, unsigned alen)
{
	for (unsigned i = alen; i-- > 0; v >>= 8)
		a[i] = (unsigned char)(v & 0xff);
}

/* Is the whole of p inside 198.18.0.0/15 or 2001:db8::/32? */
static inline int bench_pfx_allowed(const struct bench_pfx *p)
{
	if (p->family == AF_INET)
		return p->plen >= 15 && p->a[0] == 198 && (p->a[1] & 0xfe) == 18;
	return p->plen >= 32 && p->a[0] == 0x20 && p->a[1] == 0x01 && p->a[2] == 0x0d &&
	       p->a[3] == 0xb8;
}

/* Destination i after start into out (same family and length).  0, or -1
 * when it would leave the address space or the allowed ranges. */
static inline int bench_pfx_nth(const struct bench_pfx *start, uint64_t i, struct bench_pfx *out)
{
	unsigned alen = bench_alen(start->family), bits = alen * 8, shift = bits - start->plen;
	unsigned __int128 v = bench_load(start->a, alen), step, max;

	max = bits == 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << bits) - 1);
	if (i && (shift >= 128 || (shift > 64 && i >> (128 - shift))))
		return -1;
	step = (unsigned __int128)i << shift;
	if (v > max - step)
		return -1;
	*out = *start;
	bench_store(v + step, out->a, alen);
	return bench_pfx_allowed(out) ? 0 : -1;
}

/* "ADDR/LEN" of p into buf (at least INET6_ADDRSTRLEN + 4 bytes). */
static inline const char *bench_pfx_str(const struct bench_pfx *p, char *buf, size_t len)
{
	size_t n;

	if (!inet_ntop(p->family, p->a, buf, (socklen_t)len))
		return NULL;
	n = strlen(buf);
	snprintf(buf + n, len - n, "/%u", p->plen);
	return buf;
}

#endif
