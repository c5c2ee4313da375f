/* SPDX-License-Identifier: MIT */
/*
 * Jobs: Create (PUT), Get, Update (PATCH), Delete, the two lists, and
 * BitLockerKeys_List, with the rules of the spec's NOTES.md. A job is
 * kept as one JSON document in the JobResponse shape (BitLocker keys
 * included; jobs_render() takes them out of every answer).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "error.h"
#include "db.h"
#include "importd.h"

static const char *const address_fields[] = {
	"recipientName", "streetAddress1", "streetAddress2", "city",
	"stateOrProvince", "postalCode", "countryOrRegion", "phone", "email",
	NULL
};
static const char *const address_required[] = {
	"recipientName", "streetAddress1", "city", "postalCode",
	"countryOrRegion", "phone", "email", NULL
};
static const char *const shipping_fields[] = {
	"carrierName", "carrierAccountNumber", NULL
};
static const char *const package_fields[] = {
	"carrierName", "trackingNumber", "shipDate", NULL
};
static const char *const package_required[] = {
	"carrierName", "trackingNumber", NULL
};
static const char *const patch_fields[] = {
	"cancelRequested", "state", "returnAddress", "returnShipping",
	"deliveryPackage", "logLevel", "backupDriveManifest", "driveList",
	NULL
};
static const char *const drive_fields[] = {
	"driveId", "bitLockerKey", "manifestFile", "manifestHash",
	"driveHeaderHash", NULL
};
static const char *const drive_required[] = {
	"driveId", "bitLockerKey", "manifestFile", "manifestHash", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return 1;
	}
	return 0;
}

/* Answers 400 InvalidParameter about TARGET; returns -1. */
static int
bad(struct req *r, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct req *r, const char *target, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	server_error(r, 400, "InvalidParameter", target, "%s",
	    msg != NULL ? msg : target);
	free(msg);
	return -1;
}

static int
missing(struct req *r, const char *target)
{
	server_error(r, 400, "MissingRequiredProperty", target,
	    _("The property '%s' is required."), target);
	return -1;
}

/*
 * Copies the string fields FIELDS of object SRC (named TARGET) into a
 * new object *out, requiring REQUIRED to be there and not empty.
 */
static int
copy_strings(struct req *r, json_t *src, const char *target,
    const char *const *fields, const char *const *required, json_t **out)
{
	const char	*key;
	json_t		*v, *o;
	char		 t[128];

	*out = NULL;
	if (!json_is_object(src))
		return bad(r, target, _("'%s' must be an object."), target);
	for (; required != NULL && *required != NULL; required++) {
		v = json_object_get(src, *required);
		snprintf(t, sizeof t, "%s.%s", target, *required);
		if (v == NULL || json_is_null(v) || (json_is_string(v) &&
		    *json_string_value(v) == '\0'))
			return missing(r, t);
	}
	o = json_object();
	json_object_foreach(src, key, v) {
		snprintf(t, sizeof t, "%s.%s", target, key);
		if (!in_list(fields, key))
			continue;
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			json_decref(o);
			return bad(r, t, _("'%s' must be a string."), t);
		}
		json_object_set(o, key, v);
	}
	*out = o;
	return 0;
}

/* Validates a driveList: 1 to 10 drives with distinct ids. */
static int
parse_drives(struct req *r, json_t *src, json_t **out)
{
	json_t		*a, *d, *v;
	size_t		 i, j;
	const char	*id, *p;
	char		 t[64];

	*out = NULL;
	if (!json_is_array(src))
		return bad(r, "properties.driveList",
		    _("'driveList' must be an array."));
	if (json_array_size(src) < 1 ||
	    json_array_size(src) > IMPORTD_MAX_DRIVES)
		return bad(r, "properties.driveList", _("An import job has 1 "
		    "to %d drives; this one has %zu."), IMPORTD_MAX_DRIVES,
		    json_array_size(src));
	a = json_array();
	json_array_foreach(src, i, v) {
		snprintf(t, sizeof t, "properties.driveList[%zu]", i);
		if (copy_strings(r, v, t, drive_fields, drive_required,
		    &d) != 0)
			goto fail;
		id = json_string_value(json_object_get(d, "driveId"));
		for (p = id; *p != '\0'; p++) {
			if (*p == ' ' || *p == '\t' || (unsigned char)*p < 32)
				break;
		}
		if (*p != '\0' || strlen(id) > 128) {
			json_decref(d);
			bad(r, t, _("The drive id '%s' must be the drive's "
			    "serial number without spaces."), id);
			goto fail;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(a, j), "driveId")), id) == 0)
				break;
		}
		if (j < i) {
			json_decref(d);
			bad(r, t, _("The drive '%s' is listed twice."), id);
			goto fail;
		}
		json_object_set_new(d, "state", json_string("Specified"));
		json_array_append_new(a, d);
	}
	*out = a;
	return 0;
