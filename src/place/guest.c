/* guest.c - names, MACs and generations of guests (see hv.h).  Pure. */
#include "place/hv.h"

#include <stdio.h>
#include <string.h>

static const char *prefix(enum vr_hv_kind hv)
{
	return hv == VR_HV_LAB ? "vrg-" : "vr-";
}

void vr_guest_name(enum vr_hv_kind hv, const char *router, char out[VR_GUEST_NAME_MAX])
{
	snprintf(out, VR_GUEST_NAME_MAX, "%s%s", prefix(hv), router);
}

const char *vr_guest_router(enum vr_hv_kind hv, const char *name)
{
	size_t n = strlen(prefix(hv));
	const char *r = name + n;

	if (strncmp(name, prefix(hv), n) || !*r || strlen(r) >= IFNAMSIZ)
		return NULL;
	return r;
}

static uint64_t fnv(const char *a, const char *b, char sep)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = a; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	h = (h ^ (uint8_t)sep) * 0x100000001b3ull;
	for (const char *s = b; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

void vr_guest_mac(const char *router, const char *iface, uint8_t mac[6])
{
	uint64_t h = fnv(router, iface, '/');

	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = (uint8_t)(h >> 8) & 0x7f; /* Xen's half of the OUI's range */
	mac[4] = (uint8_t)(h >> 16);
	mac[5] = (uint8_t)(h >> 24);
}

void vr_vif_mac(const char *router, const char *iface, uint8_t mac[6])
{
	uint64_t h = fnv(router, iface, '\\');

	mac[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}

void vr_vif_name(int domid, size_t n, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "vif%d.%zu", domid, n);
}

void vr_guest_gen(const char *config, char out[VR_GUEST_GEN_LEN])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = config; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	snprintf(out, VR_GUEST_GEN_LEN, "%016llx", (unsigned long long)h);
}

int vr_guest_status_parse(const char *line, const char *gen, const char **reason)
{
	size_t n = strlen(gen);

	if (reason)
		*reason = NULL;
	if (strncmp(line, gen, n) || line[n] != ' ')
		return 0;
	line += n + 1;
	if (!strncmp(line, "ready", 5) && (!line[5] || line[5] == '\n'))
		return 1;
	if (!strncmp(line, "failed", 6)) {
		if (reason)
			*reason = line[6] ? line + 7 : "";
		return -1;
	}
	return 0;
}
