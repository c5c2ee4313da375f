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

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed status [--job NAME] [--resource-group RG] "
	    "[--json]\n"
	    "Show the state of the import jobs of the subscription (or of "
	    "one job) and of\neach drive: state, percent, bytes copied, "
	    "log locations, last update.\n"), f);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "job",		required_argument, NULL, 'j' },
		{ "resource-group",	required_argument, NULL, 'g' },
		{ "json",		no_argument,	   NULL, 'J' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ds_job_record	*rec = NULL;
	struct ds_api		*api = NULL;
	struct ds_job		**jobs = NULL, *one = NULL;
	const char		*name = NULL, *rg = NULL;
	json_t			*arr = NULL;
	char			*cause = NULL;
	size_t			 n = 0, i;
	int			 c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
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
	if ((name != NULL && (rc = ds_name_check_job(name, &cause)) != 0) ||
	    (rg != NULL && (rc = ds_name_check_group(rg, &cause)) != 0))
		return apicli_fail(rc, cause);
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
	return rc == DS_E_OK ? DS_EXIT_OK : apicli_fail(rc, cause);
}
