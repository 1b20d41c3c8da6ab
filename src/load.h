/* load.h - the only door from JSON to the model: libyang parses and
 * validates, semantic checks (check.c) follow, and a plain struct
 * vr_config comes out.  libyang types go no further than this module and
 * the control protocol. */
#ifndef VR_LOAD_H
#define VR_LOAD_H

#include <stdint.h>

#include "err.h"
#include "model.h"

struct ly_ctx;
struct lyd_node;

/* A libyang context holding the vrd module (compiled into the binary). */
struct ly_ctx *vr_yang_ctx_new(struct vr_errs *e);
void vr_yang_ctx_free(struct ly_ctx *ctx);

/* Turn the errors libyang stored in ctx into vr_errs (data path + reason,
 * "line N" when the parser knows it), then clear them. */
void vr_yang_errors(struct ly_ctx *ctx, struct vr_errs *e);

/* JSON text of a tree (libyang print options, e.g. LYD_PRINT_SHRINK);
 * caller frees; NULL on failure.  Printed through a memory stream, which
 * grows geometrically: libyang's own lyd_print_mem() grows its buffer a
 * little at a time (quadratic copying for large configs where realloc
 * cannot grow in place, e.g. under ASan). */
char *vr_yang_print(const struct lyd_node *node, uint32_t options);

/* A config text with nothing but white space is refused (a truncated
 * file must not read as "no routers"; {} is the empty config).  0, or
 * -EINVAL with the error in e. */
int vr_config_text_check(const char *json, struct vr_errs *e);

/* Parse, validate and check a config document.  0, or -EINVAL with every
 * error in e (one per problem, each with its data path). */
int vr_load_mem(struct ly_ctx *ctx, const char *json, struct vr_config *out, struct vr_errs *e);
/* The same for a file; an unreadable file is one error naming it. */
int vr_load_file(struct ly_ctx *ctx, const char *path, struct vr_config *out, struct vr_errs *e);
/* Convert an already validated tree: the /vrd:virtual-routers container
 * (or an RPC input holding one).  Runs the semantic checks too. */
int vr_load_tree(const struct lyd_node *container, struct vr_config *out, struct vr_errs *e);

#endif
