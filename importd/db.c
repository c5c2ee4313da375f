/* SPDX-License-Identifier: MIT */
/* The service's SQLite database: subscriptions, certificates, jobs. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "db.h"
#include "importd.h"

struct db {
	sqlite3	*h;
};

/*
 * A tracking number is unique within one subscription, not across them:
 * refusing one that another tenant uses would tell that tenant's
 * customer that it is in use.
 */
#define JOBS_TABLE(name)						\
    "CREATE TABLE IF NOT EXISTS " name " ("				\
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"				\
    " subscription TEXT NOT NULL COLLATE NOCASE,"			\
    " rg TEXT NOT NULL COLLATE NOCASE,"					\
    " name TEXT NOT NULL COLLATE NOCASE,"				\
    " state TEXT NOT NULL,"						\
    " tracking TEXT COLLATE NOCASE,"					\
    " doc TEXT NOT NULL,"						\
    " uid TEXT,"							\
    " UNIQUE (subscription, rg, name),"					\
    " UNIQUE (subscription, tracking));"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA secure_delete=ON;"	/* deleted jobs' keys are overwritten */
    "CREATE TABLE IF NOT EXISTS subscriptions ("
    " id TEXT PRIMARY KEY COLLATE NOCASE,"
    " name TEXT NOT NULL,"
    " created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ')));"
    "CREATE TABLE IF NOT EXISTS certificates ("
    " fingerprint TEXT NOT NULL COLLATE NOCASE,"
    " subscription TEXT NOT NULL REFERENCES subscriptions(id),"
    " PRIMARY KEY (fingerprint, subscription));"
    JOBS_TABLE("jobs");

/*
 * A job's immutable id: 128 random bits as 32 lowercase hex digits, made
 * by SQLite's randomness (seeded from the system's) when the row is
 * inserted. An update of the row keeps it; a deleted job's name, created
 * again, is a new row and gets a new one. What the receiving side keys
 * its own state by, so a reused name never inherits an old job's state.
 */
#define DB_NEW_UID	"lower(hex(randomblob(16)))"

/*
 * What brings a database of an older version up to date, run by
 * db_migrate(). Jobs without an id: the column, an id for each, and the
 * index.
 */
static const char has_uid[] =
    "SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'uid'";
static const char migrate_uid[] =
    "ALTER TABLE jobs ADD COLUMN uid TEXT;";
static const char fill_uid[] =
    "UPDATE jobs SET uid = " DB_NEW_UID " WHERE uid IS NULL;"
    "CREATE UNIQUE INDEX IF NOT EXISTS jobs_uid ON jobs (uid);";
/* Tracking numbers unique across all subscriptions: SQLite changes a
 * table's constraints only by copying it, row ids and sequence kept. */