fail:
	json_decref(a);
	return -1;
}

/* Validates a deliveryPackage against the job's location's carriers. */
static int
parse_package(struct req *r, json_t *src, json_t *location, json_t **out)
{
	json_t		*v, *carriers, *c;
	const char	*name;
	size_t		 i;

	if (copy_strings(r, src, "properties.deliveryPackage", package_fields,
	    package_required, out) != 0)
		return -1;
	v = json_object_get(src, "driveCount");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > IMPORTD_MAX_DRIVES) {
			json_decref(*out);
			return bad(r, "properties.deliveryPackage.driveCount",
			    _("'driveCount' must be a number from 0 to %d."),
			    IMPORTD_MAX_DRIVES);
		}
		json_object_set(*out, "driveCount", v);
	}
	name = json_string_value(json_object_get(*out, "carrierName"));
	carriers = json_object_get(json_object_get(location, "properties"),
	    "supportedCarriers");
	json_array_foreach(carriers, i, c) {
		if (strcasecmp(json_string_value(c), name) == 0)
			return 0;
	}
	json_decref(*out);
	return bad(r, "properties.deliveryPackage.carrierName",
	    _("The carrier '%s' is not supported at %s."), name,
	    json_string_value(json_object_get(location, "name")));
}

/* Checks the storage account id and that the account is configured. */
static int
parse_account(struct req *r, json_t *v)
{
	const char	*s = json_string_value(v), *name;
	static const char target[] = "properties.storageAccountId";

	if (v == NULL || json_is_null(v))
		return missing(r, target);
	if (s == NULL || (name = strrchr(s, '/')) == NULL ||
	    strncasecmp(s, "/subscriptions/", 15) != 0 ||
	    strcasestr(s, "/storageAccounts/") == NULL)
		return bad(r, target, _("'%s' is not a storage account "
		    "resource id (/subscriptions/.../storageAccounts/NAME)."),
		    s != NULL ? s : "");
	name++;
	if (!valid_account_name(name))
		return bad(r, target, _("The storage account name '%s' must "
		    "have 3 to 24 lowercase letters and digits."), name);
	/* Unknown and another tenant's get one answer: a client learns
	 * nothing of the accounts that are not its own. */
	if (config_account_for(r->cf, name, r->sub) == NULL) {
		server_error(r, 403, "AuthorizationFailed", target,
		    _("The storage account '%s' is not available to this "
		    "subscription."), name);
		return -1;
	}
	return 0;
}

/* Checks an export job's blob list: paths start with a container. */
static int
parse_export(struct req *r, json_t *v)
{
	json_t		*list, *a, *p;
	const char	*keys[] = { "blobPath", "blobPathPrefix" };
	const char	*s, *e;
	char		*container;
	size_t		 i, k;
	int		 ok;

	if (!json_is_object(v))
		return missing(r, "properties.export");
	list = json_object_get(v, "blobList");
	if (list == NULL && !json_is_string(json_object_get(v,
	    "blobListBlobPath")))
		return missing(r, "properties.export.blobList");
	for (k = 0; list != NULL && k < 2; k++) {
		if ((a = json_object_get(list, keys[k])) == NULL)
			continue;
		if (!json_is_array(a))
			return bad(r, "properties.export.blobList",
			    _("'%s' must be an array of strings."), keys[k]);
		json_array_foreach(a, i, p) {
			if ((s = json_string_value(p)) == NULL || *s != '/')
				return bad(r, "properties.export.blobList",
				    _("A blob path must start with '/'."));
			if (strcmp(s, "/") == 0)
				continue;
			e = strchr(s + 1, '/');
			container = strndup(s + 1, e != NULL ?
			    (size_t)(e - s - 1) : strlen(s + 1));
			ok = container != NULL &&
			    (valid_container_name(container) ||
			    (e == NULL && k == 1));
			free(container);
			if (!ok)
				return bad(r, "properties.export.blobList",
				    _("'%s' does not start with a valid "
				    "container name."), s);
		}
	}
	return 0;
}

