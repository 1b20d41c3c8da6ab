/* daemon.c - the long-running vrd: the libev loop, the running config and
 * its persistence, reconcile passes (apply, drift, resync, retry), signals.
 *
 * One thread: requests, events and timers are handled one at a time, so
 * concurrent applies are serialised by construction. */
#include "vrd.h"

#include <errno.h>
#include <libyang/libyang.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "ctl.h"
#include "load.h"
#include "statedir.h"

#define RUNNING_FILE "running.json"
#define RETRY_MAX 60.0

enum vrd_log_level vrd_log_level = VRD_LOG_INFO;

void vrd_log(enum vrd_log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = {"error", "warning", "info", "debug"};
	va_list ap;

	if (lvl > vrd_log_level)
		return;
	fprintf(stderr, "vrd: %s: ", tag[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void vrd_error(struct vrd *d, const struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		vrd_log(VRD_LOG_ERROR, "%s", s);
		if (i == 0)
			snprintf(d->last_error, sizeof(d->last_error), "%s", s);
		free(s);
	}
}

struct vrd_router_stats *vrd_stats(struct vrd *d, const char *router)
{
	struct vrd_router_stats *s;

	for (size_t i = 0; i < d->n_stats; i++)
		if (!strcmp(d->stats[i].name, router))
			return &d->stats[i];
	s = realloc(d->stats, (d->n_stats + 1) * sizeof(*s));
	if (!s)
		abort();
	d->stats = s;
	s = &d->stats[d->n_stats++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", router);
	return s;
}

void vrd_notify_change(struct vrd *d, const char *router, const char *event)
{
	char *j;

	if (!d->clients)
		return;
	j = vr_ctl_change(d->ctx, router ? router : "-", event);
	vrd_control_broadcast(d, j);
	free(j);
}

static void announce(struct vrd *d, const struct vr_plan *p, const char *what)
{
	char line[1024];

	for (size_t i = 0; i < p->n; i++) {
		vr_op_str(&p->v[i], line, sizeof(line));
		vrd_log(VRD_LOG_INFO, "%s: %s", what, line);
		vrd_notify_change(d, vr_op_owner(&p->v[i]), line);
	}
}

/* The running config is persisted as the JSON libyang prints for it:
 * temp file, fsync, rename (vr_file_write_atomic). */
static int persist(struct vrd *d, struct vr_errs *e)
{
	char path[4096], *json = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/" RUNNING_FILE, d->o.state_dir);
	if (d->running)
		json = vr_yang_print(d->running, 0);
	r = vr_statedir_init(d->o.state_dir);
	if (r == 0)
		r = vr_file_write_atomic(path, json ? json : "{}\n", json ? strlen(json) : 3);
	free(json);
	if (r < 0)
		return vr_errs_add(e, r, path, "cannot persist the running config: %s", strerror(-r));
	return 0;
}

int vrd_apply(struct vrd *d, struct lyd_node *tree, bool dry_run, struct vr_engine_result *out,
	      struct vr_errs *e)
{
	struct vr_converge how = {.dry_run = dry_run};
	struct vr_config c;
	int r;

	memset(&c, 0, sizeof(c));
	r = tree ? vr_load_tree(tree, &c, e) : 0;
	if (r == 0)
		r = vr_engine_converge(&d->eng, &c, &how, out, e);
	if (r < 0 || dry_run) {
		if (r < 0)
			vrd_error(d, e);
		vr_config_free(&c);
		lyd_free_all(tree);
		return r;
	}
	announce(d, &out->plan, "applied");
	lyd_free_all(d->running);
	vr_config_free(&d->config);
	d->running = tree;
	d->config = c;
	r = persist(d, e);
	vrd_nlmon_sync(d);
	return r;
}

static bool skip_report(const char *owner, void *arg)
{
	const struct vrd *d = arg;
	const struct vr_router *r = vr_config_router(&d->config, owner);

	return r && r->drift == VR_DRIFT_REPORT;
}

static void schedule_retry(struct vrd *d)
{
	d->retry_delay = d->retry_delay ? d->retry_delay * 2 : 1.0;
	if (d->retry_delay > RETRY_MAX)
		d->retry_delay = RETRY_MAX;
	vrd_log(VRD_LOG_WARN, "retrying in %.0f s", d->retry_delay);
	ev_timer_stop(d->loop, &d->retry_w);
	ev_timer_set(&d->retry_w, d->retry_delay, 0);
	ev_timer_start(d->loop, &d->retry_w);
}

static bool reported_before(const struct vrd *d, const char *line)
{
	for (size_t i = 0; i < d->n_reported; i++)
		if (!strcmp(d->reported[i], line))
			return true;
	return false;
}

static void set_reported(struct vrd *d, char **lines, size_t n)
{
	for (size_t i = 0; i < d->n_reported; i++)
		free(d->reported[i]);
	free(d->reported);
	d->reported = lines;
	d->n_reported = n;
}

void vrd_reconcile(struct vrd *d, const char *why, bool drift)
{
	struct vr_converge how = {.skip = skip_report, .arg = d};
	struct vr_engine_result res;
	struct vr_errs e;
	char line[1024];
	int r;

	vr_errs_init(&e);
	r = vr_engine_converge(&d->eng, &d->config, &how, &res, &e);
	if (r < 0) {
		vrd_log(VRD_LOG_ERROR, "%s pass failed", why);
		vrd_error(d, &e);
		schedule_retry(d);
	} else {
		d->retry_delay = 0;
		for (size_t i = 0; i < res.plan.n; i++) {
			const char *owner = vr_op_owner(&res.plan.v[i]);
			vr_op_str(&res.plan.v[i], line, sizeof(line));
			vrd_notify_change(d, owner, line);
			if (!drift) {
				vrd_log(VRD_LOG_INFO, "%s: %s", why, line);
				continue;
			}
			vrd_log(VRD_LOG_WARN, "drift corrected (%s): %s", why, line);
			d->drift_corrected++;
			if (owner)
				vrd_stats(d, owner)->corrected++;
		}
	}
	/* Report mode: a change is counted once, not at every pass that
	 * still sees it. */
	if (r == 0) {
		char **now = calloc(res.skipped.n + 1, sizeof(*now));
		if (!now)
			abort();
		for (size_t i = 0; i < res.skipped.n; i++) {
			const char *owner = vr_op_owner(&res.skipped.v[i]);
			vr_op_str(&res.skipped.v[i], line, sizeof(line));
			now[i] = strdup(line);
			if (reported_before(d, line))
				continue;
			vrd_log(VRD_LOG_WARN, "drift reported, left as is: %s", line);
			vrd_notify_change(d, owner, line);
			d->drift_reported++;
			if (owner)
				vrd_stats(d, owner)->reported++;
		}
		set_reported(d, now, res.skipped.n);
	}
	vr_engine_result_free(&res);
	vr_errs_free(&e);
}

/* ---- timers and signals ---- */

static void on_debounce(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrd *d = w->data;

	(void)loop;
	(void)revents;
	if (d->resync_pending) {
		d->resync_pending = false;
		d->resyncs++;
		vrd_reconcile(d, "resync after lost events", true);
	} else {
		vrd_reconcile(d, "drift", true);
	}
}

static void on_resync(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrd *d = w->data;

	(void)loop;
	(void)revents;
	d->resyncs++;
	vrd_reconcile(d, "periodic resync", true);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vrd *d = w->data;

	(void)loop;
	(void)revents;
	d->resyncs++;
	vrd_reconcile(d, "retry", false); /* finishing a failed pass, not drift */
}

/* Read the config file: a tree of /vrd:virtual-routers (NULL: empty). */
static int read_config(struct vrd *d, const char *path, struct lyd_node **tree, struct vr_errs *e)
{
	char *text = NULL;
	size_t len;
	struct lyd_node *t = NULL;
	int r;

	*tree = NULL;
	r = vr_file_read(path, &text, &len);
	if (r < 0)
		return vr_errs_add(e, r, path, "cannot read: %s", strerror(-r));
	if (vr_config_text_check(text, e) < 0) {
		free(text);
		return -EINVAL;
	}
	if (lyd_parse_data_mem(d->ctx, text, LYD_JSON, LYD_PARSE_STRICT, LYD_VALIDATE_NO_STATE, &t) !=
	    LY_SUCCESS) {
		vr_yang_errors(d->ctx, e);
		free(text);
		lyd_free_all(t);
		return -EINVAL;
	}
	free(text);
	/* keep only our container (libyang may add defaults of others) */
	for (struct lyd_node *n = t; n; n = n->next)
		if (!strcmp(LYD_NAME(n), "virtual-routers")) {
			if (n == t)
				t = n->next;
			lyd_unlink_tree(n);
			*tree = n;
			break;
		}
	lyd_free_all(t);
	return 0;
}

static void on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct vrd *d = w->data;
	struct vr_engine_result res;
	struct lyd_node *tree;
	struct vr_errs e;

	(void)loop;
	(void)revents;
	if (!d->o.config) {
		vrd_log(VRD_LOG_WARN, "SIGHUP: no --config file to reload");
		return;
	}
	vr_errs_init(&e);
	vrd_log(VRD_LOG_INFO, "SIGHUP: reloading %s", d->o.config);
	if (read_config(d, d->o.config, &tree, &e) == 0 &&
	    vrd_apply(d, tree, false, &res, &e) == 0) {
		vrd_log(VRD_LOG_INFO, "reloaded: %zu change%s", res.plan.n, res.plan.n == 1 ? "" : "s");
	} else {
		vrd_error(d, &e);
		if (e.n == 0)
			vrd_log(VRD_LOG_ERROR, "reload failed");
	}
	vr_engine_result_free(&res);
	vr_errs_free(&e);
}

static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct vrd *d = w->data;

	(void)revents;
	vrd_log(VRD_LOG_INFO, "signal %d: stopping%s", w->signum,
		d->o.flush_on_exit ? " and removing every router" : ", routers keep forwarding");
	ev_break(loop, EVBREAK_ALL);
}

static int start(struct vrd *d, struct vr_errs *e)
{
	char path[4096];
	struct lyd_node *tree = NULL;
	int r;

	d->ctx = vr_yang_ctx_new(e);
	if (!d->ctx)
		return -EINVAL;
	vr_engine_init(&d->eng, d->o.state_dir, d->o.netns_prefix);
	{
		struct vr_hv_conf hc;
		vrd_place_conf(&d->o, &hc);
		vr_place_init(&d->place, &hc);
		d->eng.place = &d->place;
	}
	snprintf(path, sizeof(path), "%s/" RUNNING_FILE, d->o.state_dir);
	if (d->o.config)
		r = read_config(d, d->o.config, &tree, e);
	else if (access(path, F_OK) == 0)
		r = read_config(d, path, &tree, e);
	else
		r = 0;
	if (r == 0 && tree)
		r = vr_load_tree(tree, &d->config, e);
	if (r < 0) {
		lyd_free_all(tree);
		return r;
	}
	d->running = tree;
	/* what we converge to from now on is the running config, also for a
	 * restart without --config */
	if (d->o.config && (r = persist(d, e)) < 0)
		return r;
	return vrd_control_start(d);
}

int vrd_run(const struct vrd_opts *o)
{
	struct vrd d;
	struct vr_errs e;
	int r;

	memset(&d, 0, sizeof(d));
	d.o = *o;
	d.listen_fd = -1;
	d.loop = ev_default_loop(EVFLAG_AUTO);
	signal(SIGPIPE, SIG_IGN);
	vr_errs_init(&e);
	r = start(&d, &e);
	if (r < 0) {
		vrd_error(&d, &e);
		vr_errs_free(&e);
		return 1;
	}
	d.started = ev_now(d.loop);

	ev_timer_init(&d.debounce_w, on_debounce, d.o.debounce, 0);
	ev_timer_init(&d.resync_w, on_resync, d.o.resync_interval, d.o.resync_interval);
	ev_timer_init(&d.retry_w, on_retry, 1, 0);
	d.debounce_w.data = d.resync_w.data = d.retry_w.data = &d;
	ev_timer_start(d.loop, &d.resync_w);
	ev_signal_init(&d.sighup_w, on_hup, SIGHUP);
	ev_signal_init(&d.sigterm_w, on_stop, SIGTERM);
	ev_signal_init(&d.sigint_w, on_stop, SIGINT);
	d.sighup_w.data = d.sigterm_w.data = d.sigint_w.data = &d;
	ev_signal_start(d.loop, &d.sighup_w);
	ev_signal_start(d.loop, &d.sigterm_w);
	ev_signal_start(d.loop, &d.sigint_w);

	/* The first pass: zero changes when the kernel already matches
	 * (a restart, even after kill -9). */
	vrd_reconcile(&d, "start", false);
	vrd_nlmon_sync(&d);
	sd_notify(0, "READY=1\nSTATUS=converged");
	vrd_log(VRD_LOG_INFO, "ready: %zu router%s, control socket %s", d.config.n_routers,
		d.config.n_routers == 1 ? "" : "s", d.o.socket);

	ev_run(d.loop, 0);

	if (d.o.flush_on_exit) {
		struct vr_engine_result res;
		vr_errs_clear(&e);
		if (vrd_apply(&d, NULL, false, &res, &e) < 0)
			vrd_error(&d, &e);
		vr_engine_result_free(&res);
	}
	sd_notify(0, "STOPPING=1");
	vrd_nlmon_stop(&d);
	vrd_control_stop(&d);
	set_reported(&d, NULL, 0);
	free(d.stats);
	lyd_free_all(d.running);
	vr_config_free(&d.config);
	vr_engine_free(&d.eng);
	vr_place_free(&d.place);
	vr_yang_ctx_free(d.ctx);
	vr_errs_free(&e);
	ev_loop_destroy(d.loop);
	return 0;
}
