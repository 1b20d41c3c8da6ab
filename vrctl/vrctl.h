/* vrctl.h - what the CLI's files share: the options, one connection to
 * vrd, and the command handlers.  vrctl sees libyang only through ctl.h. */
#ifndef VRCTL_H
#define VRCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl.h"

#define VRCTL_USAGE 2
/* Replies to reads and small edits; apply, diff and migrate may take long. */
#define VRCTL_TIMEOUT_MS 30000
#define VRCTL_FOREVER	 (-1)

struct vrctl {
	const char *socket;
	bool json;
	struct ly_ctx *ctx;
};

/* One open control connection. */
struct vrctl_conn {
	const struct vrctl *v;
	int fd;
	struct vr_frames frames;
};

/* Human output of a reply's RPC node; returns the exit status. */
typedef int (*vrctl_show_fn)(const struct vrctl *v, const struct lyd_node *out, void *arg);

/* client.c: every failure is printed there ("vrctl: ..." on stderr). */
int vrctl_open(const struct vrctl *v, struct vrctl_conn *c);
void vrctl_close(struct vrctl_conn *c);
int vrctl_send(struct vrctl_conn *c, const char *req);
/* One message: 0 a reply to rpc, 1 a notification (*tree, *node and the
 * raw text *raw set), -ECONNRESET when vrd closed the connection (not
 * printed), another -errno when it failed (printed). */
int vrctl_recv(struct vrctl_conn *c, const char *rpc, int timeout_ms, char **raw,
	       struct lyd_node **tree, struct lyd_node **node);
/* Print a reply's "error" entries, or an unexpected notification; 1 when
 * there was something to print (the exit status), else 0.  In JSON mode
 * the raw reply says it all and nothing is printed. */
int vrctl_reply_failed(const struct vrctl *v, const struct lyd_node *node, bool notification);
/* Send req (the JSON text of rpc), wait for the reply, print it (raw in
 * JSON mode, through show otherwise).  The exit status. */
int vrctl_run(const struct vrctl *v, const char *rpc, const char *req, int timeout_ms,
	      vrctl_show_fn show, void *arg);
/* The same for a request tree (freed here). */
int vrctl_run_tree(const struct vrctl *v, struct lyd_node *req, int timeout_ms,
		   vrctl_show_fn show, void *arg);
/* Errors found before asking vrd (a file, an argument): "PATH: MSG" lines
 * on stderr, or {"ok":false,"errors":[...]} in JSON mode. */
void vrctl_print_errors(const struct vrctl *v, const struct vr_errs *e);

/* show.c: a change-summary as the plan and "N added, M changed, K
 * deleted"; the plan or "no changes" (diff); the plan and "(dry run:
 * nothing changed)". */
int vrctl_show_summary(const struct vrctl *v, const struct lyd_node *out, void *arg);
int vrctl_show_plan(const struct vrctl *v, const struct lyd_node *out, void *arg);
int vrctl_show_dry_run(const struct vrctl *v, const struct lyd_node *out, void *arg);
int vrctl_show_state(const struct vrctl *v, const struct lyd_node *out, void *arg);
int vrctl_show_status(const struct vrctl *v, const struct lyd_node *out, void *arg);
/* The plan lines of a change-summary; how many. */
size_t vrctl_print_operations(const struct lyd_node *out);

/* Commands: argv[0] is the command's name; VRCTL_USAGE makes main print
 * the command's usage. */
int vrctl_cmd_validate(const struct vrctl *v, int argc, char **argv); /* config.c */
int vrctl_cmd_apply(const struct vrctl *v, int argc, char **argv);
int vrctl_cmd_diff(const struct vrctl *v, int argc, char **argv);
int vrctl_cmd_show(const struct vrctl *v, int argc, char **argv); /* show.c */
int vrctl_cmd_status(const struct vrctl *v, int argc, char **argv);
int vrctl_cmd_router(const struct vrctl *v, int argc, char **argv); /* edit.c */
int vrctl_cmd_route(const struct vrctl *v, int argc, char **argv);
int vrctl_cmd_migrate(const struct vrctl *v, int argc, char **argv);
int vrctl_cmd_monitor(const struct vrctl *v, int argc, char **argv); /* monitor.c */

#endif
