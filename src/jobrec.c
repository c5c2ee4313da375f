/* SPDX-License-Identifier: MIT */
/*
 * The job record (jobrec.h): jobs/<job>/job.json, its states and the
 * checks made before each change.
 *
 * The return address is kept as one text, one address field a line, in
 * the order the shipping screen asks for them; the client splits it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "error.h"
#include "jobrec.h"
#include "gate.h"
#include "jsonx.h"
#include "names.h"
#include "prepared.h"
#include "state.h"
#include "util.h"
#include "walk.h"

#define REC_FILE	"job.json"
#define REC_MAX		(64 * 1024)

static const char *const state_keys[] = {
#define DS_JOBREC_X(s, name, svc) name,
	DS_JOBREC_STATES(DS_JOBREC_X)
#undef DS_JOBREC_X
};

static const char *const state_svc[] = {
#define DS_JOBREC_X(s, name, svc) svc,
	DS_JOBREC_STATES(DS_JOBREC_X)
#undef DS_JOBREC_X
};

/* TRANSLATORS: the states of a job, as shown next to its name. */
static const char *const state_names[] = {
	N_("draft"), N_("preparing"), N_("prepared"), N_("created"),
	N_("shipping"), N_("received"), N_("transferring"), N_("packaging"),
	N_("completed"), N_("closed"), N_("canceled"),
};

const char *
ds_jobrec_state_key(enum ds_jobrec_state s)
{
	return (unsigned)s < DS_JOBREC__COUNT ? state_keys[s] : "?";
}

const char *
ds_jobrec_state_name(enum ds_jobrec_state s)
{
	return (unsigned)s < DS_JOBREC__COUNT ? _(state_names[s]) : "?";
}

int
ds_jobrec_state_from_service(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < DS_JOBREC__COUNT; i++)
		if (state_svc[i] != NULL && strcasecmp(state_svc[i], name) == 0)
			return i;
	return -1;
}

static int
state_from_key(const char *key)
{
	int i;

	for (i = 0; key != NULL && i < DS_JOBREC__COUNT; i++)
		if (strcmp(state_keys[i], key) == 0)
			return i;
	return -1;
}

static int
has_file(const char *job, const char *file)
{
	char	*path;
	int	 yes;

	if ((path = ds_state_job_file(job, file, NULL)) == NULL)
		return 0;
	yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

void
ds_jobrec_free(struct ds_jobrec *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->staging);
	free(r->storage_account);
	free(r->container);
	free(r->location);
	free(r->return_address);
	free(r->set_id);
	free(r->updated_at);
	free(r);
}

static int
save(struct ds_jobrec *r, char **cause)
{
	json_t	*o;
	char	*path, when[32];
	int	 rc = DS_E_NOMEM;

	ds_now_iso(when, sizeof when);
	free(r->updated_at);
	if ((r->updated_at = strdup(when)) == NULL)
		return DS_E_NOMEM;
	if ((path = ds_state_job_file(r->name, REC_FILE, cause)) == NULL)
		return DS_E_STATEDIR;
	if ((o = json_object()) != NULL &&
	    ds_jset(o, "name", r->name) == 0 &&
	    ds_jset(o, "state", ds_jobrec_state_key(r->state)) == 0 &&
	    ds_jset(o, "staging", r->staging) == 0 &&
	    ds_jset(o, "storageAccount", r->storage_account) == 0 &&
	    ds_jset(o, "container", r->container) == 0 &&
	    ds_jset(o, "location", r->location) == 0 &&
	    ds_jset(o, "returnAddress", r->return_address) == 0 &&
	    ds_jset(o, "setId", r->set_id) == 0 &&
	    ds_jset(o, "updatedAt", r->updated_at) == 0)
		rc = ds_jwrite_file(path, o, cause);
	json_decref(o);
	free(path);
	return rc;
}

/*
 * A record for a job that an older diskseed left without job.json, in
 * the state its other files show; DS_E_NOTFOUND when it has none.
 */
