/* op.h - one kernel change.  The planner emits ops; the encoders turn each
 * into a netlink message (or a non-netlink action: namespaces, sysctls); the
 * executor runs them and, to roll back, runs their inverses. */
#ifndef VR_OP_H
#define VR_OP_H

#include "state.h"

enum vr_op_code {
	VR_OP_NETNS_ADD,
	VR_OP_NETNS_DEL,
	VR_OP_LINK_ADD,
	VR_OP_LINK_DEL,
	VR_OP_LINK_SET,  /* mtu, up/down, master, ifalias of an existing link */
	VR_OP_LINK_MOVE, /* to another namespace: link.ns is the source, to_ns the target */
	VR_OP_ADDR_ADD,
	VR_OP_ADDR_DEL,
	VR_OP_ROUTE_ADD,
	VR_OP_ROUTE_REPLACE,
	VR_OP_ROUTE_DEL,
	VR_OP_RULE_ADD,
	VR_OP_RULE_DEL,
	VR_OP_SYSCTL_SET,
	VR_OP_PROXY_ADD, /* neighbour proxy entry: in VR_WAVE_ADDR */
	VR_OP_PROXY_DEL, /* in VR_WAVE_DEL_ADDR */
};

/* Waves: the planner's order.  Everything in one wave may run in one
 * batch; a wave runs only after the previous one completed. */
enum vr_wave {
	VR_WAVE_NETNS = 0,   /* create namespaces */
	VR_WAVE_LINK,        /* create VRF devices, bridges, veths, macvlans, vxlans */
	VR_WAVE_MOVE,        /* move ports into namespaces */
	VR_WAVE_ENSLAVE,     /* masters */
	VR_WAVE_SET,         /* mtu, alias, up */
	VR_WAVE_SYSCTL,
	VR_WAVE_RULE,
	VR_WAVE_ADDR,
	VR_WAVE_ROUTE,
	/* deletes, in reverse */
	VR_WAVE_DEL_ROUTE,
	VR_WAVE_DEL_ADDR,
	VR_WAVE_DEL_RULE,
	VR_WAVE_RELEASE,     /* set nomaster / move ports back */
	VR_WAVE_DEL_LINK,
	VR_WAVE_DEL_NETNS,
	VR_WAVE_COUNT
};

struct vr_op {
	enum vr_op_code code;
	enum vr_wave wave;
	union {
		struct vr_netns netns;
		struct vr_link link;
		struct vr_addr addr;
		struct vr_route route;
		struct vr_rule rule;
		struct vr_sysctl sysctl;
		struct vr_proxy proxy;
	} o;     /* the object: desired one for adds/sets, observed one for deletes */
	union {
		struct vr_link link;
		struct vr_route route;
		struct vr_sysctl sysctl;
	} old;   /* SET / REPLACE: the observed object, for rollback */
	bool has_old;
	const char *to_ns; /* LINK_MOVE target */
};

struct vr_plan {
	struct vr_op *v;
	size_t n, cap;
	/* foreign objects in the way of desired ones ("conflicts") */
	char **conflicts;
	size_t n_conflicts;
};

void vr_plan_init(struct vr_plan *p);
void vr_plan_free(struct vr_plan *p);
/* Append a deep copy of op (route nexthops copied). */
struct vr_op *vr_plan_add(struct vr_plan *p, const struct vr_op *op);
void vr_plan_add_conflict(struct vr_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The namespace an op runs in (for the executor's socket choice). */
const char *vr_op_ns(const struct vr_op *op);
/* The inverse of an executed op (for rollback).  Returns false when the op
 * has no inverse (the executor then skips it). */
bool vr_op_inverse(const struct vr_op *op, struct vr_op *inv);
/* The router an op belongs to (NULL: shared, like the l3mdev rule). */
const char *vr_op_owner(const struct vr_op *op);
/* One stable line: "add route 198.19.0.0/16 table 100 via 198.18.2.2 [red]".
 * Returns buf. */
char *vr_op_str(const struct vr_op *op, char *buf, size_t len);
/* The object an op acts on, as the executor's errors name it:
 * "route 198.19.0.0/16 table 100 (router red)". Returns buf. */
char *vr_op_obj(const struct vr_op *op, char *buf, size_t len);

#endif
