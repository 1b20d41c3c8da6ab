/* load.c - JSON -> libyang tree -> struct vr_config (see load.h). */
#include "load.h"

#include <errno.h>
#include <libyang/libyang.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

extern const char vr_yang_module_text[];

struct ly_ctx *vr_yang_ctx_new(struct vr_errs *e)
{
	struct ly_ctx *ctx = NULL;

	/* Keep every message in the context (we report them all, with their
	 * paths) and print none: the caller decides what the user sees. */
	ly_log_options(LY_LOSTORE);
	if (ly_ctx_new(NULL, LY_CTX_DISABLE_SEARCHDIRS, &ctx) != LY_SUCCESS) {
		vr_errs_add(e, -ENOMEM, NULL, "cannot create a libyang context");
		return NULL;
	}
	if (lys_parse_mem(ctx, vr_yang_module_text, LYS_IN_YANG, NULL) != LY_SUCCESS) {
		vr_yang_errors(ctx, e);
		vr_errs_add(e, -EINVAL, NULL, "the built-in vrd YANG module does not load");
		ly_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

void vr_yang_ctx_free(struct ly_ctx *ctx)
{
	if (ctx)
		ly_ctx_destroy(ctx);
}

/* libyang 2.1 puts "Data location "PATH", line number N." or
 * "Line number N." or a schema location in err->path. */
static void split_location(const char *loc, char *path, size_t plen, long *line)
{
	const char *p, *q;

	path[0] = 0;
	*line = -1;
	if (!loc)
		return;
	p = strstr(loc, "location \"");
	if (p) {
		p += strlen("location \"");
		q = strchr(p, '"');
		if (q && (size_t)(q - p) < plen) {
			memcpy(path, p, (size_t)(q - p));
			path[q - p] = 0;
		}
	} else if (loc[0] == '/') {
		snprintf(path, plen, "%s", loc);
	}
	p = strstr(loc, "ine number ");
	if (p)
		*line = strtol(p + strlen("ine number "), NULL, 10);
}

/* The JSON parser quotes the rest of the document after a syntax error;
 * keep the first line of that excerpt so one error stays one line. */
static void one_line(const char *msg, char *out, size_t len)
{
	const char *nl = strchr(msg, '\n'), *tail;

	if (!nl) {
		snprintf(out, len, "%s", msg);
		return;
	}
	tail = strrchr(msg, '"');
	snprintf(out, len, "%.*s...%s", (int)(nl - msg), msg, tail && tail > nl ? tail : "");
}

void vr_yang_errors(struct ly_ctx *ctx, struct vr_errs *e)
{
	for (struct ly_err_item *i = ly_err_first(ctx); i; i = i->next) {
		char path[1024], msg[512];
		long line;

		if (i->level != LY_LLERR)
			continue;
		split_location(i->path, path, sizeof(path), &line);
		one_line(i->msg, msg, sizeof(msg));
		if (line >= 0)
			vr_errs_add(e, -EINVAL, path[0] ? path : NULL, "%s (line %ld)", msg, line);
		else
			vr_errs_add(e, -EINVAL, path[0] ? path : NULL, "%s", msg);
	}
	ly_err_clean(ctx, NULL);
}

char *vr_yang_print(const struct lyd_node *node, uint32_t options)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	LY_ERR r;

	if (!f)
		abort();
	r = lyd_print_file(f, node, LYD_JSON, options);
	if (fclose(f) != 0 || r != LY_SUCCESS) {
		free(s);
		return NULL;
	}
	return s;
}

int vr_config_text_check(const char *json, struct vr_errs *e)
{
	if (json[strspn(json, " \t\r\n")])
		return 0;
	return vr_errs_add(e, -EINVAL, NULL,
			   "empty document: write {} for a config without routers");
}

int vr_load_mem(struct ly_ctx *ctx, const char *json, struct vr_config *out, struct vr_errs *e)
{
	struct lyd_node *tree = NULL, *top;
	size_t before = e->n;
	int r;

	memset(out, 0, sizeof(*out));
	if (vr_config_text_check(json, e) < 0)
		return -EINVAL;
	if (lyd_parse_data_mem(ctx, json, LYD_JSON, LYD_PARSE_STRICT, LYD_VALIDATE_NO_STATE,
			       &tree) != LY_SUCCESS) {
		vr_yang_errors(ctx, e);
		if (e->n == before)
			vr_errs_add(e, -EINVAL, NULL, "invalid document");
		lyd_free_all(tree);
		return -EINVAL;
	}
	top = NULL;
	for (struct lyd_node *n = tree; n; n = n->next)
		if (!strcmp(LYD_NAME(n), "virtual-routers") && !(n->flags & LYD_DEFAULT))
			top = n;
	if (!top) {
		/* An empty document is an empty config. */
		lyd_free_all(tree);
		return 0;
	}
	r = vr_load_tree(top, out, e);
	lyd_free_all(tree);
	return r;
}

int vr_load_file(struct ly_ctx *ctx, const char *path, struct vr_config *out, struct vr_errs *e)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!f)
		return vr_errs_add(e, -errno, path, "cannot read: %s", strerror(errno));
	{
		FILE *m = open_memstream(&buf, &len);
		char chunk[65536];
		size_t n;

		if (!m)
			abort();
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		r = ferror(f) ? -errno : 0;
		fclose(m);
	}
	fclose(f);
	if (r < 0) {
		free(buf);
		return vr_errs_add(e, r, path, "cannot read: %s", strerror(-r));
	}
	r = vr_load_mem(ctx, buf, out, e);
	free(buf);
	return r;
}

