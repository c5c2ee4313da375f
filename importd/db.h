/* SPDX-License-Identifier: MIT */
/*
 * The service's state: one SQLite database in WAL mode (importd.db in the
 * service directory). Subscriptions with their registered management
 * certificates (SHA-256 fingerprints), and jobs stored as whole JSON
 * documents (the JobResponse shape, BitLocker keys included) beside the
 * columns the service searches on.
 *
 * A mutating request runs between db_begin() and db_commit() (or
 * db_rollback()): one transaction each, so a crash leaves either the old
 * or the new job, never half of one. Functions return DS_E_* codes.
 */
#ifndef IMPORTD_DB_H
#define IMPORTD_DB_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* Opens (creating it 0600 when missing) the database at PATH. */
int	 db_open(const char *path, struct db **out, char **cause);
/* Closes; takes NULL. */
void	 db_close(struct db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int	 db_begin(struct db *db, char **cause);
int	 db_commit(struct db *db, char **cause);
void	 db_rollback(struct db *db);

/* Adds subscription ID (a GUID) named NAME; DS_E_EXISTS when known. */
int	 db_sub_add(struct db *db, const char *id, const char *name,
	    char **cause);
/* Sets *name (allocated; caller frees) to subscription ID's name. */
int	 db_sub_get(struct db *db, const char *id, char **name, char **cause);
/* Registers certificate FPR (hex SHA-256) for subscription ID. */
int	 db_sub_cert_add(struct db *db, const char *id, const char *fpr,
	    char **cause);
/* Unregisters certificate FPR of subscription ID; DS_E_NOTFOUND. */
int	 db_sub_cert_remove(struct db *db, const char *id, const char *fpr,
	    char **cause);
/*
 * Whether certificate FPR may act for subscription SUB (any subscription
 * when SUB is NULL): 1 yes, 0 no, -1 on a database error. Sets *name
 * (allocated, caller frees; may be NULL) to the subscription's name.
 */
int	 db_cert_allowed(struct db *db, const char *sub, const char *fpr,
	    char **name);
/* All subscriptions as an array of {id, name, certificates}; caller
 * owns *out. */
int	 db_sub_list(struct db *db, json_t **out, char **cause);

/* Sets *job (new reference) to the stored document; DS_E_NOTFOUND. */
int	 db_job_get(struct db *db, const char *sub, const char *rg,
	    const char *name, json_t **job, char **cause);
/*
 * Finds job NAME in any subscription and resource group (SUB, RG may be
 * NULL to match any): sets *sub, *rg (allocated; caller frees) and *job.
 * DS_E_NOTFOUND, or DS_E_INVAL when the name is ambiguous.
 */
int	 db_job_find(struct db *db, const char *name, const char *sub_in,
	    const char *rg_in, char **sub, char **rg, json_t **job,
	    char **cause);
/*
 * Inserts or replaces a job. TRACKING is its delivery tracking number or
 * NULL; DS_E_EXISTS when another job already has it.
 */
int	 db_job_put(struct db *db, const char *sub, const char *rg,
	    const char *name, json_t *job, const char *tracking, char **cause);
/*
 * Sets *uid (allocated, 32 lowercase hex digits; caller frees) to the
 * immutable id of job (SUB, RG, NAME): made when the job is created,
 * kept by every update, never reused (a job deleted and created again
 * under the same name gets a new one). DS_E_NOTFOUND when there is none.
 */
int	 db_job_uid(struct db *db, const char *sub, const char *rg,
	    const char *name, char **uid, char **cause);
/* Deletes a job; DS_E_NOTFOUND when there is none. */
int	 db_job_delete(struct db *db, const char *sub, const char *rg,
	    const char *name, char **cause);
/*
 * Lists the jobs of SUB (and of RG unless NULL) whose row id is above
 * AFTER, at most LIMIT, ordered by row id; STATE (or NULL) filters.
 * Sets *out (new array of documents) and *last (the last row id given,
 * 0 when none) and *more (1 when more rows follow).
 */
int	 db_job_list(struct db *db, const char *sub, const char *rg,
	    const char *state, int64_t after, int limit, json_t **out,
	    int64_t *last, int *more, char **cause);

#endif
