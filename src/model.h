/* model.h - the validated configuration as plain C structs.  Produced by
 * load.c from a libyang tree; nothing past the loader sees libyang. */
#ifndef VR_MODEL_H
#define VR_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum vr_placement { VR_PLACE_NATIVE, VR_PLACE_DOM0, VR_PLACE_DOMU };
enum vr_backend { VR_BACKEND_AUTO, VR_BACKEND_VRF, VR_BACKEND_NETNS };
enum vr_drift { VR_DRIFT_ENFORCE, VR_DRIFT_REPORT };
enum vr_if_kind { VR_IF_PORT, VR_IF_VETH, VR_IF_BRIDGE, VR_IF_MACVLAN, VR_IF_VXLAN };
enum vr_veth_peer { VR_PEER_HOST, VR_PEER_ROUTER, VR_PEER_BRIDGE };
enum vr_macvlan_mode { VR_MACVLAN_PRIVATE, VR_MACVLAN_VEPA, VR_MACVLAN_BRIDGE, VR_MACVLAN_PASSTHRU };
enum vr_route_type { VR_RT_UNICAST, VR_RT_BLACKHOLE, VR_RT_UNREACHABLE, VR_RT_PROHIBIT };
enum vr_hv_kind { VR_HV_XL, VR_HV_LAB };
enum vr_vif_mode { VR_VIF_BRIDGED, VR_VIF_ROUTED };

struct vr_iface {
	char name[IFNAMSIZ];
	enum vr_if_kind kind;
	uint32_t mtu; /* 0: leave as is */
	bool enabled;
	struct vr_ip *addrs;
	size_t n_addrs;
	char upstream[IFNAMSIZ]; /* domU: dom0-side port, "" when unset */
	union {
		struct {
			char peer[IFNAMSIZ];
			enum vr_veth_peer where;
			char where_name[IFNAMSIZ]; /* peer router or bridge */
		} veth;
		struct {
			char (*members)[IFNAMSIZ];
			size_t n_members;
		} bridge;
		struct {
			char parent[IFNAMSIZ];
			enum vr_macvlan_mode mode;
		} macvlan;
		struct {
			uint32_t vni;
			struct vr_ip local, remote; /* family 0 when unset */
			uint16_t port;
			char device[IFNAMSIZ];
		} vxlan;
	} u;
};

struct vr_nexthop {
	struct vr_ip addr;
	char iface[IFNAMSIZ];  /* "" when unset */
	char router[IFNAMSIZ]; /* leak target, "" when unset */
	uint8_t weight;
};

struct vr_static_route {
	struct vr_ip prefix;
	enum vr_route_type type;
	struct vr_nexthop *nhs; /* VR_RT_UNICAST only */
	size_t n_nhs;
	bool has_metric;
	uint32_t metric;
};

struct vr_domu {
	enum vr_hv_kind hypervisor;
	enum vr_vif_mode vif_mode;
	uint32_t memory_mib;
	uint8_t vcpus;
	char *kernel, *ramdisk, *extra; /* NULL when unset */
};

struct vr_router {
	char name[IFNAMSIZ];
	bool has_table;
	uint32_t table;
	enum vr_placement placement;
	enum vr_backend backend;
	enum vr_drift drift;
	bool forwarding;
	bool has_domu;
	struct vr_domu domu;
	struct vr_iface *ifaces;
	size_t n_ifaces;
	struct vr_static_route *routes;
	size_t n_routes;
};

struct vr_config {
	struct vr_router *routers;
	size_t n_routers;
};

void vr_config_free(struct vr_config *c);
const struct vr_router *vr_config_router(const struct vr_config *c, const char *name);
const struct vr_iface *vr_router_iface(const struct vr_router *r, const char *name);

/* Data paths of model objects, as libyang prints them; caller frees. */
char *vr_path_router(const struct vr_router *r, const char *leaf);
char *vr_path_iface(const struct vr_router *r, const struct vr_iface *i, const char *leaf);
char *vr_path_route(const struct vr_router *r, const struct vr_static_route *rt, const char *leaf);

const char *vr_placement_str(enum vr_placement p);
const char *vr_backend_str(enum vr_backend b);

#endif