/* ---- tree -> structs ---- */

static const char *val(const struct lyd_node *n)
{
	return lyd_get_value(n);
}

static bool is(const struct lyd_node *n, const char *name)
{
	return !strcmp(LYD_NAME(n), name);
}

static void copy_name(char dst[IFNAMSIZ], const char *s)
{
	snprintf(dst, IFNAMSIZ, "%s", s);
}

/* An address or prefix that passed the YANG pattern but is not a valid
 * IP (the IPv6 pattern is deliberately loose) is reported here. */
static int parse_prefixed(const struct lyd_node *n, struct vr_ip *ip, struct vr_errs *e)
{
	if (vr_ip_parse_prefix(val(n), ip) < 0) {
		char *p = lyd_path(n, LYD_PATH_STD, NULL, 0);
		vr_errs_add(e, -EINVAL, p, "\"%s\" is not an address with a prefix length", val(n));
		free(p);
		return -EINVAL;
	}
	return 0;
}

/* Room for element n (zeroed).  Arrays double when n reaches a power of
 * two, so a config of a million routes is not copied a million times. */
static void *grow(void *v, size_t n, size_t size)
{
	if ((n & (n - 1)) == 0) {
		v = realloc(v, (n ? 2 * n : 1) * size);
		if (!v)
			abort();
	}
	memset((char *)v + n * size, 0, size);
	return v;
}

static enum vr_route_type route_type(const char *s)
{
	if (!strcmp(s, "blackhole"))
		return VR_RT_BLACKHOLE;
	if (!strcmp(s, "unreachable"))
		return VR_RT_UNREACHABLE;
	return VR_RT_PROHIBIT;
}

