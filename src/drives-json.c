/* SPDX-License-Identifier: MIT */
/* Drives and their contents as JSON (jansson), for --json and the API. */
#include "config.h"

#include <sys/sysmacros.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "drives.h"
#include "error.h"
#include "jobrec.h"

/* Sets KEY to the string S, or to null when S is NULL. */
static int
set_str(json_t *o, const char *key, const char *s)
{
	return json_object_set_new(o, key, s != NULL ? json_string(s) :
	    json_null());
}

/* Appends {code, message, detail} for each of the N bits set in BITS. */
static int
add_bits(json_t *a, unsigned bits, int n, const char *(*name)(unsigned),
    const char *(*text)(unsigned), char *const *details)
{
	json_t		*e;
	unsigned	 bit;
	int		 i, rc = 0;

	for (i = 0; i < n; i++) {
		bit = 1U << i;
		if (!(bits & bit))
			continue;
		if ((e = json_object()) == NULL ||
		    json_array_append_new(a, e) != 0)
			return -1;
		rc |= set_str(e, "code", name(bit));
		rc |= set_str(e, "message", _(text(bit)));
		if (details != NULL)
			rc |= set_str(e, "detail", details[i]);
	}
	return rc;
}

/* What a drive holds of diskseed, or JSON null when nothing. */
static json_t *
seed_json(const struct ds_gate_seed *s)
{
	if (!s->is_seed)
		return json_null();
	return json_pack("{s:s, s:i, s:i, s:s, s:b, s:s?}", "job", s->job,
	    "drive", (int)s->index + 1, "index", (int)s->index, "setId",
	    s->set_id, "complete", s->complete, "jobState", s->state >= 0 ?
	    ds_jobrec_state_key(s->state) : NULL);
}

void *
ds_drive_json(const struct ds_drive *d)
{
	json_t		*o, *r, *w, *ids;
	int		 rc = 0;
	char		 devnum[32];
	char	       **b;

	if ((o = json_object()) == NULL)
		return NULL;
	snprintf(devnum, sizeof devnum, "%u:%u", major(d->devnum),
	    minor(d->devnum));
	rc |= set_str(o, "name", d->name);
	rc |= set_str(o, "path", d->devnode);
	rc |= set_str(o, "devnum", devnum);
	rc |= set_str(o, "byId", d->by_id);
	rc |= set_str(o, "vendor", d->vendor);
	rc |= set_str(o, "model", d->model);
	rc |= set_str(o, "serial", d->serial);
	rc |= set_str(o, "driveId", d->drive_id);
	rc |= set_str(o, "confirmId", d->confirm_id);
	rc |= set_str(o, "bus", d->bus);
	rc |= set_str(o, "busText", _(ds_drive_bus_text(d)));
	rc |= json_object_set_new(o, "size", json_integer((json_int_t)d->size));
	rc |= json_object_set_new(o, "logicalSectorSize",
	    json_integer(d->logical_sector));
	rc |= json_object_set_new(o, "physicalSectorSize",
	    json_integer(d->physical_sector));
	rc |= json_object_set_new(o, "rotational",
	    json_boolean(d->rotational));
	rc |= json_object_set_new(o, "removable", json_boolean(d->removable));
	rc |= json_object_set_new(o, "readOnly", json_boolean(d->read_only));
	rc |= json_object_set_new(o, "virtual", json_boolean(d->is_virtual));
	rc |= json_object_set_new(o, "eligible", json_boolean(d->reasons == 0));
	rc |= json_object_set_new(o, "diskseed", seed_json(&d->seed));
	r = json_array();
	w = json_array();
	ids = json_array();
	rc |= json_object_set_new(o, "reasons", r);
	rc |= json_object_set_new(o, "warnings", w);
	rc |= json_object_set_new(o, "byIds", ids);
	if (rc != 0 || r == NULL || w == NULL || ids == NULL)
		goto fail;
	if (add_bits(r, d->reasons, DS_DRIVE_NREASONS, ds_drive_reason_name,
	    ds_drive_reason_text, d->details) != 0 ||
	    add_bits(w, d->warnings, DS_DRIVE_NWARNINGS, ds_drive_warning_name,
	    ds_drive_warning_text, NULL) != 0)
		goto fail;
	for (b = d->by_ids; b != NULL && *b != NULL; b++)
		rc |= json_array_append_new(ids, json_string(*b));
	if (rc != 0)
		goto fail;
	return o;

fail:
	json_decref(o);
	return NULL;
}

void *
ds_drive_contents_json(const struct ds_drive_contents *c)
{
	json_t				*o, *a, *p;
	const struct ds_drive_part	*dp;
	size_t				 i;
	int				 rc = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	rc |= json_object_set_new(o, "size", json_integer((json_int_t)c->size));
	rc |= set_str(o, "pttype", c->pttype);
	rc |= set_str(o, "ptuuid", c->ptuuid);
	rc |= set_str(o, "fstype", c->fstype);
	rc |= set_str(o, "label", c->label);
	rc |= set_str(o, "uuid", c->uuid);
	rc |= json_object_set_new(o, "diskseed", seed_json(&c->seed));
	if ((a = json_array()) == NULL ||
	    json_object_set_new(o, "partitions", a) != 0)
		goto fail;
	for (i = 0; i < c->nparts; i++) {
		dp = &c->parts[i];
		if ((p = json_object()) == NULL ||
		    json_array_append_new(a, p) != 0)
			goto fail;
		rc |= json_object_set_new(p, "number",
		    json_integer(dp->number));
		rc |= json_object_set_new(p, "start",
		    json_integer((json_int_t)dp->start));
		rc |= json_object_set_new(p, "size",
		    json_integer((json_int_t)dp->size));
		rc |= set_str(p, "type", dp->type);
		rc |= set_str(p, "name", dp->name);
		rc |= set_str(p, "fstype", dp->fstype);
		rc |= set_str(p, "label", dp->label);
		rc |= set_str(p, "uuid", dp->uuid);
	}
	if (rc != 0)
		goto fail;
	return o;

fail:
	json_decref(o);
	return NULL;
}
