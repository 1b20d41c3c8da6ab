/* place.c - guests of domU routers around an engine pass (see place.h). */
#include "place/place.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "place/domu.h"

#define READY_POLL_MS 10

void vr_place_init(struct vr_place *p, const struct vr_hv_conf *conf)
{
	memset(p, 0, sizeof(*p));
	p->conf = *conf;
	if (p->conf.timeout_ms <= 0)
		p->conf.timeout_ms = 60000;
}

static void forget_created(struct vr_place *p)
{
	free(p->created);
	free(p->created_hv);
	p->created = NULL;
	p->created_hv = NULL;
	p->n_created = 0;
}

void vr_place_free(struct vr_place *p)
{
	for (int k = 0; k < 2; k++)
		vr_hv_free(p->hv[k]);
	free(p->guests);
	forget_created(p);
	memset(p, 0, sizeof(*p));
}

struct vr_hv *vr_place_hv(struct vr_place *p, enum vr_hv_kind k)
{
	if (!p->hv[k])
		p->hv[k] = k == VR_HV_LAB ? vr_hv_lab_new(&p->conf) : vr_hv_xl_new(&p->conf);
	return p->hv[k];
}

void vr_place_gid_key(enum vr_hv_kind k, const char *router, char out[IFNAMSIZ + 8])
{
	snprintf(out, IFNAMSIZ + 8, "%s/%s", router, k == VR_HV_LAB ? "lab" : "xl");
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void spec_of(const struct vr_rinfo *ri, struct vr_guest_spec *s)
{
	const struct vr_router *r = ri->r;

	memset(s, 0, sizeof(*s));
	snprintf(s->router, sizeof(s->router), "%s", r->name);
	vr_guest_name(r->domu.hypervisor, r->name, s->name);
	s->gid = ri->gid;
	s->domu = &r->domu;
	s->n_vifs = r->n_ifaces;
	for (size_t n = 0; n < r->n_ifaces; n++)
		vr_guest_mac(r->name, r->ifaces[n].name, s->guest_mac[n]);
}

/* Wait until the guest reports gen: 0 ready, -errno failed or timed out. */
static int wait_ready(struct vr_hv *hv, const struct vr_guest *g, const char *gen, int timeout_ms,
                      struct vr_errs *e)
{
	double end = now_ms() + timeout_ms;
	char line[1024] = "";
	int last_err = 0;

	for (;;) {
		const char *why;
		int r = hv->ops->status(hv, g, line, sizeof(line));

		if (r == 0) {
			r = vr_guest_status_parse(line, gen, &why);
			if (r > 0)
				return 0;
			if (r < 0)
				return vr_errs_add(e, -EPROTO, g->name,
				                   "the guest's vrd could not apply the router: %s",
				                   why);
		} else if (r != -ENOENT) {
			/* a hiccup of the channel (xenstore busy while the
			 * guest boots) is retried until the deadline */
			last_err = r;
		}
		if (now_ms() > end)
			return vr_errs_add(e, -ETIMEDOUT, g->name,
			                   "the guest's vrd did not report config %s ready within %d "
			                   "ms (last status: %s%s%s)",
			                   gen, timeout_ms, *line ? line : "none",
			                   last_err ? "; reading it last failed: " : "",
			                   last_err ? strerror(-last_err) : "");
		nanosleep(&(struct timespec){.tv_nsec = READY_POLL_MS * 1000000L}, NULL);
	}
}

static void note_created(struct vr_place *p, const char *name, enum vr_hv_kind k)
{
	p->created = realloc(p->created, (p->n_created + 1) * sizeof(*p->created));
	p->created_hv = realloc(p->created_hv, (p->n_created + 1) * sizeof(*p->created_hv));
	if (!p->created || !p->created_hv)
		abort();
	snprintf(p->created[p->n_created], VR_GUEST_NAME_MAX, "%s", name);
	p->created_hv[p->n_created++] = k;
}

static bool listed(const struct vr_guest *v, size_t n, const char *name, struct vr_guest *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			if (out)
				*out = v[i];
			return true;
		}
	return false;
}

