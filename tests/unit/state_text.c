/* state_text.c (tests only) - a recorded observed state in a line format,
 * so golden tests read like what `ip` shows:
 *   netns NAME [owner=R]
 *   link NS NAME [kind=K] [created owner=R] [master=M] [mtu=N] [up|down] [table=T]
 *   addr NS DEV ADDR/LEN [proto=P]
 *   route NS TABLE DST/LEN [proto=P] [type=blackhole|...] [metric=N] [via=GW[@DEV][*W]]...
 *   rule NS 4|6 PRIO [l3mdev|table=T] [iif=DEV] [proto=P] [owner=R]
 *   sysctl NS KEY VALUE
 *   proxy NS DEV IP [proto=P] [owner=R]
 * NS is "-" for the namespace vrd runs in; a proxy's DEV is "-" for none.
 * owner= stands for the owner the engine gives (desired objects, or
 * observed ones it attributes itself). */
#include "state_text.h"

#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *ns_of(const char *s)
{
	return vr_intern(strcmp(s, "-") ? s : "");
}

static enum vr_link_kind kind_of(const char *s)
{
	static const char *const k[] = {"port", "veth", "bridge", "macvlan", "vxlan", "vrf"};
	for (size_t i = 0; i < 6; i++)
		if (!strcmp(s, k[i]))
			return (enum vr_link_kind)i;
	return VR_LINK_OTHER;
}

