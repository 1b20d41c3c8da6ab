/* ctl.c - control protocol framing and codecs (see ctl.h). */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <libyang/libyang.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

void vr_frames_init(struct vr_frames *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
}

void vr_frames_free(struct vr_frames *f)
{
	free(f->buf);
	vr_frames_init(f, f->max);
}

void vr_frames_feed(struct vr_frames *f, const void *data, size_t n)
{
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		while (cap < f->len + n)
			cap *= 2;
		f->buf = realloc(f->buf, cap);
		if (!f->buf)
			abort();
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
}

size_t vr_frames_pending(const struct vr_frames *f)
{
	return f->len;
}

int vr_frames_next(struct vr_frames *f, char **msg, size_t *len)
{
	uint32_t n;

	if (f->len < 4)
		return 0;
	memcpy(&n, f->buf, 4);
	n = ntohl(n);
	if (n == 0 || n > f->max)
		return -EMSGSIZE;
	if (f->len < 4 + (size_t)n)
		return 0;
	*msg = malloc((size_t)n + 1);
	if (!*msg)
		abort();
	memcpy(*msg, f->buf + 4, n);
	(*msg)[n] = 0;
	*len = n;
	memmove(f->buf, f->buf + 4 + n, f->len - 4 - n);
	f->len -= 4 + (size_t)n;
	return 1;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		/* A peer that went away must be an error (EPIPE), not SIGPIPE
		 * killing the sender; plain write() for fds that are not
		 * sockets (pipes in tests). */
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int vr_frame_send(int fd, const char *msg, size_t len)
{
	uint32_t n = htonl((uint32_t)len);
	int r;

	if (len == 0 || len > VR_CTL_MAX_FRAME)
		return -EMSGSIZE;
	r = write_all(fd, &n, 4);
	return r ? r : write_all(fd, msg, len);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int vr_frame_recv(int fd, struct vr_frames *f, char **msg, size_t *len, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	char buf[65536];

	for (;;) {
		int r = vr_frames_next(f, msg, len);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (r)
			return r < 0 ? r : 0;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			r = poll(&p, 1, (int)left);
		} else {
			r = poll(&p, 1, -1);
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		if (n > 0)
			vr_frames_feed(f, buf, (size_t)n);
	}
}

#define JSON_WS " \t\r\n"

/* Past one JSON value (strings, nesting); NULL when it does not end. */
static const char *skip_value(const char *p)
{
	int depth = 0;

	do {
		p += strspn(p, JSON_WS);
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth < 0)
				return NULL;
		} else if (!*p) {
			return NULL;
		} else if (!strchr(",:", *p)) {
			/* a number, true, false, null: up to a delimiter */
			p += strcspn(p, ",:{}[]\"" JSON_WS) - 1;
		}
		p++;
	} while (depth > 0);
	return p;
}

/* The shape of a message before libyang sees it: one object, one member
 * naming an operation of type want, nothing after it.  libyang 2.1 leaks
 * the nodes it parsed when lyd_parse_op() fails on a second member, on an
 * object that does not end, or on a member that is not an operation (a
 * data container, metadata), and it ignores text after the object: a
 * frame from a client must cost the daemon nothing.  Syntax errors inside
 * the member are left to libyang, whose messages say where. */
static int check_shape(struct ly_ctx *ctx, const char *json, uint16_t want, struct vr_errs *e)
{
	const char *p = json + strspn(json, JSON_WS), *key, *colon, *end;
	const struct lys_module *mod;
	const struct lysc_node *sn;
	char mname[64];

	if (*p++ != '{')
		return 0;
	p += strspn(p, JSON_WS);
	if (*p++ != '"')
		return 0;
	key = p;
	end = strchr(key, '"');
	if (!end)
		return 0;
	if (memchr(key, '\\', (size_t)(end - key)))
		return vr_errs_add(e, -EINVAL, NULL, "escapes in the name of the message");
	/* only a known operation goes further ("@name" would be metadata) */
	colon = memchr(key, ':', (size_t)(end - key));
	mod = NULL;
	if (colon && (size_t)(colon - key) < sizeof(mname)) {
		memcpy(mname, key, (size_t)(colon - key));
		mname[colon - key] = 0;
		mod = ly_ctx_get_module_implemented(ctx, mname);
	}
	sn = mod ? lys_find_child(NULL, mod, colon + 1, (size_t)(end - colon - 1), 0, 0) : NULL;
	if (!sn || !(sn->nodetype & want))
		return vr_errs_add(e, -EINVAL, NULL, "\"%.*s\" is not %s", (int)(end - key), key,
				   want & LYS_RPC ? "an RPC" : "a notification");
	p = end + 1 + strspn(end + 1, JSON_WS);
	if (*p++ != ':' || !(p = skip_value(p)))
		return 0;
	p += strspn(p, JSON_WS);
	if (*p == ',')
		return vr_errs_add(e, -EINVAL, NULL, "more than one member in the message");
	/* libyang leaks here too: an object that does not end */
	if (*p++ != '}')
		return vr_errs_add(e, -EINVAL, NULL, "the message is not one JSON object");
	if (p[strspn(p, JSON_WS)])
		return vr_errs_add(e, -EINVAL, NULL, "text after the message");
	return 0;
}

