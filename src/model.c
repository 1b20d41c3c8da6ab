/* model.c - the config structs: free, look up, and name their data paths. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vr_config_free(struct vr_config *c)
{
	for (size_t i = 0; i < c->n_routers; i++) {
		struct vr_router *r = &c->routers[i];
		for (size_t j = 0; j < r->n_ifaces; j++) {
			free(r->ifaces[j].addrs);
			if (r->ifaces[j].kind == VR_IF_BRIDGE)
				free(r->ifaces[j].u.bridge.members);
		}
		for (size_t j = 0; j < r->n_routes; j++)
			free(r->routes[j].nhs);
		free(r->ifaces);
		free(r->routes);
		free(r->domu.kernel);
		free(r->domu.ramdisk);
		free(r->domu.extra);
	}
	free(c->routers);
	memset(c, 0, sizeof(*c));
}

const struct vr_router *vr_config_router(const struct vr_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_routers; i++)
		if (!strcmp(c->routers[i].name, name))
			return &c->routers[i];
	return NULL;
}

const struct vr_iface *vr_router_iface(const struct vr_router *r, const char *name)
{
	for (size_t i = 0; i < r->n_ifaces; i++)
		if (!strcmp(r->ifaces[i].name, name))
			return &r->ifaces[i];
	return NULL;
}

static char *path_fmt(const char *base, const char *leaf)
{
	char *s;

	if (asprintf(&s, "%s%s%s", base, leaf ? "/" : "", leaf ? leaf : "") < 0)
		abort();
	return s;
}

char *vr_path_router(const struct vr_router *r, const char *leaf)
{
	char base[128];

	snprintf(base, sizeof(base), "/vrd:virtual-routers/router[name='%s']", r->name);
	return path_fmt(base, leaf);
}

char *vr_path_iface(const struct vr_router *r, const struct vr_iface *i, const char *leaf)
{
	char base[192];

	snprintf(base, sizeof(base), "/vrd:virtual-routers/router[name='%s']/interface[name='%s']",
		 r->name, i->name);
	return path_fmt(base, leaf);
}

char *vr_path_route(const struct vr_router *r, const struct vr_static_route *rt, const char *leaf)
{
	char base[224], a[VR_ADDR_STRLEN];

	snprintf(base, sizeof(base), "/vrd:virtual-routers/router[name='%s']/route[prefix='%s']",
		 r->name, vr_ip_str(&rt->prefix, true, a, sizeof(a)));
	return path_fmt(base, leaf);
}

const char *vr_placement_str(enum vr_placement p)
{
	return p == VR_PLACE_DOMU ? "domU" : p == VR_PLACE_DOM0 ? "dom0" : "native";
}

const char *vr_backend_str(enum vr_backend b)
{
	return b == VR_BACKEND_VRF ? "vrf" : b == VR_BACKEND_NETNS ? "netns" : "auto";
}
