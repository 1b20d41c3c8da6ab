/* desired.h - the model turned into the kernel objects it needs (native
 * and dom0 placement; domU adds its own in src/place/).  Pure: backends
 * and tables are resolved by the caller, nothing is probed or read here. */
#ifndef VR_DESIRED_H
#define VR_DESIRED_H

#include "err.h"
#include "model.h"
#include "place/hv.h"
#include "state.h"

#define VR_TABLE_MAIN 254
#define VR_IP6_METRIC_DEFAULT 1024 /* the kernel's metric for IPv6 routes given none */

/* How one router of the config is realised. */
struct vr_rinfo {
	const struct vr_router *r;
	enum vr_backend backend; /* VR_BACKEND_VRF or VR_BACKEND_NETNS, never AUTO */
	uint32_t table;          /* vrf: the VRF's table; netns: main */
	const char *ns;          /* interned: "" (vrf) or the router's namespace */
	/* placement domU: the guest (NULL while it does not exist: vifs are
	 * then named after the gid, as the lab driver names them), vrd's
	 * guest id, and (routed) the table of each interface pair */
	const struct vr_guest *guest;
	unsigned gid;
	uint32_t pair_table[2 * VR_GUEST_MAX_VIFS]; /* pair n: in 2n, out 2n+1 */
};

struct vr_realm {
	struct vr_rinfo *v;
	size_t n;
	const char *netns_prefix; /* router R's namespace is prefix + R */
	bool guest;               /* vrd --guest: the one router owns the whole namespace "" */
};

const struct vr_rinfo *vr_realm_find(const struct vr_realm *m, const char *router);
/* The namespace name of router r for backend netns (interned). */
const char *vr_realm_netns(const struct vr_realm *m, const char *router);

/* Append the desired objects of every router to out (unsorted). 0, or
 * -EINVAL with the problems in e. */
int vr_desired_build(const struct vr_realm *m, struct vr_state *out, struct vr_errs *e);

#endif