static int
parse_tags(struct req *r, json_t *v, json_t **out)
{
	const char	*k;
	json_t		*t;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(r, "tags", _("'tags' must be an object."));
	json_object_foreach(v, k, t) {
		if (!json_is_string(t))
			return bad(r, "tags", _("Tag values must be strings."));
	}
	t = json_object_get(v, "container");
	if (t != NULL && !valid_container_name_any_case(json_string_value(t)))
		return bad(r, "tags.container", _("'%s' is not a valid "
		    "container name (3 to 63 lowercase letters, digits and "
		    "single hyphens)."), json_string_value(t));
	*out = json_deep_copy(v);
	return 0;
}

/*
 * The container a job's drives are stored in: its "container" tag or,
 * without one, its name (receive lowercases it). NAME is the job's.
 */
static const char *
tags_container(json_t *tags, const char *name)
{
	const char	*c = json_string_value(json_object_get(tags,
	    "container"));

	return c != NULL ? c : name;
}

/* The ShippingInformation of a location. */
static json_t *
shipping_information(json_t *location)
{
	json_t		*p = json_object_get(location, "properties");
	json_t		*o = json_object(), *v;
	const char	*keys[] = { "recipientName", "streetAddress1",
	    "streetAddress2", "city", "stateOrProvince", "postalCode",
	    "countryOrRegion", "phone" };
	size_t		 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = json_object_get(p, keys[i]);
		json_object_set_new(o, keys[i], json_string(
		    json_is_string(v) ? json_string_value(v) : ""));
	}
	v = json_object_get(p, "additionalShippingInformation");
	json_object_set_new(o, "additionalInformation", json_string(
	    json_is_string(v) ? json_string_value(v) : ""));
	return o;
}

/* Checks that driveCount, when given, matches the drives. */
static int
check_count(struct req *r, json_t *props)
{
	json_t	*n = json_object_get(json_object_get(props, "deliveryPackage"),
	    "driveCount");
	size_t	 drives = json_array_size(json_object_get(props, "driveList"));

	if (n == NULL || strcmp(json_string_value(json_object_get(props,
	    "jobType")), "Import") != 0 ||
	    (size_t)json_integer_value(n) == drives)
		return 0;
	return bad(r, "properties.deliveryPackage.driveCount", _("The "
	    "package holds %lld drives but the job has %zu: all drives of a "
	    "job ship in one package."), (long long)json_integer_value(n),
	    drives);
}

/*
 * The request's subscription id in lowercase, in BUF (40 bytes): ids
 * compare without regard to case, and a job is stored and named under
 * one spelling of its subscription.
 */
static const char *
sub_id(struct req *r, char *buf)
{
	size_t	i;

	for (i = 0; r->sub[i] != '\0' && i < 39; i++)
		buf[i] = (char)(r->sub[i] >= 'A' && r->sub[i] <= 'Z' ?
		    r->sub[i] - 'A' + 'a' : r->sub[i]);
	buf[i] = '\0';
	return buf;
}

