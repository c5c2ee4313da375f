/* SPDX-License-Identifier: MIT */
/*
 * The ingest: shipped drives arrive at the service, are checked against
 * the import job that registered them, restored with the job's keys and
 * uploaded file by file into the job's storage account. Progress per file
 * is kept in DIR/ingest.db (SQLite), so a killed ingest resumes without
 * sending again what is stored.
 *
 *   receive         check, accept and ingest drives of a job
 *   never-received  mark drives that will not come, and finish the job
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <sqlite3.h>

#include "db.h"
#include "dreader.h"
#include "error.h"
#include "format.h"
#include "gate.h"
#include "importd.h"
#include "manifest.h"
#include "restore.h"
#include "state.h"
#include "target.h"
#include "util.h"


static const char receive_help[] = N_(
"Usage: diskseed-importd receive --dir DIR --job NAME [OPTIONS] DRIVE...\n"
"Checks each DRIVE (block device or image file, opened read-only)\n"
"against the import job, then reads it once with the job's keys and\n"
"streams every file into the job's storage account and container.\n"
"Drives of another job, or of none, are reported and left alone.\n"
"With --target, the files go into FOLDER instead, and the copy logs\n"
"into DIR/diagnostics.\n"
"\n"
"Options:\n"
"  -d, --dir DIR              the service directory\n"
"  -j, --job NAME             the job's name\n"
"  -t, --target FOLDER        write the files into FOLDER, not the storage\n"
"                             account\n"
"  -s, --subscription ID      the job's subscription, among jobs of the\n"
"                             same name\n"
"  -g, --resource-group RG    the job's resource group, among jobs of the\n"
"                             same name\n"
"  -h, --help                 show this help and exit\n");

static const char never_help[] = N_(
"Usage: diskseed-importd never-received --dir DIR --job NAME [OPTIONS]\n"
"           DRIVEID...\n"
"Marks drives of the job that will not arrive as NeverReceived, and\n"
"finishes the job with the drives that did.\n"
"\n"
"Options:\n"
"  -d, --dir DIR              the service directory\n"
"  -j, --job NAME             the job's name\n"
"  -t, --target FOLDER        the files of the job went into FOLDER\n"
"  -s, --subscription ID      the job's subscription, among jobs of the\n"
"                             same name\n"
"  -g, --resource-group RG    the job's resource group, among jobs of the\n"
"                             same name\n"
"  -h, --help                 show this help and exit\n");

/*
 * One file of the drive set, from the manifests of the drives in hand.
 * Its path is borrowed from the first manifest that names it (the
 * manifests live as long as the ingest), so a million-file job holds
 * each path once.
 */
struct ifile {
	const char	*path;
	uint64_t	 size;
	uint64_t	 covered;	/* bytes of parts on drives in hand */
	uint64_t	*on_drive;	/* bytes per drive; only when split */
	char		*failed;	/* why it was lost; NULL: not lost */
	/* The manifest row's SHA-256 (or a link target's), borrowed for the
	 * run: a copy would be 32 bytes a file. */
	const uint8_t	*sha;
	uint16_t	 drives;	/* bit I: drive I has a part */
	int8_t		 fail_drive;	/* where it was lost; -1: anywhere */
	unsigned	 has_sha:1;
	unsigned	 regular:1;
	unsigned	 has_last:1;
	unsigned	 uploaded:1;
	unsigned	 link:1;	/* another name of a regular file */
	unsigned	 symlink:1;
	unsigned	 waits:1;	/* a name whose target's drive is
					 * not in hand yet */
	unsigned	 link_met:1;	/* its hard link entry was read */
	unsigned	 link_rec:1;	/* in ingest.db's in_links */
};

/*
 * A copy log being written: an unlinked file (0600) in the importd
 * folder, so that a million lines do not stay in memory until the end.
 */
struct ilog {
	FILE	*fp;		/* NULL: nothing written yet */
	int	 broken;	/* the file could not be made */
};

/*
 * Another name of a regular file, stored as a copy of its target after
 * the run: met in the archive, or waiting in ingest.db (in_links) for
 * the drive that holds its target.
 */
struct ilink {
	struct ifile	*f;		/* NULL: its drive is not read */
	char		*path;		/* the name */
	char		*target;	/* the target's path */
	char		*drive_id;	/* the drive that holds the name */
	uint32_t	 mode;
	int64_t		 mtime;
	int64_t		 uid;
	int64_t		 gid;
	uint64_t	 size;		/* the stored target's, when found */
	uint8_t		 sha[32];
};

/* One drive of the job, as the ingest sees it. */
struct idrive {
	char		*id;		/* driveId */
	int		 index;		/* -1 when not in hand */
	char		*path;
	char		*key;		/* bitLockerKey; secret */
	struct ilog	 err, verbose;
	struct ilog	 listing;	/* folders, links, specials: JSON */
	struct ilog	 mf_copy;	/* the manifest, to be stored */
	uint64_t	 bytes;		/* uploaded bytes stored on it */
	uint64_t	 total;
	int		 pending;
	int		 failed;
};

struct ingest {
	const char	*dir;
	const char	*job;
	struct config	*cf;
	struct db	*db;
	sqlite3		*idb;
	json_t		*doc;
	char		*sub;
	char		*rg;
	struct target	*tgt;		/* the job's files */
	struct target	*logt;		/* copy logs; may be tgt */
	const char	*target_dir;	/* --target */
	const char	*sub_opt;	/* --subscription */
	const char	*rg_opt;	/* --resource-group */
	char		*container;
	char		*diag_container;
	char		*diag_prefix;
	struct idrive	*drives;
	size_t		 ndrives;
	struct ifile	*files;
	size_t		 nfiles;
	uint32_t	*slots;		/* index of files by path: 1 + i */
	size_t		 nslots;	/* a power of two */
	struct idrive	*by_index[IMPORTD_MAX_DRIVES];
	uint64_t	 uploads;
	char		*job_key;	/* the job's immutable id */
	sqlite3_stmt	*st_put;
	int		 idb_tx;	/* a batch of records is open */
	time_t		 idb_tx_at;
	time_t		 saved_at;	/* the job document's last save */
	long		 crash_after;	/* test hook */
	char		*pause_sync;	/* test hook */
	long		 pause_after;
	uint64_t	 pause_byte;	/* test hook */
	int		 problems;
	int		 cancelled;	/* the job was cancelled meanwhile */
	int		 lock_fd;
	int		 ran_before;
	int		 tgt_is_dir;
	/* While the reader runs (see stream_drives) */
	struct ds_dreader *dr;
	pthread_mutex_t	 mu;		/* files, ingest.db, the job: pool
					 * threads end uploads too */
	struct target_obj *cur;		/* the file being streamed */
	struct ifile	*cur_f;
	char		*sink_cause;
	struct ilink	*links;		/* hard links met */
	size_t		 nlinks;
	size_t		 links_cap;	/* the store may hold unlisted files */
};

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Where copy logs are spooled (the importd folder); set once. */
static const char *log_dir;

