/* SPDX-License-Identifier: MIT */
/*
 * The job record: one per import job, the single owner of what a job is
 * locally (jobs/<job>/job.json in the state directory, 0600): its state
 * and the fields the user chose. The wizard and the CLI never write job
 * state themselves; they call these functions, which check the state
 * before any change. (The engine's drives.json, src/prepared.h, and the
 * service's answer, importjob.json / shipping.json, src/jobstore.h, sit
 * beside it; a job that only has those, from an older diskseed, is read
 * as a record in the state they show.)
 *
 * States, in order (DS_JOBREC_STATES below):
 *   draft      named, fields being chosen; nothing written to a drive
 *   preparing  prep has formatted a drive (DS_E_* on the way: resumable)
 *   prepared   all of staging is on the drives and verified against
 *              the scan (set id, job, totals)
 *   created    Jobs_Create accepted: the fields are fixed from here on
 *   shipping, received, transferring, packaging, completed, closed,
 *   canceled   as the service reports (ds_jobrec_track)
 *
 * Identity is explicit: ds_jobrec_new() refuses a name already used, in
 * any state (DS_E_JOBEXISTS, the cause names the job, its state and what
 * to do); ds_jobrec_by_staging() tells which jobs used a staging folder,
 * so a front end can offer "continue job X" or "new job with this name".
 *
 * Call order, wizard and CLI alike:
 *   ds_jobrec_new()                   a new job (draft), or
 *   ds_jobrec_load()                  an existing one;
 *   ds_jobrec_set()                   any field, while editable (below
 *                                     created); names checked by
 *                                     src/names.h;
 *   prep (src/prep.h) checks ds_jobrec_claim() first, then moves it
 *                                     to preparing and prepared itself;
 *   ds_jobrec_check_set()             before saying "copied and
 *                                     verified" (ui/copyrun.c);
 *   ds_jobrec_created()               after Jobs_Create succeeded
 *                                     (src/jobstore.c calls it);
 *   ds_jobrec_track()                 whenever the service reports a
 *                                     state;
 *   ds_jobrec_free().
 * A Jobs_Create rejection changes nothing: the job stays prepared and
 * editable, ds_jobrec_set() stores the correction, and the create is
 * tried again.
 *
 * Ownership: *out records are allocated, the caller frees them with
 * ds_jobrec_free(); strings passed in are copied; strings returned by
 * ds_jobrec_state_name() are static.
 */
#ifndef DS_JOBREC_H
#define DS_JOBREC_H

#include <stddef.h>

/* X-macro: state, its name in job.json, the service's name (or NULL). */
#define DS_JOBREC_STATES(X)						\
	X(DRAFT,	"draft",	NULL)				\
	X(PREPARING,	"preparing",	NULL)				\
	X(PREPARED,	"prepared",	NULL)				\
	X(CREATED,	"created",	"Creating")			\
	X(SHIPPING,	"shipping",	"Shipping")			\
	X(RECEIVED,	"received",	"Received")			\
	X(TRANSFERRING,	"transferring",	"Transferring")			\
	X(PACKAGING,	"packaging",	"Packaging")			\
	X(COMPLETED,	"completed",	"Completed")			\
	X(CLOSED,	"closed",	"Closed")			\
	X(CANCELED,	"canceled",	"Canceled")

enum ds_jobrec_state {
#define DS_JOBREC_X(s, name, svc) DS_JOBREC_##s,
	DS_JOBREC_STATES(DS_JOBREC_X)
#undef DS_JOBREC_X
	DS_JOBREC__COUNT
};

/* The fields a user chooses; editable while the state is below created. */
enum ds_jobrec_field {
	DS_JOBREC_STAGING,		/* absolute path (made so on set) */
	DS_JOBREC_ACCOUNT,		/* storage account */
	DS_JOBREC_CONTAINER,		/* blob container */
	DS_JOBREC_LOCATION,		/* region, as the service names it */
	DS_JOBREC_RETURN_ADDRESS,	/* one line per address field, as
					   src/jobrec.c documents */
};

