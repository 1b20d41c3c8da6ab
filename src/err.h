/* err.h - user-facing errors: what went wrong, where (a data path or an
 * object name) and why.  They travel intact from the loader, the checks and
 * the executor to vrctl.  Internal invariants use abort(), not this. */
#ifndef VR_ERR_H
#define VR_ERR_H

#include <stddef.h>

struct vr_err {
	int code;      /* -errno, or -EINVAL for model errors */
	char *path;    /* data path or object name, may be NULL */
	char *msg;     /* the reason, never NULL */
};

struct vr_errs {
	struct vr_err *v;
	size_t n, cap;
};

void vr_errs_init(struct vr_errs *e);
void vr_errs_free(struct vr_errs *e);
void vr_errs_clear(struct vr_errs *e);
/* Append an error; fmt is the reason.  Returns code (so callers can
 * `return vr_errs_add(...)`). */
int vr_errs_add(struct vr_errs *e, int code, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Move all errors of src to the end of dst. */
void vr_errs_move(struct vr_errs *dst, struct vr_errs *src);
/* "PATH: MSG" or "MSG"; caller frees. */
char *vr_err_str(const struct vr_err *e);

#endif
