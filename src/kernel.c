/* kernel.c - per-namespace kernel access: namespace fds, rtnetlink sockets
 * and the name -> ifindex caches the encoders resolve device names with.
 * No policy here: what to send is exec.c's business, what to keep of a
 * dump is observe.c's.  Socket I/O goes through nl/sock.c only. */
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl/dec.h"
#include "sys.h"

void vr_kernel_init(struct vr_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->netns_dir = VR_NETNS_DIR;
}

static void ns_clear(struct vr_kernel_ns *n)
{
	vr_nl_close(n->nl);
	n->nl = NULL;
	if (n->nsfd >= 0)
		close(n->nsfd);
	n->nsfd = -1;
	free(n->ifs);
	n->ifs = NULL;
	n->n_ifs = 0;
	n->ifs_valid = false;
}

void vr_kernel_free(struct vr_kernel *k)
{
	for (size_t i = 0; i < k->n; i++)
		ns_clear(&k->v[i]);
	free(k->v);
	k->v = NULL;
	k->n = k->cap = 0;
}

/* Namespaces are few (one per router at most): a linear search is fine.
 * Compared by content, so callers may pass non-interned names. */
static struct vr_kernel_ns *ns_find(struct vr_kernel *k, const char *ns)
{
	if (!ns)
		ns = "";
	for (size_t i = 0; i < k->n; i++)
		if (!vr_ns_cmp(k->v[i].name, ns))
			return &k->v[i];
	return NULL;
}

static struct vr_kernel_ns *ns_get(struct vr_kernel *k, const char *ns)
{
	struct vr_kernel_ns *n = ns_find(k, ns);

	if (n)
		return n;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		struct vr_kernel_ns *v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			abort();
		k->v = v;
		k->cap = cap;
	}
	n = &k->v[k->n++];
	memset(n, 0, sizeof(*n));
	n->name = vr_intern(ns ? ns : "");
	n->nsfd = -1;
	return n;
}

int vr_kernel_nsfd(struct vr_kernel *k, const char *ns)
{
	struct vr_kernel_ns *n = ns_get(k, ns);
	char path[PATH_MAX];

	if (n->nsfd >= 0)
		return n->nsfd;
	if (!*n->name)
		snprintf(path, sizeof(path), "/proc/thread-self/ns/net");
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", k->netns_dir, n->name) >=
	         sizeof(path))
		return -ENAMETOOLONG;
	n->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (n->nsfd < 0)
		return -errno;
	return n->nsfd;
}

struct vr_nl *vr_kernel_nl(struct vr_kernel *k, const char *ns)
{
	struct vr_kernel_ns *n = ns_get(k, ns);
	int fd = -1;

	if (n->nl)
		return n->nl;
	/* vrd's own namespace needs no setns(). */
	if (*n->name) {
		fd = vr_kernel_nsfd(k, n->name);
		if (fd < 0) {
			errno = -fd;
			return NULL;
		}
	}
	n->nl = vr_nl_open(fd);
	return n->nl;
}

void vr_kernel_reset_nl(struct vr_kernel *k, const char *ns)
{
	struct vr_kernel_ns *n = ns_find(k, ns);

	if (n) {
		vr_nl_close(n->nl);
		n->nl = NULL;
	}
}

void vr_kernel_forget(struct vr_kernel *k, const char *ns)
{
	struct vr_kernel_ns *n = ns_find(k, ns);

	if (!n)
		return;
	ns_clear(n);
	*n = k->v[--k->n];
}

static int if_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vr_kernel_if *)a)->name,
	              ((const struct vr_kernel_if *)b)->name);
}

struct refresh {
	struct vr_kernel_if *v;
	size_t n, cap;
};

static void refresh_add(struct refresh *r, const char *name, int ifindex)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct vr_kernel_if *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			abort();
		r->v = v;
		r->cap = cap;
	}
	snprintf(r->v[r->n].name, IFNAMSIZ, "%s", name);
	r->v[r->n].ifindex = ifindex;
	r->n++;
}

static int refresh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vr_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	memset(&l, 0, sizeof(l));
	/* A link the decoder cannot read is simply not resolvable. */
	if (vr_dec_link(nlh, &l) == 0 && l.name[0] && l.ifindex > 0)
		refresh_add(data, l.name, l.ifindex);
	return 0;
}

static void ns_set_ifs(struct vr_kernel_ns *n, struct refresh *r)
{
	free(n->ifs);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), if_cmp);
	n->ifs = r->v;
	n->n_ifs = r->n;
	n->ifs_valid = true;
}

int vr_kernel_refresh_links(struct vr_kernel *k, const char *ns)
{
	struct vr_nl *nl = vr_kernel_nl(k, ns);
	struct refresh r = {0};
	char req[256];
	size_t len;
	int ret;

	if (!nl)
		return -errno;
	len = vr_enc_dump_links(req, sizeof(req), vr_nl_next_seq(nl));
	if (!len)
		return -EMSGSIZE;
	/* An interrupted dump (links changed meanwhile) is simply redone. */
	for (int tries = 0; tries < 4; tries++) {
		r.n = 0;
		ret = vr_nl_dump(nl, req, len, refresh_cb, &r);
		if (ret != -EINTR)
			break;
		((struct nlmsghdr *)req)->nlmsg_seq = vr_nl_next_seq(nl);
	}
	if (ret < 0) {
		free(r.v);
		return ret;
	}
	ns_set_ifs(ns_get(k, ns), &r);
	return 0;
}

void vr_kernel_invalidate(struct vr_kernel *k, const char *ns)
{
	if (!ns) {
		for (size_t i = 0; i < k->n; i++)
			k->v[i].ifs_valid = false;
		return;
	}
	struct vr_kernel_ns *n = ns_find(k, ns);
	if (n)
		n->ifs_valid = false;
}

void vr_kernel_learn_links(struct vr_kernel *k, const char *ns, const struct vr_link *links,
                           size_t n)
{
	struct refresh r = {0};

	for (size_t i = 0; i < n; i++)
		if (links[i].name[0] && links[i].ifindex > 0)
			refresh_add(&r, links[i].name, links[i].ifindex);
	ns_set_ifs(ns_get(k, ns), &r);
}

int vr_kernel_ifindex(struct vr_kernel *k, const char *ns, const char *name)
{
	struct vr_kernel_ns *n = ns_get(k, ns);
	struct vr_kernel_if key, *hit;

	if (!n->ifs_valid) {
		int ret = vr_kernel_refresh_links(k, ns);
		if (ret < 0)
			return ret;
		n = ns_find(k, ns);
	}
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	memset(&key, 0, sizeof(key));
	strcpy(key.name, name);
	hit = n->n_ifs ? bsearch(&key, n->ifs, n->n_ifs, sizeof(key), if_cmp) : NULL;
	return hit ? hit->ifindex : -ENODEV;
}

static int res_ifindex(void *ctx, const char *ns, const char *name)
{
	return vr_kernel_ifindex(ctx, ns, name);
}

static int res_nsfd(void *ctx, const char *ns)
{
	return vr_kernel_nsfd(ctx, ns);
}

struct vr_resolve vr_kernel_resolver(struct vr_kernel *k)
{
	struct vr_resolve r = {.ifindex = res_ifindex, .nsfd = res_nsfd, .ctx = k};
	return r;
}

int vr_kernel_run_in(struct vr_kernel *k, const char *ns, int (*fn)(void *arg), void *arg)
{
	int fd;

	if (!ns || !*ns)
		return fn(arg);
	fd = vr_kernel_nsfd(k, ns);
	if (fd < 0)
		return fd;
	return vr_netns_run(fd, fn, arg);
}
