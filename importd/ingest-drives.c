/* SPDX-License-Identifier: MIT */
/*
 * The drives of the job: each drive named is checked against the job
 * (job name, driveId, header and manifest hashes) and recorded; the
 * drives in hand are loaded from ingest.db with their keys.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "gate.h"
#include "importd.h"
#include "ingest-int.h"
#include "restore.h"
#include "util.h"

void
idrive_clear(struct idrive *d)
{
	free(d->id);
	free(d->path);
	if (d->key != NULL)
		ds_freezero(d->key, strlen(d->key));
	ilog_close(&d->err);
	ilog_close(&d->verbose);
	ilog_close(&d->listing);
	ilog_close(&d->mf_copy);
}

struct idrive *
find_drive(struct ingest *in, const char *id)
{
	size_t	 i;

	for (i = 0; i < in->ndrives; i++)
		if (strcmp(in->drives[i].id, id) == 0)
			return &in->drives[i];
	return NULL;
}

/* Fills in->drives from the job's driveList and the drives in hand. */
int
load_drives(struct ingest *in, char **cause)
{
	sqlite3_stmt	*st;
	json_t		*list, *d;
	struct idrive	*x;
	const char	*id, *key;
	char		*c = NULL;
	size_t		 i;
	int		 rc;

	list = json_object_get(props_of(in), "driveList");
	if ((in->drives = calloc(json_array_size(list) + 1,
	    sizeof *in->drives)) == NULL)
		return DS_E_NOMEM;
	json_array_foreach(list, i, d) {
		x = &in->drives[in->ndrives++];
		id = json_string_value(json_object_get(d, "driveId"));
		key = json_string_value(json_object_get(d, "bitLockerKey"));
		x->index = -1;
		x->id = strdup(id != NULL ? id : "");
		x->key = key != NULL ? strdup(key) : NULL;
		if (x->id == NULL)
			return DS_E_NOMEM;
	}
	if (sqlite3_prepare_v2(in->idb, "SELECT drive_id, idx, path FROM "
	    "in_drives WHERE job_id = ?", -1, &st, NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	rc = DS_E_OK;
	while (rc == DS_E_OK && sqlite3_step(st) == SQLITE_ROW) {
		x = find_drive(in, (const char *)sqlite3_column_text(st, 0));
		if (x == NULL)
			continue;
		x->index = sqlite3_column_int(st, 1);
		if ((x->path = strdup((const char *)sqlite3_column_text(st,
		    2))) == NULL)
			rc = DS_E_NOMEM;
		else if (ds_drive_check_manifest(x->path, &c) != DS_E_OK) {
			/* The drive left, or changed, since it came in. The
			 * manifest is parsed once, by the reader. Said in
			 * its log, not the run's error: the others go on. */
			logf_add(&x->err, "%s", c != NULL ? c : "?");
			free(c);
			c = NULL;
			x->index = -1;
			x->failed = 1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Opens a reader without keys on the drives in hand, for their manifests
 * only (nothing to read, or the keys did not open them).
 */
static void
open_manifests(struct ingest *in)
{
	struct ds_dreader_opts	 o;
	const char		**paths;
	size_t			 i, n = 0;

	if ((paths = calloc(in->ndrives + 1, sizeof *paths)) == NULL)
		return;
	for (i = 0; i < in->ndrives; i++)
		if (in->drives[i].index >= 0 && in->drives[i].path != NULL)
			paths[n++] = in->drives[i].path;
	memset(&o, 0, sizeof o);
	o.drives = paths;
	o.ndrives = n;
	o.flags = DS_DR_NO_KEY;
	if (ds_dreader_open(&o, &in->dr, NULL) != DS_E_OK)
		in->dr = NULL;
	free(paths);
}

/* The manifest of drive D (the reader's); NULL when it is unreadable. */
const struct ds_manifest *
drive_mf(struct ingest *in, struct idrive *d)
{
	if (d->index < 0 || d->index >= IMPORTD_MAX_DRIVES)
		return NULL;
	if (in->dr == NULL)
		open_manifests(in);
	return in->dr != NULL ? ds_dreader_manifest(in->dr,
	    (size_t)d->index) : NULL;
}

/* The drive in hand with INDEX, or NULL. */
struct idrive *
drive_at(struct ingest *in, int index)
{
	if (index < 0 || index >= IMPORTD_MAX_DRIVES)
		return NULL;
	return in->by_index[index];
}

/* Checks the drive at PATH against the job; records it when it fits. */
int
check_drive(struct ingest *in, const char *path)
{
	struct ds_drive_info	 info;
	struct stat		 st;
	json_t			*dj;
	const char		*want;
	char			*cause = NULL, *id = NULL, *why = NULL;
	int			 rc;

	if (stat(path, &st) == -1 || (!S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode))) {
		importd_err(_("%s: not a drive or image file"), path);
		return -1;
	}
	if ((rc = ds_drive_inspect(path, &info, &cause)) != DS_E_OK) {
		importd_err(_("%s: not a diskseed drive, left alone: %s"),
		    path, cause != NULL ? cause : ds_strerror(rc));
		free(cause);
		return -1;
	}
	if (strcmp(info.job, in->job) != 0) {
		importd_err(_("%s: belongs to job %s, not %s; left alone"),
		    path, info.job, in->job);
		goto refused;
	}
	if ((id = ds_gate_confirm_id(path, &cause)) == NULL ||
	    (dj = drive_json(in, id)) == NULL) {
		importd_err(_("%s: drive %s is not in job %s; left alone"),
		    path, id != NULL ? id : "?", in->job);
		goto refused;
	}
	want = json_string_value(json_object_get(dj, "driveHeaderHash"));
	if (info.header_hash == NULL || want == NULL ||
	    strcmp(info.header_hash, want) != 0)
		why = _("the drive header hash does not match the job "
		    "(header corrupted, or another drive)");
	want = json_string_value(json_object_get(dj, "manifestHash"));
	if (why == NULL && (info.manifest_hash == NULL || want == NULL ||
	    strcasecmp(info.manifest_hash, want) != 0))
		why = _("manifest corrupted: its hash does not match the "
		    "job");
	if (why == NULL && !info.complete)
		why = _("manifest corrupted or missing");
	if (why != NULL) {
		struct idrive d;

		importd_err(_("%s: drive %s refused: %s"), path, id, why);
		memset(&d, 0, sizeof d);
		d.id = id;
		logf_add(&d.err, "%s: %s", path, why);
		write_logs(in, &d);
		ilog_close(&d.err);
		set_drive(in, id, "CompletedMoreInfo", "Failed", 0, 0);
		in->problems++;
		goto out;
	}
	if ((rc = idb_drive_put(in, id, (int)info.index, path, &cause)) !=
	    DS_E_OK) {
		importd_err_code(rc, cause);
		cause = NULL;
		goto refused;
	}
	if (!final_state(drive_state(in, id)))
		set_drive(in, id, "Received", NULL, -1, -1);
	say(_("%s: drive %s (%u of the set) received for job %s"), path, id,
	    info.index + 1, in->job);
	goto out;
refused:
	in->problems++;
out:
	free(cause);
	free(id);
	ds_drive_info_clear(&info);
	return 0;
}
