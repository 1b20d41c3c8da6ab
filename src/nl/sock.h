/* nl/sock.h - rtnetlink sockets, one per network namespace.  The only file
 * that calls mnl_socket_* (so tests can wrap them). */
#ifndef VR_NL_SOCK_H
#define VR_NL_SOCK_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vr_nl;

/* Open a NETLINK_ROUTE socket in namespace fd nsfd (-1: the current one),
 * with NETLINK_GET_STRICT_CHK and NETLINK_EXT_ACK set and a large receive
 * buffer.  Returns NULL and sets errno on failure. */
struct vr_nl *vr_nl_open(int nsfd);
void vr_nl_close(struct vr_nl *nl);
int vr_nl_fd(const struct vr_nl *nl);
uint32_t vr_nl_portid(const struct vr_nl *nl);
uint32_t vr_nl_next_seq(struct vr_nl *nl);
/* 0 or -errno */
int vr_nl_send(struct vr_nl *nl, const void *buf, size_t len);
/* bytes received, or -errno (-ENOBUFS: messages were lost) */
ssize_t vr_nl_recv(struct vr_nl *nl, void *buf, size_t len);
/* Send a dump request (its seq must come from vr_nl_next_seq) and call cb
 * for every message of the answer.  cb returns 0 to go on, <0 to stop.
 * Returns 0, the first negative cb result, or -errno from the kernel. */
int vr_nl_dump(struct vr_nl *nl, const void *req, size_t len,
	       int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
/* Join rtnetlink multicast groups (RTNLGRP_*), for the daemon's monitor. */
int vr_nl_join(struct vr_nl *nl, unsigned group);
int vr_nl_set_rcvbuf(struct vr_nl *nl, int bytes);

#endif
