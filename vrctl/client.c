/* client.c - vrctl's side of the control socket: connect, one request,
 * its reply, and how failures read to the operator.  Nothing here knows a
 * command; show.c and the command files decide what a reply looks like. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vrctl.h"

int vrctl_open(const struct vrctl *v, struct vrctl_conn *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int err;

	c->v = v;
	c->fd = -1;
	vr_frames_init(&c->frames, VR_CTL_MAX_FRAME);
	if (strlen(v->socket) >= sizeof(sa.sun_path)) {
		err = ENAMETOOLONG;
		goto fail;
	}
	strcpy(sa.sun_path, v->socket);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd >= 0 && connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	err = errno;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
fail:
	fprintf(stderr, "vrctl: cannot connect to %s: %s%s\n", v->socket, strerror(err),
		err == ENOENT || err == ECONNREFUSED ? " (is vrd running?)" : "");
	return -err;
}

void vrctl_close(struct vrctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	vr_frames_free(&c->frames);
}

int vrctl_send(struct vrctl_conn *c, const char *req)
{
	int r = vr_frame_send(c->fd, req, strlen(req));

	if (r == -EMSGSIZE)
		fprintf(stderr, "vrctl: the request is larger than %u bytes\n", VR_CTL_MAX_FRAME);
	else if (r < 0)
		fprintf(stderr, "vrctl: cannot send to %s: %s\n", c->v->socket, strerror(-r));
	return r;
}

int vrctl_recv(struct vrctl_conn *c, const char *rpc, int timeout_ms, char **raw,
	       struct lyd_node **tree, struct lyd_node **node)
{
	struct vr_errs e;
	size_t len;
	int r;

	*raw = NULL;
	*tree = NULL;
	*node = NULL;
	r = vr_frame_recv(c->fd, &c->frames, raw, &len, timeout_ms);
	if (r == -ETIMEDOUT)
		fprintf(stderr, "vrctl: no answer from vrd within %d s\n", timeout_ms / 1000);
	else if (r == -EMSGSIZE)
		fprintf(stderr, "vrctl: vrd sent a message larger than %u bytes\n",
			VR_CTL_MAX_FRAME);
	else if (r < 0 && r != -ECONNRESET)
		fprintf(stderr, "vrctl: cannot read from %s: %s\n", c->v->socket, strerror(-r));
	if (r < 0)
		return r;
	vr_errs_init(&e);
	r = vr_ctl_parse_reply(c->v->ctx, rpc, *raw, tree, node, &e);
	if (r < 0) {
		fprintf(stderr, "vrctl: invalid answer from vrd:\n");
		for (size_t i = 0; i < e.n; i++) {
			char *s = vr_err_str(&e.v[i]);
			fprintf(stderr, "  %s\n", s);
			free(s);
		}
		free(*raw);
		*raw = NULL;
	}
	vr_errs_free(&e);
	return r;
}

int vrctl_reply_failed(const struct vrctl *v, const struct lyd_node *node, bool notification)
{
	struct vr_errs e;
	int failed;

	if (notification) {
		const char *msg = vr_ctl_leaf(node, "message");

		if (v->json)
			return 1;
		if (!strcmp(vr_ctl_name(node), "protocol-error"))
			fprintf(stderr, "vrctl: protocol error: %s\n",
				msg ? msg : "(no reason given)");
		else
			fprintf(stderr, "vrctl: vrd answered with a notification %s\n",
				vr_ctl_name(node));
		return 1;
	}
	vr_errs_init(&e);
	failed = vr_ctl_reply_get_errors(node, &e) > 0;
	if (!v->json)
		for (size_t i = 0; i < e.n; i++) {
			char *s = vr_err_str(&e.v[i]);
			fprintf(stderr, "%s\n", s);
			free(s);
		}
	vr_errs_free(&e);
	return failed;
}

int vrctl_run(const struct vrctl *v, const char *rpc, const char *req, int timeout_ms,
	      vrctl_show_fn show, void *arg)
{
	struct lyd_node *tree = NULL, *node = NULL;
	struct vrctl_conn c;
	char *raw = NULL;
	int r;

	if (vrctl_open(v, &c) < 0)
		return 1;
	r = vrctl_send(&c, req);
	if (r == 0) {
		r = vrctl_recv(&c, rpc, timeout_ms, &raw, &tree, &node);
		if (r == -ECONNRESET)
			fprintf(stderr, "vrctl: vrd closed the connection without answering\n");
	}
	vrctl_close(&c);
	if (r < 0)
		return 1;
	if (v->json) {
		fputs(raw, stdout);
		if (!*raw || raw[strlen(raw) - 1] != '\n')
			fputc('\n', stdout);
	}
	if (vrctl_reply_failed(v, node, r == 1))
		r = 1;
	else
		r = v->json || !show ? 0 : show(v, node, arg);
	vr_ctl_free(tree);
	free(raw);
	return r;
}

int vrctl_run_tree(const struct vrctl *v, struct lyd_node *req, int timeout_ms,
		   vrctl_show_fn show, void *arg)
{
	char *s = vr_ctl_print(req);
	char *rpc = strdup(vr_ctl_name(req));
	int r;

	vr_ctl_free(req);
	if (!rpc)
		abort();
	r = vrctl_run(v, rpc, s, timeout_ms, show, arg);
	free(rpc);
	free(s);
	return r;
}

/* JSON string with the escapes RFC 8259 requires. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void vrctl_print_errors(const struct vrctl *v, const struct vr_errs *e)
{
	if (v->json) {
		printf("{\"ok\":false,\"errors\":[");
		for (size_t i = 0; i < e->n; i++) {
			printf("%s{\"path\":", i ? "," : "");
			json_str(stdout, e->v[i].path ? e->v[i].path : "");
			printf(",\"message\":");
			json_str(stdout, e->v[i].msg);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < e->n; i++) {
		char *s = vr_err_str(&e->v[i]);
		fprintf(stderr, "%s\n", s);
		free(s);
	}
}