/* One domU router: its guest up, configured, ready. */
static int up_one(struct vr_place *p, struct vr_rinfo *ri, struct vr_guest *g, struct vr_errs *e)
{
	const struct vr_router *r = ri->r;
	struct vr_hv *hv = vr_place_hv(p, r->domu.hypervisor);
	struct vr_guest *have = NULL;
	struct vr_guest_spec s;
	size_t n_have = 0;
	char gen[VR_GUEST_GEN_LEN], line[1024];
	char *cfg;
	int rc;

	if (!hv)
		return vr_errs_add(e, -ENOMEM, r->name, "cannot start the %s driver",
		                   r->domu.hypervisor == VR_HV_LAB ? "lab" : "xl");
	spec_of(ri, &s);
	rc = hv->ops->list(hv, &have, &n_have, e);
	if (rc < 0)
		return rc;
	if (!listed(have, n_have, s.name, NULL))
		note_created(p, s.name, r->domu.hypervisor);
	free(have);
	/* create is idempotent: it finds a running guest and repairs one
	 * that lost a part (lab: a dead guest vrd is restarted) */
	rc = hv->ops->create(hv, &s, g, e);
	while (rc == 0 && g->n_vifs < s.n_vifs)
		rc = hv->ops->attach(hv, &s, g, e);
	if (rc < 0)
		return rc;
	ri->guest = g;

	cfg = vr_guest_config(r);
	vr_guest_gen(cfg, gen);
	if (hv->ops->status(hv, g, line, sizeof(line)) != 0 ||
	    vr_guest_status_parse(line, gen, NULL) != 1)
		rc = hv->ops->push(hv, g, cfg, gen, e);
	free(cfg);
	if (rc == 0)
		rc = wait_ready(hv, g, gen, p->conf.timeout_ms, e);
	return rc;
}

int vr_place_up(struct vr_place *p, struct vr_realm *m, struct vr_errs *e)
{
	double t0 = now_ms();
	size_t n = 0;
	int r = 0;

	forget_created(p);
	free(p->guests);
	p->guests = calloc(m->n + 1, sizeof(*p->guests));
	p->n_guests = 0;
	if (!p->guests)
		abort();
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].r->placement == VR_PLACE_DOMU) {
			int rc = up_one(p, &m->v[i], &p->guests[n], e);
			if (rc < 0) {
				r = rc;
				break;
			}
			n++;
		}
	p->n_guests = n;
	p->ready_ms = now_ms() - t0;
	if (r < 0)
		vr_place_rollback(p);
	return r;
}

void vr_place_rollback(struct vr_place *p)
{
	for (size_t i = 0; i < p->n_created; i++) {
		struct vr_hv *hv = vr_place_hv(p, p->created_hv[i]);
		struct vr_guest g;
		struct vr_errs e;

		if (!hv)
			continue;
		memset(&g, 0, sizeof(g));
		vr_errs_init(&e);
		/* destroy what the driver knows of it (its vifs too) */
		{
			struct vr_guest *v = NULL;
			size_t n = 0;
			if (hv->ops->list(hv, &v, &n, &e) == 0 && listed(v, n, p->created[i], &g))
				hv->ops->destroy(hv, &g, &e);
			free(v);
		}
		vr_errs_free(&e);
	}
	forget_created(p);
}

/* Is guest key k ("<router>/lab|xl") still wanted by m? */
static bool still_wanted(const struct vr_realm *m, const char *router, enum vr_hv_kind k)
{
	const struct vr_rinfo *ri = vr_realm_find(m, router);

	return ri && ri->r->placement == VR_PLACE_DOMU && ri->r->domu.hypervisor == k;
}

int vr_place_down(struct vr_place *p, const struct vr_realm *m, struct vr_tables *t, bool *changed,
                  struct vr_errs *e)
{
	int r = 0;

	for (size_t i = 0; i < t->n;) {
		const char *key = t->v[i].router, *slash = strchr(key, '/');
		char router[IFNAMSIZ];
		enum vr_hv_kind k;
		struct vr_hv *hv;
		struct vr_guest *v = NULL, g;
		size_t n = 0;
		char name[VR_GUEST_NAME_MAX];
		int rc;

		if (!slash || (size_t)(slash - key) >= IFNAMSIZ ||
		    (strcmp(slash + 1, "lab") && strcmp(slash + 1, "xl"))) {
			i++;
			continue;
		}
		k = strcmp(slash + 1, "lab") ? VR_HV_XL : VR_HV_LAB;
		memcpy(router, key, (size_t)(slash - key));
		router[slash - key] = 0;
		if (still_wanted(m, router, k)) {
			i++;
			continue;
		}
		hv = vr_place_hv(p, k);
		if (!hv) {
			r = vr_errs_add(e, -ENOMEM, router, "cannot start a hypervisor driver");
			i++;
			continue;
		}
		vr_guest_name(k, router, name);
		rc = hv->ops->list(hv, &v, &n, e);
		if (rc == 0 && listed(v, n, name, &g))
			rc = hv->ops->destroy(hv, &g, e);
		free(v);
		if (rc < 0) {
			r = rc;
			i++;
			continue;
		}
		vr_tables_release(t, key); /* shifts the rest down */
		*changed = true;
	}
	return r;
}
