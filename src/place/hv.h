/* hv.h - hypervisor drivers: the guest a domU router runs in.
 *
 * A router with placement domU runs in a guest.  The dom0 vrd asks a driver
 * to create the guest with one vif per router interface, learns the vifs'
 * dom0-side names (it plumbs them itself, see domu.c), hands the guest the
 * router's config, and waits until the guest's vrd reports it converged.
 *
 * Drivers: "xl" (real Xen: xl.cfg, xl create/destroy/network-attach,
 * xenstore) and "lab" (a network namespace stands in for the guest, veths
 * for the vifs, a `vrd --guest` process for the guest's vrd).
 *
 * The guest's side of the conversation is a channel (chan.h): the config
 * travels down, a status line comes back:
 *     "<gen> ready"              the guest's kernel matches config <gen>
 *     "<gen> failed <reason>"    it could not apply it (nothing changed)
 * <gen> is the hex FNV-1a 64 of the config text (vr_guest_gen), so an
 * unchanged config is recognised without any counter to persist.
 *
 * All functions return 0 or -errno, with a message naming the guest in e.
 * Blocking calls are bounded by the timeout the caller passes. */
#ifndef VR_PLACE_HV_H
#define VR_PLACE_HV_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

#define VR_GUEST_MAX_VIFS 16
#define VR_GUEST_NAME_MAX 64
#define VR_GUEST_GEN_LEN 17 /* 16 hex digits + NUL */

/* What a guest is made from. */
struct vr_guest_spec {
	char router[IFNAMSIZ];
	char name[VR_GUEST_NAME_MAX]; /* vr_guest_name() */
	unsigned gid;                 /* vrd's stable guest id, 1..32767 (statedir "guests") */
	const struct vr_domu *domu;   /* memory, vcpus, kernel, ramdisk, extra */
	size_t n_vifs;                /* = the router's interfaces, in model order */
	uint8_t guest_mac[VR_GUEST_MAX_VIFS][6]; /* the guest's eth<n> (vr_guest_mac) */
};

/* A guest that exists. */
struct vr_guest {
	char name[VR_GUEST_NAME_MAX];
	char router[IFNAMSIZ]; /* the router it runs (from its name) */
	int domid;             /* xl: Xen domain id; lab: the gid */
	size_t n_vifs;
	char vif[VR_GUEST_MAX_VIFS][IFNAMSIZ]; /* dom0 side, "vif<domid>.<n>", in vrd's namespace */
};

struct vr_hv;

struct vr_hv_ops {
	const char *name; /* "xl", "lab" */
	/* The guests this driver created (recognised by their name prefix). */
	int (*list)(struct vr_hv *hv, struct vr_guest **v, size_t *n, struct vr_errs *e);
	/* Create the guest with s->n_vifs vifs; returns once every dom0-side
	 * vif exists as a link in vrd's namespace (g filled in). */
	int (*create)(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
		      struct vr_errs *e);
	/* Add vif number g->n_vifs to a running guest (xl network-attach);
	 * returns once it exists; g->n_vifs grows by one. */
	int (*attach)(struct vr_hv *hv, const struct vr_guest_spec *s, struct vr_guest *g,
		      struct vr_errs *e);
	/* Hand the guest config text (JSON, as `vrd --guest` loads it) with
	 * generation gen (vr_guest_gen(config)). */
	int (*push)(struct vr_hv *hv, const struct vr_guest *g, const char *config,
		    const char *gen, struct vr_errs *e);
	/* The guest's last status line into buf; -ENOENT: none yet. */
	int (*status)(struct vr_hv *hv, const struct vr_guest *g, char *buf, size_t len);
	/* Destroy the guest and its vifs; a guest already gone is not an error. */
	int (*destroy)(struct vr_hv *hv, const struct vr_guest *g, struct vr_errs *e);
	void (*free)(struct vr_hv *hv);
};

/* How the dom0 vrd runs drivers (daemon options). */
struct vr_hv_conf {
	const char *state_dir;  /* the dom0 vrd's state directory */
	const char *vrd_path;   /* lab: the vrd binary started in the guest */
	const char *xl_dir;     /* xl: where generated xl.cfg files go (default <state_dir>/xl) */
	const char *vif_script; /* xl: vrd's vif hotplug script (default VR_VIF_SCRIPT) */
	int timeout_ms;         /* bound of create/attach/destroy waits */
};

#ifndef VR_VIF_SCRIPT
#define VR_VIF_SCRIPT "/usr/libexec/vrd/vif-vrd"
#endif

struct vr_hv {
	const struct vr_hv_ops *ops;
	struct vr_hv_conf conf;
	void *priv;
};

struct vr_hv *vr_hv_xl_new(const struct vr_hv_conf *conf);
struct vr_hv *vr_hv_lab_new(const struct vr_hv_conf *conf);
static inline void vr_hv_free(struct vr_hv *hv)
{
	if (hv)
		hv->ops->free(hv);
}

/* ---- names, MACs, generations (pure, guest.c) ---- */

/* "vr-<router>" (xl domain) or "vrg-<router>" (lab namespace). */
void vr_guest_name(enum vr_hv_kind hv, const char *router, char out[VR_GUEST_NAME_MAX]);
/* The router a guest name belongs to, or NULL when it is none of ours. */
const char *vr_guest_router(enum vr_hv_kind hv, const char *name);
/* Stable MACs of router's interface iface: the guest's end (Xen's OUI
 * 00:16:3e) and the dom0 end (locally administered 02:...), FNV-1a of the
 * two names. */
void vr_guest_mac(const char *router, const char *iface, uint8_t mac[6]);
void vr_vif_mac(const char *router, const char *iface, uint8_t mac[6]);
/* "vif<domid>.<n>" */
void vr_vif_name(int domid, size_t n, char out[IFNAMSIZ]);
/* The generation of a config text: 16 hex digits. */
void vr_guest_gen(const char *config, char out[VR_GUEST_GEN_LEN]);
/* Parse a status line: 1 ready for gen, 0 not (yet) for gen, -1 failed
 * for gen (reason points into line). */
int vr_guest_status_parse(const char *line, const char *gen, const char **reason);

#endif