static const char has_global_tracking[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs' "
    "AND sql LIKE '%tracking TEXT UNIQUE%'";
static const char migrate_tracking[] =
    JOBS_TABLE("jobs_new")
    "INSERT INTO jobs_new (id, subscription, rg, name, state, tracking, "
    " doc, uid) SELECT id, subscription, rg, name, state, tracking, doc, "
    " uid FROM jobs;"
    "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence "
    " WHERE name = 'jobs') WHERE name = 'jobs_new';"
    "DROP TABLE jobs;"
    "ALTER TABLE jobs_new RENAME TO jobs;";

static int
db_fail(struct db *db, char **cause, const char *what)
{
	return ds_cause(cause, DS_E_IMPORTD_DB, "%s: %s", what,
	    sqlite3_errmsg(db->h));
}

/* Whether query SQL returns a row: 1, 0, or -1 on an error. */
static int
db_ask(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		found = 1;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? found : -1;
}

/* Runs SQL when ASK (a query) returns a row; an SQLite code. */
static int
db_migrate_if(struct db *db, const char *ask, int when, const char *sql,
    char **err)
{
	int	has;

	if ((has = db_ask(db, ask)) == -1) {
		*err = sqlite3_mprintf("%s", sqlite3_errmsg(db->h));
		return SQLITE_ERROR;
	}
	if (has != when)
		return SQLITE_OK;
	return sqlite3_exec(db->h, sql, NULL, NULL, err);
}

/*
 * Runs the migrations an older database needs, in one immediate
 * transaction so that two processes opening an old database at once do
 * not both alter it. An SQLite code; *err allocated by SQLite on
 * failure.
 */
static int
db_migrate(struct db *db, char **err)
{
	int	 rc;

	if ((rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL,
	    err)) != SQLITE_OK)
		return rc;
	if ((rc = db_migrate_if(db, has_uid, 0, migrate_uid, err)) !=
	    SQLITE_OK ||
	    (rc = db_migrate_if(db, has_global_tracking, 1, migrate_tracking,
	    err)) != SQLITE_OK ||
	    (rc = sqlite3_exec(db->h, fill_uid, NULL, NULL, err)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, err)) != SQLITE_OK)
		goto fail;
	return SQLITE_OK;
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
db_open(const char *path, struct db **out, char **cause)
{
	struct db	*db;
	char		*err = NULL;
	int		 fd;

	*out = NULL;
	/* Create the file 0600 ourselves: SQLite would honour the umask. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return ds_cause(cause, DS_E_IMPORTD_DB, "%s: %s", path,
		    strerror(errno));
	close(fd);
	if ((db = calloc(1, sizeof *db)) == NULL)
		return DS_E_NOMEM;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ds_cause(cause, DS_E_IMPORTD_DB, "%s: %s", path,
		    db->h != NULL ? sqlite3_errmsg(db->h) : "open");
		db_close(db);
		return DS_E_IMPORTD_DB;
	}
	sqlite3_busy_timeout(db->h, 10000);
	if (sqlite3_exec(db->h, schema, NULL, NULL, &err) != SQLITE_OK ||
	    db_migrate(db, &err) != SQLITE_OK) {
		ds_cause(cause, DS_E_IMPORTD_DB, "%s: %s", path, err);
		sqlite3_free(err);
		db_close(db);
		return DS_E_IMPORTD_DB;
	}
	*out = db;
	return DS_E_OK;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	sqlite3_close(db->h);
	free(db);
}

static int
db_exec(struct db *db, const char *sql, char **cause)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, cause, sql);
	return DS_E_OK;
}

int
db_begin(struct db *db, char **cause)
{
	return db_exec(db, "BEGIN IMMEDIATE", cause);
}

int
db_commit(struct db *db, char **cause)
{
	return db_exec(db, "COMMIT", cause);
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

/* Prepares SQL and binds the text arguments of AP (NULL-terminated). */
static sqlite3_stmt *
db_vprepare(struct db *db, const char *sql, va_list ap)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 i = 1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (*s == '\0')	/* "" binds NULL */
			sqlite3_bind_null(st, i++);
		else
			sqlite3_bind_text(st, i++, s, -1, SQLITE_TRANSIENT);
	}
	return st;
}

static sqlite3_stmt *
db_prepare(struct db *db, const char *sql, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;

	va_start(ap, sql);
	st = db_vprepare(db, sql, ap);
	va_end(ap);
	return st;
}

/*
 * Runs a statement that returns no rows, binding the NULL-terminated
 * text arguments. DS_E_EXISTS on a constraint (KEY names what), and
 * DS_E_NOTFOUND when it changed no row and MUST_CHANGE is set.
 */
static int
db_do(struct db *db, char **cause, const char *key, int must_change,
    const char *sql, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 rc;

	va_start(ap, sql);
	st = db_vprepare(db, sql, ap);
	va_end(ap);
	if (st == NULL)
		return db_fail(db, cause, sql);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return ds_cause(cause, DS_E_EXISTS, "%s", key);
	if (rc != SQLITE_DONE)
		return db_fail(db, cause, sql);
	if (must_change && sqlite3_changes(db->h) == 0)
		return ds_cause(cause, DS_E_NOTFOUND, "%s", key);
	return DS_E_OK;
}

int
db_sub_add(struct db *db, const char *id, const char *name, char **cause)
{
	return db_do(db, cause, id, 0, "INSERT INTO subscriptions (id, name) "
	    "VALUES (?, ?)", id, name, NULL);
}

int
db_sub_get(struct db *db, const char *id, char **name, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	*name = NULL;
	st = db_prepare(db, "SELECT name FROM subscriptions WHERE id = ?",
	    id, NULL);
	if (st == NULL)
		return db_fail(db, cause, "select subscription");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*name = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return ds_cause(cause, DS_E_NOTFOUND, "%s", id);
	if (rc != SQLITE_ROW)
		return db_fail(db, cause, "select subscription");
	return *name == NULL ? DS_E_NOMEM : DS_E_OK;
}