struct ds_jobrec {
	char			*name;
	enum ds_jobrec_state	 state;
	char			*staging;
	char			*storage_account;
	char			*container;
	char			*location;
	char			*return_address;
	char			*set_id;	/* hex; NULL before preparing */
	char			*updated_at;	/* ISO 8601 UTC */
};

/*
 * Creates the record of a new job NAME in state draft, with STAGING (may
 * be NULL) made absolute. Refuses a bad name (DS_E_BADNAME) and a name
 * that any job already has, in any state (DS_E_JOBEXISTS; the cause
 * names the job, its state and what to do instead).
 */
int	ds_jobrec_new(const char *name, const char *staging,
	    struct ds_jobrec **out, char **cause);

/*
 * Whether a prep of NAME from STAGING may start (RESUME 0) or go on
 * (RESUME 1), by the identity rule: a new prep takes a name no job has,
 * or a draft of the same folder; a resume given STAGING must name the
 * job's own folder. DS_E_JOBEXISTS otherwise, the cause saying the job,
 * its state and what to do. Writes nothing; prep calls it first.
 */
int	ds_jobrec_claim(const char *name, const char *staging, int resume,
	    char **cause);

/* Loads JOB's record; DS_E_NOTFOUND when no job has that name. */
int	ds_jobrec_load(const char *job, struct ds_jobrec **out, char **cause);

/* Whether a job named NAME exists locally (any state). */
int	ds_jobrec_exists(const char *name);

/*
 * Sets field F of REC (from ds_jobrec_new or ds_jobrec_load) to VALUE
 * (NULL or "" clears it) after checking the name rules (DS_E_BADNAME)
 * and that the job is still editable (DS_E_JOBSTATE from created on,
 * the cause saying the state); saves at once. On an error REC and the
 * stored record are unchanged.
 */
int	ds_jobrec_set(struct ds_jobrec *rec, enum ds_jobrec_field f,
	    const char *value, char **cause);

/* Whether REC's fields may still change (state below created). */
int	ds_jobrec_editable(const struct ds_jobrec *rec);

/*
 * Moves JOB to state TO, refusing a move the job model does not allow
 * (DS_E_JOBSTATE): forward through the list above, canceled from any
 * state below shipping, preparing again from prepared (more drives).
 * SET_ID (hex) is stored when given (preparing). Used by prep and the
 * job client; a front end never calls it directly.
 */
int	ds_jobrec_move(const char *job, enum ds_jobrec_state to,
	    const char *set_id, char **cause);

/* After Jobs_Create succeeded: the job is created and fixed. */
int	ds_jobrec_created(const char *job, char **cause);

/*
 * After the service deleted JOB: a job created or later goes back to
 * prepared (its drives still hold the set), so it can be created again.
 */
int	ds_jobrec_deleted(const char *job, char **cause);

/*
 * Records the state the service reports for JOB (its name, as
 * "Shipping"); an unknown name is ignored. Creates no record.
 */
int	ds_jobrec_track(const char *job, const char *service_state,
	    char **cause);

/*
 * The names of the jobs that used STAGING (compared as real paths),
 * sorted; *jobs is an allocated array of allocated strings (free each,
 * then the array); *n may be 0.
 */
int	ds_jobrec_by_staging(const char *staging, char ***jobs, size_t *n,
	    char **cause);

/*
 * Whether JOB's drives hold JOB's set, before anyone says "copied and
 * verified": prep finished, every drive's header names JOB and the set
 * id of JOB's record, and the staging folder, walked again now
 * (src/walk.c), has the bytes the set was made from. DS_E_NOT_VERIFIED
 * with the cause saying which check failed. Reads the drives' header
 * and trailer blocks only.
 */
int	ds_jobrec_check_set(const char *job, char **cause);

/* Every job with a record, sorted; freed as above. */
int	ds_jobrec_list(char ***jobs, size_t *n, char **cause);

/* The state's translated name, for people; static. */
const char *ds_jobrec_state_name(enum ds_jobrec_state s);

/* The state's key as stored in job.json ("prepared"); static. */
const char *ds_jobrec_state_key(enum ds_jobrec_state s);

/* The state for the service's NAME ("Shipping"); -1 when unknown. */
int	ds_jobrec_state_from_service(const char *name);

void	ds_jobrec_free(struct ds_jobrec *rec);

#endif