static int
load_legacy(const char *job, struct ds_jobrec **out, char **cause)
{
	struct ds_prepared	*p = NULL;
	struct ds_jobrec	*r;

	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->name = strdup(job)) == NULL) {
		ds_jobrec_free(r);
		return DS_E_NOMEM;
	}
	if (has_file(job, "shipping.json"))
		r->state = DS_JOBREC_SHIPPING;
	else if (has_file(job, "importjob.json"))
		r->state = DS_JOBREC_CREATED;
	else if (ds_prepared_load(job, &p, NULL) == DS_E_OK)
		r->state = p->finished ? DS_JOBREC_PREPARED :
		    DS_JOBREC_PREPARING;
	else if (has_file(job, "journal"))
		r->state = DS_JOBREC_PREPARING;
	else {
		ds_jobrec_free(r);
		return ds_cause(cause, DS_E_NOTFOUND, _("no job named %s"),
		    job);
	}
	if (p != NULL) {
		r->staging = p->staging != NULL ? strdup(p->staging) : NULL;
		r->set_id = p->set_id != NULL ? strdup(p->set_id) : NULL;
		ds_prepared_free(p);
	}
	*out = r;
	return DS_E_OK;
}

int
ds_jobrec_load(const char *job, struct ds_jobrec **out, char **cause)
{
	struct ds_jobrec	*r;
	json_t			*o;
	char			*path, *st;
	int			 rc, s;

	*out = NULL;
	if ((path = ds_state_job_file(job, REC_FILE, cause)) == NULL)
		return DS_E_BADNAME;
	rc = ds_jread_file(path, REC_MAX, &o, cause);
	if (rc == DS_E_NOTFOUND) {
		free(path);
		/* No job.json yet: the older files say, or the cause. */
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		return load_legacy(job, out, cause);
	}
	if (rc != DS_E_OK) {
		free(path);
		return rc;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		json_decref(o);
		free(path);
		return DS_E_NOMEM;
	}
	r->name = strdup(job);
	st = ds_jstr(o, "state");
	s = state_from_key(st);
	free(st);
	r->staging = ds_jstr(o, "staging");
	r->storage_account = ds_jstr(o, "storageAccount");
	r->container = ds_jstr(o, "container");
	r->location = ds_jstr(o, "location");
	r->return_address = ds_jstr(o, "returnAddress");
	r->set_id = ds_jstr(o, "setId");
	r->updated_at = ds_jstr(o, "updatedAt");
	json_decref(o);
	if (s < 0 || r->name == NULL) {
		ds_jobrec_free(r);
		rc = ds_cause(cause, DS_E_PARSE, _("%s: no valid state"),
		    path);
		free(path);
		return rc;
	}
	free(path);
	r->state = s;
	*out = r;
	return DS_E_OK;
}

int
ds_jobrec_exists(const char *name)
{
	struct ds_jobrec	*r;

	if (ds_jobrec_load(name, &r, NULL) != DS_E_OK)
		return 0;
	ds_jobrec_free(r);
	return 1;
}

/* What to tell a user who asked for a name that JOB already has. */
static int
refuse_existing(const struct ds_jobrec *r, char **cause)
{
	if (r->state < DS_JOBREC_PREPARED)
		return ds_cause(cause, DS_E_JOBEXISTS, _("job %s already "
		    "exists (%s): continue it with --resume, or choose "
		    "another job name"), r->name,
		    ds_jobrec_state_name(r->state));
	return ds_cause(cause, DS_E_JOBEXISTS, _("job %s already exists "
	    "(%s): its drives are made; choose another job name for new "
	    "drives"), r->name, ds_jobrec_state_name(r->state));
}

/* Whether the record's staging is STAGING (as a real path). */
static int
staging_is(const struct ds_jobrec *r, const char *staging)
{
	char real[PATH_MAX];

	return r->staging != NULL && realpath(staging, real) != NULL &&
	    strcmp(real, r->staging) == 0;
}

/* ds_jobrec_load, where no record is not an error: DS_E_NOTFOUND
 * leaves no cause behind for a caller that goes on. */