int
db_sub_cert_add(struct db *db, const char *id, const char *fpr,
    char **cause)
{
	return db_do(db, cause, fpr, 0, "INSERT OR IGNORE INTO certificates "
	    "(fingerprint, subscription) VALUES (?, ?)", fpr, id, NULL);
}

int
db_sub_cert_remove(struct db *db, const char *id, const char *fpr,
    char **cause)
{
	return db_do(db, cause, fpr, 1, "DELETE FROM certificates WHERE "
	    "fingerprint = ? AND subscription = ? COLLATE NOCASE", fpr, id,
	    NULL);
}

int
db_cert_allowed(struct db *db, const char *sub, const char *fpr,
    char **name)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (name != NULL)
		*name = NULL;
	if (sub != NULL)
		/* Subscription ids compare without regard to case. */
		st = db_prepare(db, "SELECT s.name FROM certificates c JOIN "
		    "subscriptions s ON s.id = c.subscription WHERE "
		    "c.fingerprint = ? AND c.subscription = ? COLLATE NOCASE",
		    fpr, sub, NULL);
	else
		st = db_prepare(db, "SELECT s.name FROM certificates c JOIN "
		    "subscriptions s ON s.id = c.subscription WHERE "
		    "c.fingerprint = ? LIMIT 1", fpr, NULL);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && name != NULL)
		*name = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_sub_list(struct db *db, json_t **out, char **cause)
{
	sqlite3_stmt	*st;
	json_t		*a;
	int		 rc;

	*out = NULL;
	st = db_prepare(db, "SELECT s.id, s.name, (SELECT count(*) FROM "
	    "certificates c WHERE c.subscription = s.id) FROM subscriptions s "
	    "ORDER BY s.name", NULL);
	if (st == NULL)
		return db_fail(db, cause, "list subscriptions");
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}",
		    "id", sqlite3_column_text(st, 0),
		    "name", sqlite3_column_text(st, 1),
		    "certificates", (json_int_t)sqlite3_column_int64(st, 2)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_fail(db, cause, "list subscriptions");
	}
	*out = a;
	return DS_E_OK;
}

/* Parses column COL of ST as a JSON document. */
static json_t *
db_doc(sqlite3_stmt *st, int col)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	return s == NULL ? NULL : json_loads(s, 0, NULL);
}

/*
 * Runs SQL (a SELECT of one job by subscription, resource group and
 * name) and leaves *st on its row: the caller reads it and finalizes
 * *st. DS_E_NOTFOUND (and *st NULL) when there is no such job.
 */
static int
db_job_row(struct db *db, const char *sql, const char *sub, const char *rg,
    const char *name, sqlite3_stmt **st, char **cause)
{
	int	rc;

	if ((*st = db_prepare(db, sql, sub, rg, name, NULL)) == NULL)
		return db_fail(db, cause, "select job");
	if ((rc = sqlite3_step(*st)) == SQLITE_ROW)
		return DS_E_OK;
	sqlite3_finalize(*st);
	*st = NULL;
	if (rc == SQLITE_DONE)
		return ds_cause(cause, DS_E_NOTFOUND, "%s", name);
	return db_fail(db, cause, "select job");
}

int
db_job_get(struct db *db, const char *sub, const char *rg, const char *name,
    json_t **job, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	*job = NULL;
	if ((rc = db_job_row(db, "SELECT doc FROM jobs WHERE subscription = ? "
	    "AND rg = ? AND name = ?", sub, rg, name, &st, cause)) != DS_E_OK)
		return rc;
	*job = db_doc(st, 0);
	sqlite3_finalize(st);
	if (*job == NULL)
		return ds_cause(cause, DS_E_IMPORTD_DB, "job %s: bad document",
		    name);
	return DS_E_OK;
}

