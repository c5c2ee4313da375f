/* SPDX-License-Identifier: MIT */
/* diskseed locations: the datacenters drives can be shipped to. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "jsonx.h"

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed locations [--json]\n"
	    "List the datacenters drives can be shipped to: address and "
	    "supported carriers.\n"), f);
}

int
cmd_locations(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ds_api		*api = NULL;
	struct ds_location	*locs = NULL;
	json_t			*arr;
	char			*cause = NULL;
	size_t			 n = 0, i;
	int			 c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			usage(stderr);
			return DS_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK ||
	    (rc = ds_api_locations(api, &locs, &n, &cause)) != DS_E_OK) {
		ds_api_close(api);
		return apicli_fail(rc, cause);
	}
	if (json) {
		if ((arr = json_array()) == NULL)
			rc = DS_E_NOMEM;
		for (i = 0; i < n && rc == DS_E_OK; i++) {
			if (json_array_append_new(arr,
			    ds_location_to_json(&locs[i])) != 0)
				rc = DS_E_NOMEM;
		}
		if (rc == DS_E_OK && apicli_json(stdout, arr) != 0)
			rc = DS_E_IO;
		else if (rc != DS_E_OK)
			json_decref(arr);
	} else {
		for (i = 0; i < n; i++) {
			if (i > 0)
				putchar('\n');
			apicli_location(stdout, &locs[i]);
		}
	}
	ds_locations_free(locs, n);
	ds_api_close(api);
	return rc == DS_E_OK ? DS_EXIT_OK : apicli_fail(rc, NULL);
}