int vr_ctl_parse_request(struct ly_ctx *ctx, const char *json, struct lyd_node **tree,
			 struct lyd_node **op, struct vr_errs *e)
{
	struct ly_in *in = NULL;
	size_t before = e->n;
	LY_ERR r;

	*tree = NULL;
	*op = NULL;
	if (check_shape(ctx, json, LYS_RPC, e) < 0)
		return -EINVAL;
	if (ly_in_new_memory(json, &in) != LY_SUCCESS)
		return vr_errs_add(e, -ENOMEM, NULL, "out of memory");
	r = lyd_parse_op(ctx, NULL, in, LYD_JSON, LYD_TYPE_RPC_YANG, tree, op);
	ly_in_free(in, 0);
	if (r == LY_SUCCESS && *op)
		r = lyd_validate_op(*tree, NULL, LYD_TYPE_RPC_YANG, NULL);
	if (r != LY_SUCCESS || !*op) {
		vr_yang_errors(ctx, e);
		if (e->n == before)
			vr_errs_add(e, -EINVAL, NULL, "not an RPC of module vrd");
		lyd_free_all(*tree);
		*tree = NULL;
		*op = NULL;
		return -EINVAL;
	}
	return 0;
}

static struct lyd_node *new_top(struct ly_ctx *ctx, const char *name)
{
	const struct lys_module *mod = ly_ctx_get_module_implemented(ctx, "vrd");
	struct lyd_node *n = NULL;

	if (!mod || lyd_new_inner(NULL, mod, name, 0, &n) != LY_SUCCESS)
		return NULL;
	return n;
}

struct lyd_node *vr_ctl_reply_new(struct ly_ctx *ctx, const char *rpc)
{
	return new_top(ctx, rpc);
}

struct lyd_node *vr_ctl_request_new(struct ly_ctx *ctx, const char *rpc)
{
	return new_top(ctx, rpc);
}

void vr_ctl_reply_errors(struct lyd_node *reply, const struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		struct lyd_node *l = NULL;

		/* a keyless list of the output: one instance per error */
		if (lyd_new_list(reply, NULL, "error", 1, &l) != LY_SUCCESS)
			continue;
		if (e->v[i].path)
			lyd_new_term(l, NULL, "path", e->v[i].path, 1, NULL);
		lyd_new_term(l, NULL, "message", e->v[i].msg, 1, NULL);
	}
}

char *vr_ctl_print(const struct lyd_node *node)
{
	char *s = NULL;

	if (!(s = vr_yang_print(node, LYD_PRINT_SHRINK))) {
		free(s);
		s = strdup("{}");
	}
	return s;
}

static char *notification(struct ly_ctx *ctx, const char *name, const char *k1, const char *v1,
			  const char *k2, const char *v2)
{
	struct lyd_node *n = new_top(ctx, name);
	char *s;

	if (!n)
		return strdup("{}");
	if (k1 && v1)
		lyd_new_term(n, NULL, k1, v1, 0, NULL);
	if (k2 && v2)
		lyd_new_term(n, NULL, k2, v2, 0, NULL);
	s = vr_ctl_print(n);
	lyd_free_all(n);
	return s;
}

char *vr_ctl_protocol_error(struct ly_ctx *ctx, const char *message)
{
	return notification(ctx, "protocol-error", "message", message, NULL, NULL);
}

char *vr_ctl_change(struct ly_ctx *ctx, const char *router, const char *event)
{
	return notification(ctx, "change", "router", router, "event", event);
}

/* Whether the message's one top-level member is a notification.  Only
 * that member counts: a string anywhere in a reply (an operation line, an
 * error message) may well read "vrd:change". */
static bool is_notification(const char *json)
{
	static const char *const names[] = {"\"vrd:protocol-error\"", "\"vrd:change\""};

	json += strspn(json, " \t\r\n");
	if (*json++ != '{')
		return false;
	json += strspn(json, " \t\r\n");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(json, names[i], strlen(names[i])))
			return true;
	return false;
}

int vr_ctl_parse_reply(struct ly_ctx *ctx, const char *rpc, const char *json,
		       struct lyd_node **tree, struct lyd_node **node, struct vr_errs *e)
{
	/* A notification names itself at the top; anything else must be
	 * the reply to rpc. */
	bool notif = is_notification(json);
	struct ly_in *in = NULL;
	size_t before = e->n;
	LY_ERR r;

