/* SPDX-License-Identifier: MIT */
/*
 * The two job operations with most to them: create (the request body and
 * the drive list from the prepared drives) and list (the pages).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "api-int.h"
#include "error.h"
#include "jsonx.h"
#include "names.h"
#include "prepared.h"
#include "settings.h"

#define MAX_DRIVES	10
#define MAX_PAGES	1000

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
	if ((esub = ds_api_sub_escaped(api)) == NULL ||
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
	rc = ds_api_job_call(api, "PUT", rg, spec->name, body, "Jobs_Create",
	    out, cause);
out:
	free(account_id);
	free(esub);
	json_decref(drives);
	json_decref(body);
	return rc;
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
#ifdef DS_TEST_HOOKS
	/* Test hook: a smaller page, so that tests walk the nextLinks. */
	if (getenv("DISKSEED_TEST_PAGE_SIZE") != NULL)
		size = (int)strtol(getenv("DISKSEED_TEST_PAGE_SIZE"), NULL, 10);
#endif
	if (size < 1 || size > 100)
		size = 100;
	snprintf(top, sizeof top, "&$top=%d", size);
	if ((rc = ds_name_check_subscription(api->s->subscription_id,
	    cause)) != DS_E_OK)
		return rc;
	if ((esub = ds_api_sub_escaped(api)) == NULL ||
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
		rc = ds_api_call(api, "GET", path, top, NULL,
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
			if ((rc = ds_api_job_read(e, &j, cause)) != DS_E_OK)
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
