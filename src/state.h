/* state.h - the kernel objects vrd reasons about.  Desired state (built from
 * the model) and observed state (decoded from netlink dumps) are the same
 * type, so diff is a merge of two sorted arrays per object type.
 *
 * Namespaces and owners are interned strings (vr_intern): compare them by
 * pointer.  ns "" is the namespace vrd itself runs in. */
#ifndef VR_STATE_H
#define VR_STATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* vrd's rtnetlink protocol id, for routes and (IFA_PROTO) addresses.
 * Unused by iproute2's rt_protos and by FRR (186-196) and BIRD (12). */
#define VR_RTPROT 77
/* ifalias of links vrd created: "vrd:<router>". */
#define VR_ALIAS_PREFIX "vrd:"
/* Priority of the l3mdev rule the kernel's VRF users expect. */
#define VR_L3MDEV_PRIO 1000

/* Stable pointer for s, equal strings give equal pointers; lives until
 * vr_intern_free_all().  NULL stays NULL. */
const char *vr_intern(const char *s);
void vr_intern_free_all(void);

enum vr_link_kind {
	VR_LINK_OTHER, /* an existing port, or any kind vrd does not create */
	VR_LINK_VETH,
	VR_LINK_BRIDGE,
	VR_LINK_MACVLAN,
	VR_LINK_VXLAN,
	VR_LINK_VRF,
};

struct vr_link {
	const char *ns;
	const char *owner;   /* router name; NULL: foreign */
	bool created;        /* vrd creates (and deletes) it; tagged by ifalias */
	bool implicit;       /* desired only: appears by itself (a veth's peer with its
				pair, lo with its namespace); need not exist yet */
	bool keep_master;    /* desired only: the master is not managed */
	char name[IFNAMSIZ];
	enum vr_link_kind kind;
	char master[IFNAMSIZ]; /* "" none */
	uint32_t mtu;          /* 0: not managed */
	bool has_mac;          /* desired: mac is managed; observed: mac is known */
	uint8_t mac[6];
	int8_t up;             /* 1 up, 0 down, -1 not managed */
	int8_t noarp;          /* IFF_NOARP: 1 set, -1 clear; desired 0: not managed */
	union {
		struct {
			char peer[IFNAMSIZ];
			const char *peer_ns;
			char peer_master[IFNAMSIZ]; /* "" none */
			bool peer_has_mac;
			uint8_t peer_mac[6];
		} veth;
		struct {
			uint32_t table;
		} vrf;
		struct {
			char parent[IFNAMSIZ];
			uint32_t mode; /* MACVLAN_MODE_* */
		} macvlan;
		struct {
			uint32_t vni;
			struct vr_ip local, remote; /* family 0: unset */
			uint16_t port;              /* host order */
			char dev[IFNAMSIZ];         /* underlay, "" none */
		} vxlan;
	} u;
	/* observed only (decoders fill indexes; observe.c turns them into names) */
	int ifindex;
	uint32_t flags;   /* IFF_* */
	int master_index; /* IFLA_MASTER */
	int link_index;   /* IFLA_LINK: veth peer, macvlan parent, vxlan underlay */
	bool link_other_ns; /* IFLA_LINK_NETNSID present: link_index is in another namespace */
};

struct vr_addr {
	const char *ns;
	const char *owner;
	char dev[IFNAMSIZ];
	struct vr_ip ip; /* address with its prefix length */
	uint8_t proto;   /* IFA_PROTO; VR_RTPROT for ours */
	int ifindex;     /* observed only */
};

#define VR_MAX_NH 32
struct vr_nh {
	struct vr_ip gw;     /* family 0: none; may differ from the route's (RTA_VIA) */
	char dev[IFNAMSIZ];  /* "" none */
	uint8_t weight;      /* 1..255 */
	int ifindex;         /* observed only */
};

struct vr_route {
	const char *ns;
	const char *owner;
	uint32_t table;
	uint8_t protocol;
	uint8_t type;        /* RTN_UNICAST, RTN_BLACKHOLE, ... */
	uint8_t scope;       /* RT_SCOPE_* */
	struct vr_ip dst;    /* network with prefix length */
	uint32_t metric;     /* RTA_PRIORITY */
	uint16_t n_nh;
	struct vr_nh *nh;    /* n_nh entries, owned by the state */
};

