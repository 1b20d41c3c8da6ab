/* exec.h - the executor: runs a plan against the kernel, wave by wave, and
 * rolls back what it changed when a wave fails.  The only writer of kernel
 * state (netlink through kernel.h, namespaces and sysctls through the
 * vr_sys_ops the caller passes). */
#ifndef VR_EXEC_H
#define VR_EXEC_H

#include <stddef.h>

#include "err.h"
#include "kernel.h"
#include "op.h"

/* Namespace and sysctl actions (sys.c in the daemon, fakes in tests).
 * Each returns 0 or -errno.  sysctl_write gets nsfd -1 for vrd's own
 * namespace. */
struct vr_sys_ops {
	int (*netns_add)(const char *name);
	int (*netns_del)(const char *name);
	int (*sysctl_write)(int nsfd, const char *key, const char *value);
	/* optional: called once the last wave that adds or changes objects
	 * succeeded, before the deletes (a placement switch announces the
	 * moved addresses here, not after slow bridge deletions) */
	void (*built)(void *arg);
	void *arg;
};

struct vr_exec_stats {
	size_t ops;             /* plan ops attempted */
	size_t failed;          /* plan ops that failed */
	size_t noop;            /* deletes of things already gone */
	size_t messages;        /* netlink requests sent (rollback included) */
	size_t batches;         /* batches flushed, each one sendmsg() */
	size_t sendmsg;         /* sendmsg() calls */
	size_t rolled_back;     /* inverse ops attempted */
	size_t rollback_failed; /* of which failed: the "rollback failed:" entries of errs */
	/* CLOCK_MONOTONIC, microseconds: when the first wave began and when
	 * the last wave that adds or changes objects ended (what follows only
	 * deletes what the new state no longer needs); 0 when not run */
	double t_begin_us, t_built_us;
};

/* Run plan (ops ordered by wave, see op.h).  Within a wave, netlink ops are
 * sent per namespace in large batches with one final ack; the kernel's
 * errors are matched to ops by sequence number.  A delete of something
 * already gone succeeds.  When a wave fails, the waves after it do not
 * run, and every op that succeeded (earlier waves and this one) is undone
 * with its inverse, in reverse order, best effort.
 *
 * Errors are appended to errs: path = the object (vr_op_obj), msg = the
 * reason, e.g. "Nexthop has invalid gateway (EINVAL)".  First the failures
 * of the failing wave, then one "rollback failed: ..." entry per inverse
 * op that failed (warnings: st->rollback_failed counts them).  Returns 0
 * or the first error's code.  st may be NULL; it is added to, not reset.
 *
 * The ifindex caches of k are invalidated first: names are resolved
 * against the kernel as it is now. */
int vr_exec(struct vr_kernel *k, const struct vr_sys_ops *sys, const struct vr_plan *plan,
            struct vr_errs *errs, struct vr_exec_stats *st);

#endif
