/* engine.h - one reconcile pass: config -> desired, kernel -> observed,
 * diff -> plan -> execute -> verify -> persist.  `vrd --once` runs one;
 * the daemon runs one per apply, reload, drift or resync. */
#ifndef VR_ENGINE_H
#define VR_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "desired.h"
#include "diff.h"
#include "err.h"
#include "exec.h"
#include "kernel.h"
#include "model.h"
#include "place/place.h"

#define VR_STATE_DIR_DEFAULT "/var/lib/vrd"
#define VR_NETNS_PREFIX_DEFAULT "vr-"

struct vr_engine {
	struct vr_kernel k;
	const char *state_dir;
	const char *netns_prefix;
	int vrf_ok; /* -1 not probed yet, 0 no VRF device in this kernel, 1 yes */
	/* vrd --guest: the config's one router owns this whole namespace */
	bool guest;
	/* domU routers: their guests (NULL: a domU router is an error) */
	struct vr_place *place;
};

/* How a pass runs.  skip: ops of routers for which it returns true are
 * planned but not executed (drift "report" mode); they land in
 * res->skipped. */
struct vr_converge {
	bool dry_run;
	bool (*skip)(const char *owner, void *arg);
	void *arg;
};

struct vr_engine_result {
	struct vr_plan plan;             /* what was (or, dry-run, would be) done */
	struct vr_plan skipped;          /* planned, not run (see vr_converge.skip) */
	struct vr_plan_summary summary;
	struct vr_exec_stats stats;
	unsigned rounds;                 /* executions (1 + verify rounds) */
	/* microseconds from the first kernel write of the pass to its last
	 * (what a placement switch interrupts), and until guests were ready */
	double exec_us, guests_us;
};

void vr_engine_init(struct vr_engine *eng, const char *state_dir, const char *netns_prefix);
void vr_engine_free(struct vr_engine *eng);

/* Make the kernel match c (or, dry_run, only plan it).  0; or -errno with
 * every error in e, the kernel rolled back to where it was. res->plan is
 * the first plan (free it with vr_engine_result_free). */
int vr_engine_converge(struct vr_engine *eng, const struct vr_config *c,
		       const struct vr_converge *how, struct vr_engine_result *res,
		       struct vr_errs *e);

/* The kernel as vrd sees it for config c: *have (sorted, attributed) and
 * the realm (backend, table, namespace of every router; free m->v). */
int vr_engine_observe(struct vr_engine *eng, const struct vr_config *c, struct vr_realm *m,
		      struct vr_state *have, struct vr_errs *e);
void vr_engine_result_free(struct vr_engine_result *res);

/* Print a plan, one op a line (the stable text of vr_op_str). */
void vr_plan_print(const struct vr_plan *p, FILE *f);

/* The backend auto resolves to here: vrf when this kernel can create a VRF
 * device (probed once, in a throwaway namespace), else netns. */
enum vr_backend vr_engine_backend(struct vr_engine *eng, enum vr_backend asked);

#endif
