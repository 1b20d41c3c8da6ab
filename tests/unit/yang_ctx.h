/* yang_ctx.h (tests only) - one libyang context with the vrd module for a
 * cmocka group: pass vr_test_yang_setup/teardown to the group runner. */
#ifndef VR_TEST_YANG_CTX_H
#define VR_TEST_YANG_CTX_H

struct ly_ctx;

extern struct ly_ctx *ctx;
int vr_test_yang_setup(void **state);
int vr_test_yang_teardown(void **state);

#endif