static int load_kind(const struct lyd_node *k, struct vr_iface *i, struct vr_errs *e)
{
	const struct lyd_node *c;

	if (is(k, "veth")) {
		i->kind = VR_IF_VETH;
		LY_LIST_FOR(lyd_child(k), c) {
			if (is(c, "peer"))
				copy_name(i->u.veth.peer, val(c));
			else if (is(c, "peer-router")) {
				i->u.veth.where = VR_PEER_ROUTER;
				copy_name(i->u.veth.where_name, val(c));
			} else if (is(c, "peer-bridge")) {
				i->u.veth.where = VR_PEER_BRIDGE;
				copy_name(i->u.veth.where_name, val(c));
			}
		}
	} else if (is(k, "bridge")) {
		i->kind = VR_IF_BRIDGE;
		LY_LIST_FOR(lyd_child(k), c) {
			if (!is(c, "member"))
				continue;
			i->u.bridge.members = grow(i->u.bridge.members, i->u.bridge.n_members,
						   sizeof(*i->u.bridge.members));
			copy_name(i->u.bridge.members[i->u.bridge.n_members++], val(c));
		}
	} else if (is(k, "macvlan")) {
		i->kind = VR_IF_MACVLAN;
		LY_LIST_FOR(lyd_child(k), c) {
			if (is(c, "parent"))
				copy_name(i->u.macvlan.parent, val(c));
			else if (is(c, "mode")) {
				const char *m = val(c);
				i->u.macvlan.mode = !strcmp(m, "private") ? VR_MACVLAN_PRIVATE
						    : !strcmp(m, "vepa")  ? VR_MACVLAN_VEPA
						    : !strcmp(m, "passthru") ? VR_MACVLAN_PASSTHRU
									     : VR_MACVLAN_BRIDGE;
			}
		}
	} else if (is(k, "vxlan")) {
		i->kind = VR_IF_VXLAN;
		i->u.vxlan.port = 4789;
		LY_LIST_FOR(lyd_child(k), c) {
			if (is(c, "vni"))
				i->u.vxlan.vni = (uint32_t)strtoul(val(c), NULL, 10);
			else if (is(c, "port"))
				i->u.vxlan.port = (uint16_t)strtoul(val(c), NULL, 10);
			else if (is(c, "device"))
				copy_name(i->u.vxlan.device, val(c));
			else if (is(c, "local") || is(c, "remote")) {
				struct vr_ip *ip = is(c, "local") ? &i->u.vxlan.local
								  : &i->u.vxlan.remote;
				if (vr_ip_parse(val(c), ip) < 0) {
					char *p = lyd_path(c, LYD_PATH_STD, NULL, 0);
					vr_errs_add(e, -EINVAL, p, "\"%s\" is not an IP address",
						    val(c));
					free(p);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

static int load_iface(const struct lyd_node *n, struct vr_iface *i, struct vr_errs *e)
{
	const struct lyd_node *c;
	int r = 0;

	i->enabled = true;
	LY_LIST_FOR(lyd_child(n), c) {
		if (is(c, "name"))
			copy_name(i->name, val(c));
		else if (is(c, "mtu"))
			i->mtu = (uint32_t)strtoul(val(c), NULL, 10);
		else if (is(c, "enabled"))
			i->enabled = !strcmp(val(c), "true");
		else if (is(c, "upstream"))
			copy_name(i->upstream, val(c));
		else if (is(c, "address")) {
			i->addrs = grow(i->addrs, i->n_addrs, sizeof(*i->addrs));
			if (parse_prefixed(c, &i->addrs[i->n_addrs], e) < 0)
				r = -EINVAL;
			i->n_addrs++;
		} else if (!r)
			r = load_kind(c, i, e);
	}
	return r;
}

static int load_route(const struct lyd_node *n, struct vr_static_route *rt, struct vr_errs *e)
{
	const struct lyd_node *c, *h;
	int r = 0;

	LY_LIST_FOR(lyd_child(n), c) {
		if (is(c, "prefix")) {
			if (parse_prefixed(c, &rt->prefix, e) < 0)
				r = -EINVAL;
		} else if (is(c, "type")) {
			rt->type = route_type(val(c));
		} else if (is(c, "metric")) {
			rt->has_metric = true;
			rt->metric = (uint32_t)strtoul(val(c), NULL, 10);
		} else if (is(c, "next-hop")) {
			struct vr_nexthop *nh;

			rt->nhs = grow(rt->nhs, rt->n_nhs, sizeof(*rt->nhs));
			nh = &rt->nhs[rt->n_nhs++];
			nh->weight = 1;
			LY_LIST_FOR(lyd_child(c), h) {
				if (is(h, "address")) {
					if (vr_ip_parse(val(h), &nh->addr) < 0) {
						char *p = lyd_path(h, LYD_PATH_STD, NULL, 0);
						vr_errs_add(e, -EINVAL, p,
							    "\"%s\" is not an IP address", val(h));
						free(p);
						r = -EINVAL;
					}
				} else if (is(h, "interface"))
					copy_name(nh->iface, val(h));
				else if (is(h, "router"))
					copy_name(nh->router, val(h));
				else if (is(h, "weight"))
					nh->weight = (uint8_t)strtoul(val(h), NULL, 10);
			}
		}
	}
	return r;
}

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void domu_defaults(struct vr_domu *d)
{
	d->hypervisor = VR_HV_XL;
	d->vif_mode = VR_VIF_BRIDGED;
	d->memory_mib = 256;
	d->vcpus = 1;
}

static void load_domu(const struct lyd_node *n, struct vr_domu *d)
{
	const struct lyd_node *c;

	domu_defaults(d);
	LY_LIST_FOR(lyd_child(n), c) {
		if (is(c, "hypervisor"))
			d->hypervisor = !strcmp(val(c), "lab") ? VR_HV_LAB : VR_HV_XL;
		else if (is(c, "vif-mode"))
			d->vif_mode = !strcmp(val(c), "routed") ? VR_VIF_ROUTED : VR_VIF_BRIDGED;
		else if (is(c, "memory"))
			d->memory_mib = (uint32_t)strtoul(val(c), NULL, 10);
		else if (is(c, "vcpus"))
			d->vcpus = (uint8_t)strtoul(val(c), NULL, 10);
		else if (is(c, "kernel"))
			d->kernel = dup_str(val(c));
		else if (is(c, "ramdisk"))
			d->ramdisk = dup_str(val(c));
		else if (is(c, "extra"))
			d->extra = dup_str(val(c));
	}
}

static int load_router(const struct lyd_node *n, struct vr_router *rt, struct vr_errs *e)
{
	const struct lyd_node *c;
	int r = 0;

	rt->forwarding = true;
	LY_LIST_FOR(lyd_child(n), c) {
		const char *v = val(c);

		if (is(c, "name"))
			copy_name(rt->name, v);
		else if (is(c, "table")) {
			rt->has_table = true;
			rt->table = (uint32_t)strtoul(v, NULL, 10);
		} else if (is(c, "placement"))
			rt->placement = !strcmp(v, "domU")   ? VR_PLACE_DOMU
					: !strcmp(v, "dom0") ? VR_PLACE_DOM0
							     : VR_PLACE_NATIVE;
		else if (is(c, "backend"))
			rt->backend = !strcmp(v, "vrf")     ? VR_BACKEND_VRF
				      : !strcmp(v, "netns") ? VR_BACKEND_NETNS
							    : VR_BACKEND_AUTO;
		else if (is(c, "drift"))
			rt->drift = !strcmp(v, "report") ? VR_DRIFT_REPORT : VR_DRIFT_ENFORCE;
		else if (is(c, "forwarding"))
			rt->forwarding = !strcmp(v, "true");
		else if (is(c, "domu")) {
			rt->has_domu = true;
			load_domu(c, &rt->domu);
		} else if (is(c, "interface")) {
			rt->ifaces = grow(rt->ifaces, rt->n_ifaces, sizeof(*rt->ifaces));
			if (load_iface(c, &rt->ifaces[rt->n_ifaces++], e) < 0)
				r = -EINVAL;
		} else if (is(c, "route")) {
			rt->routes = grow(rt->routes, rt->n_routes, sizeof(*rt->routes));
			if (load_route(c, &rt->routes[rt->n_routes++], e) < 0)
				r = -EINVAL;
		}
	}
	if (!rt->has_domu)
		domu_defaults(&rt->domu);
	return r;
}

int vr_load_tree(const struct lyd_node *container, struct vr_config *out, struct vr_errs *e)
{
	const struct lyd_node *c;
	int r = 0;

	memset(out, 0, sizeof(*out));
	LY_LIST_FOR(lyd_child(container), c) {
		if (!is(c, "router"))
			continue;
		out->routers = grow(out->routers, out->n_routers, sizeof(*out->routers));
		if (load_router(c, &out->routers[out->n_routers++], e) < 0)
			r = -EINVAL;
	}
	if (!r)
		r = vr_check(out, e);
	if (r < 0)
		vr_config_free(out);
	return r;
}
