/* yang_ctx.c (tests only) - see yang_ctx.h. */
#include "yang_ctx.h"

#include "load.h"
#include "state.h"

struct ly_ctx *ctx;

int vr_test_yang_setup(void **state)
{
	struct vr_errs e;

	(void)state;
	vr_errs_init(&e);
	ctx = vr_yang_ctx_new(&e);
	vr_errs_free(&e);
	return ctx ? 0 : -1;
}

int vr_test_yang_teardown(void **state)
{
	(void)state;
	vr_yang_ctx_free(ctx);
	vr_intern_free_all();
	return 0;
}
