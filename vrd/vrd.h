/* vrd.h - the daemon's state, shared by the files of vrd/ (the only
 * place that uses libev). */
#ifndef VRD_H
#define VRD_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "model.h"

struct ly_ctx;
struct lyd_node;

enum vrd_log_level { VRD_LOG_ERROR, VRD_LOG_WARN, VRD_LOG_INFO, VRD_LOG_DEBUG };
void vrd_log(enum vrd_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern enum vrd_log_level vrd_log_level;

struct vrd_opts {
	const char *config, *state_dir, *netns_prefix, *socket;
	bool flush_on_exit;
	double resync_interval; /* seconds */
	double debounce;        /* seconds */
	int max_clients;
	int monitor_rcvbuf;     /* bytes, 0: default (tests force ENOBUFS with a tiny one) */
	/* domU routers */
	const char *guest;      /* --guest SPEC: run as the vrd inside a guest */
	const char *lab_vrd;    /* the vrd binary lab guests run [this one] */
	const char *xl_dir, *vif_script;
	double guest_timeout;   /* seconds a guest may take to be ready */
};

/* The guest drivers' settings from the options (lab_vrd resolved). */
void vrd_place_conf(const struct vrd_opts *o, struct vr_hv_conf *conf);

/* Drift and state counters of one router. */
struct vrd_router_stats {
	char name[IFNAMSIZ];
	uint64_t corrected, reported;
};

struct vrd_client;

struct vrd {
	struct ev_loop *loop;
	struct vrd_opts o;
	struct ly_ctx *ctx;
	struct vr_engine eng;
	struct vr_place place;

	struct lyd_node *running; /* the running config (/vrd:virtual-routers), may be NULL */
	struct vr_config config;  /* the same, as structs */

	/* counters */
	ev_tstamp started;
	uint64_t resyncs, drift_corrected, drift_reported;
	char last_error[512];
	struct vrd_router_stats *stats;
	size_t n_stats;

	/* control socket */
	int listen_fd;
	ev_io listen_w;
	struct vrd_client *clients;
	int n_clients;

	/* netlink monitor, one socket per namespace */
	struct vrd_mon *mons;
	size_t n_mons;
	ev_timer debounce_w, resync_w, retry_w;
	ev_tstamp retry_delay;
	bool resync_pending;    /* events were lost: the next pass is a full resync */

	char **reported;        /* drift lines already reported (report mode) */
	size_t n_reported;

	ev_signal sighup_w, sigterm_w, sigint_w;
	bool ready_sent;
};

/* guest.c: `vrd --guest SPEC` */
int vrd_guest_run(const struct vrd_opts *o);

/* daemon.c */
int vrd_run(const struct vrd_opts *o);
/* Replace the running config with c (and its tree, taken over) after a
 * successful convergence; persist it.  On failure nothing changes.
 * out gets the plan (dry_run: only planned). */
int vrd_apply(struct vrd *d, struct lyd_node *tree, bool dry_run, struct vr_engine_result *out,
	      struct vr_errs *e);
/* One pass over the running config; drift: what it changes was changed
 * by someone else (counted and logged as drift). */
void vrd_reconcile(struct vrd *d, const char *why, bool drift);
struct vrd_router_stats *vrd_stats(struct vrd *d, const char *router);
void vrd_notify_change(struct vrd *d, const char *router, const char *event);
void vrd_error(struct vrd *d, const struct vr_errs *e);

/* control.c */
int vrd_control_start(struct vrd *d);
void vrd_control_stop(struct vrd *d);
/* Send text to every monitor subscriber. */
void vrd_control_broadcast(struct vrd *d, const char *json);

/* rpc.c: answer one request (JSON); returns the reply (caller frees).
 * may_write: the peer may change state.  *subscribe set for monitor. */
char *vrd_rpc(struct vrd *d, const char *json, bool may_write, bool *subscribe);

/* nlmon.c: (re)open one monitor socket per namespace of the running
 * config; events mark the kernel dirty (debounced reconcile). */
void vrd_nlmon_sync(struct vrd *d);
void vrd_nlmon_stop(struct vrd *d);

#endif
