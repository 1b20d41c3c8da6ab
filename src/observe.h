/* observe.h - a full dump of one namespace into a struct vr_state: links,
 * addresses, routes of chosen tables, rules, neighbour proxy entries.  It
 * keeps every object it reads (foreign ones too: the planner decides what
 * is whose) and writes nothing to the kernel. */
#ifndef VR_OBSERVE_H
#define VR_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "kernel.h"
#include "state.h"

/* Append the objects of namespace ns to st, every one with ns set (the
 * interned name) and device indexes resolved to names: address dev, proxy
 * entry dev, route nexthop dev, link master, veth peer (and peer_master)
 * when the peer is in the same namespace, macvlan parent, vxlan underlay.
 * Routes come from tables[0..n_tables) only, one kernel-filtered dump per
 * table and family, so foreign tables are never transferred; proxy entries
 * of both families come in one dump.  Skipped: IPv6 link-local addresses,
 * addresses and proxy entries on links unknown to the link dump (a race
 * with a new link: the next pass sees both), messages the decoders reject.
 *
 * All or nothing: on failure st is left as it was, one error is added to
 * errs and its code (-errno) returned.  st is not sorted (call
 * vr_state_sort() after the last namespace).  The link dump also refreshes
 * k's ifindex cache of ns. */
int vr_observe_ns(struct vr_kernel *k, const char *ns, const uint32_t *tables, size_t n_tables,
                  struct vr_state *st, struct vr_errs *errs);

#endif