int
db_job_find(struct db *db, const char *name, const char *sub_in,
    const char *rg_in, char **sub, char **rg, json_t **job, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	*sub = *rg = NULL;
	*job = NULL;
	st = db_prepare(db, "SELECT subscription, rg, doc FROM jobs WHERE "
	    "name = ?1 AND (?2 IS NULL OR subscription = ?2) AND "
	    "(?3 IS NULL OR rg = ?3)", name, sub_in != NULL ? sub_in : "",
	    rg_in != NULL ? rg_in : "", NULL);
	if (st == NULL)
		return db_fail(db, cause, "select job");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ > 0)
			break;
		*sub = strdup((const char *)sqlite3_column_text(st, 0));
		*rg = strdup((const char *)sqlite3_column_text(st, 1));
		*job = db_doc(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = db_fail(db, cause, "select job");
		goto fail;
	}
	if (n == 0)
		return ds_cause(cause, DS_E_NOTFOUND, "%s", name);
	if (n > 1) {
		rc = ds_cause(cause, DS_E_INVAL, _("%s: several jobs have this "
		    "name; give --subscription and --resource-group"), name);
		goto fail;
	}
	if (*sub == NULL || *rg == NULL || *job == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	return DS_E_OK;
fail:
	free(*sub);
	free(*rg);
	json_decref(*job);
	*sub = *rg = NULL;
	*job = NULL;
	return rc;
}

int
db_job_put(struct db *db, const char *sub, const char *rg, const char *name,
    json_t *job, const char *tracking, char **cause)
{
	char		*doc;
	const char	*state;
	int		 rc;

	state = json_string_value(json_object_get(json_object_get(job,
	    "properties"), "state"));
	if ((doc = json_dumps(job, JSON_COMPACT)) == NULL)
		return DS_E_NOMEM;
	/* Only the tracking number's uniqueness can fail: the job's own
	 * key is an upsert. */
	rc = db_do(db, cause, tracking != NULL ? tracking : name, 0,
	    "INSERT INTO jobs (subscription, rg, name, state, tracking, doc, "
	    "uid) VALUES (?, ?, ?, ?, ?, ?, " DB_NEW_UID ") ON CONFLICT "
	    "(subscription, rg, name) DO UPDATE SET state = excluded.state, "
	    "tracking = excluded.tracking, doc = excluded.doc", sub, rg, name,
	    state != NULL ? state : "", tracking != NULL ? tracking : "",
	    doc, NULL);
	importd_json_free(doc);
	return rc;
}

int
db_job_uid(struct db *db, const char *sub, const char *rg, const char *name,
    char **uid, char **cause)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	*uid = NULL;
	if ((rc = db_job_row(db, "SELECT uid FROM jobs WHERE subscription = ? "
	    "AND rg = ? AND name = ?", sub, rg, name, &st, cause)) != DS_E_OK)
		return rc;
	if ((s = (const char *)sqlite3_column_text(st, 0)) != NULL)
		*uid = strdup(s);
	sqlite3_finalize(st);
	if (s == NULL)	/* db_open() gave every row one */
		return ds_cause(cause, DS_E_IMPORTD_DB, "job %s: no id", name);
	return *uid == NULL ? DS_E_NOMEM : DS_E_OK;
}

int
db_job_delete(struct db *db, const char *sub, const char *rg,
    const char *name, char **cause)
{
	return db_do(db, cause, name, 1, "DELETE FROM jobs WHERE "
	    "subscription = ? AND rg = ? AND name = ?", sub, rg, name, NULL);
}

int
db_job_list(struct db *db, const char *sub, const char *rg,
    const char *state, int64_t after, int limit, json_t **out,
    int64_t *last, int *more, char **cause)
{
	sqlite3_stmt	*st;
	json_t		*a, *doc;
	int		 rc, n = 0;

	*out = NULL;
	*last = 0;
	*more = 0;
	st = db_prepare(db, "SELECT id, doc FROM jobs WHERE subscription = ?1 "
	    "AND (?2 IS NULL OR rg = ?2) AND (?3 IS NULL OR state = ?3) AND "
	    "id > ?4 ORDER BY id LIMIT ?5", sub, rg != NULL ? rg : "",
	    state != NULL ? state : "", NULL);
	if (st == NULL)
		return db_fail(db, cause, "list jobs");
	sqlite3_bind_int64(st, 4, after);
	sqlite3_bind_int(st, 5, limit + 1);
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			*more = 1;
			continue;
		}
		if ((doc = db_doc(st, 1)) == NULL)
			continue;
		json_array_append_new(a, doc);
		*last = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_fail(db, cause, "list jobs");
	}
	*out = a;
	return DS_E_OK;
}