/* Builds the job document of a PUT. OLD is the job it replaces. */
static int
build_job(struct req *r, json_t *old, json_t **out)
{
	json_t		*b = r->body, *p, *v, *doc, *props, *o, *loc;
	const char	*type, *s;
	char		 now[40], *id, guid[40];

	*out = NULL;
	if ((v = json_object_get(b, "location")) == NULL)
		return missing(r, "location");
	if (!json_is_string(v) ||
	    (loc = config_location(r->cf, json_string_value(v))) == NULL)
		return bad(r, "location", _("The location '%s' is not served "
		    "here; see Locations_List."), json_is_string(v) ?
		    json_string_value(v) : "");
	p = json_object_get(b, "properties");
	if (p == NULL)
		return missing(r, "properties");
	if (!json_is_object(p))
		return bad(r, "properties", _("'properties' must be an "
		    "object."));
	if (parse_account(r, json_object_get(p, "storageAccountId")) != 0)
		return -1;
	v = json_object_get(p, "jobType");
	if (v == NULL)
		return missing(r, "properties.jobType");
	type = json_string_value(v);
	if (type == NULL || (strcmp(type, "Import") != 0 &&
	    strcmp(type, "Export") != 0))
		return bad(r, "properties.jobType", _("'jobType' must be "
		    "Import or Export."));

	doc = json_object();
	props = json_object();
	json_object_set_new(doc, "properties", props);
	json_object_set(props, "storageAccountId",
	    json_object_get(p, "storageAccountId"));
	json_object_set_new(props, "jobType", json_string(type));
	if ((v = json_object_get(p, "returnAddress")) != NULL) {
		if (copy_strings(r, v, "properties.returnAddress",
		    address_fields, address_required, &o) != 0)
			goto fail;
		json_object_set_new(props, "returnAddress", o);
	}
	if ((v = json_object_get(p, "returnShipping")) != NULL) {
		if (copy_strings(r, v, "properties.returnShipping",
		    shipping_fields, shipping_fields, &o) != 0)
			goto fail;
		json_object_set_new(props, "returnShipping", o);
	}
	json_object_set_new(props, "shippingInformation",
	    shipping_information(loc));
	if ((v = json_object_get(p, "deliveryPackage")) != NULL) {
		if (parse_package(r, v, loc, &o) != 0)
			goto fail;
		json_object_set_new(props, "deliveryPackage", o);
	}
	v = json_object_get(p, "diagnosticsPath");
	s = v == NULL ? "waimportexport" : json_string_value(v);
	if (s == NULL || !valid_container_name(s)) {
		bad(r, "properties.diagnosticsPath", _("'%s' is not a valid "
		    "container name (3 to 63 lowercase letters, digits and "
		    "single hyphens)."), s != NULL ? s : "");
		goto fail;
	}
	json_object_set_new(props, "diagnosticsPath", json_string(s));
	v = json_object_get(p, "logLevel");
	s = v == NULL ? "Error" : json_string_value(v);
	if (s == NULL || (strcmp(s, "Error") != 0 &&
	    strcmp(s, "Verbose") != 0)) {
		bad(r, "properties.logLevel", _("'logLevel' must be Error or "
		    "Verbose."));
		goto fail;
	}
	json_object_set_new(props, "logLevel", json_string(s));
	v = json_object_get(p, "backupDriveManifest");
	if (v != NULL && !json_is_boolean(v)) {
		bad(r, "properties.backupDriveManifest", _("'%s' must be true "
		    "or false."), "backupDriveManifest");
		goto fail;
	}
	json_object_set_new(props, "backupDriveManifest",
	    json_boolean(json_is_true(v)));
	json_object_set_new(props, "cancelRequested", json_false());
	json_object_set_new(props, "state", json_string("Creating"));
	if (strcmp(type, "Import") == 0) {
		if (json_object_get(p, "export") != NULL) {
			bad(r, "properties.export", _("An import job has no "
			    "'export' property."));
			goto fail;
		}
		if ((v = json_object_get(p, "driveList")) == NULL) {
			missing(r, "properties.driveList");
			goto fail;
		}
		if (parse_drives(r, v, &o) != 0)
			goto fail;
		json_object_set_new(props, "driveList", o);
	} else {
		if (parse_export(r, json_object_get(p, "export")) != 0)
			goto fail;
		json_object_set_new(props, "driveList", json_array());
		json_object_set_new(props, "export",
		    json_deep_copy(json_object_get(p, "export")));
	}
	if (check_count(r, props) != 0)
		goto fail;
	json_object_set_new(props, "provisioningState",
	    json_string("Succeeded"));
	v = json_object_get(p, "encryptionKey");
	if (v != NULL && (!json_is_object(v) || !json_is_string(
	    json_object_get(v, "kekType")))) {
		bad(r, "properties.encryptionKey", _("'encryptionKey' needs a "
		    "'kekType'."));
		goto fail;
	}
	json_object_set_new(props, "encryptionKey", v != NULL ?
	    json_deep_copy(v) : json_pack("{s:s}", "kekType",
	    "MicrosoftManaged"));
	if (parse_tags(r, json_object_get(b, "tags"), &o) != 0)
		goto fail;
	if (o != NULL)
		json_object_set_new(doc, "tags", o);

	importd_now(now, sizeof now);
	v = json_object_get(old, "systemData");
	o = v != NULL ? json_deep_copy(v) : json_pack("{s:s, s:s, s:s}",
	    "createdBy", r->caller, "createdByType", "User", "createdAt", now);
	json_object_set_new(o, "lastModifiedBy", json_string(r->caller));
	json_object_set_new(o, "lastModifiedByType", json_string("User"));
	json_object_set_new(o, "lastModifiedAt", json_string(now));
	json_object_set_new(doc, "systemData", o);
	json_object_set_new(doc, "identity", json_pack("{s:s}", "type",
	    "None"));
	if (asprintf(&id, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.ImportExport/jobs/%s", sub_id(r, guid), r->rg,
	    r->job) == -1)
		goto fail;
	json_object_set_new(doc, "id", json_string(id));
	free(id);
	json_object_set_new(doc, "name", json_string(r->job));
	json_object_set_new(doc, "type",
	    json_string("Microsoft.ImportExport/jobs"));
	json_object_set(doc, "location", json_object_get(loc, "name"));
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	return -1;
}