static int parse_line(struct vr_state *s, char *line)
{
	char *tok[32], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < 32; t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	if (!n || tok[0][0] == '#')
		return 0;
	if (!strcmp(tok[0], "netns") && n >= 2) {
		struct vr_netns o = {.name = vr_intern(tok[1])};
		if (n > 2 && !strncmp(tok[2], "owner=", 6))
			o.owner = vr_intern(tok[2] + 6);
		vr_state_add_netns(s, &o);
	} else if (!strcmp(tok[0], "link") && n >= 3) {
		struct vr_link o = {.ns = ns_of(tok[1]), .up = 0, .noarp = -1}; /* as decoded */
		snprintf(o.name, sizeof(o.name), "%s", tok[2]);
		for (int i = 3; i < n; i++) {
			if (!strncmp(tok[i], "kind=", 5))
				o.kind = kind_of(tok[i] + 5);
			else if (!strcmp(tok[i], "created"))
				o.created = true;
			else if (!strncmp(tok[i], "owner=", 6))
				o.owner = vr_intern(tok[i] + 6);
			else if (!strncmp(tok[i], "master=", 7))
				snprintf(o.master, sizeof(o.master), "%s", tok[i] + 7);
			else if (!strncmp(tok[i], "mtu=", 4))
				o.mtu = (uint32_t)atoi(tok[i] + 4);
			else if (!strcmp(tok[i], "up"))
				o.up = 1;
			else if (!strcmp(tok[i], "noarp"))
				o.noarp = 1;
			else if (!strncmp(tok[i], "mac=", 4)) {
				unsigned m[6];
				if (sscanf(tok[i] + 4, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
					   &m[4], &m[5]) != 6)
					return -1;
				for (int k = 0; k < 6; k++)
					o.mac[k] = (uint8_t)m[k];
				o.has_mac = true;
			}
			else if (!strncmp(tok[i], "table=", 6))
				o.u.vrf.table = (uint32_t)atoi(tok[i] + 6);
			else
				return -1;
		}
		vr_state_add_link(s, &o);
	} else if (!strcmp(tok[0], "addr") && n >= 4) {
		struct vr_addr o = {.ns = ns_of(tok[1])};
		snprintf(o.dev, sizeof(o.dev), "%s", tok[2]);
		if (vr_ip_parse_prefix(tok[3], &o.ip) < 0)
			return -1;
		if (n > 4 && !strncmp(tok[4], "proto=", 6))
			o.proto = (uint8_t)atoi(tok[4] + 6);
		vr_state_add_addr(s, &o);
	} else if (!strcmp(tok[0], "route") && n >= 4) {
		struct vr_nh nh[VR_MAX_NH];
		struct vr_route o = {.ns = ns_of(tok[1]), .table = (uint32_t)atoi(tok[2]),
				     .type = RTN_UNICAST, .nh = nh};
		if (vr_ip_parse_prefix(tok[3], &o.dst) < 0)
			return -1;
		for (int i = 4; i < n; i++) {
			if (!strncmp(tok[i], "proto=", 6))
				o.protocol = (uint8_t)atoi(tok[i] + 6);
			else if (!strncmp(tok[i], "metric=", 7))
				o.metric = (uint32_t)atoi(tok[i] + 7);
			else if (!strcmp(tok[i], "type=blackhole"))
				o.type = RTN_BLACKHOLE;
			else if (!strcmp(tok[i], "type=unreachable"))
				o.type = RTN_UNREACHABLE;
			else if (!strcmp(tok[i], "type=prohibit"))
				o.type = RTN_PROHIBIT;
			else if (!strncmp(tok[i], "via=", 4)) {
				struct vr_nh *h = &nh[o.n_nh++];
				char *at, *star, *g = tok[i] + 4;
				memset(h, 0, sizeof(*h));
				h->weight = 1;
				star = strchr(g, '*');
				if (star) {
					*star = 0;
					h->weight = (uint8_t)atoi(star + 1);
				}
				at = strchr(g, '@');
				if (at) {
					*at = 0;
					snprintf(h->dev, sizeof(h->dev), "%s", at + 1);
				}
				if (*g && vr_ip_parse(g, &h->gw) < 0)
					return -1;
			} else
				return -1;
		}
		vr_state_add_route(s, &o);
	} else if (!strcmp(tok[0], "rule") && n >= 4) {
		struct vr_rule o = {.ns = ns_of(tok[1]),
				    .family = (uint8_t)(atoi(tok[2]) == 6 ? AF_INET6 : AF_INET),
				    .priority = (uint32_t)atoi(tok[3])};
		for (int i = 4; i < n; i++) {
			if (!strcmp(tok[i], "l3mdev"))
				o.l3mdev = true;
			else if (!strncmp(tok[i], "table=", 6))
				o.table = (uint32_t)atoi(tok[i] + 6);
			else if (!strncmp(tok[i], "iif=", 4))
				snprintf(o.iif, sizeof(o.iif), "%s", tok[i] + 4);
			else if (!strncmp(tok[i], "proto=", 6))
				o.protocol = (uint8_t)atoi(tok[i] + 6);
			else if (!strncmp(tok[i], "owner=", 6))
				o.owner = vr_intern(tok[i] + 6);
			else
				return -1;
		}
		vr_state_add_rule(s, &o);
	} else if (!strcmp(tok[0], "sysctl") && n == 4) {
		struct vr_sysctl o = {.ns = ns_of(tok[1])};
		snprintf(o.key, sizeof(o.key), "%s", tok[2]);
		snprintf(o.value, sizeof(o.value), "%s", tok[3]);
		vr_state_add_sysctl(s, &o);
	} else if (!strcmp(tok[0], "proxy") && n >= 4) {
		struct vr_proxy o = {.ns = ns_of(tok[1])};
		if (strcmp(tok[2], "-"))
			snprintf(o.dev, sizeof(o.dev), "%s", tok[2]);
		if (vr_ip_parse(tok[3], &o.ip) < 0)
			return -1;
		for (int i = 4; i < n; i++) {
			if (!strncmp(tok[i], "proto=", 6))
				o.proto = (uint8_t)atoi(tok[i] + 6);
			else if (!strncmp(tok[i], "owner=", 6))
				o.owner = vr_intern(tok[i] + 6);
			else
				return -1;
		}
		vr_state_add_proxy(s, &o);
	} else {
		return -1;
	}
	return 0;
}

int vr_state_text_load(struct vr_state *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	int lineno = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (parse_line(s, line) < 0) {
			fprintf(stderr, "%s:%d: bad line\n", path, lineno);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}
