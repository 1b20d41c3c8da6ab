/* nl/enc.h - pure encoders: an op or a dump request -> one netlink message
 * in a caller's buffer.  No I/O: device names and namespaces are resolved
 * through the resolver the caller passes. */
#ifndef VR_NL_ENC_H
#define VR_NL_ENC_H

#include <stdint.h>
#include <sys/types.h>

#include "../op.h"

struct vr_resolve {
	/* ifindex of name in namespace ns (>0), or -ENODEV */
	int (*ifindex)(void *ctx, const char *ns, const char *name);
	/* an open fd of namespace ns, or -errno (not closed by the encoder) */
	int (*nsfd)(void *ctx, const char *ns);
	void *ctx;
};

/* Encode op as one request with nlmsg_seq = seq and the flags the op needs
 * (NLM_F_REQUEST | CREATE/EXCL/REPLACE; the caller adds NLM_F_ACK when it
 * wants one).  Returns the message length; 0 when it does not fit in len
 * (flush the batch and retry); -ENODEV when a device cannot be resolved;
 * -EOPNOTSUPP for ops that are not netlink (NETNS_*, SYSCTL_SET). */
ssize_t vr_enc_op(const struct vr_op *op, const struct vr_resolve *r, uint32_t seq, void *buf,
		  size_t len);

/* Dump requests (NLM_F_DUMP), filtered in the kernel where it can (the
 * socket must have NETLINK_GET_STRICT_CHK).  family AF_UNSPEC = both.
 * table 0 / protocol 0 = no filter on it.  Return length or 0 if too small. */
size_t vr_enc_dump_links(void *buf, size_t len, uint32_t seq);
size_t vr_enc_dump_addrs(void *buf, size_t len, uint32_t seq, uint8_t family);
size_t vr_enc_dump_routes(void *buf, size_t len, uint32_t seq, uint8_t family, uint32_t table,
			  uint8_t protocol);
size_t vr_enc_dump_rules(void *buf, size_t len, uint32_t seq, uint8_t family);
/* Neighbour proxy entries (ndm_flags NTF_PROXY); AF_UNSPEC: IPv4 and IPv6
 * in one dump. */
size_t vr_enc_dump_proxies(void *buf, size_t len, uint32_t seq, uint8_t family);

#endif