json_t *
jobs_render(json_t *doc)
{
	json_t	*out = json_deep_copy(doc), *d;
	size_t	 i;

	json_array_foreach(json_object_get(json_object_get(out, "properties"),
	    "driveList"), i, d)
		json_object_del(d, "bitLockerKey");
	return out;
}

static const char *
job_state(json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(doc,
	    "properties"), "state"));
}

static const char *
job_tracking(json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(
	    json_object_get(doc, "properties"), "deliveryPackage"),
	    "trackingNumber"));
}

/* Stores DOC in the open transaction and commits; answers 409 or 500
 * on failure (rolled back). */
static int
store(struct req *r, json_t *doc)
{
	char	*cause = NULL, guid[40];
	int	 rc;

	rc = db_job_put(r->db, sub_id(r, guid), r->rg, r->job, doc,
	    job_tracking(doc), &cause);
	if (rc == DS_E_OK)
		rc = db_commit(r->db, &cause);
	if (rc == DS_E_EXISTS)
		server_error(r, 409, "DuplicateTrackingNumber",
		    "properties.deliveryPackage.trackingNumber",
		    _("The tracking number '%s' is already used by another "
		    "job."), job_tracking(doc));
	else if (rc != DS_E_OK) {
		importd_log("store %s: %s", r->job, cause);
		server_error(r, 500, "InternalServerError", NULL,
		    _("The service's database failed."));
	}
	free(cause);
	if (rc != DS_E_OK)
		db_rollback(r->db);
	return rc == DS_E_OK ? 0 : -1;
}

static void
job_put(struct req *r, json_t *old)
{
	json_t	*doc;

	if (old != NULL && strcmp(job_state(old), "Creating") != 0) {
		server_error(r, 409, "InvalidJobState", NULL, _("The job '%s' "
		    "is in state %s; only a job in Creating can be replaced."),
		    r->job, job_state(old));
		return;
	}
	if (build_job(r, old, &doc) != 0)
		return;
	if (store(r, doc) == 0)
		server_reply(r, old != NULL ? 200 : 201, jobs_render(doc));
	json_decref(doc);
}

