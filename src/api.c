/* SPDX-License-Identifier: MIT */
/* The Microsoft.ImportExport operations and their JSON models. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "error.h"
#include "http.h"
#include "jsonx.h"
#include "names.h"
#include "prepared.h"
#include "settings.h"
#include "state.h"
#include "util.h"

#define PROVIDER	"/providers/Microsoft.ImportExport"
#define ADDRESS_MAX	(64 * 1024)
#define MAX_DRIVES	10
#define MAX_PAGES	1000

struct ds_api {
	struct ds_settings	*owned;
	const struct ds_settings *s;
	struct ds_http_conf	 conf;
	char			*lang;
	char			*base;	/* url without a trailing slash */
};

int
ds_api_open_with(const struct ds_settings *s, struct ds_api **out,
    char **cause)
{
	struct ds_api	*api;
	size_t		 len;

	*out = NULL;
	if ((api = calloc(1, sizeof *api)) == NULL)
		return DS_E_NOMEM;
	api->s = s;
	api->lang = ds_http_accept_language();
	if ((api->base = strdup(s->url)) == NULL) {
		ds_api_close(api);
		return DS_E_NOMEM;
	}
	len = strlen(api->base);
	while (len > 0 && api->base[len - 1] == '/')
		api->base[--len] = '\0';
	if (strncasecmp(api->base, "https://", 8) != 0) {
		ds_api_close(api);
		return ds_cause(cause, DS_E_BADSETTINGS, _("the service URL "
		    "must start with https://: %s"), s->url);
	}
	api->conf.ca_file = s->ca_file;
	api->conf.proxy = s->proxy;
	api->conf.cert_pem = s->cert_pem;
	api->conf.key_pem = s->key_pem;
	api->conf.accept_language = api->lang;
	api->conf.connect_timeout = s->connect_timeout;
	api->conf.total_timeout = s->total_timeout;
	api->conf.retries = s->retries;
	*out = api;
	return DS_E_OK;
}

int
ds_api_open(struct ds_api **out, char **cause)
{
	struct ds_settings	*s;
	int			 rc;

	*out = NULL;
	if ((rc = ds_settings_load(&s, cause)) != DS_E_OK)
		return rc;
	if ((rc = ds_api_open_with(s, out, cause)) != DS_E_OK) {
		ds_settings_free(s);
		return rc;
	}
	(*out)->owned = s;
	return DS_E_OK;
}

const struct ds_settings *
ds_api_settings(const struct ds_api *api)
{
	return api->s;
}

void
ds_api_close(struct ds_api *api)
{
	if (api == NULL)
		return;
	ds_settings_free(api->owned);
	free(api->lang);
	free(api->base);
	free(api);
}

/* Builds the message of a failed answer from its ErrorResponse. */
static int
answer_error(const struct ds_http_resp *r, const char *what, char **cause)
{
	json_t		*o, *e, *details, *d;
	json_error_t	 je;
	const char	*code = NULL, *msg = NULL, *target = NULL;
	char		*extra = NULL, *tmp;
	size_t		 i;
	int		 rc;

	o = json_loadb(r->body, r->len, 0, &je);
	e = json_object_get(o, "error");
	code = json_string_value(json_object_get(e, "code"));
	/* A 403 AuthorizationFailed (a storage account that is not the
	 * subscription's) refuses the request, not the certificate. */
	if (r->status == 401 || (r->status == 403 && (code == NULL ||
	    strcmp(code, "AuthorizationFailed") != 0)))
		rc = DS_E_AUTH;
	else if (r->status == 404)
		rc = DS_E_NOTFOUND;
	else
		rc = DS_E_SERVICE;
	if (json_is_object(e)) {
		msg = json_string_value(json_object_get(e, "message"));
		target = json_string_value(json_object_get(e, "target"));
		details = json_object_get(e, "details");
		json_array_foreach(details, i, d) {
			const char *dm = json_string_value(
			    json_object_get(d, "message"));
			if (dm == NULL)
				continue;
			if (asprintf(&tmp, "%s; %s", extra != NULL ? extra : "",
			    dm) == -1)
				break;
			free(extra);
			extra = tmp;
		}
	}
	if (code == NULL && msg == NULL)
		ds_cause(cause, rc, _("%s: HTTP %ld with no error description"),
		    what, r->status);
	else
		ds_cause(cause, rc, "%s: HTTP %ld %s: %s%s%s%s%s", what,
		    r->status, code != NULL ? code : "", msg != NULL ? msg : "",
		    target != NULL ? " (" : "", target != NULL ? target : "",
		    target != NULL ? ")" : "", extra != NULL ? extra : "");
	free(extra);
	json_decref(o);
	return rc;
}

/*
 * Sends METHOD to PATH (below the base URL) with BODY and parses the
 * answer into *out (NULL when OUT is NULL or the answer is empty).
 */
