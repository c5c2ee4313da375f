/* SPDX-License-Identifier: MIT */
/* Local records of import jobs and their shipping details. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "error.h"
#include "jobrec.h"
#include "jobstore.h"
#include "jsonx.h"
#include "names.h"
#include "settings.h"
#include "state.h"
#include "util.h"

#define RECORD_MAX	(1024 * 1024)
#define RECORD_FILE	"importjob.json"
#define SHIPPING_FILE	"shipping.json"

void
ds_job_record_free(struct ds_job_record *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->subscription_id);
	free(r->resource_group);
	free(r->location);
	free(r->storage_account);
	free(r->container);
	free(r->created_at);
	free(r);
}

int
ds_jobstore_save(const struct ds_job_record *r, char **cause)
{
	json_t	*o;
	char	*path;
	int	 rc = DS_E_NOMEM;

	if ((path = ds_state_job_file(r->name, RECORD_FILE, cause)) == NULL)
		return DS_E_STATEDIR;
	if ((o = json_object()) != NULL &&
	    ds_jset(o, "name", r->name) == 0 &&
	    ds_jset(o, "subscriptionId", r->subscription_id) == 0 &&
	    ds_jset(o, "resourceGroup", r->resource_group) == 0 &&
	    ds_jset(o, "location", r->location) == 0 &&
	    ds_jset(o, "storageAccount", r->storage_account) == 0 &&
	    ds_jset(o, "container", r->container) == 0 &&
	    ds_jset(o, "createdAt", r->created_at) == 0)
		rc = ds_jwrite_file(path, o, cause);
	json_decref(o);
	free(path);
	return rc;
}

int
ds_jobstore_load(const char *job, struct ds_job_record **out, char **cause)
{
	struct ds_job_record	*r;
	json_t			*o;
	char			*path;
	int			 rc;

	*out = NULL;
	if ((path = ds_state_job_file(job, RECORD_FILE, cause)) == NULL)
		return DS_E_BADNAME;
	rc = ds_jread_file(path, RECORD_MAX, &o, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((r = calloc(1, sizeof *r)) == NULL) {
		json_decref(o);
		return DS_E_NOMEM;
	}
	r->name = ds_jstr(o, "name");
	r->subscription_id = ds_jstr(o, "subscriptionId");
	r->resource_group = ds_jstr(o, "resourceGroup");
	r->location = ds_jstr(o, "location");
	r->storage_account = ds_jstr(o, "storageAccount");
	r->container = ds_jstr(o, "container");
	r->created_at = ds_jstr(o, "createdAt");
	json_decref(o);
	if (r->name == NULL || r->resource_group == NULL) {
		ds_job_record_free(r);
		return ds_cause(cause, DS_E_PARSE, _("%s: incomplete job "
		    "record"), job);
	}
	*out = r;
	return DS_E_OK;
}

int
ds_jobstore_create(struct ds_api *api, const struct ds_job_spec *spec,
    struct ds_job **out, char **cause)
{
	const struct ds_settings	*s = ds_api_settings(api);
	struct ds_job_record		 rec;
	char				 when[32];
	int				 rc;

	if ((rc = ds_api_job_create(api, spec, out, cause)) != DS_E_OK)
		return rc;
	ds_now_iso(when, sizeof when);
	memset(&rec, 0, sizeof rec);
	rec.name = (*out)->name;
	rec.subscription_id = s->subscription_id;
	rec.resource_group = spec->resource_group != NULL ?
	    (char *)spec->resource_group : s->resource_group;
	rec.location = (*out)->location != NULL ? (*out)->location :
	    (char *)spec->location;
	rec.storage_account = (char *)spec->storage_account;
	rec.container = (char *)spec->container;
	rec.created_at = when;
	if ((rc = ds_jobstore_save(&rec, cause)) != DS_E_OK ||
	    (rc = ds_jobrec_created(spec->name, cause)) != DS_E_OK) {
		ds_job_free(*out);
		*out = NULL;
	}
	return rc;
}

int
ds_jobstore_cancel(struct ds_api *api, const char *rg, const char *job,
    struct ds_job **out, char **cause)
{
	struct ds_job	*now = NULL;
	int		 rc, s;

	*out = NULL;
	if ((rc = ds_api_job_get(api, rg, job, &now, cause)) != DS_E_OK)
		return rc;
	s = ds_jobrec_state_from_service(now->state);
	ds_jobrec_track(job, now->state, NULL);
	if (s >= DS_JOBREC_SHIPPING && s != DS_JOBREC_CANCELED) {
		rc = ds_cause(cause, DS_E_JOBSTATE, _("job %s is %s at the "
		    "service: a job can be canceled only before it ships"),
		    job, now->state);
		ds_job_free(now);
		return rc;
	}
	ds_job_free(now);
	if ((rc = ds_api_job_cancel(api, rg, job, out, cause)) == DS_E_OK)
		ds_jobrec_move(job, DS_JOBREC_CANCELED, NULL, NULL);
	return rc;
}

int
ds_jobstore_list(char ***names, size_t *n, char **cause)
{
	return ds_state_jobs(RECORD_FILE, names, n, cause);
}

void
ds_shipment_free(struct ds_shipment *s)
{
	if (s == NULL)
		return;
	free(s->job);
	free(s->resource_group);
	if (s->package != NULL) {
		free(s->package->carrier);
		free(s->package->tracking);
		free(s->package->ship_date);
		free(s->package);
	}
	ds_address_free(s->return_address);
	free(s->committed_at);
	free(s);
}

int
ds_ship_load(const char *job, struct ds_shipment **out, char **cause)
{
	struct ds_shipment	*s;
	json_t			*o, *p, *ra;
	char			*path;
	int			 rc;

	*out = NULL;
	if ((path = ds_state_job_file(job, SHIPPING_FILE, cause)) == NULL)
		return DS_E_BADNAME;
	rc = ds_jread_file(path, RECORD_MAX, &o, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->package = calloc(1, sizeof *s->package)) == NULL) {
		free(s);
		json_decref(o);
		return DS_E_NOMEM;
	}
	s->job = ds_jstr(o, "job");
	s->resource_group = ds_jstr(o, "resourceGroup");
	s->committed_at = ds_jstr(o, "committedAt");
	p = json_object_get(o, "deliveryPackage");
	s->package->carrier = ds_jstr(p, "carrierName");
	s->package->tracking = ds_jstr(p, "trackingNumber");
	s->package->drive_count = (long)ds_jint(p, "driveCount", 0);
	s->package->ship_date = ds_jstr(p, "shipDate");
	ra = json_object_get(o, "returnAddress");
	if (json_is_object(ra) &&
	    (s->return_address = malloc(sizeof *s->return_address)) != NULL)
		ds_address_read(ra, NULL, s->return_address);
	json_decref(o);
	if (s->package->tracking == NULL) {
		ds_shipment_free(s);
		return ds_cause(cause, DS_E_PARSE, _("%s: incomplete shipping "
		    "record"), job);
	}
	*out = s;
	return DS_E_OK;
}

/* Refuses TRACKING when a job other than JOB already has it. */
static int
tracking_free(struct ds_api *api, const char *job, const char *tracking,
    char **cause)
{
	struct ds_shipment	*s;
	struct ds_job		**jobs;
	char			**names;
	size_t			  n, i;
	int			  rc, used = 0;

	if ((rc = ds_state_jobs(SHIPPING_FILE, &names, &n, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (!used && strcmp(names[i], job) != 0 &&
		    ds_ship_load(names[i], &s, NULL) == DS_E_OK) {
			if (strcasecmp(s->package->tracking, tracking) == 0) {
				used = 1;
				ds_cause(cause, DS_E_TRACKINGUSED,
				    _("%s is the tracking number of job %s "
				    "(recorded locally)"), tracking, names[i]);
			}
			ds_shipment_free(s);
		}
		free(names[i]);
	}
	free(names);
	if (used)
		return DS_E_TRACKINGUSED;
	if ((rc = ds_api_job_list(api, &jobs, &n, cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < n && !used; i++) {
		const struct ds_package *p = jobs[i]->delivery;
		if (p == NULL || p->tracking == NULL ||
		    strcmp(jobs[i]->name, job) == 0)
			continue;
		if (strcasecmp(p->tracking, tracking) == 0) {
			used = 1;
			ds_cause(cause, DS_E_TRACKINGUSED, _("%s is the "
			    "tracking number of job %s"), tracking,
			    jobs[i]->name);
		}
	}
	ds_jobs_free(jobs, n);
	return used ? DS_E_TRACKINGUSED : DS_E_OK;
}

int
ds_ship_prepare(struct ds_api *api, const struct ds_shipment *s,
    struct ds_job **jobp, char **cause)
{
	struct ds_location	*loc = NULL;
	struct ds_job		*job = NULL;
	const char		*t;
	size_t			 i;
	int			 rc, known = 0;

	*jobp = NULL;
	if ((rc = ds_name_check_job(s->job, cause)) != DS_E_OK)
		return rc;
	if (s->package == NULL || s->package->carrier == NULL ||
	    *s->package->carrier == '\0' || s->package->tracking == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("the carrier and the tracking number are required"));
	for (t = s->package->tracking; *t != '\0'; t++) {
		if (!((*t >= '0' && *t <= '9') || (*t >= 'A' && *t <= 'Z') ||
		    (*t >= 'a' && *t <= 'z') || *t == '-'))
			break;
	}
	if (*t != '\0' || strlen(s->package->tracking) < 4 ||
	    strlen(s->package->tracking) > 64)
		return ds_cause(cause, DS_E_BADNAME, _("tracking number '%s': "
		    "4 to 64 letters, digits and hyphens"),
		    s->package->tracking);
	if (s->package->drive_count < 0 || s->package->drive_count > 10)
		return ds_cause(cause, DS_E_INVAL, _("drive count %ld: from 1 "
		    "to 10"), s->package->drive_count);
	if (s->return_address != NULL &&
	    (rc = ds_address_check(s->return_address, cause)) != DS_E_OK)
		return rc;
	if ((rc = tracking_free(api, s->job, s->package->tracking, cause)) !=
	    DS_E_OK)
		return rc;
	if ((rc = ds_api_job_get(api, s->resource_group, s->job, &job,
	    cause)) != DS_E_OK)
		return rc;
	if (job->state != NULL && strcmp(job->state, "Creating") != 0) {
		rc = ds_cause(cause, DS_E_INVAL, _("job %s is in state %s; "
		    "shipping details can be sent only while it is Creating"),
		    s->job, job->state);
		goto fail;
	}
	if (s->return_address == NULL && job->return_address == NULL) {
		rc = ds_cause(cause, DS_E_INVAL, "%s", _("the job has no "
		    "return address; give one with --return-address"));
		goto fail;
	}
	if (s->package->drive_count > 0 &&
	    (size_t)s->package->drive_count != job->ndrives) {
		rc = ds_cause(cause, DS_E_INVAL, _("the package holds %ld "
		    "drives but the job lists %zu"), s->package->drive_count,
		    job->ndrives);
		goto fail;
	}
	if (job->location != NULL && ds_api_location_get(api, job->location,
	    &loc, NULL) == DS_E_OK && loc->ncarriers > 0) {
		for (i = 0; i < loc->ncarriers; i++)
			known |= strcasecmp(loc->carriers[i],
			    s->package->carrier) == 0;
		if (!known) {
			rc = ds_cause(cause, DS_E_INVAL, _("carrier %s is not "
			    "supported at %s"), s->package->carrier,
			    job->location);
			goto fail;
		}
	}
	ds_location_free(loc);
	*jobp = job;
	return DS_E_OK;
fail:
	ds_location_free(loc);
	ds_job_free(job);
	return rc;
}

/*
 * After a failed PATCH (RC), looks whether the service did apply it (an
 * answer lost to a dropped connection, then a retry refused as the job
 * had moved on): the job is Shipping with this tracking number.
 */
static int
already_shipped(struct ds_api *api, const struct ds_shipment *s, int rc,
    struct ds_job **out, char **cause)
{
	struct ds_job *job;

	if (rc != DS_E_SERVICE && rc != DS_E_UNREACHABLE &&
	    rc != DS_E_BADANSWER)
		return rc;
	if (ds_api_job_get(api, s->resource_group, s->job, &job, NULL) != 0)
		return rc;
	if (job->state != NULL && strcmp(job->state, "Shipping") == 0 &&
	    job->delivery != NULL && job->delivery->tracking != NULL &&
	    strcasecmp(job->delivery->tracking, s->package->tracking) == 0) {
		free(*cause);
		*cause = NULL;
		*out = job;
		return DS_E_OK;
	}
	ds_job_free(job);
	return rc;
}

int
ds_ship_commit(struct ds_api *api, struct ds_shipment *s,
    struct ds_job **out, char **pathp, char **cause)
{
	const struct ds_address	*ra;
	json_t			*o = NULL, *p, *a;
	char			*path = NULL, when[32];
	int			 rc;

	*out = NULL;
	*pathp = NULL;
	if ((rc = ds_api_job_ship(api, s->resource_group, s->job,
	    s->return_address, s->package, out, cause)) != DS_E_OK &&
	    (rc = already_shipped(api, s, rc, out, cause)) != DS_E_OK)
		return rc;
	ds_now_iso(when, sizeof when);
	free(s->committed_at);
	s->committed_at = strdup(when);
	ra = s->return_address != NULL ? s->return_address :
	    (*out)->return_address;
	rc = DS_E_NOMEM;
	if ((path = ds_state_job_file(s->job, SHIPPING_FILE, cause)) == NULL) {
		rc = DS_E_STATEDIR;
		goto out;
	}
	if ((o = json_object()) == NULL || (p = json_object()) == NULL)
		goto out;
	if (ds_jset(o, "job", s->job) != 0 ||
	    ds_jset(o, "subscriptionId", ds_api_settings(api)->subscription_id)
	    != 0 ||
	    ds_jset(o, "resourceGroup", s->resource_group != NULL ?
	    s->resource_group : ds_api_settings(api)->resource_group) != 0 ||
	    ds_jset(o, "committedAt", when) != 0 ||
	    ds_jset(o, "state", (*out)->state) != 0 ||
	    json_object_set_new(o, "deliveryPackage", p) != 0 ||
	    ds_jset(p, "carrierName", s->package->carrier) != 0 ||
	    ds_jset(p, "trackingNumber", s->package->tracking) != 0 ||
	    (s->package->drive_count > 0 && json_object_set_new(p,
	    "driveCount", json_integer(s->package->drive_count)) != 0) ||
	    ds_jset(p, "shipDate", s->package->ship_date) != 0)
		goto out;
	if (ra != NULL) {
		if ((a = ds_address_json(ra)) == NULL ||
		    json_object_set_new(o, "returnAddress", a) != 0)
			goto out;
	}
	if ((rc = ds_jwrite_file(path, o, cause)) != DS_E_OK)
		goto out;
	/* The record follows the service; it was sent whatever this says. */
	ds_jobrec_track(s->job, (*out)->state, NULL);
	*pathp = path;
	path = NULL;
out:
	json_decref(o);
	free(path);
	return rc;
}