/* Applies the PATCH body to DOC (a copy of the stored job). */
static int
patch_job(struct req *r, json_t *doc)
{
	json_t		*p, *props = json_object_get(doc, "properties"), *v, *o;
	json_t		*loc;
	const char	*key, *state = job_state(doc), *s;
	int		 st = state_index(job_states, state), cancel = 0;
	int		 ship = 0, shipping;
	char		 now[40];

	shipping = state_index(job_states, "Shipping");
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "properties") != 0 &&
		    strcmp(key, "tags") != 0) {
			server_error(r, 400, "PropertyNotUpdatable", key,
			    _("The property '%s' cannot be updated."), key);
			return -1;
		}
	}
	p = json_object_get(r->body, "properties");
	if (p != NULL && !json_is_object(p))
		return bad(r, "properties", _("'properties' must be an "
		    "object."));
	json_object_foreach(p, key, v) {
		if (!in_list(patch_fields, key)) {
			server_error(r, 400, "PropertyNotUpdatable",
			    "properties", _("The property '%s' cannot be "
			    "updated; only cancelRequested, state, "
			    "returnAddress, returnShipping, deliveryPackage, "
			    "logLevel, backupDriveManifest, driveList and tags "
			    "can."), key);
			return -1;
		}
		if (strcmp(key, "state") == 0 && json_is_string(v) &&
		    *json_string_value(v) == '\0')
			continue;	/* "" = unchanged (as in UpdateJob) */
		if (st > shipping || (st == shipping &&
		    (strcmp(key, "driveList") == 0 ||
		    strcmp(key, "cancelRequested") == 0))) {
			server_error(r, 409, "InvalidJobState", key,
			    strcmp(key, "cancelRequested") == 0 ?
			    _("The job '%s' is in state %s: a job can be "
			    "cancelled only until it is Shipping.") :
			    _("The job '%s' is in state %s: '%s' can no "
			    "longer be changed."), r->job, state, key);
			return -1;
		}
	}
	loc = config_location(r->cf, json_string_value(json_object_get(doc,
	    "location")));
	json_object_foreach(p, key, v) {
		o = NULL;
		if (strcmp(key, "cancelRequested") == 0) {
			if (!json_is_true(v))
				return bad(r, "properties.cancelRequested",
				    _("'cancelRequested' can only be set to "
				    "true."));
			cancel = 1;
		} else if (strcmp(key, "state") == 0) {
			s = json_string_value(v);
			if (s == NULL || (*s != '\0' &&
			    strcmp(s, "Shipping") != 0))
				return bad(r, "properties.state", _("'state' "
				    "can only be set to Shipping."));
			ship = *s != '\0';
		} else if (strcmp(key, "returnAddress") == 0) {
			if (copy_strings(r, v, "properties.returnAddress",
			    address_fields, address_required, &o) != 0)
				return -1;
		} else if (strcmp(key, "returnShipping") == 0) {
			if (copy_strings(r, v, "properties.returnShipping",
			    shipping_fields, shipping_fields, &o) != 0)
				return -1;
		} else if (strcmp(key, "deliveryPackage") == 0) {
			if (loc == NULL)
				return bad(r, "location", _("The job's "
				    "location is no longer served."));
			if (parse_package(r, v, loc, &o) != 0)
				return -1;
		} else if (strcmp(key, "logLevel") == 0) {
			s = json_string_value(v);
			if (s == NULL || (strcmp(s, "Error") != 0 &&
			    strcmp(s, "Verbose") != 0))
				return bad(r, "properties.logLevel",
				    _("'logLevel' must be Error or Verbose."));
			o = json_incref(v);
		} else if (strcmp(key, "backupDriveManifest") == 0) {
			if (!json_is_boolean(v))
				return bad(r, "properties.backupDriveManifest",
				    _("'%s' must be true or false."),
				    "backupDriveManifest");
			o = json_incref(v);
		} else if (strcmp(key, "driveList") == 0) {
			if (strcmp(json_string_value(json_object_get(props,
			    "jobType")), "Import") != 0)
				return bad(r, "properties.driveList",
				    _("An export job has no drive list to "
				    "set."));
			if (parse_drives(r, v, &o) != 0)
				return -1;
		}
		if (o != NULL)
			json_object_set_new(props, key, o);
	}
	if ((v = json_object_get(r->body, "tags")) != NULL) {
		if (parse_tags(r, v, &o) != 0)
			return -1;
		/* The drives may be on their way: where they are stored is
		 * fixed from Shipping on. */
		if (st >= shipping && strcasecmp(tags_container(o, r->job),
		    tags_container(json_object_get(doc, "tags"), r->job)) !=
		    0) {
			json_decref(o);
			server_error(r, 409, "InvalidJobState",
			    "tags.container", _("The job '%s' is in state %s: "
			    "its container can no longer be changed."), r->job,
			    state);
			return -1;
		}
		if (o != NULL)
			json_object_set_new(doc, "tags", o);
		else
			json_object_del(doc, "tags");
	}
	if (cancel && ship)
		return bad(r, "properties.state", _("A job cannot be "
		    "cancelled and shipped in one request."));
	if (cancel) {
		json_object_set_new(props, "cancelRequested", json_true());
		json_object_set_new(props, "state", json_string("Canceled"));
	}
	if (ship) {
		if (json_object_get(props, "returnAddress") == NULL)
			return missing(r, "properties.returnAddress");
		if (json_object_get(props, "deliveryPackage") == NULL)
			return missing(r, "properties.deliveryPackage");
		json_object_set_new(props, "state", json_string("Shipping"));
	}
	if (check_count(r, props) != 0)
		return -1;
	importd_now(now, sizeof now);
	o = json_object_get(doc, "systemData");
	json_object_set_new(o, "lastModifiedBy", json_string(r->caller));
	json_object_set_new(o, "lastModifiedByType", json_string("User"));
	json_object_set_new(o, "lastModifiedAt", json_string(now));
	return 0;
}

