/* SPDX-License-Identifier: MIT */
/*
 * The ingest's state in DIR/ingest.db (SQLite): the drives in hand, the
 * files stored and the hard-link names waiting for their target's
 * drive, every row keyed by the job's immutable id.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "importd.h"
#include "ingest-int.h"
#include "target.h"

static int
idb_exec(struct ingest *in, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(in->idb, sql, NULL, NULL, &err) != SQLITE_OK) {
		ds_cause(cause, DS_E_IMPORTD_DB, "ingest.db: %s",
		    err != NULL ? err : "?");
		sqlite3_free(err);
		return DS_E_IMPORTD_DB;
	}
	return DS_E_OK;
}

/*
 * Opens DIR/ingest.db (0600), making its tables. Every row is keyed by
 * the job's immutable id, never by its name: a job deleted and created
 * again under the same name is another job and starts fresh. The tables
 * of the first design (keyed by name) are left unread.
 */
int
idb_open(struct ingest *in, char **cause)
{
	char	*path = config_path(in->dir, "ingest.db");
	int	 fd;

	if (path == NULL)
		return DS_E_NOMEM;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(fd);
	if (sqlite3_open(path, &in->idb) != SQLITE_OK) {
		ds_cause(cause, DS_E_IMPORTD_DB, "%s: %s", path,
		    sqlite3_errmsg(in->idb));
		free(path);
		return DS_E_IMPORTD_DB;
	}
	free(path);
	sqlite3_busy_timeout(in->idb, 10000);
	return idb_exec(in, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;"
	    "CREATE TABLE IF NOT EXISTS in_drives (job_id TEXT, "
	    "drive_id TEXT, idx INTEGER, path TEXT, "
	    "PRIMARY KEY (job_id, drive_id));"
	    "CREATE TABLE IF NOT EXISTS in_files (job_id TEXT, path BLOB, "
	    "size INTEGER, sha256 BLOB, PRIMARY KEY (job_id, path)) "
	    "WITHOUT ROWID;"
	    "CREATE TABLE IF NOT EXISTS in_runs (job_id TEXT PRIMARY KEY);"
	    "CREATE TABLE IF NOT EXISTS in_links (job_id TEXT, path BLOB, "
	    "target BLOB, drive_id TEXT, mode INTEGER, mtime INTEGER, "
	    "uid INTEGER, gid INTEGER, PRIMARY KEY (job_id, path)) "
	    "WITHOUT ROWID;",
	    cause);
}

int
idb_fail(struct ingest *in, char **cause)
{
	return ds_cause(cause, DS_E_IMPORTD_DB, "ingest.db: %s",
	    sqlite3_errmsg(in->idb));
}

