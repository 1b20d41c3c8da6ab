/* lab_driver - the lab hypervisor driver from the command line, for the
 * lab-driver scenario (which checks the kernel, the files and the processes
 * with tools of its own).  One call a run, as `vrd --once` would make it:
 *
 *   lab_driver STATE_DIR VRD_PATH create ROUTER GID N   (vifs if0..if<N-1>)
 *   lab_driver STATE_DIR VRD_PATH attach ROUTER GID N   (adds vif N-1)
 *   lab_driver STATE_DIR VRD_PATH push ROUTER TEXT      (prints the generation)
 *   lab_driver STATE_DIR VRD_PATH status ROUTER         (exit 2: no status yet)
 *   lab_driver STATE_DIR VRD_PATH list                  ("name router domid vif...")
 *   lab_driver STATE_DIR VRD_PATH destroy ROUTER
 *   lab_driver - - mac ROUTER IFACE                     (the guest end's MAC)
 *
 * Exit 0 on success, 1 with the driver's errors on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place/hv.h"

static int report(int r, struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "lab_driver: %s\n", s);
		free(s);
	}
	if (r < 0 && !e->n)
		fprintf(stderr, "lab_driver: %s\n", strerror(-r));
	return r < 0;
}

static void spec_make(const char *router, const char *gid, const char *n, struct vr_guest_spec *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->router, sizeof(s->router), "%s", router);
	vr_guest_name(VR_HV_LAB, router, s->name);
	s->gid = (unsigned)strtoul(gid, NULL, 10);
	s->n_vifs = strtoul(n, NULL, 10);
	for (size_t i = 0; i < s->n_vifs && i < VR_GUEST_MAX_VIFS; i++) {
		char ifname[IFNAMSIZ];
		snprintf(ifname, sizeof(ifname), "if%zu", i);
		vr_guest_mac(router, ifname, s->guest_mac[i]);
	}
}

/* The guest of router as list() sees it; a bare one when it has none. */
static void guest_find(struct vr_hv *hv, const char *router, struct vr_guest *g, struct vr_errs *e)
{
	struct vr_guest *v;
	size_t n;

	memset(g, 0, sizeof(*g));
	vr_guest_name(VR_HV_LAB, router, g->name);
	snprintf(g->router, sizeof(g->router), "%s", router);
	if (hv->ops->list(hv, &v, &n, e) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].router, router))
			*g = v[i];
	free(v);
}

int main(int argc, char **argv)
{
	struct vr_hv_conf conf = {.timeout_ms = 3000};
	struct vr_guest_spec s;
	struct vr_guest g, *v;
	struct vr_errs e;
	struct vr_hv *hv;
	const char *cmd;
	char gen[VR_GUEST_GEN_LEN], buf[512];
	size_t n;
	int r = -EINVAL;

	if (argc < 4) {
		fprintf(stderr, "usage: lab_driver STATE_DIR VRD_PATH COMMAND ARGS...\n");
		return 1;
	}
	cmd = argv[3];
	if (!strcmp(cmd, "mac") && argc == 6) {
		uint8_t m[6];
		vr_guest_mac(argv[4], argv[5], m);
		printf("%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
		return 0;
	}
	conf.state_dir = argv[1];
	conf.vrd_path = argv[2];
	hv = vr_hv_lab_new(&conf);
	vr_errs_init(&e);
	if (!strcmp(cmd, "create") && argc == 7) {
		spec_make(argv[4], argv[5], argv[6], &s);
		r = hv->ops->create(hv, &s, &g, &e);
		for (size_t i = 0; r == 0 && i < g.n_vifs; i++)
			printf("%s\n", g.vif[i]);
	} else if (!strcmp(cmd, "attach") && argc == 7) {
		spec_make(argv[4], argv[5], argv[6], &s);
		guest_find(hv, argv[4], &g, &e);
		r = hv->ops->attach(hv, &s, &g, &e);
		if (r == 0)
			printf("%s\n", g.vif[g.n_vifs - 1]);
	} else if (!strcmp(cmd, "push") && argc == 6) {
		guest_find(hv, argv[4], &g, &e);
		vr_guest_gen(argv[5], gen);
		r = hv->ops->push(hv, &g, argv[5], gen, &e);
		if (r == 0)
			printf("%s\n", gen);
	} else if (!strcmp(cmd, "status") && argc == 5) {
		guest_find(hv, argv[4], &g, &e);
		r = hv->ops->status(hv, &g, buf, sizeof(buf));
		if (r == -ENOENT) {
			vr_hv_free(hv);
			vr_errs_free(&e);
			return 2;
		}
		if (r == 0)
			printf("%s\n", buf);
	} else if (!strcmp(cmd, "list") && argc == 4) {
		r = hv->ops->list(hv, &v, &n, &e);
		for (size_t i = 0; r == 0 && i < n; i++) {
			printf("%s %s %d", v[i].name, v[i].router, v[i].domid);
			for (size_t j = 0; j < v[i].n_vifs; j++)
				printf(" %s", v[i].vif[j]);
			printf("\n");
		}
		if (r == 0)
			free(v);
	} else if (!strcmp(cmd, "destroy") && argc == 5) {
		guest_find(hv, argv[4], &g, &e);
		r = hv->ops->destroy(hv, &g, &e);
	} else {
		fprintf(stderr, "lab_driver: bad command or arguments\n");
	}
	r = report(r, &e);
	vr_errs_free(&e);
	vr_hv_free(hv);
	return r;
}