static void
job_keys(struct req *r, json_t *doc)
{
	json_t	*a = json_array(), *d;
	size_t	 i;

	json_array_foreach(json_object_get(json_object_get(doc, "properties"),
	    "driveList"), i, d)
		json_array_append_new(a, json_pack("{s:O, s:O}",
		    "bitLockerKey", json_object_get(d, "bitLockerKey"),
		    "driveId", json_object_get(d, "driveId")));
	server_reply(r, 200, json_pack("{s:o}", "value", a));
}

void
routes_jobs(struct req *r)
{
	json_t	*doc = NULL, *copy;
	char	*cause = NULL;
	int	 rc, mutating;

	if (!valid_rg_name(r->rg)) {
		server_error(r, 400, "InvalidResourceName", "resourceGroupName",
		    _("The resource group name '%s' is not valid."), r->rg);
		return;
	}
	if (!valid_job_name(r->job)) {
		server_error(r, 400, "InvalidResourceName", "jobName",
		    _("The job name '%s' is not valid: 3 to 64 lowercase "
		    "letters, digits and hyphens, starting with a letter."),
		    r->job);
		return;
	}
	if (r->action != NULL ? r->method != EVHTTP_REQ_POST :
	    (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_PUT &&
	    r->method != EVHTTP_REQ_PATCH && r->method != EVHTTP_REQ_DELETE)) {
		server_error(r, 405, "MethodNotAllowed", NULL,
		    _("This method is not allowed here."));
		return;
	}
	if ((r->method == EVHTTP_REQ_PUT || r->method == EVHTTP_REQ_PATCH) &&
	    server_body(r) != 0)
		return;
	/* Accounts granted while serving count from the next request. */
	if (config_refresh(r->cf, &cause) != DS_E_OK) {
		importd_log("importd.conf not read again: %s", cause);
		free(cause);
		cause = NULL;
	}
	mutating = r->method != EVHTTP_REQ_GET && r->action == NULL;
	if (mutating && db_begin(r->db, &cause) != DS_E_OK) {
		importd_log("begin: %s", cause);
		free(cause);
		server_error(r, 500, "InternalServerError", NULL,
		    _("The service's database failed."));
		return;
	}
	rc = db_job_get(r->db, r->sub, r->rg, r->job, &doc, &cause);
	free(cause);
	cause = NULL;
	if (rc != DS_E_OK && !(rc == DS_E_NOTFOUND &&
	    r->method == EVHTTP_REQ_PUT)) {
		if (rc == DS_E_NOTFOUND)
			server_error(r, 404, "ResourceNotFound", "jobName",
			    _("The job '%s' was not found in resource group "
			    "'%s'."), r->job, r->rg);
		else
			server_error(r, 500, "InternalServerError", NULL,
			    _("The service's database failed."));
		goto out;
	}
	if (r->action != NULL) {
		job_keys(r, doc);
		goto out;
	}
	switch (r->method) {
	case EVHTTP_REQ_GET:
		server_reply(r, 200, jobs_render(doc));
		break;
	case EVHTTP_REQ_PUT:
		job_put(r, doc);
		break;
	case EVHTTP_REQ_PATCH:
		copy = json_deep_copy(doc);
		if (patch_job(r, copy) == 0 && store(r, copy) == 0)
			server_reply(r, 200, jobs_render(copy));
		json_decref(copy);
		break;
	case EVHTTP_REQ_DELETE:
		if (strcmp(job_state(doc), "Creating") != 0 &&
		    strcmp(job_state(doc), "Completed") != 0) {
			server_error(r, 409, "InvalidJobState", NULL,
			    _("The job '%s' is in state %s: only a job in "
			    "Creating or Completed can be deleted."), r->job,
			    job_state(doc));
			break;
		}
		rc = db_job_delete(r->db, r->sub, r->rg, r->job, &cause);
		if (rc == DS_E_OK)
			rc = db_commit(r->db, &cause);
		if (rc == DS_E_OK)
			server_reply(r, 200, NULL);
		else {
			importd_log("delete %s: %s", r->job, cause);
			server_error(r, 500, "InternalServerError", NULL,
			    _("The service's database failed."));
		}
		free(cause);
		break;
	}
out:
	if (mutating)
		db_rollback(r->db);	/* no-op after a commit */
	json_decref(doc);
}

