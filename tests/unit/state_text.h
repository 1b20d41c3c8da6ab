/* state_text.h (tests only) - recorded observed state, see state_text.c. */
#ifndef VR_TEST_STATE_TEXT_H
#define VR_TEST_STATE_TEXT_H

#include "state.h"

int vr_state_text_load(struct vr_state *s, const char *path);

#endif
