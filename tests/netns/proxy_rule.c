/* proxy_rule.c - neighbour proxy entries and policy rules with an input
 * device through vrd's own pipeline (ops -> encoders -> executor -> this
 * kernel; dump -> decoders -> observed state -> diff), checked against
 * what iproute2 shows.  It runs in a network namespace it creates for
 * itself (unshare), so the host is never touched and everything goes
 * when it exits.  Exit 0 ok, 1 failed, 77 skipped (not root). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diff.h"
#include "exec.h"
#include "kernel.h"
#include "observe.h"

static int fails;
static const char *NS, *OWNER;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", ok ? "ok" : "FAIL");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (!ok)
		fails++;
}

/* The output of an iproute2 command, in this namespace. */
static char *run(const char *cmd)
{
	static char out[8192];
	size_t n = 0;
	FILE *f = popen(cmd, "r");

	out[0] = 0;
	if (!f)
		return out;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	pclose(f);
	return out;
}

static struct vr_op proxy_op(enum vr_op_code code, const char *ip, const char *dev)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = code == VR_OP_PROXY_ADD ? VR_WAVE_ADDR : VR_WAVE_DEL_ADDR;
	op.o.proxy.ns = NS;
	op.o.proxy.owner = OWNER;
	op.o.proxy.proto = VR_RTPROT;
	snprintf(op.o.proxy.dev, IFNAMSIZ, "%s", dev);
	if (vr_ip_parse(ip, &op.o.proxy.ip))
		abort();
	return op;
}

static struct vr_op rule_op(enum vr_op_code code, uint8_t family, const char *iif)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = code == VR_OP_RULE_ADD ? VR_WAVE_RULE : VR_WAVE_DEL_RULE;
	op.o.rule = (struct vr_rule){.ns = NS,
	                             .owner = OWNER,
	                             .family = family,
	                             .priority = 900,
	                             .table = 101,
	                             .protocol = VR_RTPROT};
	snprintf(op.o.rule.iif, IFNAMSIZ, "%s", iif);
	return op;
}

static struct vr_op link_op(enum vr_op_code code, enum vr_wave wave, const char *name)
{
	struct vr_op op;

	memset(&op, 0, sizeof(op));
	op.code = code;
	op.wave = wave;
	op.o.link.ns = NS;
	op.o.link.owner = OWNER;
	op.o.link.created = true;
	op.o.link.kind = VR_LINK_VETH;
	op.o.link.up = -1;
	snprintf(op.o.link.name, IFNAMSIZ, "%s", name);
	return op;
}

/* Execute plan (sorted into waves); prints it and the errors. */
static int apply(struct vr_kernel *k, struct vr_plan *p, struct vr_errs *e)
{
	char line[512];
	int ret;

	vr_plan_order(p);
	for (size_t i = 0; i < p->n; i++)
		fprintf(stderr, "  plan: %s\n", vr_op_str(&p->v[i], line, sizeof(line)));
	vr_errs_clear(e);
	ret = vr_exec(k, NULL, p, e, NULL);
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "  error: %s\n", s);
		free(s);
	}
	return ret;
}

/* The namespace as vrd sees it, sorted and attributed; proxy entries of
 * vrd's get the owner the engine would give them. */
static int observe(struct vr_kernel *k, struct vr_state *st, struct vr_errs *e)
{
	int ret;

	vr_state_free(st);
	ret = vr_observe_ns(k, NS, NULL, 0, st, e);
	vr_state_sort(st);
	vr_state_attribute(st);
	for (size_t i = 0; i < st->proxies.n; i++)
		if (st->proxies.v[i].proto == VR_RTPROT)
			st->proxies.v[i].owner = OWNER;
	return ret;
}

static const struct vr_proxy *find_proxy(const struct vr_state *st, const char *ip, const char *dev)
{
	struct vr_ip a;

	if (vr_ip_parse(ip, &a))
		abort();
	for (size_t i = 0; i < st->proxies.n; i++)
		if (!vr_ip_cmp(&st->proxies.v[i].ip, &a) && !strcmp(st->proxies.v[i].dev, dev))
			return &st->proxies.v[i];
	return NULL;
}

static const struct vr_rule *find_rule(const struct vr_state *st, uint8_t family, const char *iif)
{
	for (size_t i = 0; i < st->rules.n; i++) {
		const struct vr_rule *r = &st->rules.v[i];
		if (r->family == family && r->priority == 900 && !strcmp(r->iif, iif))
			return r;
	}
	return NULL;
}

