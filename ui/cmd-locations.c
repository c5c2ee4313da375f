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

static const struct ds_cliopt options[] = {
	UI_OPT_JSON('j'),
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed locations [--json]\n"
    "List the datacenters drives can be shipped to: address and "
    "supported carriers.\n");

int
cmd_locations(int argc, char **argv)
{
	struct ds_api		*api = NULL;
	struct ds_location	*locs = NULL;
	json_t			*arr;
	char			*cause = NULL;
	size_t			 n = 0, i;
	int			 c, rc, json = 0;

	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("locations", NULL);
		}
	}
	if (optind != argc)
		return ui_usage_error("locations",
		    _("unexpected argument '%s'"), argv[optind]);
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK ||
	    (rc = ds_api_locations(api, &locs, &n, &cause)) != DS_E_OK) {
		ds_api_close(api);
		return ui_fail(rc, cause);
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
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, NULL);
}
