/* ctl.h - the control protocol between vrctl and vrd, both sides.
 *
 * Frames: a 4-byte big-endian length, then that many bytes of RFC 7951
 * JSON.  A request is one RPC of module vrd ({"vrd:apply": {...}}),
 * parsed and validated by libyang.  The reply is that RPC's output
 * ({"vrd:apply": {"added": 3, ...}}; a failed RPC carries only "error"
 * entries), or, for a request that is not a valid RPC, the notification
 * protocol-error.  After "monitor", the daemon sends notifications
 * "change". */
#ifndef VR_CTL_H
#define VR_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ly_ctx;
struct lyd_node;

#define VR_CTL_SOCKET_DEFAULT "/run/vrd/vrd.sock"
/* A config of 1M routes is about 80 MB of JSON. */
#define VR_CTL_MAX_FRAME (256u << 20)

/* Reassembles frames from a byte stream. */
struct vr_frames {
	uint8_t *buf;
	size_t len, cap, max;
};

void vr_frames_init(struct vr_frames *f, size_t max);
void vr_frames_free(struct vr_frames *f);
void vr_frames_feed(struct vr_frames *f, const void *data, size_t n);
/* 1: a whole frame, *msg a NUL-terminated copy (caller frees), *len its
 * length; 0: need more bytes; -EMSGSIZE: the frame announces more than max
 * (or 0) bytes: the stream cannot be resynchronised, close it. */
int vr_frames_next(struct vr_frames *f, char **msg, size_t *len);
/* Bytes buffered that are not a whole frame yet (for idle timeouts). */
size_t vr_frames_pending(const struct vr_frames *f);

/* Blocking helpers for the client.  0 / -errno. */
int vr_frame_send(int fd, const char *msg, size_t len);
/* Wait up to timeout_ms (-1: forever) for one whole frame. -ETIMEDOUT,
 * -ECONNRESET when the peer closed, -EMSGSIZE. */
int vr_frame_recv(int fd, struct vr_frames *f, char **msg, size_t *len, int timeout_ms);

/* Server: parse and validate a request.  0 with *tree (free it with
 * lyd_free_all) and *op the RPC node; -EINVAL with the reasons in e. */
int vr_ctl_parse_request(struct ly_ctx *ctx, const char *json, struct lyd_node **tree,
			 struct lyd_node **op, struct vr_errs *e);
/* An empty reply (the output of rpc, e.g. "apply"), to fill with
 * lyd_new_path(reply, NULL, "added", "3", LYD_NEW_PATH_OUTPUT, NULL). */
struct lyd_node *vr_ctl_reply_new(struct ly_ctx *ctx, const char *rpc);
/* Add one "error" entry per error of e. */
void vr_ctl_reply_errors(struct lyd_node *reply, const struct vr_errs *e);
/* JSON text of a reply or notification (caller frees). */
char *vr_ctl_print(const struct lyd_node *node);
char *vr_ctl_protocol_error(struct ly_ctx *ctx, const char *message);
char *vr_ctl_change(struct ly_ctx *ctx, const char *router, const char *event);

/* Client: a new request tree for rpc, to fill with lyd_new_path(req,
 * NULL, "dry-run", "true", 0, NULL). */
struct lyd_node *vr_ctl_request_new(struct ly_ctx *ctx, const char *rpc);
/* Parse what the daemon sent in answer to rpc.  0: *tree holds the reply,
 * *node its RPC node (output children); 1: it is a notification, *node
 * (protocol-error or change); -EINVAL: neither (errors in e). */
int vr_ctl_parse_reply(struct ly_ctx *ctx, const char *rpc, const char *json,
		       struct lyd_node **tree, struct lyd_node **node, struct vr_errs *e);
/* The errors of a reply (its "error" entries) appended to e; their count. */
size_t vr_ctl_reply_get_errors(const struct lyd_node *node, struct vr_errs *e);

/* Client: the request of an RPC that carries a config (apply, diff).  The
 * config document ({"vrd:virtual-routers": ...}; "{}" is an empty config)
 * is parsed strictly, validated and checked like vr_load_mem, printed
 * canonically and wrapped into the RPC's input (with "dry-run" for apply).
 * The request text (caller frees), or NULL with the reasons in e. */
char *vr_ctl_config_request(struct ly_ctx *ctx, const char *rpc, const char *config,
			    bool dry_run, struct vr_errs *e);
/* Client: set a leaf of a request (path relative to the RPC node, e.g.
 * "via/address").  0, or -EINVAL with libyang's reason in e. */
int vr_ctl_set(struct lyd_node *req, const char *path, const char *value, struct vr_errs *e);

/* Reading a parsed reply or notification without libyang: the value of
 * node's child leaf name (NULL when absent); the children named name (list
 * entries, leaf-list values) one by one, prev NULL for the first. */
const char *vr_ctl_leaf(const struct lyd_node *node, const char *name);
const struct lyd_node *vr_ctl_next(const struct lyd_node *node, const char *name,
				   const struct lyd_node *prev);
const char *vr_ctl_value(const struct lyd_node *node);
const char *vr_ctl_name(const struct lyd_node *node);
/* Free a whole tree (a request, or what vr_ctl_parse_* returned). */
void vr_ctl_free(struct lyd_node *tree);

#endif
