/* chan.h - the guest's end of the dom0 <-> guest channel (see hv.h).
 *
 * `vrd --guest xenstore` (in a Xen domU) and `vrd --guest lab:DIR` (in a lab
 * guest) read the router's config from their channel, apply it, and write
 * the status line back.
 *
 * lab:DIR   files in DIR: "config" (the JSON text) and "generation" (written
 *           after config, both atomically by the dom0 vrd), "status"
 *           (written atomically by the guest).  Change notification:
 *           inotify on DIR.
 * xenstore  dom0 writes /local/domain/<domid>/vrd/config/count and
 *           .../config/<i> (chunks of at most VR_XS_CHUNK bytes) and then
 *           .../vrd/generation; that subtree is owned by dom0 and readable
 *           by this guest only (permissions "n0 r<domid>").  The guest
 *           writes /local/domain/<domid>/data/vrd-status.  Change
 *           notification: a `xenstore-watch` child on vrd/generation.
 *
 * A reader checks vr_guest_gen(config) == generation and otherwise waits
 * for the next change (it read between the dom0's writes). */
#ifndef VR_PLACE_CHAN_H
#define VR_PLACE_CHAN_H

#include "err.h"
#include "place/hv.h"

#define VR_XS_CHUNK 2048

struct vr_chan;

struct vr_chan_ops {
	/* The current config (malloc'd, caller frees) and its generation;
	 * -ENOENT: none yet; -EAGAIN: torn read, wait for the next change. */
	int (*read)(struct vr_chan *c, char **config, char gen[VR_GUEST_GEN_LEN]);
	/* Write the status line. */
	int (*report)(struct vr_chan *c, const char *status);
	/* A descriptor that becomes readable when the config may have
	 * changed; call drain() after it did. */
	int (*fd)(struct vr_chan *c);
	void (*drain)(struct vr_chan *c);
	void (*free)(struct vr_chan *c);
};

struct vr_chan {
	const struct vr_chan_ops *ops;
	void *priv;
};

/* spec: "xenstore" or "lab:DIR".  NULL with the reason in e. */
struct vr_chan *vr_chan_open(const char *spec, struct vr_errs *e);
struct vr_chan *vr_chan_lab_new(const char *dir, struct vr_errs *e);
struct vr_chan *vr_chan_xs_new(struct vr_errs *e);
static inline void vr_chan_free(struct vr_chan *c)
{
	if (c)
		c->ops->free(c);
}

#endif
