/* chan.c - opening the guest's end of the channel by its spec (chan.h). */
#include <errno.h>
#include <string.h>

#include "place/chan.h"

struct vr_chan *vr_chan_open(const char *spec, struct vr_errs *e)
{
	if (!strcmp(spec, "xenstore"))
		return vr_chan_xs_new(e);
	if (!strncmp(spec, "lab:", 4) && spec[4])
		return vr_chan_lab_new(spec + 4, e);
	vr_errs_add(e, -EINVAL, NULL, "unknown guest channel \"%s\" (xenstore or lab:DIR)", spec);
	return NULL;
}