int main(void)
{
	struct vr_kernel k;
	struct vr_state have, want;
	struct vr_plan p;
	struct vr_errs e;
	struct vr_op op;
	struct vr_nh nh = {.weight = 1};
	const struct vr_proxy *px;
	const struct vr_rule *ru;
	struct vr_exec_stats stats = {0};
	char *out;
	int ret;

	if (geteuid() != 0) {
		fprintf(stderr, "skipped: needs root\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	NS = vr_intern("");
	OWNER = vr_intern("pr");
	vr_kernel_init(&k);
	vr_state_init(&have);
	vr_state_init(&want);
	vr_errs_init(&e);

	/* 1. A veth, rules with an input device, proxy entries of both
	 * families (one for every device): all written by vrd's executor. */
	vr_plan_init(&p);
	op = link_op(VR_OP_LINK_ADD, VR_WAVE_LINK, "up0");
	snprintf(op.o.link.u.veth.peer, IFNAMSIZ, "up1");
	vr_plan_add(&p, &op);
	op = link_op(VR_OP_LINK_SET, VR_WAVE_SET, "up0");
	op.o.link.up = 1;
	op.o.link.keep_master = true;
	vr_plan_add(&p, &op);
	op = rule_op(VR_OP_RULE_ADD, AF_INET, "up0");
	vr_plan_add(&p, &op);
	op = rule_op(VR_OP_RULE_ADD, AF_INET6, "up0");
	vr_plan_add(&p, &op);
	op = proxy_op(VR_OP_PROXY_ADD, "198.18.5.1", "up0");
	vr_plan_add(&p, &op);
	op = proxy_op(VR_OP_PROXY_ADD, "2001:db8:5::1", "up0");
	vr_plan_add(&p, &op);
	op = proxy_op(VR_OP_PROXY_ADD, "198.18.5.2", "");
	vr_plan_add(&p, &op);
	check(apply(&k, &p, &e) == 0, "apply: veth, 2 rules with iif, 3 proxy entries");
	vr_plan_free(&p);

	/* 2. What iproute2 sees. */
	out = run("ip -d -4 neigh show proxy");
	fprintf(stderr, "  ip -d -4 neigh show proxy:\n%s", out);
	check(strstr(out, "198.18.5.1 dev up0 proxy proto 77") != NULL, "ip: IPv4 entry on up0");
	check(strstr(out, "198.18.5.2 proxy proto 77") != NULL, "ip: IPv4 entry for every device");
	out = run("ip -d -6 neigh show proxy");
	fprintf(stderr, "  ip -d -6 neigh show proxy:\n%s", out);
	check(strstr(out, "2001:db8:5::1 dev up0 proxy proto 77") != NULL, "ip: IPv6 entry on up0");
	out = run("ip -4 rule show pref 900");
	fprintf(stderr, "  ip -4 rule show pref 900:\n%s", out);
	check(strstr(out, "900:\tfrom all iif up0 lookup 101 proto 77") != NULL, "ip: IPv4 rule");
	out = run("ip -6 rule show pref 900");
	check(strstr(out, "900:\tfrom all iif up0 lookup 101 proto 77") != NULL, "ip: IPv6 rule");

	/* 3. What vrd's observer sees. */
	check(observe(&k, &have, &e) == 0, "observe");
	check(have.proxies.n == 3, "observe: %zu proxy entries", have.proxies.n);
	px = find_proxy(&have, "198.18.5.1", "up0");
	check(px && px->proto == VR_RTPROT && px->ifindex > 0,
	      "observe: 198.18.5.1 dev up0 proto 77");
	px = find_proxy(&have, "2001:db8:5::1", "up0");
	check(px && px->proto == VR_RTPROT, "observe: 2001:db8:5::1 dev up0 proto 77");
	px = find_proxy(&have, "198.18.5.2", "");
	check(px && px->proto == VR_RTPROT && px->ifindex == 0, "observe: 198.18.5.2, no device");
	ru = find_rule(&have, AF_INET, "up0");
	check(ru && ru->table == 101 && ru->protocol == VR_RTPROT, "observe: IPv4 rule iif up0");
	ru = find_rule(&have, AF_INET6, "up0");
	check(ru && ru->table == 101 && ru->protocol == VR_RTPROT, "observe: IPv6 rule iif up0");

	/* 4. The same objects desired again: nothing to do.  A foreign entry
	 * appears meanwhile and is left alone. */
	run("ip neigh add proxy 198.18.5.3 dev up0");
	check(observe(&k, &have, &e) == 0, "observe with a foreign entry");
	for (size_t i = 0; i < have.links.n; i++)
		vr_state_add_link(&want, &have.links.v[i]);
	for (size_t i = 0; i < have.proxies.n; i++)
		if (have.proxies.v[i].owner)
			vr_state_add_proxy(&want, &have.proxies.v[i]);
	for (size_t i = 0; i < have.rules.n; i++)
		if (have.rules.v[i].protocol == VR_RTPROT)
			vr_state_add_rule(&want, &have.rules.v[i]);
	vr_state_sort(&want);
	vr_plan_init(&p);
	ret = vr_diff(&want, &have, &p, &e);
	check(ret == 0 && p.n == 0, "re-apply: %zu ops (the foreign entry is no op either)", p.n);
	vr_plan_free(&p);

	/* 5. Rollback of an add: the route after it fails, the new entry goes. */
	vr_plan_init(&p);
	op = proxy_op(VR_OP_PROXY_ADD, "2001:db8:5::2", "up0");
	vr_plan_add(&p, &op);
	memset(&op, 0, sizeof(op));
	op.code = VR_OP_ROUTE_ADD;
	op.wave = VR_WAVE_ROUTE;
	op.o.route = (struct vr_route){
	    .ns = NS, .owner = OWNER, .table = 101, .protocol = VR_RTPROT, .type = RTN_UNICAST};
	vr_ip_parse_prefix("198.19.0.0/16", &op.o.route.dst);
	vr_ip_parse("198.18.99.1", &nh.gw); /* no route to it: refused */
	op.o.route.n_nh = 1;
	op.o.route.nh = &nh;
	vr_plan_add(&p, &op);
	check(apply(&k, &p, &e) < 0, "apply that fails in its route wave");
	vr_plan_free(&p);
	check(observe(&k, &have, &e) == 0 && !find_proxy(&have, "2001:db8:5::2", "up0") &&
	          have.proxies.n == 4,
	      "rolled back: the added entry is gone, the others stay");

	/* 6. Rollback of a delete: the entry comes back with vrd's protocol. */
	vr_plan_init(&p);
	op = proxy_op(VR_OP_PROXY_DEL, "198.18.5.1", "up0");
	vr_plan_add(&p, &op);
	op = link_op(VR_OP_LINK_DEL, VR_WAVE_DEL_LINK, "lo"); /* the kernel refuses */
	vr_plan_add(&p, &op);
	check(apply(&k, &p, &e) < 0, "apply that fails in its link wave");
	vr_plan_free(&p);
	check(observe(&k, &have, &e) == 0, "observe after the rollback");
	px = find_proxy(&have, "198.18.5.1", "up0");
	check(px && px->proto == VR_RTPROT, "rolled back: 198.18.5.1 dev up0 is back, proto 77");

	/* 7. Nothing desired but the links: vrd's entries and rules go, the
	 * foreign entry and the kernel's rules stay. */
	vr_state_free(&want);
	for (size_t i = 0; i < have.links.n; i++)
		vr_state_add_link(&want, &have.links.v[i]);
	vr_state_sort(&want);
	vr_plan_init(&p);
	ret = vr_diff(&want, &have, &p, &e);
	check(ret == 0 && p.n == 5, "diff: %zu ops (3 entries, 2 rules)", p.n);
	check(apply(&k, &p, &e) == 0, "apply the deletes");
	vr_plan_free(&p);
	check(observe(&k, &have, &e) == 0, "observe after the deletes");
	check(have.proxies.n == 1 && find_proxy(&have, "198.18.5.3", "up0") &&
	          !find_rule(&have, AF_INET, "up0") && !find_rule(&have, AF_INET6, "up0"),
	      "only the foreign entry is left, no rule with iif");
	out = run("ip -d neigh show proxy");
	fprintf(stderr, "  ip -d neigh show proxy:\n%s", out);
	check(strstr(out, "198.18.5.3 dev up0 proxy") == out && !strstr(out, "proto") &&
	          strchr(out, '\n') == out + strlen(out) - 1,
	      "ip: the foreign entry only");
	check(run("ip rule show pref 900")[0] == 0, "ip: no rule at 900");

	vr_plan_init(&p);
	ret = vr_diff(&want, &have, &p, &e);
	check(ret == 0 && p.n == 0, "and then nothing to do");
	vr_plan_free(&p);

	/* 8. Deleting an entry that is already gone is no error (ENOENT). */
	vr_plan_init(&p);
	op = proxy_op(VR_OP_PROXY_DEL, "198.18.5.1", "up0");
	vr_plan_add(&p, &op);
	vr_errs_clear(&e);
	ret = vr_exec(&k, NULL, &p, &e, &stats);
	check(ret == 0 && stats.noop == 1, "delete of a missing entry: a no-op");
	vr_plan_free(&p);

	vr_state_free(&have);
	vr_state_free(&want);
	vr_errs_free(&e);
	vr_kernel_free(&k);
	vr_intern_free_all();
	fprintf(stderr, "%s\n", fails ? "FAILED" : "passed");
	return fails ? 1 : 0;
}
