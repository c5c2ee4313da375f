/* SPDX-License-Identifier: MIT */
/*
 * The file table: one row per path of the drive set, built from the
 * manifests of the drives in hand, with an open-addressed index by path.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "importd.h"
#include "ingest-int.h"

/* The SHA-256 of a file the manifest gives none for. */
static const uint8_t no_sha[32];

/* FNV-1a of S: the file table's hash. */
static uint64_t
path_hash(const char *s)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * The slot of PATH in the open-addressed index (linear probing): the
 * slot holding it, or the empty slot where it would go.
 */
static size_t
file_slot(const struct ingest *in, const char *path)
{
	size_t	 mask = in->nslots - 1, i = (size_t)path_hash(path) & mask;

	while (in->slots[i] != 0 &&
	    strcmp(in->files[in->slots[i] - 1].path, path) != 0)
		i = (i + 1) & mask;
	return i;
}

struct ifile *
find_file(struct ingest *in, const char *path)
{
	size_t	 i;

	if (in->nslots == 0)
		return NULL;
	i = file_slot(in, path);
	return in->slots[i] != 0 ? &in->files[in->slots[i] - 1] : NULL;
}

/* Sizes the file table and its index for N rows at most. */
static int
files_alloc(struct ingest *in, size_t n)
{
	size_t	 ns = 16;

	while (ns < 2 * n + 2)
		ns *= 2;
	if (n >= UINT32_MAX / 2 ||
	    (in->files = calloc(n + 1, sizeof *in->files)) == NULL ||
	    (in->slots = calloc(ns, sizeof *in->slots)) == NULL)
		return DS_E_NOMEM;
	in->nslots = ns;
	return DS_E_OK;
}

/* Counts part F of drive D into the file table. */
static int
add_part(struct ingest *in, struct idrive *d, const struct ds_mf_file *f)
{
	struct ifile	*x;
	size_t		 slot = file_slot(in, f->path);

	if (in->slots[slot] == 0) {
		x = &in->files[in->nfiles++];
		in->slots[slot] = (uint32_t)in->nfiles;
		x->path = f->path;
		x->size = f->size;
		x->regular = f->type == DS_MF_FILE;
		x->link = f->type == DS_MF_HARDLINK;
		x->symlink = f->type == DS_MF_SYMLINK;
		x->fail_drive = -1;
		x->sha = no_sha;
	} else
		x = &in->files[in->slots[slot] - 1];
	if (f->has_sha) {
		x->has_sha = 1;
		x->sha = f->sha;
	}
	if (f->skipped && x->failed == NULL)
		x->failed = strdup(_("was skipped by prep (unreadable)"));
	/* A file on several drives keeps its bytes per drive. */
	if (x->drives != 0 && !(x->drives & (1U << d->index)) &&
	    x->on_drive == NULL) {
		if ((x->on_drive = calloc(IMPORTD_MAX_DRIVES,
		    sizeof *x->on_drive)) == NULL)
			return DS_E_NOMEM;
		x->on_drive[ffs(x->drives) - 1] = x->covered;
	}
	if (x->on_drive != NULL)
		x->on_drive[d->index] += f->length;
	x->covered += f->length;
	x->drives |= (uint16_t)(1U << d->index);
	if (f->last)
		x->has_last = 1;
	d->total += f->length;
	return DS_E_OK;
}

/* Builds the file table from the manifests of the drives in hand. */
int
load_files(struct ingest *in)
{
	const struct ds_manifest	*m;
	size_t				 i, k, n = 0;
	int				 rc;

	for (i = 0; i < in->ndrives; i++)
		if ((m = drive_mf(in, &in->drives[i])) != NULL)
			n += m->nfiles;
	if ((rc = files_alloc(in, n)) != DS_E_OK)
		return rc;
	for (i = 0; i < in->ndrives; i++) {
		struct idrive *d = &in->drives[i];

		if ((m = drive_mf(in, d)) == NULL)
			continue;
		in->by_index[d->index] = d;
		for (k = 0; k < m->nfiles; k++)
			if ((rc = add_part(in, d, &m->files[k])) != DS_E_OK)
				return rc;
	}
	return DS_E_OK;
}

/* Whether every part of F is on a drive in hand. */
int
file_complete(const struct ifile *f)
{
	return f->has_last && f->covered == (f->regular ? f->size :
	    f->covered);
}

/* Bytes of F on drive K. */
uint64_t
bytes_on(const struct ifile *f, unsigned k)
{
	if (!(f->drives & (1U << k)))
		return 0;
	return f->on_drive != NULL ? f->on_drive[k] : f->covered;
}
