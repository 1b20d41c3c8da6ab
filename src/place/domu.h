/* domu.h - a router placed in a guest: what dom0 needs (pure).
 *
 * The guest runs the router as a native one (its own whole network stack,
 * its interfaces eth0..ethN-1 in model order).  dom0 gets, per interface n,
 * the guest's vif n joined to the interface's upstream port (its `upstream`
 * leaf, default the interface's own name):
 *
 * bridged  a bridge vrb<gid>.<n> in vrd's namespace with the upstream port
 *          and the vif as members.
 * routed   the upstream port and the vif in vrd's namespace (with either
 *          backend: the vifs stay where the hypervisor put them, so a
 *          driver finds them again, and a Xen vif need not change
 *          namespace), dom0 routing between the two (one IP hop, as Xen's
 *          vif-route) through two tables per pair (from the tables pool)
 *          chosen by policy rules on the input interface:
 *            iif upstream (priority 900) -> "in": the guest's addresses on
 *              this network as host routes on the vif, and everything else
 *              the router reaches (its other networks, its static routes'
 *              prefixes) into the vif, i.e. to the guest;
 *            iif vif (priority 901) -> "out": this network on the upstream
 *              port, the static routes whose gateway is on it via that
 *              gateway.
 *          The upstream port answers for the guest's addresses: proxy ARP,
 *          proxy NDP entries for its IPv6 addresses.  The vif link is a
 *          point-to-point one: both ends NOARP with the guest's MAC (dom0
 *          sets the vif's, the guest its port's), so neither end resolves
 *          the other and the guest reaches any host of its networks without
 *          dom0 having to proxy neighbour discovery for hosts it does not
 *          know (Linux proxies NDP only per address).
 *
 * Tables per interface pair, not one per router: with a single table dom0
 * would route between two upstream networks directly and bypass the guest;
 * and two per pair, because the same prefix goes to the guest when it comes
 * from upstream and to its gateway when the guest sends it.  (A VRF cannot
 * carry this: the l3mdev rule replaces the input interface by the VRF
 * device before any rule could look at it.) */
#ifndef VR_PLACE_DOMU_H
#define VR_PLACE_DOMU_H

#include "desired.h"
#include "err.h"
#include "model.h"
#include "place/hv.h"
#include "state.h"

#define VR_DOMU_RULE_PRIO 900 /* iif upstream; iif vif is +1 */

/* The upstream port of interface f. */
const char *vr_domu_upstream(const struct vr_iface *f);

/* The dom0 objects of domU router ri (ri->guest gives the vif names). */
int vr_domu_desired(const struct vr_realm *m, const struct vr_rinfo *ri, struct vr_state *s,
                    struct vr_errs *e);

/* The guest's config: router r as a native router with interfaces
 * eth0..ethN-1 and its vif mode (routed: the guest's ports are NOARP), as
 * JSON text (malloc'd). */
char *vr_guest_config(const struct vr_router *r);

#endif