static int
load_if_any(const char *job, struct ds_jobrec **out, char **cause)
{
	int rc = ds_jobrec_load(job, out, cause);

	if (rc == DS_E_NOTFOUND && cause != NULL) {
		free(*cause);
		*cause = NULL;
	}
	return rc;
}

int
ds_jobrec_claim(const char *name, const char *staging, int resume,
    char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	if ((rc = ds_name_check_job(name, cause)) != DS_E_OK)
		return rc;
	if ((rc = load_if_any(name, &r, cause)) != DS_E_OK)
		return rc == DS_E_NOTFOUND ? DS_E_OK : rc;
	rc = DS_E_OK;
	if (!resume && r->state != DS_JOBREC_DRAFT)
		rc = refuse_existing(r, cause);
	else if (staging != NULL && r->staging != NULL &&
	    !staging_is(r, staging))
		rc = ds_cause(cause, DS_E_JOBEXISTS, _("job %s (%s) is the "
		    "copy of %s: choose another job name for %s"), r->name,
		    ds_jobrec_state_name(r->state), r->staging, staging);
	ds_jobrec_free(r);
	return rc;
}

/* Sets *slot to the absolute form of DIR (or NULL). */
static int
set_abs(char **slot, const char *dir, char **cause)
{
	char	 real[PATH_MAX], *v;

	if (dir == NULL || *dir == '\0') {
		free(*slot);
		*slot = NULL;
		return DS_E_OK;
	}
	if (realpath(dir, real) == NULL)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", dir,
		    strerror(errno));
	if ((v = strdup(real)) == NULL)
		return DS_E_NOMEM;
	free(*slot);
	*slot = v;
	return DS_E_OK;
}

int
ds_jobrec_new(const char *name, const char *staging, struct ds_jobrec **out,
    char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	*out = NULL;
	if ((rc = ds_name_check_job(name, cause)) != DS_E_OK)
		return rc;
	if (ds_jobrec_load(name, &r, NULL) == DS_E_OK) {
		rc = refuse_existing(r, cause);
		ds_jobrec_free(r);
		return rc;
	}
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		ds_jobrec_free(r);
		return DS_E_NOMEM;
	}
	r->state = DS_JOBREC_DRAFT;
	if ((rc = set_abs(&r->staging, staging, cause)) != DS_E_OK ||
	    (rc = save(r, cause)) != DS_E_OK) {
		ds_jobrec_free(r);
		return rc;
	}
	*out = r;
	return DS_E_OK;
}

int
ds_jobrec_editable(const struct ds_jobrec *r)
{
	return r->state < DS_JOBREC_CREATED;
}

/* Checks VALUE for field F by the name rules (src/names.c). */
static int
check_field(enum ds_jobrec_field f, const char *v, char **cause)
{
	switch (f) {
	case DS_JOBREC_ACCOUNT:
		return ds_name_check_account(v, cause);
	case DS_JOBREC_CONTAINER:
		return ds_name_check_container(v, cause);
	case DS_JOBREC_LOCATION:
		return ds_name_check_location(v, cause);
	default:
		return DS_E_OK;
	}
}