/* Parses "state eq 'Shipping'", the one $filter served. */
static int
parse_filter(const char *f, char *state, size_t len)
{
	const char	*q, *e;

	if (strncasecmp(f, "state eq '", 10) != 0)
		return -1;
	q = f + 10;
	if ((e = strchr(q, '\'')) == NULL || e[1] != '\0' ||
	    (size_t)(e - q) >= len)
		return -1;
	memcpy(state, q, e - q);
	state[e - q] = '\0';
	return state_index(job_states, state) < 0 ? -1 : 0;
}

void
routes_job_list(struct req *r)
{
	const char	*top = evhttp_find_header(r->query, "$top");
	const char	*skip = evhttp_find_header(r->query, "$skiptoken");
	const char	*filter = evhttp_find_header(r->query, "$filter");
	char		*end, *cause = NULL, *next, *enc = NULL, state[32];
	long long	 after = 0;
	long		 n = 100;
	json_t		*a, *out, *d;
	int64_t		 last;
	int		 more;
	size_t		 i;
	const char	*path;

	if (r->method != EVHTTP_REQ_GET) {
		server_error(r, 405, "MethodNotAllowed", NULL,
		    _("This resource only answers GET."));
		return;
	}
	if (r->rg != NULL && !valid_rg_name(r->rg)) {
		server_error(r, 400, "InvalidResourceName", "resourceGroupName",
		    _("The resource group name '%s' is not valid."), r->rg);
		return;
	}
	if (top != NULL && ((n = strtol(top, &end, 10)) < 1 || n > 100 ||
	    *end != '\0' || *top == '\0')) {
		bad(r, "$top", _("'$top' must be a number from 1 to 100."));
		return;
	}
	if (skip != NULL && ((after = strtoll(skip, &end, 10)) < 0 ||
	    *end != '\0' || *skip == '\0')) {
		bad(r, "$skiptoken", _("The '$skiptoken' is not valid."));
		return;
	}
	if (filter != NULL && parse_filter(filter, state, sizeof state) != 0) {
		bad(r, "$filter", _("Only the filter \"state eq 'STATE'\" is "
		    "supported."));
		return;
	}
	if (db_job_list(r->db, r->sub, r->rg, filter != NULL ? state : NULL,
	    after, (int)n, &a, &last, &more, &cause) != DS_E_OK) {
		importd_log("list: %s", cause);
		free(cause);
		server_error(r, 500, "InternalServerError", NULL,
		    _("The service's database failed."));
		return;
	}
	out = json_array();
	json_array_foreach(a, i, d)
		json_array_append_new(out, jobs_render(d));
	json_decref(a);
	a = json_pack("{s:o}", "value", out);
	if (more) {
		path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(
		    r->ev));
		if (filter != NULL)
			enc = evhttp_encode_uri(filter);
		if (asprintf(&next, "%s%s?api-version=%s&$top=%ld"
		    "&$skiptoken=%lld%s%s", r->base, path, IMPORTD_API_VERSION,
		    n, (long long)last, enc != NULL ? "&$filter=" : "",
		    enc != NULL ? enc : "") != -1) {
			json_object_set_new(a, "nextLink", json_string(next));
			free(next);
		}
		free(enc);
	}
	server_reply(r, 200, a);
}