/* Records drive ID of the job as in hand at PATH with INDEX. */
int
idb_drive_put(struct ingest *in, const char *id, int index, const char *path,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(in->idb, "INSERT OR REPLACE INTO in_drives "
	    "VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, index);
	sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? DS_E_OK : idb_fail(in, cause);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Whether an earlier run of this job began uploading; marks this one.
 * Only then can the store hold a file that ingest.db does not list (a
 * run killed between the store and the record), so only then is the
 * store asked about each file.
 */
int
idb_ran_before(struct ingest *in, int *yes, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(in->idb, "INSERT OR IGNORE INTO in_runs "
	    "VALUES (?)", -1, &st, NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? DS_E_OK : idb_fail(in, cause);
	*yes = sqlite3_changes(in->idb) == 0;
	sqlite3_finalize(st);
	return rc;
}

/*
 * Records that PATH is stored with SIZE and SHA. Records are written in
 * batches (one transaction every 5 s, after a syncfs of a directory
 * store, which flushes the whole file system, so not often): a record
 * lost with a killed run only makes the next run ask the store about
 * that file.
 */
int
idb_file_put(struct ingest *in, const char *path, uint64_t size,
    const uint8_t *sha, char **cause)
{
	time_t	 now = time(NULL);
	int	 rc = DS_E_OK;

	if (in->st_put == NULL && sqlite3_prepare_v2(in->idb, "INSERT OR "
	    "REPLACE INTO in_files VALUES (?, ?, ?, ?)", -1, &in->st_put,
	    NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	if (!in->idb_tx) {
		if ((rc = idb_exec(in, "BEGIN", cause)) != DS_E_OK)
			return rc;
		in->idb_tx = 1;
		in->idb_tx_at = now;
	}
	sqlite3_bind_text(in->st_put, 1, in->job_key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(in->st_put, 2, path, (int)strlen(path),
	    SQLITE_STATIC);
	sqlite3_bind_int64(in->st_put, 3, (sqlite3_int64)size);
	sqlite3_bind_blob(in->st_put, 4, sha, 32, SQLITE_STATIC);
	if (sqlite3_step(in->st_put) != SQLITE_DONE)
		rc = idb_fail(in, cause);
	sqlite3_reset(in->st_put);
	if (rc == DS_E_OK && now - in->idb_tx_at >= 5)
		rc = idb_flush(in, cause);
	return rc;
}

/* Commits the records written since the last flush. */
int
idb_flush(struct ingest *in, char **cause)
{
	if (!in->idb_tx)
		return DS_E_OK;
	in->idb_tx = 0;
	/* What is recorded as stored must be on the disk first. */
	if (in->tgt != NULL)
		target_sync(in->tgt);
	return idb_exec(in, "COMMIT", cause);
}

/* Marks as uploaded each file ingest.db lists as stored, unchanged. */
int
idb_load_done(struct ingest *in, char **cause)
{
	sqlite3_stmt	*st;
	struct ifile	*f;
	char		*path = NULL;
	int		 rc, n;

	if (sqlite3_prepare_v2(in->idb, "SELECT path, size, sha256 FROM "
	    "in_files WHERE job_id = ?", -1, &st, NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_bytes(st, 0);
		free(path);
		if ((path = malloc((size_t)n + 1)) == NULL) {
			sqlite3_finalize(st);
			return DS_E_NOMEM;
		}
		memcpy(path, sqlite3_column_blob(st, 0), (size_t)n);
		path[n] = '\0';
		if ((f = find_file(in, path)) != NULL && f->has_sha &&
		    (uint64_t)sqlite3_column_int64(st, 1) == f->size &&
		    sqlite3_column_bytes(st, 2) == 32 &&
		    memcmp(sqlite3_column_blob(st, 2), f->sha, 32) == 0)
			f->uploaded = 1;
	}
	free(path);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? DS_E_OK : idb_fail(in, cause);
}

/*
 * Adds the names ingest.db holds as waiting for their target's drive
 * and not met in this run (their drive is not read now).
 */
int
idb_links_load(struct ingest *in, char **cause)
{
	sqlite3_stmt	*st;
	struct ilink	*l;
	struct ifile	*f;
	int		 rc, n, t;

	if (sqlite3_prepare_v2(in->idb, "SELECT path, target, drive_id, "
	    "mode, mtime, uid, gid FROM in_links WHERE job_id = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_bytes(st, 0);
		t = sqlite3_column_bytes(st, 1);
		if ((l = link_add(in)) == NULL ||
		    (l->path = strndup(sqlite3_column_blob(st, 0),
		    (size_t)n)) == NULL ||
		    (l->target = strndup(sqlite3_column_blob(st, 1),
		    (size_t)t)) == NULL ||
		    (l->drive_id = strdup((const char *)
		    sqlite3_column_text(st, 2))) == NULL) {
			sqlite3_finalize(st);
			return DS_E_NOMEM;
		}
		if ((f = find_file(in, l->path)) != NULL)
			f->link_rec = 1;
		if (f != NULL && f->link_met) {
			/* Met in this run: that entry is the one kept. */
			free(l->path);
			free(l->target);
			free(l->drive_id);
			in->nlinks--;
			continue;
		}
		l->f = f;
		l->mode = (uint32_t)sqlite3_column_int64(st, 3);
		l->mtime = sqlite3_column_int64(st, 4);
		l->uid = sqlite3_column_int64(st, 5);
		l->gid = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? DS_E_OK : idb_fail(in, cause);
}

/* Records name L as waiting for its target's drive (WAIT), or not. */
int
idb_link_put(struct ingest *in, const struct ilink *l, int wait,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(in->idb, wait ? "INSERT OR REPLACE INTO "
	    "in_links VALUES (?, ?, ?, ?, ?, ?, ?, ?)" : "DELETE FROM "
	    "in_links WHERE job_id = ? AND path = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return idb_fail(in, cause);
	sqlite3_bind_text(st, 1, in->job_key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, l->path, (int)strlen(l->path),
	    SQLITE_STATIC);
	if (wait) {
		sqlite3_bind_blob(st, 3, l->target, (int)strlen(l->target),
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 4, l->drive_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, l->mode);
		sqlite3_bind_int64(st, 6, l->mtime);
		sqlite3_bind_int64(st, 7, l->uid);
		sqlite3_bind_int64(st, 8, l->gid);
	}
	rc = sqlite3_step(st) == SQLITE_DONE ? DS_E_OK : idb_fail(in, cause);
	sqlite3_finalize(st);
	return rc;
}
