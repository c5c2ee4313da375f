/* SPDX-License-Identifier: MIT */
/*
 * The import-job client: opening it, sending a request and reading the
 * answer or its ErrorResponse, and the simpler operations (locations,
 * job get, ship, cancel, delete). Job create and list: api-jobs.c; the
 * JSON models: api-model.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "api-int.h"
#include "error.h"
#include "http.h"
#include "jsonx.h"
#include "names.h"
#include "settings.h"
#include "util.h"

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
int
ds_api_call(struct ds_api *api, const char *method, const char *path,
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

/*
 * The subscription id as requests carry it, escaped and in lower case:
 * ids are GUIDs, which compare without case, and an id copied in upper
 * case from a portal must reach the same subscription. Allocated.
 */
char *
ds_api_sub_escaped(const struct ds_api *api)
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
	esub = ds_api_sub_escaped(api);
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
int
ds_api_job_call(struct ds_api *api, const char *method, const char *rg,
    const char *name, const json_t *body, const char *what,
    struct ds_job **out, char **cause)
{
	json_t	*o;
	char	*path;
	int	 rc;

	*out = NULL;
	if ((rc = job_path(api, rg, name, "", &path, cause)) != DS_E_OK)
		return rc;
	rc = ds_api_call(api, method, path, NULL, body, what, &o, cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if (o == NULL)
		return ds_cause(cause, DS_E_BADANSWER, _("%s: empty answer"),
		    what);
	rc = ds_api_job_read(o, out, cause);
	json_decref(o);
	return rc;
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
	if ((rc = ds_api_call(api, "GET", PROVIDER "/locations", NULL, NULL,
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
		if ((rc = ds_api_location_read(e, &v[i], cause)) != DS_E_OK) {
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
	rc = ds_api_call(api, "GET", path, NULL, NULL, "Locations_Get", &o,
	    cause);
	free(path);
	if (rc != DS_E_OK)
		return rc;
	if ((l = malloc(sizeof *l)) == NULL)
		rc = DS_E_NOMEM;
	else if ((rc = ds_api_location_read(o, l, cause)) != DS_E_OK) {
		ds_location_free(l);
		l = NULL;
	}
	json_decref(o);
	*out = l;
	return rc;
}

int
ds_api_job_get(struct ds_api *api, const char *rg, const char *name,
    struct ds_job **out, char **cause)
{
	return ds_api_job_call(api, "GET", rg, name, NULL, "Jobs_Get", out,
	    cause);
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
	rc = ds_api_job_call(api, "PATCH", rg, name, body, "Jobs_Update",
	    out, cause);
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
	rc = ds_api_job_call(api, "PATCH", rg, name, body, "Jobs_Update",
	    out, cause);
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
	rc = ds_api_call(api, "DELETE", path, NULL, NULL, "Jobs_Delete",
	    NULL, cause);
	free(path);
	return rc;
}
