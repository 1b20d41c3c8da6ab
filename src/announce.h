/* announce.h - tell a link's neighbours that addresses moved: gratuitous
 * ARP (IPv4) and unsolicited neighbour advertisements with the override
 * flag (IPv6), as a failover daemon does.  After a placement switch the
 * hosts around a router still map its addresses to the MAC of the old
 * placement (a native port, or a guest's network card); without this they
 * would find out only when their neighbour entry times out. */
#ifndef VR_ANNOUNCE_H
#define VR_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Frames (pure): the Ethernet frame announcing ip at mac, into buf.
 * router: IPv6 advertisements carry the router flag.  Returns the length,
 * or 0 when buf is too small or ip has no family. */
size_t vr_announce_frame(const struct vr_ip *ip, const uint8_t mac[6], int router, uint8_t *buf,
                         size_t len);

/* Send one announcement for each of ips out of dev (in the calling
 * thread's namespace), from mac (NULL: dev's own MAC).  0 or -errno. */
int vr_announce(const char *dev, const uint8_t *mac, const struct vr_ip *ips, size_t n, int router);

#endif
