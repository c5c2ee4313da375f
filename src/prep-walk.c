/* SPDX-License-Identifier: MIT */
/*
 * Prep's use of the staging walk (prep-walk.h): the scan, the scan the
 * wizard and the estimate run (ds_staging_scan), the hard-link map.
 */
#include "config.h"

#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "prep-job.h"
#include "prep-walk.h"
#include "prep.h"
#include "walk.h"

struct scan {
	struct prep_prog	*pg;
	struct ds_walk		*w;
};

/* DS_PHASE_SCAN: entries and bytes found so far. */
static int
scan_report(struct scan *s, int force)
{
	struct ds_progress pr;

	memset(&pr, 0, sizeof pr);
	pr.phase = DS_PHASE_SCAN;
	pr.done = s->w->bytes;
	pr.total = s->w->bytes;
	pr.files_done = s->w->nents;
	pr.drive_index = -1;
	return prep_prog_report(s->pg, &pr, force);
}

static int
scan_tick(void *arg, const struct ds_walk *w)
{
	(void)w;
	return scan_report(arg, 0);
}

static void
scan_warn(void *arg, const char *message)
{
	struct scan *s = arg;

	if (s->pg->ops != NULL && s->pg->ops->warn != NULL)
		s->pg->ops->warn(s->pg->ops->arg, message);
}

int
prep_walk_scan(const char *staging, struct prep_prog *pg, struct ds_walk *w,
    char **cause)
{
	struct scan s;

	s.pg = pg;
	s.w = w;
	scan_report(&s, 1);
	return ds_walk_dir(staging, scan_tick, scan_warn, &s, w, cause);
}

int
prep_walk_staging(struct prep_job *j, struct prep_prog *pg, struct ds_walk *w,
    char **cause)
{
	struct ds_prep_result	*r = j->res;
	struct stat		 st;
	size_t			 i;
	int			 rc;

	if (stat(j->staging, &st) == -1 || !S_ISDIR(st.st_mode))
		return ds_cause(cause, DS_E_NOTFOUND, _("%s is not a folder"),
		    j->staging);
	if ((rc = prep_walk_scan(j->staging, pg, w, cause)) != DS_E_OK)
		return rc;
	r->files = w->nents;
	r->bytes = w->bytes;
	for (i = 0; i < w->nents; i++)
		if (w->ents[i].unreadable)
			prep_add_str(&r->unreadable, &r->nunreadable,
			    w->ents[i].rel);
	if (r->nunreadable > 0 && !j->skip_unreadable)
		return ds_cause(cause, DS_E_UNREADABLE, _("%zu unreadable; "
		    "fix them or give --skip-unreadable"), r->nunreadable);
	if (w->nents == 0)
		return ds_cause(cause, DS_E_EMPTY_STAGING, _("%s holds nothing "
		    "that can be copied; no drive was touched"), j->staging);
	return DS_E_OK;
}

int
ds_staging_scan(const char *staging, const struct ds_ui_ops *ops,
    struct ds_scan **out, char **cause)
{
	struct prep_prog	 pg;
	struct ds_walk		 w;
	struct ds_scan		*s;
	struct stat		 st;
	char			 real[PATH_MAX];
	size_t			 i;
	int			 rc;

	*out = NULL;
	if (realpath(staging, real) == NULL || stat(real, &st) == -1 ||
	    !S_ISDIR(st.st_mode))
		return ds_cause(cause, DS_E_NOTFOUND, _("%s is not a folder"),
		    staging);
	memset(&pg, 0, sizeof pg);
	pg.ops = ops;
	memset(&w, 0, sizeof w);
	rc = prep_walk_scan(real, &pg, &w, cause);
	if (rc == DS_E_OK) {
		struct scan sc = { &pg, &w };

		if (scan_report(&sc, 1) != 0)
			rc = DS_E_CANCELED;
	}
	if (rc == DS_E_OK && (s = calloc(1, sizeof *s)) == NULL)
		rc = DS_E_NOMEM;
	if (rc == DS_E_OK) {
		s->files = w.nents;
		s->bytes = w.bytes;
		for (i = 0; i < w.nents; i++)
			if (w.ents[i].unreadable &&
			    prep_add_str(&s->unreadable, &s->nunreadable,
			    w.ents[i].rel) == -1)
				rc = DS_E_NOMEM;
		if (rc == DS_E_OK)
			*out = s;
		else
			ds_scan_free(s);
	}
	ds_walk_clear(&w);
	return rc;
}

void
ds_scan_free(struct ds_scan *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nunreadable; i++)
		free(s->unreadable[i]);
	free(s->unreadable);
	free(s);
}

/* The hard-link map. */

struct prep_link {
	dev_t		 dev;
	ino_t		 ino;
	size_t		 ent;
	int		 used;
};

static size_t
link_hash(dev_t dev, ino_t ino, size_t size)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 29)) & (size - 1);
}

/* The free slot or the slot of (DEV, INO) in V of SIZE slots. */
static size_t
link_slot(const struct prep_link *v, size_t size, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = link_hash(dev, ino, size); v[i].used &&
	    !(v[i].dev == dev && v[i].ino == ino); i = (i + 1) & (size - 1))
		;
	return i;
}

int
prep_links_find(const struct prep_links *l, dev_t dev, ino_t ino,
    size_t *ent)
{
	size_t i;

	if (l->size == 0)
		return 0;
	i = link_slot(l->v, l->size, dev, ino);
	if (!l->v[i].used)
		return 0;
	*ent = l->v[i].ent;
	return 1;
}

int
prep_links_add(struct prep_links *l, dev_t dev, ino_t ino, size_t ent)
{
	struct prep_link	*old = l->v, *h;
	size_t			 oldsize = l->size, i;

	if (2 * (l->count + 1) > l->size) {
		l->size = l->size ? 2 * l->size : 256;
		if ((l->v = calloc(l->size, sizeof *l->v)) == NULL) {
			l->v = old;
			l->size = oldsize;
			return DS_E_NOMEM;
		}
		for (i = 0; i < oldsize; i++)
			if (old[i].used)
				l->v[link_slot(l->v, l->size, old[i].dev,
				    old[i].ino)] = old[i];
		free(old);
	}
	h = &l->v[link_slot(l->v, l->size, dev, ino)];
	h->dev = dev;
	h->ino = ino;
	h->ent = ent;
	h->used = 1;
	l->count++;
	return DS_E_OK;
}

void
prep_links_free(struct prep_links *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}