struct vr_rule {
	const char *ns;
	const char *owner;
	uint8_t family;
	uint32_t priority;
	uint32_t table;
	bool l3mdev;
	/* FRA_IIFNAME, "" none; by name, the device need not exist.  Part of
	 * the key, but the kernel deletes by wildcard: a delete without iif
	 * removes the first rule of that priority, table and protocol, iif or
	 * not (only rules of vrd's own protocol are at risk). */
	char iif[IFNAMSIZ];
	uint8_t protocol;
};

/* A neighbour proxy entry (`ip neigh add proxy IP dev DEV`): the kernel
 * answers ARP / neighbour solicitations for ip on dev.  Kept in the
 * kernel's pneigh table, apart from the neighbour cache. */
struct vr_proxy {
	const char *ns;
	const char *owner;
	char dev[IFNAMSIZ]; /* "" none: the entry is for every device */
	struct vr_ip ip;    /* a host address (plen 32 / 128) */
	uint8_t proto;      /* NDA_PROTOCOL; VR_RTPROT for ours */
	int ifindex;        /* observed only */
};

struct vr_sysctl {
	const char *ns;
	const char *owner;
	char key[96];  /* path below /proc/sys, e.g. "net/ipv4/ip_forward" */
	char value[16];
};

struct vr_netns {
	const char *name; /* full name under /run/netns */
	const char *owner;
};

#define VR_ARRAY(T) struct { T *v; size_t n, cap; }

struct vr_state {
	VR_ARRAY(struct vr_netns) netns;
	VR_ARRAY(struct vr_link) links;
	VR_ARRAY(struct vr_addr) addrs;
	VR_ARRAY(struct vr_route) routes;
	VR_ARRAY(struct vr_rule) rules;
	VR_ARRAY(struct vr_sysctl) sysctls;
	VR_ARRAY(struct vr_proxy) proxies;
};

void vr_state_init(struct vr_state *s);
void vr_state_free(struct vr_state *s);
/* Append copies (routes: nh array deep-copied).  Return a pointer to the
 * stored element. */
struct vr_netns *vr_state_add_netns(struct vr_state *s, const struct vr_netns *o);
struct vr_link *vr_state_add_link(struct vr_state *s, const struct vr_link *o);
struct vr_addr *vr_state_add_addr(struct vr_state *s, const struct vr_addr *o);
struct vr_route *vr_state_add_route(struct vr_state *s, const struct vr_route *o);
struct vr_rule *vr_state_add_rule(struct vr_state *s, const struct vr_rule *o);
struct vr_sysctl *vr_state_add_sysctl(struct vr_state *s, const struct vr_sysctl *o);
struct vr_proxy *vr_state_add_proxy(struct vr_state *s, const struct vr_proxy *o);
/* Sort every array by key (the order diff relies on). */
void vr_state_sort(struct vr_state *s);

/* Key order: 0 when both are the same object (maybe with other values). */
int vr_netns_key_cmp(const struct vr_netns *a, const struct vr_netns *b);
int vr_link_key_cmp(const struct vr_link *a, const struct vr_link *b);   /* ns, name */
int vr_addr_key_cmp(const struct vr_addr *a, const struct vr_addr *b);   /* ns, dev, ip */
/* ns, table, family, metric, then dst in DESCENDING order: routes are
 * deleted highest prefix first (the kernel's trie is 50x slower the other
 * way round at 1M routes). */
int vr_route_key_cmp(const struct vr_route *a, const struct vr_route *b);
/* ns, family, priority, l3mdev, table, iif */
int vr_rule_key_cmp(const struct vr_rule *a, const struct vr_rule *b);
int vr_sysctl_key_cmp(const struct vr_sysctl *a, const struct vr_sysctl *b); /* ns, key */
int vr_proxy_key_cmp(const struct vr_proxy *a, const struct vr_proxy *b);    /* ns, dev, ip */

/* The link (ns, name) of a sorted state, or NULL. */
const struct vr_link *vr_state_find_link(const struct vr_state *s, const char *ns, const char *name);

/* Give observed objects without an owner the router they belong to: the
 * owner of their namespace (a router's netns), of their master VRF (links,
 * addresses), or of the VRF bound to their table (routes).  Proxy entries
 * only by namespace: one of vrd's (proto VR_RTPROT) elsewhere stays without
 * an owner here.  s must be sorted. */
void vr_state_attribute(struct vr_state *s);

/* ns comparison used by all of the above: "" first, then strcmp. */
int vr_ns_cmp(const char *a, const char *b);

#endif
