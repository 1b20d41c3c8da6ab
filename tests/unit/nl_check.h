/* nl_check.h (tests only) - helpers shared by the netlink codec tests:
 * addresses from text, a fake resolver, and libmnl parse-back with
 * assertions.  See nl_check.c. */
#ifndef VR_TEST_NL_CHECK_H
#define VR_TEST_NL_CHECK_H

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nl/enc.h"

/* "198.18.1.1" (host length) or "198.18.1.0/24" */
struct vr_ip nlt_ip(const char *s);
void nlt_assert_ip(const struct vr_ip *got, const char *want);

/* Fixed devices: "" has eth0=2 eth1=3 vrf-red=10 br0=11; "guest" has
 * br-g=20 eth0=21.  Namespace fds: "" 7, "guest" 42, others -ENOENT. */
extern const struct vr_resolve nlt_res;

/* A ROUTE_* op in "", protocol VR_RTPROT, unicast, no next hop yet. */
struct vr_op nlt_route_op(enum vr_op_code code, const char *dst, uint32_t table);
/* Append a next hop (gw and dev may be NULL) to the op's route. */
void nlt_add_nh(struct vr_op *op, const char *gw, const char *dev, uint8_t weight);

/* Attributes by type, each at most once; types below NLT_TB_MAX. */
#define NLT_TB_MAX 128
typedef const struct nlattr *nlt_tb[NLT_TB_MAX];
/* Every byte of p..len must be a whole attribute. */
void nlt_attrs(const void *p, size_t len, nlt_tb tb);
void nlt_msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, nlt_tb tb);
void nlt_nest_attrs(const struct nlattr *n, nlt_tb tb);
/* Present, of the exact size, and its value. */
uint32_t nlt_u32(const struct nlattr *a);
uint8_t nlt_u8(const struct nlattr *a);
void nlt_str(const struct nlattr *a, const char *s);
void nlt_bin(const struct nlattr *a, const void *data, size_t len);

/* Building messages the way the kernel does, one at a time in a buffer of
 * nl_check's (each call starts a new message): a header of hdrlen bytes
 * after nlmsghdr, returned in *hdr. */
struct nlmsghdr *nlt_msg(uint16_t type, size_t hdrlen, void **hdr);
/* A nest without NLA_F_NESTED, as nla_nest_start_noflag() makes. */
struct nlattr *nlt_nest(struct nlmsghdr *nlh, uint16_t type);
/* An address attribute from text, 4 or 16 bytes. */
void nlt_put_ip(struct nlmsghdr *nlh, uint16_t type, const char *s);
/* RTM_NEWLINK with the attributes any link has (no name when NULL). */
struct nlmsghdr *nlt_link_msg(const char *name, int index, unsigned flags);
struct nlmsghdr *nlt_addr_msg(uint8_t family, uint8_t plen, int index);
struct nlmsghdr *nlt_route_msg(uint8_t family, uint8_t dst_len, uint8_t table, uint8_t proto,
                               uint8_t type);
struct nlmsghdr *nlt_rule_msg(uint8_t family, uint8_t table);
/* RTM_NEWNEIGH of a proxy entry as pneigh_fill_info() makes it (flags
 * NTF_PROXY, type unicast, state none), without attributes. */
struct nlmsghdr *nlt_proxy_msg(uint8_t family, int ifindex);
/* RTA_MULTIPATH entries: nlt_mp_nh, the entry's attributes, nlt_mp_nh_end. */
struct rtnexthop *nlt_mp_nh(struct nlmsghdr *nlh, uint8_t hops, int ifindex);
void nlt_mp_nh_end(struct nlmsghdr *nlh, struct rtnexthop *rtnh);

#endif
