/* diff.h - desired + observed -> the ops that make the kernel match.  Pure.
 *
 * Only owned objects are changed: links vrd created (ifalias vrd:R), ports
 * it enslaved or moved into its namespaces, routes/addresses/rules with
 * protocol VR_RTPROT, neighbour proxy entries with an owner.  A foreign
 * object with the key of a desired one is a conflict; a missing port or a
 * foreign link with a desired link's name is an error.  Either stops the
 * transaction before any change. */
#ifndef VR_DIFF_H
#define VR_DIFF_H

#include "err.h"
#include "op.h"
#include "state.h"

/* want and have must be sorted (vr_state_sort).  Appends ops to plan (in
 * diff order; vr_plan_order() sorts them into waves).  0, or -EINVAL with
 * errors in e (ops may have been appended: discard the plan). */
int vr_diff(const struct vr_state *want, const struct vr_state *have, struct vr_plan *plan,
	    struct vr_errs *e);

/* Stable sort by wave.  Within a wave, diff order (routes by key:
 * highest prefix first) is kept. */
void vr_plan_order(struct vr_plan *plan);

/* Count of ops that change the kernel, by kind of change. */
struct vr_plan_summary {
	unsigned added, changed, deleted;
};
void vr_plan_summary(const struct vr_plan *plan, struct vr_plan_summary *s);

#endif
