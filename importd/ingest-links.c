/* SPDX-License-Identifier: MIT */
/*
 * Hard links: every other name of a regular file is stored, after the
 * reader ran, as a copy of its stored target; a name whose target is
 * on a drive not received yet waits in ingest.db for that drive.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "importd.h"
#include "ingest-int.h"
#include "util.h"

/* A new entry of in->links, zeroed; NULL when out of memory. */
struct ilink *
link_add(struct ingest *in)
{
	struct ilink	*l;

	if (in->nlinks == in->links_cap) {
		in->links_cap = in->links_cap * 2 + 16;
		if ((l = reallocarray(in->links, in->links_cap,
		    sizeof *l)) == NULL)
			return NULL;
		in->links = l;
	}
	l = &in->links[in->nlinks++];
	memset(l, 0, sizeof *l);
	return l;
}

/*
 * Finds the stored target of L: in the file table (stored in this run
 * or an earlier one) or, its drive not being read now, in ingest.db.
 * Sets L's size and SHA-256; 1 when stored, 0 when it may still come
 * (a drive not in hand), -1 when it will not (lost on a drive in hand).
 */
static int
link_target(struct ingest *in, struct ilink *l)
{
	sqlite3_stmt	*st;
	struct ifile	*t = find_file(in, l->target);
	int		 found = 0;

	if (t != NULL && t->uploaded && t->has_sha) {
		l->size = t->size;
		memcpy(l->sha, t->sha, 32);
		return 1;
	}
	if (t != NULL && file_complete(t))
		return -1;
	if (sqlite3_prepare_v2(in->idb, "SELECT size, sha256 FROM in_files "
	    "WHERE job_id = ? AND path = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, l->target, (int)strlen(l->target),
	    SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 1) == 32) {
		l->size = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(l->sha, sqlite3_column_blob(st, 1), 32);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

/* Names L lost with REASON (allocated, taken): in its drive's error
 * log when its row is not in this run's table. */
static void
link_lost(struct ingest *in, struct ilink *l, char *reason)
{
	struct idrive	*d;

	if (l->f != NULL) {
		file_lost(in, l->f, reason);
		return;
	}
	if (reason != NULL && (d = find_drive(in, l->drive_id)) != NULL) {
		logf_add(&d->err, _("%s: not copied: %s"), l->path, reason);
		d->failed = 1;
	}
	free(reason);
}

/*
 * Counts name L as stored: its row (when read in this run) takes the
 * target's size and SHA-256 (borrowed from L: in->links grows no more
 * once the links are stored) and its record.
 */
static void
link_stored(struct ingest *in, struct ilink *l)
{
	char	*c = NULL;

	pthread_mutex_lock(&in->mu);
	in->uploads++;
	if (l->f != NULL) {
		l->f->size = l->size;
		l->f->sha = l->sha;
		l->f->has_sha = 1;
		stored_locked(in, l->f);
	} else if (idb_file_put(in, l->path, l->size, l->sha, &c) !=
	    DS_E_OK)
		importd_err_code(DS_E_IMPORTD_DB, c);
	pthread_mutex_unlock(&in->mu);
}

/*
 * Stores each hard link's name as a copy of its stored target (Copy
 * Blob within the account; a copy read back and hashed in a directory
 * store). A name whose target is on a drive not yet received waits,
 * recorded in ingest.db, until that drive comes; once no drive of the
 * job may still come, it is lost.
 */
int
store_links(struct ingest *in, char **cause)
{
	struct ds_dr_entry	 e;
	struct imeta		 m;
	struct ilink		*l;
	char			*c = NULL, hex[65];
	size_t			 i;
	int			 rc, found, yes, waiting = expecting(in);

	if ((rc = idb_links_load(in, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < in->nlinks; i++) {
		l = &in->links[i];
		if (l->f != NULL && (l->f->uploaded || l->f->failed != NULL))
			goto done;
		if ((found = link_target(in, l)) == 0 && waiting) {
			if ((rc = idb_link_put(in, l, 1, cause)) != DS_E_OK)
				return rc;
			if (l->f != NULL)
				l->f->waits = 1;
			continue;
		}
		if (found <= 0) {
			if (asprintf(&c, found < 0 ? _("another name of %s, "
			    "which was not stored") : _("another name of %s, "
			    "which no received drive holds"), l->target) ==
			    -1)
				c = NULL;
			link_lost(in, l, c);
		} else {
			memset(&e, 0, sizeof e);
			e.mode = l->mode;
			e.mtime.tv_sec = l->mtime;
			e.uid = l->uid;
			e.gid = l->gid;
			imeta_set(&m, &e, l->sha);
			c = NULL;
			rc = target_copy(in->tgt, in->container, l->target,
			    l->path, m.m, 4, &c);
			/* The store's copy is checked as the upload was. */
			ds_hex(hex, l->sha, 32);
			if (rc == DS_E_OK && in->tgt_is_dir &&
			    (rc = target_has(in->tgt, in->container, l->path,
			    l->size, hex, &yes, &c)) == DS_E_OK && !yes) {
				rc = DS_E_IO;
				if (asprintf(&c, _("the copy of %s is not "
				    "whole"), l->target) == -1)
					c = NULL;
			}
			if (rc == DS_E_IO) {
				link_lost(in, l, c);
			} else if (rc != DS_E_OK) {
				ds_cause(cause, rc, "%s: %s", l->path,
				    c != NULL ? c : "");
				free(c);
				return rc;
			} else
				link_stored(in, l);
		}
done:
		/* A name never recorded as waiting costs no statement. */
		if ((l->f == NULL || l->f->link_rec) &&
		    (rc = idb_link_put(in, l, 0, cause)) != DS_E_OK)
			return rc;
	}
	return DS_E_OK;
}
