/* SPDX-License-Identifier: MIT */
/* The JSON models of the import-job client: read, freed and written. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "api-int.h"
#include "error.h"
#include "jsonx.h"
#include "state.h"

#define ADDRESS_MAX	(64 * 1024)

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

int
ds_api_location_read(const json_t *o, struct ds_location *l, char **cause)
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

int
ds_api_job_read(const json_t *o, struct ds_job **out, char **cause)
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
