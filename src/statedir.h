/* statedir.h - vrd's persisted state directory (default /var/lib/vrd,
 * --state-dir): what vrd must remember across runs so that it can find,
 * keep and later undo what it did to the kernel.
 *
 *   tables  one "router table" per line: the table ids vrd allocated, so a
 *           router keeps its table across restarts and reloads.
 *   links   one "router ns name created|port" per line (ns "-": the
 *           namespace vrd runs in): links vrd created (to delete) or
 *           enslaved (to release), kept until undone, even after the
 *           router has left the config.
 *
 * Both files are written by vrd only, atomically; blank lines are ignored,
 * there are no comments (a router may be named "#x").  Parsing is separate
 * from file I/O.  Malformed content is reported per line as struct vr_err
 * with path "FILE:LINE" and the whole load fails with -EINVAL: a state
 * file vrd cannot trust is not silently replaced.
 *
 * Functions return 0 or -errno; errs arguments may be NULL.  Out of memory
 * aborts, as everywhere in vrcore. */
#ifndef VR_STATEDIR_H
#define VR_STATEDIR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define VR_STATEDIR_DEFAULT "/var/lib/vrd"
#define VR_TABLES_FILE      "tables"
#define VR_LINKS_FILE       "links"

/* Pool of allocated table ids, clear of iproute2's reserved ids and of the
 * low ids operators pick by hand. */
#define VR_TABLE_POOL_MIN 1000u
#define VR_TABLE_POOL_MAX 65535u

/* Create dir and its missing parents (mode 0755). */
int vr_statedir_init(const char *dir);

/* Write path.tmp, fsync it, rename it over path, fsync the directory: a
 * reader sees the old or the new content, never a mix, even after a crash.
 * Mode 0644.  One writer per path at a time. */
int vr_file_write_atomic(const char *path, const void *data, size_t len);
/* The whole file, NUL-terminated (not counted in *len; len may be NULL).
 * -ENOENT when absent.  Caller frees *data. */
int vr_file_read(const char *path, char **data, size_t *len);

/* ---- table allocation ---- */

struct vr_table_alloc {
	char *router;
	uint32_t table;
};

/* Sorted by router; at most one entry per router and per table. */
struct vr_tables {
	struct vr_table_alloc *v;
	size_t n, cap;
};

void vr_tables_init(struct vr_tables *t);
void vr_tables_free(struct vr_tables *t);
/* Replace t's content with the allocations in text.  file names the source
 * in errors (NULL: "tables").  On error t is left empty. */
int vr_tables_parse(struct vr_tables *t, const char *text, const char *file, struct vr_errs *errs);
/* The file content for t, malloc'd. */
char *vr_tables_format(const struct vr_tables *t);
/* <dir>/tables; a missing file is an empty set. */
int vr_tables_load(struct vr_tables *t, const char *dir, struct vr_errs *errs);
int vr_tables_save(const struct vr_tables *t, const char *dir);

/* The table allocated to router, 0 when none. */
uint32_t vr_tables_get(const struct vr_tables *t, const char *router);
/* router's table: its existing allocation if any, else the lowest id of
 * the pool that is neither in in_use (tables that explicit config or the
 * kernel use) nor allocated to another router, recorded in t.  -ENOSPC
 * when the pool is exhausted, -EINVAL for an unusable router name.  The
 * caller saves t. */
int vr_tables_alloc(struct vr_tables *t, const char *router, const uint32_t *in_use,
                    size_t n_in_use, uint32_t *out);
/* Forget router's allocation; -ENOENT when it has none. */
int vr_tables_release(struct vr_tables *t, const char *router);

/* ---- link records ---- */

struct vr_link_rec {
	char *router;
	char *ns; /* "" for the namespace vrd runs in */
	char name[IFNAMSIZ];
	bool created; /* true: vrd created it (delete); false: a port (release) */
};

/* Sorted by router, ns, name; one record per (ns, name). */
struct vr_links {
	struct vr_link_rec *v;
	size_t n, cap;
};

void vr_links_init(struct vr_links *l);
void vr_links_free(struct vr_links *l);
int vr_links_parse(struct vr_links *l, const char *text, const char *file, struct vr_errs *errs);
char *vr_links_format(const struct vr_links *l);
/* <dir>/links; a missing file is an empty set. */
int vr_links_load(struct vr_links *l, const char *dir, struct vr_errs *errs);
int vr_links_save(const struct vr_links *l, const char *dir);

/* Record link ns/name for router.  Recording it again for the same router
 * updates created; -EEXIST when another router holds it; -EINVAL for a
 * name that is not a valid router, namespace or interface name. */
int vr_links_add(struct vr_links *l, const char *router, const char *ns, const char *name,
                 bool created);
/* Forget link ns/name; -ENOENT when not recorded. */
int vr_links_remove(struct vr_links *l, const char *ns, const char *name);
/* Forget all of router's links; returns how many. */
size_t vr_links_remove_router(struct vr_links *l, const char *router);
const struct vr_link_rec *vr_links_find(const struct vr_links *l, const char *ns, const char *name);
/* Iterate router's records (router NULL: all), in file order:
 *   size_t pos = 0;
 *   while ((r = vr_links_next(l, "red", &pos))) ...
 * Do not change l during the iteration. */
const struct vr_link_rec *vr_links_next(const struct vr_links *l, const char *router, size_t *pos);

#endif