int
ds_jobrec_set(struct ds_jobrec *r, enum ds_jobrec_field f, const char *v,
    char **cause)
{
	struct ds_jobrec	*now, *old;
	char			**slot;
	int			 rc;

	/* The stored record decides, not a copy loaded minutes ago. */
	if ((rc = ds_jobrec_load(r->name, &now, cause)) != DS_E_OK)
		return rc;
	if (!ds_jobrec_editable(now)) {
		rc = ds_cause(cause, DS_E_JOBSTATE, _("job %s is %s at the "
		    "service: its details can no longer change"), now->name,
		    ds_jobrec_state_name(now->state));
		ds_jobrec_free(now);
		return rc;
	}
	if (v != NULL && *v == '\0')
		v = NULL;
	if (v != NULL && (rc = check_field(f, v, cause)) != DS_E_OK) {
		ds_jobrec_free(now);
		return rc;
	}
	switch (f) {
	case DS_JOBREC_STAGING:
		slot = &now->staging;
		break;
	case DS_JOBREC_ACCOUNT:
		slot = &now->storage_account;
		break;
	case DS_JOBREC_CONTAINER:
		slot = &now->container;
		break;
	case DS_JOBREC_LOCATION:
		slot = &now->location;
		break;
	default:
		slot = &now->return_address;
		break;
	}
	if (f == DS_JOBREC_STAGING)
		rc = set_abs(slot, v, cause);
	else {
		free(*slot);
		*slot = NULL;
		if (v != NULL && (*slot = strdup(v)) == NULL)
			rc = DS_E_NOMEM;
	}
	if (rc == DS_E_OK)
		rc = save(now, cause);
	if (rc != DS_E_OK) {
		ds_jobrec_free(now);
		return rc;
	}
	/* Hand the stored record back in place of the caller's. */
	old = calloc(1, sizeof *old);
	if (old == NULL) {
		ds_jobrec_free(now);
		return DS_E_NOMEM;
	}
	*old = *r;
	*r = *now;
	free(now);
	ds_jobrec_free(old);
	return DS_E_OK;
}

/* Whether the job model lets a job in state FROM go to TO. */
static int
may_move(enum ds_jobrec_state from, enum ds_jobrec_state to)
{
	if (to == DS_JOBREC_CANCELED)
		return from < DS_JOBREC_SHIPPING || from == to;
	if (from == DS_JOBREC_CANCELED)
		return 0;
	if (from == DS_JOBREC_PREPARED && to == DS_JOBREC_PREPARING)
		return 1;	/* more drives for a set not yet created */
	return to >= from;
}

int
ds_jobrec_move(const char *job, enum ds_jobrec_state to,
    const char *set_id, char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	rc = load_if_any(job, &r, cause);
	if (rc == DS_E_NOTFOUND && (to == DS_JOBREC_PREPARING ||
	    to == DS_JOBREC_DRAFT))
		rc = ds_jobrec_new(job, NULL, &r, cause);
	if (rc != DS_E_OK)
		return rc;
	if (!may_move(r->state, to)) {
		rc = ds_cause(cause, DS_E_JOBSTATE, _("job %s is %s; it "
		    "cannot become %s"), job, ds_jobrec_state_name(r->state),
		    ds_jobrec_state_name(to));
		ds_jobrec_free(r);
		return rc;
	}
	r->state = to;
	if (set_id != NULL) {
		free(r->set_id);
		if ((r->set_id = strdup(set_id)) == NULL) {
			ds_jobrec_free(r);
			return DS_E_NOMEM;
		}
	}
	rc = save(r, cause);
	ds_jobrec_free(r);
	return rc;
}

int
ds_jobrec_created(const char *job, char **cause)
{
	return ds_jobrec_move(job, DS_JOBREC_CREATED, NULL, cause);
}

int
ds_jobrec_deleted(const char *job, char **cause)
{
	struct ds_jobrec	*r;
	int			 rc;

	if ((rc = load_if_any(job, &r, cause)) != DS_E_OK)
		return rc == DS_E_NOTFOUND ? DS_E_OK : rc;
	/* The drives still hold the set: it may be created again. */
	rc = DS_E_OK;
	if (r->state >= DS_JOBREC_CREATED) {
		r->state = DS_JOBREC_PREPARED;
		rc = save(r, cause);
	}
	ds_jobrec_free(r);
	return rc;
}

int
ds_jobrec_track(const char *job, const char *service_state, char **cause)
{
	struct ds_jobrec	*r;
	int			 s, rc;

	if ((s = ds_jobrec_state_from_service(service_state)) < 0)
		return DS_E_OK;
	if ((rc = load_if_any(job, &r, cause)) != DS_E_OK)
		return rc == DS_E_NOTFOUND ? DS_E_OK : rc;
	/* The service is the authority once it has the job. */
	rc = DS_E_OK;
	if (r->state != (enum ds_jobrec_state)s) {
		r->state = s;
		rc = save(r, cause);
	}
	ds_jobrec_free(r);
	return rc;
}

