/* SPDX-License-Identifier: MIT */
/* The staging walk (walk.h): what of a staging folder is copied. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "walk.h"

int
ds_walk_copied(mode_t mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode);
}

static int
cmp_dirent(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
filter_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

struct walker {
	const char	*root;
	int		(*tick)(void *, const struct ds_walk *);
	void		(*warn)(void *, const char *);
	void		*arg;
	struct ds_walk	*w;
};

/* Lists REL (of type MODE) as left out, and says so. */
static int
skip(struct walker *k, const char *rel, mode_t mode)
{
	char	**v, *msg;
	int	 n;

	if (k->warn != NULL) {
		if (S_ISSOCK(mode))
			n = asprintf(&msg, _("%s: sockets cannot be copied; "
			    "left out"), rel);
		else if (S_ISFIFO(mode))
			n = asprintf(&msg, _("%s: FIFOs (named pipes) are not "
			    "copied; left out"), rel);
		else
			n = asprintf(&msg, _("%s: device files are not "
			    "copied; left out"), rel);
		if (n == -1)
			return DS_E_NOMEM;
		k->warn(k->arg, msg);
		free(msg);
	}
	v = reallocarray(k->w->skipped, k->w->nskipped + 1, sizeof *v);
	if (v == NULL)
		return DS_E_NOMEM;
	k->w->skipped = v;
	if ((v[k->w->nskipped] = strdup(rel)) == NULL)
		return DS_E_NOMEM;
	k->w->nskipped++;
	return DS_E_OK;
}

/* Adds REL with ST; takes REL. */
static int
add(struct walker *k, char *rel, const struct stat *st,
    struct ds_walk_ent **out)
{
	struct ds_walk		*w = k->w;
	struct ds_walk_ent	*e, *ne;

	if (w->nents == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 1024;
		if ((ne = reallocarray(w->ents, w->alloc, sizeof *ne)) ==
		    NULL) {
			free(rel);
			return DS_E_NOMEM;
		}
		w->ents = ne;
	}
	e = &w->ents[w->nents++];
	memset(e, 0, sizeof *e);
	e->rel = rel;
	e->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->mode = st->st_mode;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 +
	    st->st_ctim.tv_nsec;
	e->nlink = st->st_nlink;
	w->bytes += e->size;
	*out = e;
	return DS_E_OK;
}

static int
walk_dir(struct walker *k, const char *rel, char **cause)
{
	struct dirent		**list = NULL;
	struct ds_walk_ent	 *e;
	struct stat		  st;
	char			 *dir, *full, *r;
	int			  n, i, fd, rc = DS_E_OK;
	DIR			 *d;

	if (asprintf(&dir, "%s%s%s", k->root, *rel ? "/" : "", rel) == -1)
		return DS_E_NOMEM;
	n = scandir(dir, &list, filter_dots, cmp_dirent);
	free(dir);
	if (n == -1)
		return DS_E_OK;	/* marked unreadable by the caller */
	for (i = 0; i < n && rc == DS_E_OK; i++) {
		if (asprintf(&r, "%s%s%s", rel, *rel ? "/" : "",
		    list[i]->d_name) == -1) {
			rc = DS_E_NOMEM;
			break;
		}
		if (asprintf(&full, "%s/%s", k->root, r) == -1) {
			free(r);
			rc = DS_E_NOMEM;
			break;
		}
		if (lstat(full, &st) == -1 || !ds_walk_copied(st.st_mode)) {
			/* Not a vanished entry: one left out. */
			if (lstat(full, &st) == 0)
				rc = skip(k, r, st.st_mode);
			free(full);
			free(r);
			continue;
		}
		if ((rc = add(k, r, &st, &e)) != DS_E_OK) {
			free(full);
			break;
		}
		if (S_ISREG(st.st_mode)) {
			if ((fd = open(full, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC | O_NONBLOCK)) == -1)
				e->unreadable = 1;
			else
				close(fd);
		} else if (S_ISDIR(st.st_mode)) {
			if ((d = opendir(full)) == NULL)
				e->unreadable = 1;
			else {
				closedir(d);
				rc = walk_dir(k, r, cause);
			}
		}
		free(full);
		if (rc == DS_E_OK && k->w->nents % 256 == 0 &&
		    k->tick != NULL && k->tick(k->arg, k->w) != 0)
			rc = DS_E_CANCELED;
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

int
ds_walk_dir(const char *root, int (*tick)(void *, const struct ds_walk *),
    void (*warn)(void *, const char *), void *arg, struct ds_walk *w,
    char **cause)
{
	struct walker k;

	k.root = root;
	k.tick = tick;
	k.warn = warn;
	k.arg = arg;
	k.w = w;
	return walk_dir(&k, "", cause);
}

void
ds_walk_clear(struct ds_walk *w)
{
	size_t i;

	for (i = 0; i < w->nents; i++)
		free(w->ents[i].rel);
	free(w->ents);
	for (i = 0; i < w->nskipped; i++)
		free(w->skipped[i]);
	free(w->skipped);
	memset(w, 0, sizeof *w);
}
