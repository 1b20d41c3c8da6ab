/* intern.c - interned strings for namespace and owner names.  There are few
 * (one or two per router), so a sorted array is enough. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

static char **pool;
static size_t n_pool, cap_pool;

const char *vr_intern(const char *s)
{
	size_t lo = 0, hi = n_pool;

	if (!s)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(pool[mid], s);
		if (!c)
			return pool[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (n_pool == cap_pool) {
		cap_pool = cap_pool ? cap_pool * 2 : 64;
		pool = realloc(pool, cap_pool * sizeof(*pool));
		if (!pool)
			abort();
	}
	memmove(&pool[lo + 1], &pool[lo], (n_pool - lo) * sizeof(*pool));
	pool[lo] = strdup(s);
	if (!pool[lo])
		abort();
	n_pool++;
	return pool[lo];
}

void vr_intern_free_all(void)
{
	for (size_t i = 0; i < n_pool; i++)
		free(pool[i]);
	free(pool);
	pool = NULL;
	n_pool = cap_pool = 0;
}