/* Every job (any file of a job) whose record MATCH (NULL: all) takes. */
static int
list_jobs(int (*match)(const struct ds_jobrec *, const void *),
    const void *arg, char ***jobs, size_t *n, char **cause)
{
	struct ds_jobrec	*r;
	char			**v;
	size_t			 i, count, kept = 0;
	int			 rc;

	if ((rc = ds_state_jobs(NULL, &v, &count, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < count; i++) {
		if (ds_jobrec_load(v[i], &r, NULL) == DS_E_OK &&
		    (match == NULL || match(r, arg)))
			v[kept++] = v[i];
		else
			free(v[i]);
		ds_jobrec_free(r);
	}
	*jobs = v;
	*n = kept;
	return DS_E_OK;
}

static int
same_staging(const struct ds_jobrec *r, const void *arg)
{
	return r->staging != NULL && strcmp(r->staging, arg) == 0;
}

int
ds_jobrec_by_staging(const char *staging, char ***jobs, size_t *n,
    char **cause)
{
	char real[PATH_MAX];

	*jobs = NULL;
	*n = 0;
	if (realpath(staging, real) == NULL)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", staging,
		    strerror(errno));
	return list_jobs(same_staging, real, jobs, n, cause);
}

int
ds_jobrec_list(char ***jobs, size_t *n, char **cause)
{
	return list_jobs(NULL, NULL, jobs, n, cause);
}

/* Checks that drive D holds drive D->index of set SET_ID of JOB. */
static int
check_drive(const char *job, const char *set_id,
    const struct ds_prepared_drive *d, char **cause)
{
	struct ds_gate_seed	s;
	int			rc;

	if ((rc = ds_gate_seed_read(d->path, &s, cause)) != DS_E_OK)
		return rc;
	if (!s.is_seed || strcmp(s.job, job) != 0 ||
	    strcasecmp(s.set_id, set_id) != 0 || (int)s.index != d->index ||
	    !s.complete)
		rc = ds_cause(cause, DS_E_NOT_VERIFIED, _("%s is not drive %d "
		    "of job %s's set, complete"), d->path, d->index + 1, job);
	ds_gate_seed_clear(&s);
	return rc;
}

int
ds_jobrec_check_set(const char *job, char **cause)
{
	struct ds_jobrec	*r = NULL;
	struct ds_prepared	*p = NULL;
	struct ds_walk		 w;
	char			 a[32], b[32];
	size_t			 i;
	int			 rc;

	memset(&w, 0, sizeof w);
	if ((rc = ds_jobrec_load(job, &r, cause)) != DS_E_OK ||
	    (rc = ds_prepared_load(job, &p, cause)) != DS_E_OK)
		goto out;
	if (!p->finished || p->ndrives == 0 || p->set_id == NULL ||
	    r->set_id == NULL || strcasecmp(p->set_id, r->set_id) != 0 ||
	    p->staging == NULL) {
		rc = ds_cause(cause, DS_E_NOT_VERIFIED, _("job %s: the drive "
		    "set is not finished, or is not this job's"), job);
		goto out;
	}
	for (i = 0; i < p->ndrives; i++)
		if ((rc = check_drive(job, p->set_id, &p->drives[i], cause)) !=
		    DS_E_OK)
			goto out;
	if ((rc = ds_walk_dir(p->staging, NULL, NULL, NULL, &w, cause)) !=
	    DS_E_OK)
		goto out;
	if (w.bytes != p->bytes_total)
		rc = ds_cause(cause, DS_E_NOT_VERIFIED, _("job %s: %s holds "
		    "%s now, the drives were made from %s"), job, p->staging,
		    ds_human_size(a, sizeof a, w.bytes),
		    ds_human_size(b, sizeof b, p->bytes_total));
out:
	ds_walk_clear(&w);
	ds_prepared_free(p);
	ds_jobrec_free(r);
	return rc;
}