static void
logf_add(struct ilog *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Opens L's file: unlinked at once, or never linked (O_TMPFILE). */
static FILE *
ilog_file(struct ilog *l)
{
	char	*tmp = NULL;
	int	 fd;

	if (l->fp != NULL || l->broken)
		return l->fp;
	fd = open(log_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1 && asprintf(&tmp, "%s/.log.XXXXXX", log_dir) != -1) {
		if ((fd = mkostemp(tmp, O_CLOEXEC)) != -1)
			unlink(tmp);
		free(tmp);
	}
	if (fd == -1 || (l->fp = fdopen(fd, "w+")) == NULL) {
		if (fd != -1)
			close(fd);
		l->broken = 1;
	}
	return l->fp;
}

/* Appends a line to a copy log. */
static void
logf_add(struct ilog *l, const char *fmt, ...)
{
	va_list	 ap;
	FILE	*fp;

	if ((fp = ilog_file(l)) == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	putc('\n', fp);
}

static void
ilog_close(struct ilog *l)
{
	if (l->fp != NULL)
		fclose(l->fp);
	l->fp = NULL;
}

/* Stops the reader and the uploads: SIGINT, SIGTERM, or the job
 * cancelled while it is received. */
static volatile sig_atomic_t stop_flag;

static int	 idb_flush(struct ingest *, char **);
static int	 expecting(struct ingest *);
static struct ifile *find_file(struct ingest *, const char *);

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
static int
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

static int
idb_fail(struct ingest *in, char **cause)
{
	return ds_cause(cause, DS_E_IMPORTD_DB, "ingest.db: %s",
	    sqlite3_errmsg(in->idb));
}

/* Records drive ID of the job as in hand at PATH with INDEX. */
static int
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
static int
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
static int
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
static int
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
static int
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

static json_t *
props_of(struct ingest *in)
{
	return json_object_get(in->doc, "properties");
}

static json_t *
drive_json(struct ingest *in, const char *id)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(json_object_get(props_of(in), "driveList"), i, d) {
		const char *v = json_string_value(json_object_get(d,
		    "driveId"));

		if (v != NULL && strcmp(v, id) == 0)
			return d;
	}
	return NULL;
}

/* Sets *key (allocated) to the immutable id of the job, as stored now. */
static int
job_key_of(struct ingest *in, char **key, char **cause)
{
	return db_job_uid(in->db, in->sub, in->rg, in->job, key, cause);
}

/* The fields of a drive that receive owns; the API's PATCH never sets
 * them. */
static const char *const owned_drive_fields[] = {
	"state", "copyStatus", "percentComplete", "bytesSucceeded",
	"errorLogUri", "verboseLogUri", "manifestUri", NULL
};

/* Copies the fields receive owns from MINE into FRESH, the stored job. */
static void
merge_owned(json_t *fresh, json_t *mine)
{
	json_t		*fp = json_object_get(fresh, "properties");
	json_t		*mp = json_object_get(mine, "properties");
	json_t		*fd, *md, *v;
	const char	*id, *mid;
	size_t		 i, k, f;

	if ((v = json_object_get(mp, "state")) != NULL)
		json_object_set(fp, "state", v);
	if ((v = json_object_get(mp, "percentComplete")) != NULL)
		json_object_set(fp, "percentComplete", v);
	/* Both lists are at most IMPORTD_MAX_DRIVES long. */
	json_array_foreach(json_object_get(fp, "driveList"), i, fd) {
		id = json_string_value(json_object_get(fd, "driveId"));
		json_array_foreach(json_object_get(mp, "driveList"), k, md) {
			mid = json_string_value(json_object_get(md,
			    "driveId"));
			if (id == NULL || mid == NULL || strcmp(id, mid) != 0)
				continue;
			for (f = 0; owned_drive_fields[f] != NULL; f++)
				if ((v = json_object_get(md,
				    owned_drive_fields[f])) != NULL)
					json_object_set(fd,
					    owned_drive_fields[f], v);
			break;
		}
	}
}

/*
 * Whether job DOC is cancelled. The API cancels a job only until it is
 * Shipping (spec/importexport/NOTES.md), but the operator's job
 * set-state Canceled may come at Shipping, or with --force at any time,
 * and a receive that began before must not write its state over it.
 */
static int
doc_cancelled(json_t *doc)
{
	json_t		*p = json_object_get(doc, "properties");
	const char	*s = json_string_value(json_object_get(p, "state"));

	return json_is_true(json_object_get(p, "cancelRequested")) ||
	    (s != NULL && strcmp(s, "Canceled") == 0);
}

/* Says that the job was cancelled while it was received. */
static int
cancelled_cause(struct ingest *in, char **cause)
{
	return ds_cause(cause, DS_E_CANCELED, _("job %s was cancelled while "
	    "it was received: stopped; what is stored stays stored"),
	    in->job);
}

/*
 * Saves what receive changed in one transaction: the stored job is read
 * again inside it and only the fields receive owns are changed, so a
 * PATCH answered while receive runs is kept. in->doc becomes the merged
 * document. A job deleted (or deleted and made again) meanwhile is
 * another job: the save fails. A job cancelled meanwhile is left as it
 * is, and the run stops (in->cancelled, stop_flag); what is stored
 * stays stored.
 */
static int
save_doc(struct ingest *in, char **cause)
{
	char		 now[40], *key = NULL;
	const char	*tracking;
	json_t		*fresh = NULL;
	int		 rc;

	if ((rc = db_begin(in->db, cause)) != DS_E_OK)
		return rc;
	if ((rc = db_job_get(in->db, in->sub, in->rg, in->job, &fresh,
	    cause)) != DS_E_OK)
		goto fail;
	if ((rc = job_key_of(in, &key, cause)) != DS_E_OK)
		goto fail;
	if (strcmp(key, in->job_key) != 0) {
		rc = ds_cause(cause, DS_E_IMPORTD_STATE, _("job %s was "
		    "deleted and made again while it was received"), in->job);
		goto fail;
	}
	if (doc_cancelled(fresh)) {
		in->cancelled = 1;
		stop_flag = 1;
		rc = cancelled_cause(in, cause);
		goto fail;
	}
	merge_owned(fresh, in->doc);
	json_object_set_new(json_object_get(fresh, "systemData"),
	    "lastModifiedAt", json_string(importd_now(now, sizeof now)));
	tracking = json_string_value(json_object_get(json_object_get(
	    json_object_get(fresh, "properties"), "deliveryPackage"),
	    "trackingNumber"));
	if ((rc = db_job_put(in->db, in->sub, in->rg, in->job, fresh,
	    tracking, cause)) != DS_E_OK ||
	    (rc = db_commit(in->db, cause)) != DS_E_OK)
		goto fail;
	json_decref(in->doc);
	in->doc = fresh;
	in->saved_at = time(NULL);
	free(key);
	return DS_E_OK;
fail:
	db_rollback(in->db);
	json_decref(fresh);
	free(key);
	return rc;
}

/* Saves progress at most once a second: a save is a transaction. */
static int
save_progress(struct ingest *in, char **cause)
{
	if (time(NULL) == in->saved_at)
		return DS_E_OK;
	return save_doc(in, cause);
}

static void
set_job_state(struct ingest *in, const char *state)
{
	json_object_set_new(props_of(in), "state", json_string(state));
}

static const char *
drive_state(struct ingest *in, const char *id)
{
	return json_string_value(json_object_get(drive_json(in, id), "state"));
}

static int
final_state(const char *s)
{
	return s != NULL && (strcmp(s, "Completed") == 0 ||
	    strcmp(s, "CompletedMoreInfo") == 0 ||
	    strcmp(s, "NeverReceived") == 0 || strcmp(s, "ShippedBack") == 0);
}

static void
set_drive(struct ingest *in, const char *id, const char *state,
    const char *copy_status, int percent, int64_t bytes)
{
	json_t	*d = drive_json(in, id);

	if (d == NULL)
		return;
	if (state != NULL)
		json_object_set_new(d, "state", json_string(state));
	if (copy_status != NULL)
		json_object_set_new(d, "copyStatus", json_string(copy_status));
	if (percent >= 0)
		json_object_set_new(d, "percentComplete",
		    json_integer(percent));
	if (bytes >= 0)
		json_object_set_new(d, "bytesSucceeded", json_integer(bytes));
}

/*
 * Takes DIR/locks/SUB.RG.JOB.lock, so two ingests of one job never mix.
 * The three names are a stored job's (checked when it was made), so they
 * are safe in a path.
 */
static int
lock_job(struct ingest *in, char **cause)
{
	char	*path;
	int	 rc;

	if (asprintf(&path, "%s/locks", in->dir) == -1)
		return DS_E_NOMEM;
	rc = ds_mkdir_p(path, 0700, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if (asprintf(&path, "%s/locks/%s.%s.%s.lock", in->dir, in->sub,
	    in->rg, in->job) == -1)
		return DS_E_NOMEM;
	in->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (in->lock_fd == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
	else if (flock(in->lock_fd, LOCK_EX | LOCK_NB) == -1)
		rc = ds_cause(cause, DS_E_INGEST_BUSY, "%s", in->job);
	free(path);
	return rc;
}

/* Refuses an importd.conf holding account keys that others can read. */
static int
config_private(struct ingest *in, char **cause)
{
	json_t	*a;
	char	*path;
	size_t	 i;
	int	 rc = DS_E_OK;

	json_array_foreach(in->cf->accounts, i, a) {
		if (json_object_get(a, "key") == NULL)
			continue;
		if ((path = config_path(in->dir, "importd.conf")) == NULL)
			return DS_E_NOMEM;
		rc = ds_check_private(path, cause);
		free(path);
		break;
	}
	return rc;
}

/* Loads the job, its storage target and containers. */
static int
ingest_open(struct ingest *in, char **cause)
{
	const char	*acct_id, *acct, *diag;
	char		*path, *slash;
	json_t		*tags, *account;
	int		 rc;

	if ((rc = config_load(in->dir, &in->cf, cause)) != DS_E_OK ||
	    (rc = config_private(in, cause)) != DS_E_OK)
		return rc;
	if ((path = config_path(in->dir, "importd.db")) == NULL)
		return DS_E_NOMEM;
	rc = db_open(path, &in->db, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((rc = db_job_find(in->db, in->job, in->sub_opt, in->rg_opt,
	    &in->sub, &in->rg, &in->doc, cause)) != DS_E_OK ||
	    (rc = job_key_of(in, &in->job_key, cause)) != DS_E_OK)
		return rc;
	if ((rc = lock_job(in, cause)) != DS_E_OK ||
	    (rc = idb_open(in, cause)) != DS_E_OK)
		return rc;
	tags = json_object_get(in->doc, "tags");
	if (json_string_value(json_object_get(tags, "container")) != NULL)
		in->container = strdup(json_string_value(json_object_get(tags,
		    "container")));
	else
		in->container = strdup(in->job);
	for (slash = in->container; slash != NULL && *slash != '\0'; slash++)
		if (*slash >= 'A' && *slash <= 'Z')
			*slash = (char)(*slash - 'A' + 'a');
	if (in->container == NULL)
		return DS_E_NOMEM;
	if (!valid_container_name(in->container))
		return ds_cause(cause, DS_E_INVAL, _("job %s: '%s' is not a "
		    "valid container name"), in->job, in->container);
	if (in->target_dir != NULL) {
		if ((rc = target_open_dir(in->target_dir, in->container,
		    &in->tgt)) != DS_E_OK)
			return rc;
		if ((path = config_path(in->dir, "diagnostics")) == NULL)
			return DS_E_NOMEM;
		rc = target_open_dir(path, NULL, &in->logt);
		free(path);
		if (rc != DS_E_OK)
			return rc;
	} else {
		acct_id = json_string_value(json_object_get(props_of(in),
		    "storageAccountId"));
		acct = acct_id != NULL && strrchr(acct_id, '/') != NULL ?
		    strrchr(acct_id, '/') + 1 : acct_id;
		if (acct == NULL ||
		    (account = config_account_for(in->cf, acct, in->sub)) ==
		    NULL)
			return ds_cause(cause, DS_E_IMPORTD_CONFIG, _("job %s: "
			    "storage account %s is not one of its "
			    "subscription's in importd.conf"), in->job,
			    acct != NULL ? acct : "?");
		if ((rc = target_open(account, &in->tgt, cause)) != DS_E_OK)
			return rc;
		in->logt = in->tgt;
	}
	in->tgt_is_dir = target_is_dir(in->tgt);
	diag = json_string_value(json_object_get(props_of(in),
	    "diagnosticsPath"));
	if ((in->diag_container = strdup(diag != NULL && *diag != '\0' ?
	    diag : "waimportexport")) == NULL)
		return DS_E_NOMEM;
	if ((slash = strchr(in->diag_container, '/')) != NULL) {
		*slash = '\0';
		in->diag_prefix = strdup(slash + 1);
	} else
		in->diag_prefix = strdup("");
	if (in->diag_prefix == NULL)
		return DS_E_NOMEM;
	return DS_E_OK;
}

static void
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

static void
ingest_close(struct ingest *in)
{
	size_t	 i;

	/* Uploads still queued end (and touch the files) first. */
	if (in->tgt != NULL)
		target_drain(in->tgt, NULL);
	for (i = 0; i < in->ndrives; i++)
		idrive_clear(&in->drives[i]);
	free(in->drives);
	for (i = 0; i < in->nfiles; i++) {
		free(in->files[i].on_drive);
		free(in->files[i].failed);
	}
	free(in->files);
	free(in->slots);
	if (in->idb != NULL) {
		idb_flush(in, NULL);
		sqlite3_finalize(in->st_put);
		sqlite3_close(in->idb);
	}
	if (in->logt != in->tgt)
		target_free(in->logt);
	target_free(in->tgt);
	free(in->job_key);
	ds_dreader_free(in->dr);
	for (i = 0; i < in->nlinks; i++) {
		free(in->links[i].path);
		free(in->links[i].target);
		free(in->links[i].drive_id);
	}
	free(in->links);
	free(in->sink_cause);
	pthread_mutex_destroy(&in->mu);
	json_decref(in->doc);
	db_close(in->db);
	config_free(in->cf);
	free(in->sub);
	free(in->rg);
	free(in->container);
	free(in->diag_container);
	free(in->diag_prefix);
	if (in->lock_fd > 0)
		close(in->lock_fd);
}

/*
 * Copies the manifest of the drive at PATH into L's file a buffer at a
 * time (the reader's; its SHA-256 checked): its text is as large as the
 * file table and would be the peak of the run if read whole.
 */
static int
copy_manifest(const char *path, struct ilog *l, char **cause)
{
	FILE	*fp;

	if ((fp = ilog_file(l)) == NULL)
		return ds_cause(cause, DS_E_IO, "%s: %s", log_dir,
		    strerror(errno));
	return ds_drive_copy_manifest(path, fp, cause);
}

static struct idrive *
find_drive(struct ingest *in, const char *id)
{
	size_t	 i;

	for (i = 0; i < in->ndrives; i++)
		if (strcmp(in->drives[i].id, id) == 0)
			return &in->drives[i];
	return NULL;
}

/* Fills in->drives from the job's driveList and the drives in hand. */
static int
load_drives(struct ingest *in, char **cause)
{
	sqlite3_stmt	*st;
	json_t		*list, *d;
	struct idrive	*x;
	const char	*id, *key;
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
		else if (ds_drive_check_manifest(x->path, cause) !=
		    DS_E_OK) {
			/* The drive left, or changed, since it came in. The
			 * manifest is parsed once, by the reader. */
			logf_add(&x->err, "%s", cause != NULL && *cause !=
			    NULL ? *cause : "?");
			x->index = -1;
			x->failed = 1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

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

static struct ifile *
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
static const struct ds_manifest *
drive_mf(struct ingest *in, struct idrive *d)
{
	if (d->index < 0 || d->index >= IMPORTD_MAX_DRIVES)
		return NULL;
	if (in->dr == NULL)
		open_manifests(in);
	return in->dr != NULL ? ds_dreader_manifest(in->dr,
	    (size_t)d->index) : NULL;
}

/* Builds the file table from the manifests of the drives in hand. */
static int
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
static int
file_complete(const struct ifile *f)
{
	return f->has_last && f->covered == (f->regular ? f->size :
	    f->covered);
}

/* The drive in hand with INDEX, or NULL. */
static struct idrive *
drive_at(struct ingest *in, int index)
{
	if (index < 0 || index >= IMPORTD_MAX_DRIVES)
		return NULL;
	return in->by_index[index];
}

/* Bytes of F on drive K. */
static uint64_t
bytes_on(const struct ifile *f, unsigned k)
{
	if (!(f->drives & (1U << k)))
		return 0;
	return f->on_drive != NULL ? f->on_drive[k] : f->covered;
}

#ifdef DS_TEST_HOOKS
/* Test hook: makes SYNC.paused, then waits until SYNC.go exists. */
static void
pause_wait(struct ingest *in)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof path, "%s.paused", in->pause_sync);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	snprintf(path, sizeof path, "%s.go", in->pause_sync);
	while (access(path, F_OK) != 0)
		usleep(20000);
}

/* Test hook: pause after N stored files. */
static void
pause_hook(struct ingest *in)
{
	if (in->pause_sync != NULL && in->pause_after > 0 &&
	    (long)in->uploads == in->pause_after)
		pause_wait(in);
}

/* Test hook: pause once, when a file's bytes streamed reach END. */
static void
data_hook(struct ingest *in, uint64_t end)
{
	if (in->pause_sync == NULL || in->pause_byte == 0 ||
	    end < in->pause_byte)
		return;
	in->pause_byte = 0;
	pause_wait(in);
}

/* Test hooks: killed (SIGKILL) after the N-th file stored, before it is
 * recorded; or paused there. */
static void
stored_hooks(struct ingest *in)
{
	if (in->crash_after > 0 && (long)in->uploads >= in->crash_after)
		raise(SIGKILL);
	pause_hook(in);
}
#else
static void
stored_hooks(struct ingest *in)
{
}

static void
data_hook(struct ingest *in, uint64_t end)
{
}
#endif

/* Metadata of a stored file: mode, owner, mtime and SHA-256 (hex). */
struct imeta {
	struct ds_blob_meta	 m[4];
	char			 v[4][72];
};

static void
imeta_set(struct imeta *x, const struct ds_dr_entry *e, const uint8_t *sha)
{
	static const char *const names[] = { "mode", "owner", "mtime",
		"sha256" };
	size_t	 i;

	snprintf(x->v[0], sizeof x->v[0], "%04o", (unsigned)(e->mode & 07777));
	snprintf(x->v[1], sizeof x->v[1], "%lld:%lld", (long long)e->uid,
	    (long long)e->gid);
	snprintf(x->v[2], sizeof x->v[2], "%lld", (long long)e->mtime.tv_sec);
	ds_hex(x->v[3], sha, 32);
	for (i = 0; i < 4; i++) {
		x->m[i].name = (char *)names[i];
		x->m[i].value = x->v[i];
	}
}

/*
 * Saves progress (at most once a second; in->mu held), which is also
 * where a cancel is noticed. A cancel is said once, at the end of the
 * run.
 */
static void
progress_locked(struct ingest *in)
{
	char	*cause = NULL;

	if (!in->cancelled && save_progress(in, &cause) != DS_E_OK &&
	    !in->cancelled)
		importd_err_code(DS_E_IMPORTD_DB, cause);
	else
		free(cause);
}

/* Counts F as stored: its record, the drives' progress, a save. */
static void
stored_locked(struct ingest *in, struct ifile *f)
{
	struct idrive	*d;
	char		*cause = NULL;
	unsigned	 k;

	f->uploaded = 1;
	if (idb_file_put(in, f->path, f->size, f->sha, &cause) != DS_E_OK) {
		importd_err_code(DS_E_IMPORTD_DB, cause);
		cause = NULL;
	}
	for (k = 0; k < IMPORTD_MAX_DRIVES; k++) {
		if ((d = drive_at(in, (int)k)) == NULL || d->total == 0 ||
		    final_state(drive_state(in, d->id)))
			continue;
		d->bytes += bytes_on(f, k);
		set_drive(in, d->id, NULL, NULL, (int)(100 * d->bytes /
		    d->total), (int64_t)d->bytes);
	}
	progress_locked(in);
}

/* What an object being stored belongs to. */
struct iobj {
	struct ingest	*in;
	struct ifile	*f;
};

/* An object ended (a pool thread, or the reading one for a folder). */
static void
obj_done(void *arg, int rc, const char *cause)
{
	struct iobj	*o = arg;
	struct ingest	*in = o->in;

	pthread_mutex_lock(&in->mu);
	if (rc == DS_E_OK) {
		in->uploads++;
		stored_hooks(in);
		stored_locked(in, o->f);
	} else if (rc != DS_E_CANCELED && in->tgt_is_dir &&
	    o->f->failed == NULL)
		/* Blob storage that fails stops the run: the file waits. */
		o->f->failed = strdup(cause);
	pthread_mutex_unlock(&in->mu);
	free(o);
}

/* Drops the object of a file whose later parts are not in this run:
 * blocks sent stay uncommitted until the run that has every part. */
static void
drop_current(struct ingest *in)
{
	if (in->cur != NULL)
		target_obj_abort(in->cur);
	in->cur = NULL;
	in->cur_f = NULL;
}

/* Names F lost with REASON (allocated, taken), in the report too. */
static void
file_lost(struct ingest *in, struct ifile *f, char *reason)
{
	pthread_mutex_lock(&in->mu);
	if (f->failed == NULL) {
		ds_dreader_damage(in->dr, f->path, "%s", reason);
		f->failed = reason;
	} else
		free(reason);
	pthread_mutex_unlock(&in->mu);
}

/*
 * Whether a folder of PATH is a symbolic link of the drive set: restore
 * refuses to write through one, and so does the ingest, though the store
 * itself never holds a link.
 */
static int
through_symlink(struct ingest *in, const char *path)
{
	struct ifile	*f;
	char		*p, *slash;
	int		 yes = 0;

	if ((p = strdup(path)) == NULL)
		return 1;
	for (slash = strchr(p, '/'); slash != NULL && !yes;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		yes = (f = find_file(in, p)) != NULL && f->symlink;
		*slash = '/';
	}
	free(p);
	return yes;
}

static int
sink_begin(void *arg, const struct ds_dr_entry *e, void **handle)
{
	struct ingest	*in = arg;
	struct ifile	*f = find_file(in, e->path);
	struct iobj	*o;
	char		*cause = NULL, hex[65];
	int		 rc, skip, yes;

	*handle = NULL;
	if ((rc = target_failed(in->tgt)) != DS_E_OK)
		return rc;
	if (in->cur != NULL && in->cur_f != f)
		drop_current(in);
	if (f == NULL || !f->regular)
		return DS_DR_SKIP;
	if (!e->first) {
		/* Its earlier parts were read in this run, or it waits. */
		if (in->cur == NULL)
			return DS_DR_SKIP;
		*handle = in->cur;
		return 0;
	}
	pthread_mutex_lock(&in->mu);
	skip = f->uploaded || f->failed != NULL;
	pthread_mutex_unlock(&in->mu);
	/* A folder store takes a file only whole, in one run. */
	if (skip || (in->tgt_is_dir && !file_complete(f)))
		return DS_DR_SKIP;
	if (through_symlink(in, f->path)) {
		if ((cause = strdup(_("refused: a folder of its path is a "
		    "symbolic link"))) != NULL)
			file_lost(in, f, cause);
		return DS_DR_SKIP;
	}
	ds_hex(hex, f->sha, 32);
	if (in->ran_before && f->has_sha && file_complete(f) &&
	    target_has(in->tgt, in->container, f->path, f->size, hex, &yes,
	    &cause) == DS_E_OK && yes) {
		pthread_mutex_lock(&in->mu);
		stored_locked(in, f);
		pthread_mutex_unlock(&in->mu);
		return DS_DR_SKIP;
	}
	free(cause);
	cause = NULL;
	if ((o = calloc(1, sizeof *o)) == NULL)
		return DS_E_NOMEM;
	o->in = in;
	o->f = f;
	if ((rc = target_obj_begin(in->tgt, in->container, f->path, f->size,
	    in->ran_before, obj_done, o, &in->cur, &cause)) != DS_E_OK) {
		free(o);
		if (rc != DS_E_IO && rc != DS_E_BLOB_TOOBIG)
			return rc;
		/* A name the store refuses (a folder in the way, too many
		 * blocks...). */
		if (rc == DS_E_BLOB_TOOBIG) {
			free(cause);
			cause = strdup(ds_strerror(rc));
		}
		file_lost(in, f, cause);
		return DS_DR_SKIP;
	}
	in->cur_f = f;
	*handle = in->cur;
	return 0;
}

static int
sink_data(void *arg, void *handle, const void *buf, size_t len, uint64_t off)
{
	struct ingest	*in = arg;
	char		*cause = NULL;
	int		 rc;

	if ((rc = target_obj_write(handle, buf, len, off, &cause)) !=
	    DS_E_OK) {
		free(in->sink_cause);
		in->sink_cause = cause;
		return rc;
	}
	data_hook(in, off + len);
	/* A file of hours stores nothing for hours: its bytes are where a
	 * cancel is noticed meanwhile. */
	pthread_mutex_lock(&in->mu);
	progress_locked(in);
	rc = in->cancelled ? DS_E_CANCELED : DS_E_OK;
	pthread_mutex_unlock(&in->mu);
	return rc;
}

static int
sink_end(void *arg, void *handle, const struct ds_dr_entry *e,
    enum ds_dr_status st, const uint8_t *sha)
{
	struct ingest	*in = arg;
	struct imeta	 m;
	char		*cause = NULL;
	int		 rc;

	if (st == DS_DR_PART && !e->last &&
	    (rc = target_obj_write(handle, NULL, 0, e->offset + e->length,
	    &cause)) == DS_E_OK)
		return 0;	/* the next part continues it */
	if (st != DS_DR_OK || sha == NULL) {
		/* Damaged (named in the report), or not checkable here. */
		if (st == DS_DR_OK && in->cur_f != NULL &&
		    (cause = strdup(_("no SHA-256 to check it against"))) !=
		    NULL)
			file_lost(in, in->cur_f, cause);
		else
			free(cause);
		drop_current(in);
		return 0;
	}
	imeta_set(&m, e, sha);
	in->cur = NULL;
	in->cur_f = NULL;
	rc = target_obj_commit(handle, m.m, 4, &cause);
	if (rc != DS_E_OK && rc != DS_E_IO) {
		free(in->sink_cause);
		in->sink_cause = cause;
		return rc;
	}
	free(cause);
	return 0;
}

/* Adds E to its drive's listing (one JSON object a line). */
static void
listing_add(struct ingest *in, const struct ds_dr_entry *e)
{
	static const char *const kinds[] = { "file", "dir", "symlink",
		"hardlink", "special" };
	struct idrive	*d = drive_at(in, e->drive_index);
	json_t		*o;
	char		*s, mode[16];

	if (d == NULL || (o = json_object()) == NULL)
		return;
	snprintf(mode, sizeof mode, "%04o", (unsigned)(e->mode & 07777));
	ds_mf_set_path(o, "path", e->path);
	json_object_set_new(o, "type", json_string(kinds[e->kind]));
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "mtime", json_integer(e->mtime.tv_sec));
	if (e->target != NULL)
		ds_mf_set_path(o, "target", e->target);
	if (e->what != NULL)
		json_object_set_new(o, "what", json_string(e->what));
	if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
		logf_add(&d->listing, "%s", s);
		importd_json_free(s);
	}
	json_decref(o);
}

/* A new entry of in->links, zeroed; NULL when out of memory. */
static struct ilink *
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

static int
sink_other(void *arg, const struct ds_dr_entry *e)
{
	struct ingest	*in = arg;
	struct idrive	*d = drive_at(in, e->drive_index);
	struct ifile	*f;
	struct ilink	*l;

	if (in->cur != NULL)
		drop_current(in);
	listing_add(in, e);
	if (e->kind != DS_DR_HARDLINK)
		return 0;
	/* Another name of a file: stored as its own copy after the run,
	 * its target being on this drive or another. */
	if ((f = find_file(in, e->path)) == NULL || f->link_met ||
	    e->target == NULL || d == NULL)
		return 0;
	if ((l = link_add(in)) == NULL ||
	    (l->path = strdup(e->path)) == NULL ||
	    (l->target = strdup(e->target)) == NULL ||
	    (l->drive_id = strdup(d->id)) == NULL)
		return DS_E_NOMEM;
	f->link_met = 1;
	l->f = f;
	l->mode = e->mode;
	l->mtime = e->mtime.tv_sec;
	l->uid = e->uid;
	l->gid = e->gid;
	return 0;
}

/*
 * Adds the names ingest.db holds as waiting for their target's drive
 * and not met in this run (their drive is not read now).
 */
static int
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
static int
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
static int
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

static void
on_stop(int sig)
{
	stop_flag = 1;
}

/*
 * Opens the reader on the drives in hand (in->dr), before the file table
 * is built from its manifests.
 */
static int
open_drives(struct ingest *in, const char **paths, size_t n,
    const char **keys, size_t nkeys, char **cause)
{
	struct ds_dreader_opts	 o;
	struct sigaction	 sa;

	memset(&o, 0, sizeof o);
	o.drives = paths;
	o.ndrives = n;
	o.recovery_keys = keys;
	o.nrecovery_keys = nkeys;
	o.stop = &stop_flag;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	target_set_stop(in->tgt, &stop_flag);
	return ds_dreader_open(&o, &in->dr, cause);
}

/*
 * Reads the drives in hand once, streaming each regular file into the
 * store (see doc/ingest.md); returns the reader's report.
 */
static int
stream_drives(struct ingest *in, struct ds_read_report **rep,
    char **cause)
{
	struct ds_dr_sink	 sink = {
		.arg = in, .begin = sink_begin, .data = sink_data,
		.end = sink_end, .other = sink_other, .drop = NULL
	};
	int			 rc, rc2;

	*rep = NULL;
	rc = ds_dreader_run(in->dr, &sink);
	drop_current(in);
	if ((rc2 = target_drain(in->tgt, cause)) != DS_E_OK && rc == DS_E_OK)
		rc = rc2;
	else if (rc != DS_E_OK && in->sink_cause != NULL) {
		ds_cause(cause, rc, "%s", in->sink_cause);
		free(in->sink_cause);
		in->sink_cause = NULL;
	}
	if (rc == DS_E_OK)
		rc = store_links(in, cause);
	*rep = ds_dreader_take_report(in->dr);
	return rc;
}

/* Writes a drive's copy logs (and manifest) and sets their URIs. */
static void
write_logs(struct ingest *in, struct idrive *d)
{
	static const char *const kinds[] = { "error", "verbose", "manifest",
		"listing" };
	static const char *const keys[] = {
		"errorLogUri", "verboseLogUri", "manifestUri", NULL };
	struct ilog	*l;
	size_t		 k;
	char		*name, *uri, *cause = NULL;
	json_t		*dj = drive_json(in, d->id);
	int		 rc;

	if (target_container(in->logt, in->diag_container, &cause) !=
	    DS_E_OK) {
		importd_err_code(DS_E_IO, cause);
		return;
	}
	for (k = 0; k < 4; k++) {
		/* Folders, links and specials: JSON lines (k == 3). */
		l = k == 0 ? &d->err : k == 1 ? &d->verbose : k == 2 ?
		    &d->mf_copy : &d->listing;
		if (k == 2) {
			/* Read again now: a million-row manifest's text is
			 * not kept for the whole run. */
			if (d->path == NULL || !json_is_true(json_object_get(
			    props_of(in), "backupDriveManifest")) ||
			    copy_manifest(d->path, l, &cause) != DS_E_OK) {
				free(cause);
				cause = NULL;
				ilog_close(l);
				continue;
			}
		} else if (l->fp != NULL && fflush(l->fp) != 0) {
			importd_err("%s: %s", d->id, strerror(errno));
			continue;
		}
		if (asprintf(&name, "%s%s%s/%s_%s.%s", in->diag_prefix,
		    *in->diag_prefix != '\0' ? "/" : "", in->job, d->id,
		    kinds[k], k == 2 ? "json" : k == 3 ? "jsonl" : "log") ==
		    -1)
			return;
		cause = NULL;
		if (l->fp != NULL)
			rc = target_put_fd(in->logt, in->diag_container, name,
			    fileno(l->fp), &cause);
		else
			rc = target_put_buf(in->logt, in->diag_container, name,
			    "", 0, &cause);
		if (rc != DS_E_OK)
			importd_err_code(DS_E_IO, cause);
		else if (keys[k] != NULL && (uri = target_uri(in->logt,
		    in->diag_container, name)) != NULL) {
			json_object_set_new(dj, keys[k], json_string(uri));
			free(uri);
		}
		free(name);
		if (k == 2)
			ilog_close(l);
	}
}

/* Attributes the report's problems to files and drives. */
static void
apply_report(struct ingest *in, const struct ds_read_report *r)
{
	struct ifile	*f;
	struct idrive	*d;
	size_t		 i, k;
	int		 missing;

	for (i = 0; i < r->nproblems; i++) {
		const struct ds_problem *p = &r->problems[i];

		for (k = 0, missing = 0; k < r->nmissing; k++)
			if (r->missing[k] == p->drive_index)
				missing = 1;
		if (p->path != NULL && (f = find_file(in, p->path)) != NULL) {
			/* Lost for want of a drive not yet here: pending. */
			if (!file_complete(f) || f->uploaded)
				continue;
			if (f->failed == NULL) {
				f->failed = strdup(p->reason);
				f->fail_drive = p->drive_index;
			}
			continue;
		}
		if (missing || p->path != NULL)
			continue;
		if ((d = drive_at(in, p->drive_index)) != NULL) {
			if (p->chunk >= 0)
				logf_add(&d->err, _("chunk %lld: %s"),
				    (long long)p->chunk, p->reason);
			else
				logf_add(&d->err, "%s", p->reason);
			d->failed = 1;
		}
	}
}

/* Whether a drive of the job may still arrive. */
static int
expecting(struct ingest *in)
{
	size_t	 i;

	for (i = 0; i < in->ndrives; i++)
		if (in->drives[i].index < 0 && !final_state(drive_state(in,
		    in->drives[i].id)))
			return 1;
	return 0;
}

/* Restores the drives in hand and uploads what is complete. */
static int
transfer(struct ingest *in, char **cause)
{
	struct ds_read_report	*rep = NULL;
	const char		**paths = NULL, **keys = NULL;
	char			*c2 = NULL, hex[65];
	struct idrive		*d;
	struct ifile		*f;
	size_t			 i, n = 0, nkeys = 0;
	uint32_t		 k;
	int			 rc, orc = DS_E_OK, all_final = 1, any = 0;
	int			 waiting;

	if ((rc = load_drives(in, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (d->index >= 0 && !final_state(drive_state(in, d->id)))
			any = 1;
		if (d->index >= 0 && (size_t)d->index + 1 > nkeys)
			nkeys = (size_t)d->index + 1;
	}
	if (!any) {
		if ((rc = load_files(in)) != DS_E_OK ||
		    (rc = idb_load_done(in, cause)) != DS_E_OK)
			return rc;
		goto finish;
	}
	if ((paths = calloc(in->ndrives + 1, sizeof *paths)) == NULL ||
	    (keys = calloc(nkeys + 1, sizeof *keys)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (d->index < 0)
			continue;
		paths[n++] = d->path;
		keys[d->index] = d->key;
		if (!final_state(drive_state(in, d->id)))
			set_drive(in, d->id, "Transferring", "In progress", -1,
			    -1);
	}
	set_job_state(in, "Transferring");
	if ((rc = save_doc(in, cause)) != DS_E_OK ||
	    (rc = idb_ran_before(in, &in->ran_before, cause)) != DS_E_OK)
		goto out;

	if ((rc = target_container(in->tgt, in->container, cause)) !=
	    DS_E_OK)
		goto out;
	say(_("%s: reading %zu drive(s)"), in->job, n);
	/* A reader that cannot open is answered below, as before. */
	orc = open_drives(in, paths, n, keys, nkeys, &c2);
	if ((rc = load_files(in)) != DS_E_OK ||
	    (rc = idb_load_done(in, cause)) != DS_E_OK)
		goto out;
	rc = orc == DS_E_OK ? stream_drives(in, &rep, &c2) : orc;
	if (in->cancelled) {
		/* Nothing more is written to the job: it is the operator's. */
		rc = cancelled_cause(in, cause);
		goto out;
	}
	if (rc == DS_E_BADKEY || (rc != DS_E_OK && rep == NULL)) {
		/* Nothing could be read (a wrong key): every drive says so. */
		for (i = 0; i < in->ndrives; i++) {
			d = &in->drives[i];
			if (d->index < 0 || final_state(drive_state(in, d->id)))
				continue;
			logf_add(&d->err, "%s: %s", ds_strerror(rc),
			    c2 != NULL ? c2 : "");
			d->failed = 1;
		}
		importd_err_code(rc, c2);
		c2 = NULL;
		in->problems++;
		rc = DS_E_OK;
	} else if (rc != DS_E_OK) {
		/* The storage failed, or a signal: stop, resumable. */
		if (c2 != NULL)
			ds_cause(cause, rc, "%s", c2);
		goto out;
	} else
		apply_report(in, rep);

	/* Every row accounted for: each regular file name is stored with
	 * its hash checked, or named lost. */
	waiting = expecting(in);
	for (i = 0; i < in->nfiles; i++) {
		f = &in->files[i];
		if (!file_complete(f) && f->failed == NULL && !waiting)
			f->failed = strdup(_("incomplete: part of it is on a "
			    "drive that was never received"));
		if (file_complete(f) && (f->regular || f->link) &&
		    !f->uploaded && f->failed == NULL && !f->waits)
			f->failed = strdup(_("the drive did not deliver it"));
		for (k = 0; k < IMPORTD_MAX_DRIVES; k++) {
			if (!(f->drives & (1U << k)) ||
			    (d = drive_at(in, (int)k)) == NULL)
				continue;
			if (f->failed != NULL && f->fail_drive >= 0 &&
			    f->fail_drive != (int)k)
				logf_add(&d->verbose, _("%s: not copied: lost "
				    "on drive %d: %s"), f->path,
				    f->fail_drive + 1, f->failed);
			else if (f->failed != NULL) {
				logf_add(&d->err, _("%s: not copied: %s"),
				    f->path, f->failed);
				d->failed = 1;
			} else if (f->uploaded) {
				ds_hex(hex, f->sha, 32);
				logf_add(&d->verbose, _("%s: copied, %llu "
				    "bytes, SHA-256 %s"), f->path,
				    (unsigned long long)f->size, hex);
			}
			else if (f->waits) {
				logf_add(&d->verbose, _("%s: another name of "
				    "a file on a drive not received yet: waits "
				    "for it"), f->path);
				d->pending = 1;
			} else if (!f->regular && !f->link)
				logf_add(&d->verbose, _("%s: not a regular "
				    "file: in the drive's listing"), f->path);
			else if (!file_complete(f)) {
				logf_add(&d->verbose, _("%s: waits for the "
				    "other drives it spans"), f->path);
				d->pending = 1;
			}
		}
	}
finish:
	for (i = 0; i < in->ndrives; i++) {
		d = &in->drives[i];
		if (final_state(drive_state(in, d->id)))
			continue;
		if (d->index < 0 || d->pending) {
			all_final = 0;
			continue;
		}
		if (d->failed)
			in->problems++;
		write_logs(in, d);
		set_drive(in, d->id, d->failed ? "CompletedMoreInfo" :
		    "Completed", d->failed ? "CompletedWithErrors" :
		    "Completed", 100, (int64_t)d->bytes);
		say(_("drive %s: %s"), d->id, d->failed ?
		    "CompletedMoreInfo" : "Completed");
	}
	if (all_final) {
		set_job_state(in, "Completed");
		json_object_set_new(props_of(in), "percentComplete",
		    json_integer(100));
		say(_("job %s: Completed"), in->job);
	}
	rc = save_doc(in, cause);
out:
	ds_read_report_free(rep);
	free(c2);
	free(paths);
	free(keys);
	return rc;
}

/* Checks the drive at PATH against the job; records it when it fits. */
static int
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

static int
parse_common(int argc, char **argv, const char *help, struct ingest *in)
{
	const char	*cmd = argv[0];

	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "job", required_argument, NULL, 'j' },
		{ "target", required_argument, NULL, 't' },
		{ "subscription", required_argument, NULL, 's' },
		{ "resource-group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 c;

	/* getopt names the program by the first argument it is given. */
	argv[0] = (char *)"diskseed-importd";
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:j:t:s:g:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'd':
			in->dir = optarg;
			break;
		case 'j':
			in->job = optarg;
			break;
		case 't':
			in->target_dir = optarg;
			break;
		case 's':
			in->sub_opt = optarg;
			break;
		case 'g':
			in->rg_opt = optarg;
			break;
		case 'h':
			fputs(_(help), stdout);
			exit(EXIT_OK);
		default:
			admin_usage_error(cmd, NULL);
			return -1;
		}
	}
	if (in->dir == NULL || in->job == NULL || optind >= argc) {
		admin_usage_error(cmd, "%s", _("--dir, --job and at least one "
		    "drive are needed"));
		return -1;
	}
	log_dir = in->dir;
	return 0;
}

/* Test hooks (DS_TEST_HOOKS, ./configure --enable-test-hooks only). */
static void
hooks(struct ingest *in)
{
#ifdef DS_TEST_HOOKS
	const char	*v;

	if ((v = getenv("DISKSEED_IMPORTD_CRASH_AFTER")) != NULL)
		in->crash_after = strtol(v, NULL, 10);
	if ((v = getenv("DISKSEED_IMPORTD_PAUSE_AFTER")) != NULL)
		in->pause_after = strtol(v, NULL, 10);
	if ((v = getenv("DISKSEED_IMPORTD_PAUSE_BYTE")) != NULL)
		in->pause_byte = strtoull(v, NULL, 10);
	in->pause_sync = getenv("DISKSEED_IMPORTD_PAUSE_SYNC");
#endif
}

/* Accepts only jobs whose drives may be on their way or in. */
static int
job_receivable(struct ingest *in, char **cause)
{
	const char *s = json_string_value(json_object_get(props_of(in),
	    "state"));

	if (s != NULL && (strcmp(s, "Shipping") == 0 ||
	    strcmp(s, "Received") == 0 || strcmp(s, "Transferring") == 0))
		return DS_E_OK;
	return ds_cause(cause, DS_E_IMPORTD_STATE, _("job %s is %s: drives "
	    "are received once the job is Shipping"), in->job,
	    s != NULL ? s : "?");
}

int
ingest_receive(int argc, char **argv)
{
	struct ingest	 in;
	char		*cause = NULL;
	int		 rc, i;

	memset(&in, 0, sizeof in);
	pthread_mutex_init(&in.mu, NULL);
	if (parse_common(argc, argv, receive_help, &in) != 0)
		return EXIT_USAGE;
	hooks(&in);
	if ((rc = ingest_open(&in, &cause)) != DS_E_OK ||
	    (rc = job_receivable(&in, &cause)) != DS_E_OK)
		goto fail;
	for (i = optind; i < argc; i++)
		check_drive(&in, argv[i]);
	if (strcmp(json_string_value(json_object_get(props_of(&in),
	    "state")), "Shipping") == 0)
		set_job_state(&in, "Received");
	if ((rc = save_doc(&in, &cause)) != DS_E_OK ||
	    (rc = transfer(&in, &cause)) != DS_E_OK)
		goto fail;
	say(_("%s: %llu file(s) uploaded in this run, %llu request(s) "
	    "retried"), in.job, (unsigned long long)in.uploads,
	    (unsigned long long)target_retries(in.tgt));
	rc = in.problems > 0 ? EXIT_PARTIAL : EXIT_OK;
	ingest_close(&in);
	return rc;
fail:
	importd_err_code(rc, cause);
	ingest_close(&in);
	return EXIT_ERROR;
}

int
ingest_never_received(int argc, char **argv)
{
	struct ingest	 in;
	const char	*s;
	char		*cause = NULL;
	int		 rc, i;

	memset(&in, 0, sizeof in);
	pthread_mutex_init(&in.mu, NULL);
	if (parse_common(argc, argv, never_help, &in) != 0)
		return EXIT_USAGE;
	if ((rc = ingest_open(&in, &cause)) != DS_E_OK ||
	    (rc = job_receivable(&in, &cause)) != DS_E_OK)
		goto fail;
	for (i = optind; i < argc; i++) {
		if (drive_json(&in, argv[i]) == NULL) {
			rc = ds_cause(&cause, DS_E_NOTFOUND, _("job %s has no "
			    "drive %s"), in.job, argv[i]);
			goto fail;
		}
		s = drive_state(&in, argv[i]);
		if (s != NULL && strcmp(s, "Specified") != 0) {
			rc = ds_cause(&cause, DS_E_IMPORTD_STATE, _("drive %s "
			    "is %s already"), argv[i], s);
			goto fail;
		}
		set_drive(&in, argv[i], "NeverReceived", "Never received", 0,
		    0);
	}
	if ((rc = save_doc(&in, &cause)) != DS_E_OK ||
	    (rc = transfer(&in, &cause)) != DS_E_OK)
		goto fail;
	rc = in.problems > 0 ? EXIT_PARTIAL : EXIT_OK;
	ingest_close(&in);
	return rc;
fail:
	importd_err_code(rc, cause);
	ingest_close(&in);
	return EXIT_ERROR;
}
