/* nl/dec.h - pure decoders: one RTM_NEW* message -> a state object.
 * Indexes (ifindex, master, oif) are left as indexes; observe.c resolves
 * names once the whole link dump is known.  ns is left NULL ("" is set by
 * the caller).  Malformed messages are rejected with -EINVAL, never
 * half-decoded. */
#ifndef VR_NL_DEC_H
#define VR_NL_DEC_H

#include <linux/netlink.h>

#include "../state.h"

/* 0 ok; -EINVAL malformed.  Links whose ifalias starts with "vrd:" get
 * created=true and owner=vr_intern(name after the prefix). */
int vr_dec_link(const struct nlmsghdr *nlh, struct vr_link *l);
int vr_dec_addr(const struct nlmsghdr *nlh, struct vr_addr *a);
/* nh must have room for VR_MAX_NH entries; r->nh points into it. */
int vr_dec_route(const struct nlmsghdr *nlh, struct vr_route *r, struct vr_nh *nh);
int vr_dec_rule(const struct nlmsghdr *nlh, struct vr_rule *r);
/* A neighbour proxy entry (RTM_NEWNEIGH/DELNEIGH with NTF_PROXY; entries
 * of the neighbour cache are -EINVAL).  ifindex 0: not bound to a device. */
int vr_dec_proxy(const struct nlmsghdr *nlh, struct vr_proxy *p);

#endif