static int
call(struct ds_api *api, const char *method, const char *path,
    const char *query, const json_t *body, const char *what, json_t **out,
    char **cause)
{
	struct ds_http_resp	 r;
	json_error_t		 je;
	json_t			*o;
	char			*url = NULL, *text = NULL;
	int			 rc;

	if (out != NULL)
		*out = NULL;
	/* A nextLink is absolute; its scheme in any case, as checked. */
	if (strncasecmp(path, "https://", 8) == 0)
		url = strdup(path);
	else if (asprintf(&url, "%s%s?api-version=%s%s", api->base, path,
	    DS_API_VERSION, query != NULL ? query : "") == -1)
		url = NULL;
	if (url == NULL)
		return DS_E_NOMEM;
	if (body != NULL && (text = ds_jdump(body)) == NULL) {
		free(url);
		return DS_E_NOMEM;
	}
	rc = ds_http_request(&api->conf, method, url, text, &r, cause);
	if (text != NULL)
		ds_freezero(text, strlen(text));
	free(url);
	if (rc != DS_E_OK)
		return rc;
	if (r.status < 200 || r.status > 299) {
		rc = answer_error(&r, what, cause);
		if (rc == DS_E_AUTH && api->s->cert.expired && cause != NULL &&
		    *cause != NULL) {
			char *c = *cause;
			*cause = NULL;
			ds_cause(cause, rc, _("%s (the management certificate "
			    "%s has expired: import new publish settings)"), c,
			    api->s->cert.thumbprint);
			free(c);
		}
		goto out;
	}
	if (out == NULL || r.len == 0)
		goto out;
	memset(&je, 0, sizeof je);
	if ((o = json_loadb(r.body, r.len, 0, &je)) == NULL ||
	    !json_is_object(o)) {
		json_decref(o);
		rc = ds_cause(cause, DS_E_BADANSWER, _("%s: HTTP %ld but the "
		    "answer is not a JSON object (line %d: %s)"), what,
		    r.status, je.line, o == NULL ? je.text : "");
		goto out;
	}
	*out = o;
out:
	ds_http_resp_clear(&r);
	return rc;
}

static void
address_clear(struct ds_address *a)
{
	free(a->recipient_name);
	free(a->street1);
	free(a->street2);
	free(a->city);
	free(a->state);
	free(a->postal_code);
	free(a->country);
	free(a->phone);
	free(a->email);
	free(a->additional);
	memset(a, 0, sizeof *a);
}

void
ds_address_free(struct ds_address *a)
{
	if (a == NULL)
		return;
	address_clear(a);
	free(a);
}

void
ds_address_read(const json_t *o, const char *additional,
    struct ds_address *a)
{
	memset(a, 0, sizeof *a);
	a->recipient_name = ds_jstr(o, "recipientName");
	a->street1 = ds_jstr(o, "streetAddress1");
	a->street2 = ds_jstr(o, "streetAddress2");
	a->city = ds_jstr(o, "city");
	a->state = ds_jstr(o, "stateOrProvince");
	a->postal_code = ds_jstr(o, "postalCode");
	a->country = ds_jstr(o, "countryOrRegion");
	a->phone = ds_jstr(o, "phone");
	a->email = ds_jstr(o, "email");
	if (additional != NULL)
		a->additional = ds_jstr(o, additional);
}

static struct ds_address *
address_new(const json_t *o, const char *additional)
{
	struct ds_address *a;

	if (!json_is_object(o) || (a = malloc(sizeof *a)) == NULL)
		return NULL;
	ds_address_read(o, additional, a);
	return a;
}

