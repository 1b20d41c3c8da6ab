/* check.h - semantic checks libyang cannot express, on the plain model.
 * Pure.  Every problem found is reported (not just the first), each with
 * the data path of the offending node. */
#ifndef VR_CHECK_H
#define VR_CHECK_H

#include "err.h"
#include "model.h"

/* 0, or -EINVAL with the problems appended to e. */
int vr_check(const struct vr_config *c, struct vr_errs *e);

#endif