	*tree = NULL;
	*node = NULL;
	if (check_shape(ctx, json, notif ? LYS_NOTIF : LYS_RPC, e) < 0)
		return -EINVAL;
	if (ly_in_new_memory(json, &in) != LY_SUCCESS)
		return vr_errs_add(e, -ENOMEM, NULL, "out of memory");
	r = lyd_parse_op(ctx, NULL, in, LYD_JSON, notif ? LYD_TYPE_NOTIF_YANG : LYD_TYPE_REPLY_YANG,
			 tree, node);
	ly_in_free(in, 0);
	if (r == LY_SUCCESS && *node && (notif || !strcmp(LYD_NAME(*node), rpc)))
		return notif ? 1 : 0;
	if (r == LY_SUCCESS && *node)
		vr_errs_add(e, -EINVAL, NULL, "the daemon answered %s to %s", LYD_NAME(*node), rpc);
	lyd_free_all(*tree);
	*tree = NULL;
	*node = NULL;
	vr_yang_errors(ctx, e);
	if (e->n == before)
		vr_errs_add(e, -EINVAL, NULL, "the daemon's answer is not a reply to %s", rpc);
	return -EINVAL;
}

size_t vr_ctl_reply_get_errors(const struct lyd_node *node, struct vr_errs *e)
{
	size_t n = 0;
	struct lyd_node *c;

	LY_LIST_FOR(lyd_child(node), c) {
		struct lyd_node *f;
		const char *path = NULL, *msg = "error";

		if (strcmp(LYD_NAME(c), "error"))
			continue;
		LY_LIST_FOR(lyd_child(c), f) {
			if (!strcmp(LYD_NAME(f), "path"))
				path = lyd_get_value(f);
			else if (!strcmp(LYD_NAME(f), "message"))
				msg = lyd_get_value(f);
		}
		vr_errs_add(e, -EINVAL, path, "%s", msg);
		n++;
	}
	return n;
}

char *vr_ctl_config_request(struct ly_ctx *ctx, const char *rpc, const char *config,
			    bool dry_run, struct vr_errs *e)
{
	static const char top[] = "{\"vrd:virtual-routers\":";
	struct lyd_node *tree = NULL, *vrs = NULL;
	char *body = NULL, *req = NULL;
	const char *inner = "{}", *opt = "";
	size_t before = e->n, ilen = 2;
	struct vr_config c;

	if (vr_config_text_check(config, e) < 0)
		return NULL;
	if (lyd_parse_data_mem(ctx, config, LYD_JSON, LYD_PARSE_STRICT, LYD_VALIDATE_NO_STATE,
			       &tree) != LY_SUCCESS) {
		vr_yang_errors(ctx, e);
		if (e->n == before)
			vr_errs_add(e, -EINVAL, NULL, "invalid document");
		lyd_free_all(tree);
		return NULL;
	}
	for (struct lyd_node *n = tree; n; n = n->next)
		if (!strcmp(LYD_NAME(n), "virtual-routers") && !(n->flags & LYD_DEFAULT))
			vrs = n;
	if (vrs) {
		if (vr_load_tree(vrs, &c, e) < 0) {
			lyd_free_all(tree);
			return NULL;
		}
		vr_config_free(&c);
		/* Printed alone and shrunk, the container is exactly
		 * {"vrd:virtual-routers":VALUE}: VALUE is the RPC's input
		 * child, whose own children need no module prefix either. */
		if (!(body = vr_yang_print(vrs, LYD_PRINT_SHRINK)) ||
		    strncmp(body, top, strlen(top)) || body[strlen(body) - 1] != '}') {
			free(body);
			lyd_free_all(tree);
			vr_errs_add(e, -EINVAL, NULL, "cannot print the config");
			return NULL;
		}
		inner = body + strlen(top);
		ilen = strlen(inner) - 1;
	}
	lyd_free_all(tree);
	if (!strcmp(rpc, "apply"))
		opt = dry_run ? "\"dry-run\":true," : "\"dry-run\":false,";
	if (ilen > INT_MAX || asprintf(&req, "{\"vrd:%s\":{%s\"virtual-routers\":%.*s}}", rpc, opt,
				       (int)ilen, inner) < 0)
		abort();
	free(body);
	return req;
}

int vr_ctl_set(struct lyd_node *req, const char *path, const char *value, struct vr_errs *e)
{
	size_t before = e->n;

	if (lyd_new_path(req, NULL, path, value, 0, NULL) == LY_SUCCESS)
		return 0;
	/* the context is ours: clearing its error list is allowed */
	vr_yang_errors((struct ly_ctx *)LYD_CTX(req), e);
	if (e->n == before)
		vr_errs_add(e, -EINVAL, path, "invalid value \"%s\"", value);
	return -EINVAL;
}

const struct lyd_node *vr_ctl_next(const struct lyd_node *node, const char *name,
				   const struct lyd_node *prev)
{
	const struct lyd_node *c = prev ? prev->next : lyd_child(node);

	for (; c; c = c->next)
		if (!strcmp(LYD_NAME(c), name))
			return c;
	return NULL;
}

const char *vr_ctl_leaf(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c = vr_ctl_next(node, name, NULL);

	return c ? lyd_get_value(c) : NULL;
}

const char *vr_ctl_value(const struct lyd_node *node)
{
	return lyd_get_value(node);
}

const char *vr_ctl_name(const struct lyd_node *node)
{
	return LYD_NAME(node);
}

void vr_ctl_free(struct lyd_node *tree)
{
	lyd_free_all(tree);
}