json_t *
ds_address_json(const struct ds_address *a)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (ds_jset(o, "recipientName", a->recipient_name) != 0 ||
	    ds_jset(o, "streetAddress1", a->street1) != 0 ||
	    ds_jset(o, "streetAddress2", a->street2) != 0 ||
	    ds_jset(o, "city", a->city) != 0 ||
	    ds_jset(o, "stateOrProvince", a->state) != 0 ||
	    ds_jset(o, "postalCode", a->postal_code) != 0 ||
	    ds_jset(o, "countryOrRegion", a->country) != 0 ||
	    ds_jset(o, "phone", a->phone) != 0 ||
	    ds_jset(o, "email", a->email) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
ds_address_check(const struct ds_address *a, char **cause)
{
	const struct {
		const char	*name;
		const char	*v;
	} req[] = {
		{ "recipientName", a->recipient_name },
		{ "streetAddress1", a->street1 },
		{ "city", a->city },
		{ "postalCode", a->postal_code },
		{ "countryOrRegion", a->country },
		{ "phone", a->phone },
		{ "email", a->email },
	};
	size_t i;

	for (i = 0; i < sizeof req / sizeof req[0]; i++) {
		if (req[i].v == NULL || *req[i].v == '\0')
			return ds_cause(cause, DS_E_INVAL, _("the return "
			    "address has no %s"), req[i].name);
	}
	if (strchr(a->email, '@') == NULL)
		return ds_cause(cause, DS_E_INVAL, _("the return address's "
		    "email is not an address: %s"), a->email);
	return DS_E_OK;
}

int
ds_address_load(const char *path, struct ds_address **out, char **cause)
{
	struct ds_address	*a = NULL;
	json_error_t		 je;
	json_t			*o;
	char			*text;
	size_t			 len;
	int			 rc;

	*out = NULL;
	if ((rc = ds_read_file(path, ADDRESS_MAX, &text, &len, cause)) != 0)
		return rc;
	o = json_loadb(text, len, 0, &je);
	free(text);
	if (!json_is_object(o)) {
		json_decref(o);
		return ds_cause(cause, DS_E_PARSE, _("%s: line %d: not a JSON "
		    "object with the ReturnAddress fields (%s)"), path,
		    je.line, je.text);
	}
	if ((a = address_new(o, NULL)) == NULL)
		rc = DS_E_NOMEM;
	else if ((rc = ds_address_check(a, cause)) != DS_E_OK) {
		char *c = *cause;
		*cause = NULL;
		ds_cause(cause, rc, "%s: %s", path, c);
		free(c);
	}
	json_decref(o);
	if (rc != DS_E_OK) {
		ds_address_free(a);
		return rc;
	}
	*out = a;
	return DS_E_OK;
}

static char **
strings_read(const json_t *arr, size_t *n)
{
	char	**v;
	size_t	  i, k = 0;
	json_t	 *e;

	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return NULL;
	if ((v = calloc(json_array_size(arr), sizeof *v)) == NULL)
		return NULL;
	json_array_foreach(arr, i, e) {
		if (json_is_string(e) &&
		    (v[k] = strdup(json_string_value(e))) != NULL)
			k++;
	}
	*n = k;
	return v;
}

static void
strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
location_clear(struct ds_location *l)
{
	free(l->id);
	free(l->name);
	address_clear(&l->address);
	strings_free(l->carriers, l->ncarriers);
	strings_free(l->alternates, l->nalternates);
	memset(l, 0, sizeof *l);
}

void
ds_location_free(struct ds_location *l)
{
	if (l == NULL)
		return;
	location_clear(l);
	free(l);
}

void
ds_locations_free(struct ds_location *locs, size_t n)
{
	size_t i;

	if (locs == NULL)
		return;
	for (i = 0; i < n; i++)
		location_clear(&locs[i]);
	free(locs);
}

static int
location_read(const json_t *o, struct ds_location *l, char **cause)
{
	const json_t *p = json_object_get(o, "properties");

	memset(l, 0, sizeof *l);
	l->id = ds_jstr(o, "id");
	l->name = ds_jstr(o, "name");
	if (l->name == NULL || !json_is_object(p))
		return ds_cause(cause, DS_E_BADANSWER, "%s",
		    _("a location without name or properties"));
	ds_address_read(p, "additionalShippingInformation", &l->address);
	l->carriers = strings_read(json_object_get(p, "supportedCarriers"),
	    &l->ncarriers);
	l->alternates = strings_read(json_object_get(p,
	    "alternateLocations"), &l->nalternates);
	return DS_E_OK;
}

int
ds_api_locations(struct ds_api *api, struct ds_location **locs, size_t *n,
    char **cause)
{
	struct ds_location	*v = NULL;
	json_t			*o, *arr, *e;
	size_t			 i;
	int			 rc;

	*locs = NULL;
	*n = 0;
	if ((rc = call(api, "GET", PROVIDER "/locations", NULL, NULL,
	    "Locations_List", &o, cause)) != DS_E_OK)
		return rc;
	arr = json_object_get(o, "value");
	if (!json_is_array(arr)) {
		rc = ds_cause(cause, DS_E_BADANSWER, "%s",
		    _("Locations_List: no \"value\" array"));
		goto out;
	}
	if (json_array_size(arr) > 0 &&
	    (v = calloc(json_array_size(arr), sizeof *v)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	json_array_foreach(arr, i, e) {
		if ((rc = location_read(e, &v[i], cause)) != DS_E_OK) {
			ds_locations_free(v, i + 1);
			goto out;
		}
	}
	*locs = v;
	*n = json_array_size(arr);
out:
	json_decref(o);
	return rc;
}

int
ds_api_location_get(struct ds_api *api, const char *name,
    struct ds_location **out, char **cause)
{
	struct ds_location	*l;
	json_t			*o;
	char			*esc, *path = NULL;
	const char		*last;
	int			 rc;

	*out = NULL;
	/* An id ("/providers/.../locations/westus") names its last part. */
	last = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;
	if ((rc = ds_name_check_location(last, cause)) != DS_E_OK)
		return rc;
	if ((esc = ds_http_escape(last)) == NULL ||
	    asprintf(&path, PROVIDER "/locations/%s", esc) == -1) {
		free(esc);
		return DS_E_NOMEM;
	}
	free(esc);
	rc = call(api, "GET", path, NULL, NULL, "Locations_Get", &o, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((l = malloc(sizeof *l)) == NULL)
		rc = DS_E_NOMEM;
	else if ((rc = location_read(o, l, cause)) != DS_E_OK) {
		ds_location_free(l);
		l = NULL;
	}
	json_decref(o);
	*out = l;
	return rc;
}

static void
package_free(struct ds_package *p)
{
	if (p == NULL)
		return;
	free(p->carrier);
	free(p->tracking);
	free(p->ship_date);
	free(p);
}

static struct ds_package *
package_read(const json_t *o)
{
	struct ds_package *p;

	if (!json_is_object(o) || (p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->carrier = ds_jstr(o, "carrierName");
	p->tracking = ds_jstr(o, "trackingNumber");
	p->drive_count = (long)ds_jint(o, "driveCount", 0);
	p->ship_date = ds_jstr(o, "shipDate");
	return p;
}

static void
drive_clear(struct ds_drive_status *d)
{
	free(d->drive_id);
	free(d->manifest_file);
	free(d->manifest_hash);
	free(d->header_hash);
	free(d->state);
	free(d->copy_status);
	free(d->verbose_log);
	free(d->error_log);
	free(d->manifest_uri);
}

void
ds_job_free(struct ds_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	free(j->id);
	free(j->name);
	free(j->resource_group);
	free(j->location);
	free(j->storage_account_id);
	free(j->job_type);
	free(j->state);
	free(j->provisioning_state);
	free(j->diagnostics_path);
	free(j->log_level);
	free(j->created_at);
	free(j->last_modified);
	ds_address_free(j->return_address);
	ds_address_free(j->ship_to);
	free(j->return_carrier);
	free(j->return_account);
	package_free(j->delivery);
	package_free(j->return_package);
	free(j->container);
	for (i = 0; i < j->ndrives; i++)
		drive_clear(&j->drives[i]);
	free(j->drives);
	free(j);
}

void
ds_jobs_free(struct ds_job **jobs, size_t n)
{
	size_t i;

	if (jobs == NULL)
		return;
	for (i = 0; i < n; i++)
		ds_job_free(jobs[i]);
	free(jobs);
}

/* The resource group named in a job's id, or NULL. */
static char *
group_of(const char *id)
{
	const char	*p, *key = "/resourceGroups/";
	size_t		 len;

	if (id == NULL || (p = strcasestr(id, key)) == NULL)
		return NULL;
	p += strlen(key);
	len = strcspn(p, "/");
	return len > 0 ? strndup(p, len) : NULL;
}

static int
job_read(const json_t *o, struct ds_job **out, char **cause)
{
	struct ds_job	*j;
	const json_t	*p, *sd, *drives, *d, *rs;
	size_t		 i;

	*out = NULL;
	p = json_object_get(o, "properties");
	if (json_string_value(json_object_get(o, "name")) == NULL ||
	    !json_is_object(p))
		return ds_cause(cause, DS_E_BADANSWER, "%s",
		    _("a job without name or properties"));
	if ((j = calloc(1, sizeof *j)) == NULL)
		return DS_E_NOMEM;
	j->id = ds_jstr(o, "id");
	j->name = ds_jstr(o, "name");
	j->resource_group = group_of(j->id);
	j->location = ds_jstr(o, "location");
	j->container = ds_jstr(json_object_get(o, "tags"), "container");
	sd = json_object_get(o, "systemData");
	j->created_at = ds_jstr(sd, "createdAt");
	j->last_modified = ds_jstr(sd, "lastModifiedAt");
	j->storage_account_id = ds_jstr(p, "storageAccountId");
	j->job_type = ds_jstr(p, "jobType");
	j->state = ds_jstr(p, "state");
	j->provisioning_state = ds_jstr(p, "provisioningState");
	j->diagnostics_path = ds_jstr(p, "diagnosticsPath");
	j->log_level = ds_jstr(p, "logLevel");
	j->cancel_requested = json_is_true(json_object_get(p,
	    "cancelRequested"));
	j->percent = ds_jint(p, "percentComplete", -1);
	j->return_address = address_new(json_object_get(p, "returnAddress"),
	    NULL);
	j->ship_to = address_new(json_object_get(p, "shippingInformation"),
	    "additionalInformation");
	rs = json_object_get(p, "returnShipping");
	j->return_carrier = ds_jstr(rs, "carrierName");
	j->return_account = ds_jstr(rs, "carrierAccountNumber");
	j->delivery = package_read(json_object_get(p, "deliveryPackage"));
	j->return_package = package_read(json_object_get(p,
	    "returnPackage"));
	drives = json_object_get(p, "driveList");
	if (json_array_size(drives) > 0) {
		j->drives = calloc(json_array_size(drives), sizeof *j->drives);
		if (j->drives == NULL) {
			ds_job_free(j);
			return DS_E_NOMEM;
		}
	}
	json_array_foreach(drives, i, d) {
		struct ds_drive_status *ds = &j->drives[j->ndrives++];
		ds->drive_id = ds_jstr(d, "driveId");
		ds->manifest_file = ds_jstr(d, "manifestFile");
		ds->manifest_hash = ds_jstr(d, "manifestHash");
		ds->header_hash = ds_jstr(d, "driveHeaderHash");
		ds->state = ds_jstr(d, "state");
		ds->copy_status = ds_jstr(d, "copyStatus");
		ds->percent = ds_jint(d, "percentComplete", -1);
		ds->bytes = ds_jint(d, "bytesSucceeded", -1);
		ds->verbose_log = ds_jstr(d, "verboseLogUri");
		ds->error_log = ds_jstr(d, "errorLogUri");
		ds->manifest_uri = ds_jstr(d, "manifestUri");
	}
	*out = j;
	return DS_E_OK;
}

/*
 * The subscription id as requests carry it, escaped and in lower case:
 * ids are GUIDs, which compare without case, and an id copied in upper
 * case from a portal must reach the same subscription. Allocated.
 */
static char *
sub_escaped(const struct ds_api *api)
{
	char	*lower, *p, *e;

	if ((lower = strdup(api->s->subscription_id)) == NULL)
		return NULL;
	for (p = lower; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	e = ds_http_escape(lower);
	free(lower);
	return e;
}

/* The path of job NAME in group RG, both checked and escaped. */
static int
job_path(struct ds_api *api, const char *rg, const char *name,
    const char *suffix, char **path, char **cause)
{
	char	*esub = NULL, *erg = NULL, *ename = NULL;
	int	 rc;

	*path = NULL;
	if (rg == NULL)
		rg = api->s->resource_group;
	if ((rc = ds_name_check_job(name, cause)) != DS_E_OK ||
	    (rc = ds_name_check_group(rg, cause)) != DS_E_OK ||
	    (rc = ds_name_check_subscription(api->s->subscription_id,
	    cause)) != DS_E_OK)
		return rc;
	esub = sub_escaped(api);
	erg = ds_http_escape(rg);
	ename = ds_http_escape(name);
	if (esub == NULL || erg == NULL || ename == NULL ||
	    asprintf(path, "/subscriptions/%s/resourceGroups/%s" PROVIDER
	    "/jobs/%s%s", esub, erg, ename, suffix) == -1) {
		*path = NULL;
		rc = DS_E_NOMEM;
	}
	free(esub);
	free(erg);
	free(ename);
	return rc;
}

/* Sends a job request and reads the job in the answer. */
static int
job_call(struct ds_api *api, const char *method, const char *rg,
    const char *name, const json_t *body, const char *what,
    struct ds_job **out, char **cause)
{
	json_t	*o;
	char	*path;
	int	 rc;

	*out = NULL;
	if ((rc = job_path(api, rg, name, "", &path, cause)) != DS_E_OK)
		return rc;
	rc = call(api, method, path, NULL, body, what, &o, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if (o == NULL)
		return ds_cause(cause, DS_E_BADANSWER, _("%s: empty answer"),
		    what);
	rc = job_read(o, out, cause);
	json_decref(o);
	return rc;
}

/* The driveList of P: 1 to 10 complete drives. */
static int
drive_list(const struct ds_prepared *p, json_t **out, char **cause)
{
	json_t	*arr, *d;
	size_t	 i;

	*out = NULL;
	if (p == NULL || p->ndrives == 0)
		return ds_cause(cause, DS_E_NODRIVES, "%s",
		    _("prepare the drives first (diskseed prep)"));
	if (!p->finished)
		return ds_cause(cause, DS_E_NODRIVES, _("prep of job %s has "
		    "not copied all of the staging folder; finish it first "
		    "(diskseed prep --resume)"), p->job != NULL ? p->job : "?");
	if (p->ndrives > MAX_DRIVES)
		return ds_cause(cause, DS_E_INVAL, _("%zu drives; an import "
		    "job takes at most %d"), p->ndrives, MAX_DRIVES);
	for (i = 0; i < p->ndrives; i++) {
		const struct ds_prepared_drive *pd = &p->drives[i];
		if (!pd->complete || pd->drive_id == NULL ||
		    pd->recovery_key == NULL || pd->manifest_file == NULL ||
		    pd->manifest_hash == NULL || pd->header_hash == NULL)
			return ds_cause(cause, DS_E_NODRIVES, _("drive %d "
			    "(%s) is not finished; finish prep first"),
			    pd->index + 1, pd->drive_id != NULL ?
			    pd->drive_id : "?");
	}
	if ((arr = json_array()) == NULL)
		return DS_E_NOMEM;
	for (i = 0; i < p->ndrives; i++) {
		const struct ds_prepared_drive *pd = &p->drives[i];
		if ((d = json_object()) == NULL ||
		    json_array_append_new(arr, d) != 0 ||
		    ds_jset(d, "driveId", pd->drive_id) != 0 ||
		    ds_jset(d, "bitLockerKey", pd->recovery_key) != 0 ||
		    ds_jset(d, "manifestFile", pd->manifest_file) != 0 ||
		    ds_jset(d, "manifestHash", pd->manifest_hash) != 0 ||
		    ds_jset(d, "driveHeaderHash", pd->header_hash) != 0) {
			json_decref(arr);
			return DS_E_NOMEM;
		}
	}
	*out = arr;
	return DS_E_OK;
}

int
ds_api_job_create(struct ds_api *api, const struct ds_job_spec *spec,
    struct ds_job **out, char **cause)
{
	json_t		*body = NULL, *props, *drives = NULL, *o;
	const char	*rg = spec->resource_group != NULL ?
			    spec->resource_group : api->s->resource_group;
	char		*account_id = NULL, *esub = NULL;
	int		 rc;

	*out = NULL;
	ds_wipe_allocators();
	if ((rc = ds_name_check_job(spec->name, cause)) != DS_E_OK ||
	    (rc = ds_name_check_group(rg, cause)) != DS_E_OK ||
	    (rc = ds_name_check_location(spec->location, cause)) != 0 ||
	    (rc = ds_name_check_account(spec->storage_account, cause)) != 0)
		return rc;
	if (spec->container != NULL &&
	    (rc = ds_name_check_container(spec->container, cause)) != 0)
		return rc;
	if (spec->return_address != NULL &&
	    (rc = ds_address_check(spec->return_address, cause)) != 0)
		return rc;
	if ((spec->return_carrier == NULL) != (spec->return_account == NULL))
		return ds_cause(cause, DS_E_INVAL, "%s", _("the return "
		    "shipping needs both a carrier and an account number"));
	if ((rc = drive_list(spec->prepared, &drives, cause)) != DS_E_OK)
		return rc;
	if ((esub = sub_escaped(api)) == NULL ||
	    asprintf(&account_id, "/subscriptions/%s/resourceGroups/%s"
	    "/providers/Microsoft.Storage/storageAccounts/%s",
	    esub, rg, spec->storage_account) == -1) {
		account_id = NULL;
		rc = DS_E_NOMEM;
		goto out;
	}
	rc = DS_E_NOMEM;
	if ((body = json_object()) == NULL || (props = json_object()) == NULL)
		goto out;
	if (json_object_set_new(body, "properties", props) != 0 ||
	    ds_jset(body, "location", spec->location) != 0 ||
	    ds_jset(props, "storageAccountId", account_id) != 0 ||
	    ds_jset(props, "jobType", "Import") != 0 ||
	    ds_jset(props, "diagnosticsPath", "waimportexport") != 0 ||
	    ds_jset(props, "logLevel", spec->log_level != NULL ?
	    spec->log_level : "Verbose") != 0 ||
	    json_object_set_new(props, "backupDriveManifest",
	    json_true()) != 0)
		goto out;
	if (spec->container != NULL) {
		if ((o = json_object()) == NULL ||
		    json_object_set_new(body, "tags", o) != 0 ||
		    ds_jset(o, "container", spec->container) != 0)
			goto out;
	}
	if (spec->return_address != NULL) {
		if ((o = ds_address_json(spec->return_address)) == NULL ||
		    json_object_set_new(props, "returnAddress", o) != 0)
			goto out;
	}
	if (spec->return_carrier != NULL) {
		if ((o = json_object()) == NULL ||
		    json_object_set_new(props, "returnShipping", o) != 0 ||
		    ds_jset(o, "carrierName", spec->return_carrier) != 0 ||
		    ds_jset(o, "carrierAccountNumber",
		    spec->return_account) != 0)
			goto out;
	}
	if (json_object_set(props, "driveList", drives) != 0)
		goto out;
	rc = job_call(api, "PUT", rg, spec->name, body, "Jobs_Create", out,
	    cause);
out:
	free(account_id);
	free(esub);
	json_decref(drives);
	json_decref(body);
	return rc;
}

int
ds_api_job_get(struct ds_api *api, const char *rg, const char *name,
    struct ds_job **out, char **cause)
{
	return job_call(api, "GET", rg, name, NULL, "Jobs_Get", out, cause);
}

int
ds_api_job_list(struct ds_api *api, struct ds_job ***jobs, size_t *n,
    char **cause)
{
	struct ds_job	**v = NULL, **nv, *j;
	json_t		 *o = NULL, *arr, *e;
	char		 *path = NULL, *esub;
	const char	 *next;
	size_t		  i, count = 0, blen;
	int		  rc, pages = 0, size = 100;
	char		  top[32];

	*jobs = NULL;
	*n = 0;
	/* Test hook: a smaller page, so that tests walk the nextLinks. */
	if (getenv("DISKSEED_TEST_PAGE_SIZE") != NULL)
		size = (int)strtol(getenv("DISKSEED_TEST_PAGE_SIZE"), NULL, 10);
	if (size < 1 || size > 100)
		size = 100;
	snprintf(top, sizeof top, "&$top=%d", size);
	if ((rc = ds_name_check_subscription(api->s->subscription_id,
	    cause)) != DS_E_OK)
		return rc;
	if ((esub = sub_escaped(api)) == NULL ||
	    asprintf(&path, "/subscriptions/%s" PROVIDER "/jobs", esub) == -1) {
		free(esub);
		return DS_E_NOMEM;
	}
	free(esub);
	while (path != NULL) {
		if (++pages > MAX_PAGES) {
			rc = ds_cause(cause, DS_E_BADANSWER, "%s",
			    _("Jobs_ListBySubscription: too many pages"));
			goto fail;
		}
		rc = call(api, "GET", path, top, NULL,
		    "Jobs_ListBySubscription", &o, cause);
		free(path);
		path = NULL;
		if (rc != DS_E_OK)
			goto fail;
		arr = json_object_get(o, "value");
		if (!json_is_array(arr)) {
			rc = ds_cause(cause, DS_E_BADANSWER, "%s",
			    _("Jobs_ListBySubscription: no \"value\" array"));
			goto fail;
		}
		nv = reallocarray(v, count + json_array_size(arr) + 1,
		    sizeof *v);
		if (nv == NULL) {
			rc = DS_E_NOMEM;
			goto fail;
		}
		v = nv;
		json_array_foreach(arr, i, e) {
			if ((rc = job_read(e, &j, cause)) != DS_E_OK)
				goto fail;
			v[count++] = j;
		}
		next = json_string_value(json_object_get(o, "nextLink"));
		if (next != NULL && *next != '\0') {
			/*
			 * Only follow links to the same service: the base,
			 * then a path or a query, never more of the host
			 * ("https://svc.example.org.evil.net/").
			 */
			blen = strlen(api->base);
			if (strncasecmp(next, api->base, blen) != 0 ||
			    (next[blen] != '/' && next[blen] != '?')) {
				rc = ds_cause(cause, DS_E_BADANSWER, _("Jobs_"
				    "ListBySubscription: nextLink to another "
				    "service: %s"), next);
				goto fail;
			}
			if ((path = strdup(next)) == NULL) {
				rc = DS_E_NOMEM;
				goto fail;
			}
		}
		json_decref(o);
		o = NULL;
	}
	*jobs = v;
	*n = count;
	return DS_E_OK;
fail:
	json_decref(o);
	free(path);
	ds_jobs_free(v, count);
	return rc;
}

int
ds_api_job_ship(struct ds_api *api, const char *rg, const char *name,
    const struct ds_address *ra, const struct ds_package *pkg,
    struct ds_job **out, char **cause)
{
	json_t	*body, *props, *o;
	int	 rc = DS_E_NOMEM;

	*out = NULL;
	if (pkg->carrier == NULL || pkg->tracking == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("the carrier and the tracking number are required"));
	if (ra != NULL && (rc = ds_address_check(ra, cause)) != DS_E_OK)
		return rc;
	rc = DS_E_NOMEM;
	if ((body = json_object()) == NULL || (props = json_object()) == NULL) {
		json_decref(body);
		return DS_E_NOMEM;
	}
	if (json_object_set_new(body, "properties", props) != 0)
		goto out;
	if (ra != NULL && ((o = ds_address_json(ra)) == NULL ||
	    json_object_set_new(props, "returnAddress", o) != 0))
		goto out;
	if ((o = json_object()) == NULL ||
	    json_object_set_new(props, "deliveryPackage", o) != 0 ||
	    ds_jset(o, "carrierName", pkg->carrier) != 0 ||
	    ds_jset(o, "trackingNumber", pkg->tracking) != 0 ||
	    (pkg->drive_count > 0 && json_object_set_new(o, "driveCount",
	    json_integer(pkg->drive_count)) != 0) ||
	    ds_jset(o, "shipDate", pkg->ship_date) != 0 ||
	    ds_jset(props, "state", "Shipping") != 0)
		goto out;
	rc = job_call(api, "PATCH", rg, name, body, "Jobs_Update", out, cause);
out:
	json_decref(body);
	return rc;
}

int
ds_api_job_cancel(struct ds_api *api, const char *rg, const char *name,
    struct ds_job **out, char **cause)
{
	json_t	*body;
	int	 rc;

	if ((body = json_pack("{s:{s:b}}", "properties", "cancelRequested",
	    1)) == NULL)
		return DS_E_NOMEM;
	rc = job_call(api, "PATCH", rg, name, body, "Jobs_Update", out, cause);
	json_decref(body);
	return rc;
}

int
ds_api_job_delete(struct ds_api *api, const char *rg, const char *name,
    char **cause)
{
	char	*path;
	int	 rc;

	if ((rc = job_path(api, rg, name, "", &path, cause)) != DS_E_OK)
		return rc;
	rc = call(api, "DELETE", path, NULL, NULL, "Jobs_Delete", NULL, cause);
	free(path);
	return rc;
}

static int
jset_int(json_t *o, const char *key, long long v)
{
	if (v < 0)
		return 0;
	return json_object_set_new(o, key, json_integer(v));
}

static int
jset_strings(json_t *o, const char *key, char **v, size_t n)
{
	json_t	*arr;
	size_t	 i;

	if ((arr = json_array()) == NULL ||
	    json_object_set_new(o, key, arr) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (json_array_append_new(arr, json_string(v[i])) != 0)
			return -1;
	}
	return 0;
}

json_t *
ds_location_to_json(const struct ds_location *l)
{
	json_t *o, *a;

	if ((o = json_object()) == NULL)
		return NULL;
	if (ds_jset(o, "name", l->name) != 0 || ds_jset(o, "id", l->id) != 0 ||
	    (a = ds_address_json(&l->address)) == NULL ||
	    json_object_set_new(o, "address", a) != 0 ||
	    ds_jset(a, "additionalShippingInformation",
	    l->address.additional) != 0 ||
	    jset_strings(o, "supportedCarriers", l->carriers,
	    l->ncarriers) != 0 ||
	    jset_strings(o, "alternateLocations", l->alternates,
	    l->nalternates) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
package_json(const struct ds_package *p)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (ds_jset(o, "carrierName", p->carrier) != 0 ||
	    ds_jset(o, "trackingNumber", p->tracking) != 0 ||
	    (p->drive_count > 0 && jset_int(o, "driveCount",
	    p->drive_count) != 0) ||
	    ds_jset(o, "shipDate", p->ship_date) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
ds_job_to_json(const struct ds_job *j)
{
	json_t	*o, *arr, *d, *x;
	size_t	 i;

	if ((o = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(o);
		return NULL;
	}
	if (ds_jset(o, "name", j->name) != 0 ||
	    ds_jset(o, "resourceGroup", j->resource_group) != 0 ||
	    ds_jset(o, "location", j->location) != 0 ||
	    ds_jset(o, "state", j->state) != 0 ||
	    jset_int(o, "percentComplete", j->percent) != 0 ||
	    json_object_set_new(o, "cancelRequested",
	    json_boolean(j->cancel_requested)) != 0 ||
	    ds_jset(o, "storageAccountId", j->storage_account_id) != 0 ||
	    ds_jset(o, "container", j->container) != 0 ||
	    ds_jset(o, "createdAt", j->created_at) != 0 ||
	    ds_jset(o, "lastModifiedAt", j->last_modified) != 0)
		goto fail;
	if (j->ship_to != NULL && ((x = ds_address_json(j->ship_to)) == NULL ||
	    json_object_set_new(o, "shippingInformation", x) != 0))
		goto fail;
	if (j->delivery != NULL && ((x = package_json(j->delivery)) == NULL ||
	    json_object_set_new(o, "deliveryPackage", x) != 0))
		goto fail;
	if (j->return_package != NULL &&
	    ((x = package_json(j->return_package)) == NULL ||
	    json_object_set_new(o, "returnPackage", x) != 0))
		goto fail;
	if (json_object_set_new(o, "driveList", arr) != 0) {
		json_decref(arr);
		goto fail;
	}
	for (i = 0; i < j->ndrives; i++) {
		const struct ds_drive_status *ds = &j->drives[i];
		if ((d = json_object()) == NULL ||
		    json_array_append_new(arr, d) != 0 ||
		    ds_jset(d, "driveId", ds->drive_id) != 0 ||
		    ds_jset(d, "state", ds->state) != 0 ||
		    ds_jset(d, "copyStatus", ds->copy_status) != 0 ||
		    jset_int(d, "percentComplete", ds->percent) != 0 ||
		    jset_int(d, "bytesSucceeded", ds->bytes) != 0 ||
		    ds_jset(d, "manifestFile", ds->manifest_file) != 0 ||
		    ds_jset(d, "manifestHash", ds->manifest_hash) != 0 ||
		    ds_jset(d, "driveHeaderHash", ds->header_hash) != 0 ||
		    ds_jset(d, "verboseLogUri", ds->verbose_log) != 0 ||
		    ds_jset(d, "errorLogUri", ds->error_log) != 0 ||
		    ds_jset(d, "manifestUri", ds->manifest_uri) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}
