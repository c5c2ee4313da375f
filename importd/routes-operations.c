/* SPDX-License-Identifier: MIT */
/* Operations_List: what the provider can do. */
#include "config.h"

#include <event2/http.h>

#include "importd.h"

static const struct {
	const char	*name;
	const char	*resource;
	const char	*operation;
	const char	*description;
} operations[] = {
	{ "Microsoft.ImportExport/locations/read", "Locations",
	    "Get or List Locations", "Gets the properties for the specified "
	    "location or returns the list of locations." },
	{ "Microsoft.ImportExport/jobs/write", "Jobs",
	    "Create or Update Job", "Creates a job with the specified "
	    "parameters or update the properties or tags for the specified "
	    "job." },
	{ "Microsoft.ImportExport/jobs/read", "Jobs", "Get or List Jobs",
	    "Gets the properties for the specified job or returns the list "
	    "of jobs." },
	{ "Microsoft.ImportExport/jobs/listBitLockerKeys/action", "Jobs",
	    "List BitLocker Keys", "Gets the BitLocker keys for the "
	    "specified job." },
	{ "Microsoft.ImportExport/jobs/delete", "Jobs", "Delete Job",
	    "Deletes an existing job." },
	{ "Microsoft.ImportExport/register/action", "Import/Export Resource "
	    "Provider", "Register Resource Provider", "Registers the "
	    "subscription for the import/export resource provider and "
	    "enables the creation of import/export jobs." },
};

void
routes_operations(struct req *r)
{
	json_t	*a;
	size_t	 i;

	if (r->method != EVHTTP_REQ_GET) {
		server_error(r, 405, "MethodNotAllowed", NULL,
		    _("This resource only answers GET."));
		return;
	}
	a = json_array();
	for (i = 0; i < sizeof operations / sizeof operations[0]; i++)
		json_array_append_new(a, json_pack("{s:s, s:{s:s, s:s, s:s, "
		    "s:s}}", "name", operations[i].name, "display",
		    "provider", "Microsoft Import/Export",
		    "resource", operations[i].resource,
		    "operation", operations[i].operation,
		    "description", operations[i].description));
	server_reply(r, 200, json_pack("{s:o}", "value", a));
}
