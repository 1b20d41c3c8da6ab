/* place.h - bringing the guests of domU routers up and down around an
 * engine pass (the engine calls these; drivers in hv.h do the work).
 *
 * Make before break: guests a config needs are created (or found), handed
 * their config and waited for *before* dom0 is re-plumbed; guests no
 * longer needed are destroyed only *after* the pass succeeded; guests a
 * failed pass had created are destroyed again. */
#ifndef VR_PLACE_PLACE_H
#define VR_PLACE_PLACE_H

#include <stdbool.h>

#include "desired.h"
#include "err.h"
#include "place/hv.h"
#include "statedir.h"

struct vr_place {
	struct vr_hv_conf conf;
	struct vr_hv *hv[2];     /* by enum vr_hv_kind, made on first use */
	struct vr_guest *guests; /* the guests of the last vr_place_up, by router */
	size_t n_guests;
	char (*created)[VR_GUEST_NAME_MAX]; /* created by the last up (rollback) */
	enum vr_hv_kind *created_hv;
	size_t n_created;
	/* measured by the last up: ms until every guest was ready */
	double ready_ms;
};

void vr_place_init(struct vr_place *p, const struct vr_hv_conf *conf);
void vr_place_free(struct vr_place *p);

/* The driver of kind k (made on first use). */
struct vr_hv *vr_place_hv(struct vr_place *p, enum vr_hv_kind k);

/* For every domU router of m: create or find its guest (ri->guest set),
 * add missing vifs, hand it its config when the guest does not already
 * run it, and wait until it is ready.  0, or -errno with the reasons in e
 * (guests created here are destroyed again). */
int vr_place_up(struct vr_place *p, struct vr_realm *m, struct vr_errs *e);
/* Destroy the guests created by the last vr_place_up (a pass failed). */
void vr_place_rollback(struct vr_place *p);
/* Destroy guests whose router is gone from m or no longer domU with that
 * hypervisor; release their ids in t (*changed set when it did). */
int vr_place_down(struct vr_place *p, const struct vr_realm *m, struct vr_tables *t, bool *changed,
                  struct vr_errs *e);

/* The key of router's guest id in the tables file: "<router>/lab" or
 * "<router>/xl". */
void vr_place_gid_key(enum vr_hv_kind k, const char *router, char out[IFNAMSIZ + 8]);

#endif
