/* SPDX-License-Identifier: MIT */
/* diskseed status: the state of import jobs and of their drives. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "apicli.h"
#include "cmd.h"
#include "error.h"
#include "jobstore.h"
#include "jsonx.h"
#include "names.h"

static const struct ds_cliopt options[] = {
	UI_OPT_JOB,
	UI_OPT_GROUP,
	UI_OPT_JSON('J'),
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed status [--job NAME] "
    "[--resource-group RG] [--json]\n"
    "Show the state of the import jobs of the subscription (or of "
    "one job) and of\neach drive: state, percent, bytes copied, "
    "log locations, last update.\n");

int
cmd_status(int argc, char **argv)
{
	struct ds_job_record	*rec = NULL;
	struct ds_api		*api = NULL;
	struct ds_job		**jobs = NULL, *one = NULL;
	const char		*name = NULL, *rg = NULL;
	json_t			*arr = NULL;
	char			*cause = NULL;
	size_t			 n = 0, i;
	int			 c, rc, json = 0;

	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 'j':
			name = optarg;
			break;
		case 'g':
			rg = optarg;
			break;
		case 'J':
			json = 1;
			break;
		case 'h':
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("status", NULL);
		}
	}
	if (optind != argc)
		return ui_usage_error("status", _("unexpected argument '%s'"),
		    argv[optind]);
	if ((name != NULL && (rc = ds_name_check_job(name, &cause)) != 0) ||
	    (rg != NULL && (rc = ds_name_check_group(rg, &cause)) != 0))
		return ui_fail(rc, cause);
	if ((rc = ds_api_open(&api, &cause)) != DS_E_OK)
		goto out;
	if (name != NULL) {
		if (rg == NULL && ds_jobstore_load(name, &rec, NULL) == 0)
			rg = rec->resource_group;
		if ((rc = ds_api_job_get(api, rg, name, &one, &cause)) != 0)
			goto out;
		jobs = &one;
		n = 1;
	} else if ((rc = ds_api_job_list(api, &jobs, &n, &cause)) != 0)
		goto out;
	if (json) {
		if ((arr = json_array()) == NULL)
			rc = DS_E_NOMEM;
		for (i = 0; i < n && rc == DS_E_OK; i++) {
			if (json_array_append_new(arr,
			    ds_job_to_json(jobs[i])) != 0)
				rc = DS_E_NOMEM;
		}
		if (rc == DS_E_OK)
			rc = apicli_json(stdout, json_incref(name != NULL ?
			    json_array_get(arr, 0) : arr)) == 0 ? DS_E_OK :
			    DS_E_IO;
		json_decref(arr);
	} else {
		if (n == 0)
			printf("%s\n", _("No import jobs."));
		for (i = 0; i < n; i++) {
			if (i > 0)
				putchar('\n');
			apicli_job(stdout, jobs[i]);
		}
	}
out:
	if (one != NULL)
		ds_job_free(one);
	else
		ds_jobs_free(jobs, n);
	ds_job_record_free(rec);
	ds_api_close(api);
	return rc == DS_E_OK ? DS_EXIT_OK : ui_fail(rc, cause);
}
