/* kernel.h - kernel access per network namespace: for every namespace vrd
 * touches, a lazily opened namespace fd, an rtnetlink socket and a
 * name -> ifindex cache.  Namespace names are interned strings ("" is the
 * namespace vrd runs in, any other name a file under /run/netns).
 * It does not create or delete namespaces (sys.c does). */
#ifndef VR_KERNEL_H
#define VR_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "nl/enc.h"
#include "nl/sock.h"
#include "state.h"

struct vr_kernel_if {
	char name[IFNAMSIZ];
	int ifindex;
};

struct vr_kernel_ns {
	const char *name;         /* interned */
	int nsfd;                 /* -1: not opened yet */
	struct vr_nl *nl;         /* NULL: not opened yet */
	struct vr_kernel_if *ifs; /* sorted by name */
	size_t n_ifs;
	bool ifs_valid; /* false: refreshed by a link dump on next lookup */
};

struct vr_kernel {
	struct vr_kernel_ns *v;
	size_t n, cap;
	const char *netns_dir; /* default "/run/netns" */
};

void vr_kernel_init(struct vr_kernel *k);
/* Closes every socket and fd. */
void vr_kernel_free(struct vr_kernel *k);

/* An open fd of namespace ns (owned by k; do not close), or -errno.
 * For "" it is /proc/thread-self/ns/net (the encoders need it to move a link
 * back home). */
int vr_kernel_nsfd(struct vr_kernel *k, const char *ns);
/* The rtnetlink socket of ns, opened on first use.  NULL and errno set on
 * failure. */
struct vr_nl *vr_kernel_nl(struct vr_kernel *k, const char *ns);
/* Close the socket of ns (e.g. after lost acks: stale answers queued on it
 * must not be read as answers to later requests); reopened on next use. */
void vr_kernel_reset_nl(struct vr_kernel *k, const char *ns);
/* Drop everything held for ns (socket, fd, cache).  Call before the
 * namespace is deleted: an open fd or socket keeps it alive. */
void vr_kernel_forget(struct vr_kernel *k, const char *ns);

/* Refresh the name -> ifindex cache of ns with a link dump now.  0/-errno. */
int vr_kernel_refresh_links(struct vr_kernel *k, const char *ns);
/* Mark the cache of ns (NULL: of every namespace) stale: the next lookup
 * dumps the links again. */
void vr_kernel_invalidate(struct vr_kernel *k, const char *ns);
/* Replace the cache of ns with these links (observe.c after its dump). */
void vr_kernel_learn_links(struct vr_kernel *k, const char *ns, const struct vr_link *links,
                           size_t n);
/* ifindex (>0) of name in ns, or -ENODEV (-errno when the dump failed). */
int vr_kernel_ifindex(struct vr_kernel *k, const char *ns, const char *name);

/* Callbacks for the encoders (nl/enc.h), backed by k. */
struct vr_resolve vr_kernel_resolver(struct vr_kernel *k);

/* Run fn(arg) with the calling thread inside namespace ns, then return to
 * vrd's own namespace.  Returns fn's result, or -errno when ns cannot be
 * entered. */
int vr_kernel_run_in(struct vr_kernel *k, const char *ns, int (*fn)(void *arg), void *arg);

#endif
