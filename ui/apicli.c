/* SPDX-License-Identifier: MIT */
/* Helpers of the import-job subcommands. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "util.h"

static void
line(FILE *f, int indent, const char *s)
{
	if (s != NULL && *s != '\0')
		fprintf(f, "%*s%s\n", indent, "", s);
}

void
apicli_address(FILE *f, const struct ds_address *a, int indent)
{
	line(f, indent, a->recipient_name);
	line(f, indent, a->street1);
	line(f, indent, a->street2);
	fprintf(f, "%*s%s%s%s%s%s\n", indent, "",
	    a->postal_code != NULL ? a->postal_code : "",
	    a->postal_code != NULL ? " " : "", a->city != NULL ? a->city : "",
	    a->state != NULL && *a->state != '\0' ? ", " : "",
	    a->state != NULL ? a->state : "");
	line(f, indent, a->country);
	if (a->phone != NULL && *a->phone != '\0')
		fprintf(f, "%*s%s %s\n", indent, "", _("Phone:"), a->phone);
	if (a->email != NULL && *a->email != '\0')
		fprintf(f, "%*s%s %s\n", indent, "", _("Email:"), a->email);
	line(f, indent, a->additional);
}

void
apicli_location(FILE *f, const struct ds_location *l)
{
	size_t i;

	fprintf(f, "%s\n", l->name);
	apicli_address(f, &l->address, 2);
	fprintf(f, "  %s", _("Supported carriers:"));
	for (i = 0; i < l->ncarriers; i++)
		fprintf(f, "%s %s", i == 0 ? "" : ",", l->carriers[i]);
	fputc('\n', f);
}

void
apicli_job(FILE *f, const struct ds_job *j)
{
	char	size[32];
	size_t	i;

	fprintf(f, _("Job %s (resource group %s, %s)\n"), j->name,
	    j->resource_group != NULL ? j->resource_group : "?",
	    j->location != NULL ? j->location : "?");
	fprintf(f, "  %-14s %s%s\n", _("State:"), j->state != NULL ?
	    j->state : "?", j->cancel_requested ? _(" (cancel requested)") :
	    "");
	if (j->percent >= 0)
		fprintf(f, "  %-14s %lld%%\n", _("Progress:"), j->percent);
	if (j->delivery != NULL)
		fprintf(f, "  %-14s %s %s\n", _("Shipped with:"),
		    j->delivery->carrier != NULL ? j->delivery->carrier : "",
		    j->delivery->tracking != NULL ? j->delivery->tracking : "");
	if (j->return_package != NULL)
		fprintf(f, "  %-14s %s %s\n", _("Returned with:"),
		    j->return_package->carrier != NULL ?
		    j->return_package->carrier : "",
		    j->return_package->tracking != NULL ?
		    j->return_package->tracking : "");
	fprintf(f, "  %-14s %s\n", _("Last updated:"),
	    j->last_modified != NULL ? j->last_modified : _("unknown"));
	if (j->state != NULL && (strcmp(j->state, "Shipping") == 0 ||
	    strcmp(j->state, "Received") == 0 ||
	    strcmp(j->state, "Transferring") == 0 ||
	    strcmp(j->state, "Packaging") == 0))
		fprintf(f, "  %s\n", _("Waiting for the import job to "
		    "complete."));
	for (i = 0; i < j->ndrives; i++) {
		const struct ds_drive_status *d = &j->drives[i];
		fprintf(f, _("  Drive %s: %s"), d->drive_id != NULL ?
		    d->drive_id : "?", d->state != NULL ? d->state : "?");
		if (d->percent >= 0)
			fprintf(f, ", %lld%%", d->percent);
		if (d->bytes >= 0)
			fprintf(f, _(", %s copied"), ds_human_size(size,
			    sizeof size, (uint64_t)d->bytes));
		fputc('\n', f);
		if (d->copy_status != NULL)
			fprintf(f, "    %-12s %s\n", _("Copy status:"),
			    d->copy_status);
		if (d->error_log != NULL)
			fprintf(f, "    %-12s %s\n", _("Error log:"),
			    d->error_log);
		if (d->verbose_log != NULL)
			fprintf(f, "    %-12s %s\n", _("Verbose log:"),
			    d->verbose_log);
		if (d->manifest_uri != NULL)
			fprintf(f, "    %-12s %s\n", _("Manifest:"),
			    d->manifest_uri);
	}
}

int
apicli_json(FILE *f, void *j)
{
	json_t	*o = j;
	int	 rc;

	if (o == NULL)
		return -1;
	rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(o);
	return rc;
}
