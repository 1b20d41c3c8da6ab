/* guest.c - `vrd --guest SPEC`: the vrd inside a domU router's guest.
 *
 * It reads the router's config from its channel (xenstore, or a lab
 * directory: place/chan.h), applies it as the one router owning the
 * guest's whole network stack, and writes "<gen> ready" or "<gen> failed
 * <reason>" back.  It converges again when the config changes and every
 * --resync-interval seconds (drift in the guest is corrected by that
 * pass).  TERM/INT stop it, leaving the kernel as it is. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "load.h"
#include "place/chan.h"
#include "vrd.h"

static volatile sig_atomic_t stop;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Apply config text; the status line into out. */
static void apply(struct vr_engine *eng, struct ly_ctx *ctx, const char *text, const char *gen,
                  char *out, size_t len)
{
	struct vr_converge how = {0};
	struct vr_engine_result res;
	struct vr_config c;
	struct vr_errs e;
	int r;

	vr_errs_init(&e);
	memset(&c, 0, sizeof(c));
	r = vr_load_mem(ctx, text, &c, &e);
	if (r == 0 && c.n_routers > 1)
		r = vr_errs_add(&e, -EINVAL, NULL, "a guest runs one router, the config has %zu",
		                c.n_routers);
	if (r == 0) {
		r = vr_engine_converge(eng, &c, &how, &res, &e);
		if (r == 0)
			vrd_log(VRD_LOG_INFO,
			        "config %s: %u added, %u changed, %u deleted (%u round%s)", gen,
			        res.summary.added, res.summary.changed, res.summary.deleted,
			        res.rounds, res.rounds == 1 ? "" : "s");
		vr_engine_result_free(&res);
	}
	vr_config_free(&c);
	if (r == 0) {
		snprintf(out, len, "%s ready", gen);
	} else {
		char *s = e.n ? vr_err_str(&e.v[0]) : strdup(strerror(-r));
		for (size_t i = 0; i < e.n; i++) {
			char *m = vr_err_str(&e.v[i]);
			vrd_log(VRD_LOG_ERROR, "config %s: %s", gen, m);
			free(m);
		}
		/* one line: the first reason */
		for (char *p = s; p && *p; p++)
			if (*p == '\n')
				*p = ' ';
		snprintf(out, len, "%s failed %s", gen, s ? s : "unknown error");
		free(s);
	}
	vr_errs_free(&e);
}

int vrd_guest_run(const struct vrd_opts *o)
{
	struct sigaction sa = {.sa_handler = on_signal};
	char have_gen[VR_GUEST_GEN_LEN] = "", status[1024] = "";
	double next_pass = 0;
	struct vr_engine eng;
	struct vr_chan *ch;
	struct ly_ctx *ctx;
	struct vr_errs e;
	int r = 0;

	vr_errs_init(&e);
	ch = vr_chan_open(o->guest, &e);
	ctx = ch ? vr_yang_ctx_new(&e) : NULL;
	if (!ch || !ctx) {
		for (size_t i = 0; i < e.n; i++) {
			char *m = vr_err_str(&e.v[i]);
			vrd_log(VRD_LOG_ERROR, "%s", m);
			free(m);
		}
		vr_errs_free(&e);
		vr_chan_free(ch);
		vr_yang_ctx_free(ctx);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	vr_engine_init(&eng, o->state_dir, o->netns_prefix);
	eng.guest = true;
	vrd_log(VRD_LOG_INFO, "guest mode, channel %s", o->guest);

	while (!stop) {
		struct pollfd pfd = {.fd = ch->ops->fd(ch), .events = POLLIN};
		char gen[VR_GUEST_GEN_LEN], *text = NULL, line[1024];
		double now = now_s();
		int n, wait_ms;

		r = ch->ops->read(ch, &text, gen);
		if (r == 0 && (strcmp(gen, have_gen) || now >= next_pass)) {
			/* a new config, or the periodic pass over the current one */
			apply(&eng, ctx, text, gen, line, sizeof(line));
			if (strcmp(line, status)) {
				snprintf(status, sizeof(status), "%s", line);
				if (ch->ops->report(ch, status) < 0)
					vrd_log(VRD_LOG_ERROR, "cannot report the status");
			}
			snprintf(have_gen, sizeof(have_gen), "%s", gen);
			next_pass = now_s() + o->resync_interval;
		} else if (r < 0 && r != -ENOENT && r != -EAGAIN) {
			vrd_log(VRD_LOG_ERROR, "cannot read the config: %s", strerror(-r));
		}
		free(text);
		wait_ms = (int)((next_pass - now_s()) * 1000);
		if (wait_ms < 0 || r < 0)
			wait_ms = r < 0 ? 1000 : 0;
		n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, wait_ms);
		if (n > 0)
			ch->ops->drain(ch);
	}
	vrd_log(VRD_LOG_INFO, "stopping (the kernel keeps the router)");
	vr_engine_free(&eng);
	vr_yang_ctx_free(ctx);
	vr_chan_free(ch);
	vr_errs_free(&e);
	return 0;
}
