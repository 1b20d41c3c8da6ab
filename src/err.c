/* err.c - the error list type (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vr_errs_init(struct vr_errs *e)
{
	memset(e, 0, sizeof(*e));
}

void vr_errs_clear(struct vr_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].path);
		free(e->v[i].msg);
	}
	e->n = 0;
}

void vr_errs_free(struct vr_errs *e)
{
	vr_errs_clear(e);
	free(e->v);
	vr_errs_init(e);
}

int vr_errs_add(struct vr_errs *e, int code, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		struct vr_err *v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			abort();
		e->v = v;
		e->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	e->v[e->n].code = code;
	e->v[e->n].path = path ? strdup(path) : NULL;
	e->v[e->n].msg = msg;
	e->n++;
	return code;
}

void vr_errs_move(struct vr_errs *dst, struct vr_errs *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct vr_err *s = &src->v[i];
		vr_errs_add(dst, s->code, s->path, "%s", s->msg);
	}
	vr_errs_clear(src);
}

char *vr_err_str(const struct vr_err *e)
{
	char *s;

	if (e->path && *e->path) {
		if (asprintf(&s, "%s: %s", e->path, e->msg) < 0)
			abort();
	} else {
		s = strdup(e->msg);
		if (!s)
			abort();
	}
	return s;
}
