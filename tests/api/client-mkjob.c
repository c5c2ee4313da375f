/*
 * Test driver: creates an import job through the backend
 * (ds_jobstore_create, the function behind "diskseed job create") with
 * NDRIVES synthetic prepared-drive records, for the client tests that
 * need a job but not prepared drives.
 *   client-mkjob [--state-dir DIR] JOB NDRIVES ACCOUNT LOCATION [RG]
 * Exit 0 on success, 6 on a service failure, 1 otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "jobstore.h"
#include "prepared.h"
#include "state.h"

int
main(int argc, char **argv)
{
	struct ds_prepared_drive	 d[10];
	struct ds_prepared		 p;
	struct ds_job_spec		 spec;
	struct ds_api			*api = NULL;
	struct ds_job			*job = NULL;
	char				*cause = NULL, ids[10][32], keys[10][128];
	char				*hh = "0:4096:"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	int				 i, n, rc;

	if (argc > 2 && strcmp(argv[1], "--state-dir") == 0) {
		ds_state_set_dir(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || (n = atoi(argv[2])) < 0 || n > 10) {
		fprintf(stderr, "usage: client-mkjob JOB NDRIVES ACCOUNT "
		    "LOCATION [RG]\n");
		return 2;
	}
	memset(&p, 0, sizeof p);
	memset(d, 0, sizeof d);
	p.job = argv[1];
	p.finished = 1;
	p.ndrives = (size_t)n;
	p.drives = d;
	for (i = 0; i < n; i++) {
		snprintf(ids[i], sizeof ids[i], "T%s-%d", argv[1], i);
		snprintf(keys[i], sizeof keys[i], "%06d-%06d-%06d-%06d-%06d-"
		    "%06d-%06d-%06d", 11 * i, 22, 33, 44, 55, 66, 77, 88);
		d[i].index = i;
		d[i].drive_id = ids[i];
		d[i].recovery_key = keys[i];
		d[i].manifest_file = "\\diskseed.manifest";
		d[i].manifest_hash = "0123456789ABCDEF0123456789ABCDEF";
		d[i].header_hash = hh;
		d[i].complete = 1;
	}
	memset(&spec, 0, sizeof spec);
	spec.name = argv[1];
	spec.storage_account = argv[3];
	spec.location = argv[4];
	spec.resource_group = argc > 5 ? argv[5] : NULL;
	spec.container = "backups";
	spec.prepared = &p;
	if ((rc = ds_api_open(&api, &cause)) == DS_E_OK)
		rc = ds_jobstore_create(api, &spec, &job, &cause);
	if (rc != DS_E_OK)
		fprintf(stderr, "client-mkjob: %s: %s\n", ds_strerror(rc),
		    cause != NULL ? cause : "");
	else
		printf("%s %s %zu\n", job->name, job->state, job->ndrives);
	free(cause);
	ds_job_free(job);
	ds_api_close(api);
	if (rc == DS_E_OK)
		return 0;
	return rc == DS_E_SERVICE || rc == DS_E_UNREACHABLE ||
	    rc == DS_E_AUTH || rc == DS_E_TLS || rc == DS_E_BADANSWER ? 6 : 1;
}
