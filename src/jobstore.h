/* SPDX-License-Identifier: MIT */
/*
 * What diskseed remembers about its import jobs, in the state directory:
 * jobs/<job>/importjob.json (which subscription, resource group,
 * location, storage account and container the job was created with) and
 * jobs/<job>/shipping.json (the shipping details once committed). The
 * engine's jobs/<job>/drives.json lives beside them (src/prepared.h).
 *
 * The ship flow: ds_ship_prepare() (checks, builds the review), show the
 * review, ask, then ds_ship_commit() only on an explicit yes.
 */
#ifndef DS_JOBSTORE_H
#define DS_JOBSTORE_H

#include <stddef.h>

struct ds_api;
struct ds_job;
struct ds_address;
struct ds_package;

struct ds_job_record {
	char	*name;
	char	*subscription_id;
	char	*resource_group;
	char	*location;
	char	*storage_account;
	char	*container;
	char	*created_at;	/* local time of creation, ISO 8601 UTC */
};

/* Saves REC as jobs/<name>/importjob.json (0600, atomic). */
int	ds_jobstore_save(const struct ds_job_record *rec, char **cause);

/* Loads the record of JOB; DS_E_NOTFOUND when there is none. */
int	ds_jobstore_load(const char *job, struct ds_job_record **out,
	    char **cause);

/* Names of the jobs with a record, sorted; free each, then the array. */
int	ds_jobstore_list(char ***names, size_t *n, char **cause);

void	ds_job_record_free(struct ds_job_record *rec);

struct ds_job_spec;

/*
 * Cancels JOB at the service, refusing (DS_E_JOBSTATE, without the
 * PATCH) a job the service already has in Shipping or later: the API
 * allows a cancel only before Shipping. Records the new state in the job
 * record (src/jobrec.h). *out as ds_api_job_cancel.
 */
int	ds_jobstore_cancel(struct ds_api *api, const char *rg, const char *job,
	    struct ds_job **out, char **cause);

/*
 * Creates the import job of SPEC (ds_api_job_create) and records it
 * locally (importjob.json), so later commands find its resource group;
 * the job record (src/jobrec.h) becomes created, its fields fixed. A
 * rejection leaves the job record as it was: still editable.
 * *out is the job as the service answered; the caller frees it.
 */
int	ds_jobstore_create(struct ds_api *api, const struct ds_job_spec *spec,
	    struct ds_job **out, char **cause);

/* The shipping details as they will be (or were) sent. */
struct ds_shipment {
	char			*job;
	char			*resource_group;
	struct ds_package	*package;
	struct ds_address	*return_address;	/* may be NULL when
							   the job has one */
	char			*committed_at;		/* NULL: not yet */
};

/*
 * Checks a shipment before anything is sent: the names, the carrier
 * against the location's supported carriers, the drive count, that the
 * job has or gets a return address, and that the tracking number is not
 * already used by another job, locally (shipping.json) and in the
 * service's job list (DS_E_TRACKINGUSED). *job is the job as it stands
 * now; the caller frees it.
 */
int	ds_ship_prepare(struct ds_api *api, const struct ds_shipment *s,
	    struct ds_job **job, char **cause);

/*
 * Sends the shipment (PATCH: return address, delivery package, state
 * Shipping), then stores it as jobs/<job>/shipping.json and sets *path
 * to that file (allocated). *out is the updated job; caller frees.
 */
int	ds_ship_commit(struct ds_api *api, struct ds_shipment *s,
	    struct ds_job **out, char **path, char **cause);

/* Loads the stored shipment of JOB; DS_E_NOTFOUND when not shipped. */
int	ds_ship_load(const char *job, struct ds_shipment **out, char **cause);

void	ds_shipment_free(struct ds_shipment *s);

#endif
