/* SPDX-License-Identifier: MIT */
/* Locations_List and Locations_Get: the datacenters of importd.conf. */
#include "config.h"

#include <event2/http.h>

#include "importd.h"

void
routes_locations(struct req *r)
{
	json_t	*loc;

	if (r->method != EVHTTP_REQ_GET) {
		server_error(r, 405, "MethodNotAllowed", NULL,
		    _("This resource only answers GET."));
		return;
	}
	if (r->location == NULL) {
		server_reply(r, 200, json_pack("{s:O}", "value",
		    r->cf->locations));
		return;
	}
	if ((loc = config_location(r->cf, r->location)) == NULL) {
		server_error(r, 404, "LocationNotFound", "locationName",
		    _("The location '%s' is not served here."), r->location);
		return;
	}
	server_reply(r, 200, json_incref(loc));
}
