/* SPDX-License-Identifier: MIT */
/*
 * The job model (src/jobrec.c): states and the checks before each
 * change, the identity rule prep applies, the jobs of a staging folder,
 * and the set check made before "copied and verified", on a real prep
 * onto an image file in a private state directory.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "jobrec.h"
#include "prep.h"
#include "state.h"
#include "tap.h"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* A prep of STAGING onto the one image DRIVES[0] (d.img), small chunks. */
static void
prep_opts(struct ds_prep_opts *o, const char *staging, const char *job,
    const char **drives)
{
	memset(o, 0, sizeof *o);
	o->staging = staging;
	o->job = job;
	o->drives = drives;
	o->ndrives = 1;
	o->confirm = "d.img";
	o->chunk_size = 64 * 1024;
	o->segment_size = 1 << 20;
}

int
main(void)
{
	char			 top[] = "/tmp/ds-test-jobrec.XXXXXX";
	char			 st[300], st2[300], img[300];
	char			 path[400], cmd[400];
	struct ds_jobrec	*r = NULL;
	struct ds_prep_result	*res = NULL;
	struct ds_prep_opts	 o;
	const char		*drives[1];
	char			*cause = NULL, **jobs;
	size_t			 n, i;
	FILE			*f;

	if (mkdtemp(top) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/state", top);
	ds_state_set_dir(path);
	snprintf(st, sizeof st, "%s/st", top);
	snprintf(st2, sizeof st2, "%s/st2", top);
	snprintf(img, sizeof img, "%s/d.img", top);
	mkdir(st, 0755);
	mkdir(st2, 0755);
	snprintf(path, sizeof path, "%s/a", st);
	write_file(path, "hello");
	if ((f = fopen(img, "w")) == NULL || ftruncate(fileno(f),
	    8 << 20) != 0)
		return 1;
	fclose(f);

	TEST_START("state names and the service's names");
	ASSERT_STRING_EQ(ds_jobrec_state_key(DS_JOBREC_PREPARED), "prepared");
	ASSERT_INT_EQ(ds_jobrec_state_from_service("Shipping"),
	    DS_JOBREC_SHIPPING);
	ASSERT_INT_EQ(ds_jobrec_state_from_service("completed"),
	    DS_JOBREC_COMPLETED);
	ASSERT_INT_EQ(ds_jobrec_state_from_service("Nonsense"), -1);
	TEST_DONE();

	TEST_START("a draft: names checked, fields set and kept");
	ASSERT_INT_EQ(ds_jobrec_new("MyJob", st, &r, NULL), DS_E_BADNAME);
	ASSERT_INT_EQ(ds_jobrec_new("draftjob", st, &r, NULL), DS_E_OK);
	ASSERT_INT_EQ(r->state, DS_JOBREC_DRAFT);
	ASSERT_INT_EQ(ds_jobrec_set(r, DS_JOBREC_ACCOUNT, "Bad_Acct", NULL),
	    DS_E_BADNAME);
	ASSERT_PTR_EQ(r->storage_account, NULL);
	ASSERT_INT_EQ(ds_jobrec_set(r, DS_JOBREC_ACCOUNT, "acct1", NULL),
	    DS_E_OK);
	ASSERT_STRING_EQ(r->storage_account, "acct1");
	ds_jobrec_free(r);
	r = NULL;
	ASSERT_INT_EQ(ds_jobrec_load("draftjob", &r, NULL), DS_E_OK);
	ASSERT_STRING_EQ(r->storage_account, "acct1");
	ds_jobrec_free(r);
	r = NULL;
	/* A name any job has is not new, in any state. */
	ASSERT_INT_EQ(ds_jobrec_new("draftjob", st2, &r, &cause),
	    DS_E_JOBEXISTS);
	ASSERT_TRUE(strstr(cause, "draftjob") != NULL);
	TEST_DONE();

	TEST_START("prep: a draft of the same folder is taken, then prepared");
	ASSERT_INT_EQ(ds_jobrec_claim("draftjob", st, 0, NULL), DS_E_OK);
	drives[0] = img;
	prep_opts(&o, st, "draftjob", drives);
	ASSERT_INT_EQ(ds_prep(&o, &res, &cause), DS_E_OK);
	ds_prep_result_free(res);
	res = NULL;
	ASSERT_INT_EQ(ds_jobrec_load("draftjob", &r, NULL), DS_E_OK);
	ASSERT_INT_EQ(r->state, DS_JOBREC_PREPARED);
	ASSERT_TRUE(r->set_id != NULL && strlen(r->set_id) == 32);
	ASSERT_STRING_EQ(r->storage_account, "acct1");
	ds_jobrec_free(r);
	r = NULL;
	TEST_DONE();

	TEST_START("identity: a prepared name is refused for a new prep");
	ASSERT_INT_EQ(ds_jobrec_claim("draftjob", st2, 0, &cause),
	    DS_E_JOBEXISTS);
	ASSERT_TRUE(strstr(cause, "prepared") != NULL);
	ASSERT_INT_EQ(ds_jobrec_claim("draftjob", st2, 1, &cause),
	    DS_E_JOBEXISTS);
	ASSERT_INT_EQ(ds_jobrec_claim("draftjob", st, 1, NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_jobrec_claim("otherjob", st2, 0, NULL), DS_E_OK);
	TEST_DONE();

	TEST_START("the jobs of a staging folder");
	ASSERT_INT_EQ(ds_jobrec_by_staging(st, &jobs, &n, NULL), DS_E_OK);
	ASSERT_INT_EQ(n, 1);
	ASSERT_STRING_EQ(jobs[0], "draftjob");
	for (i = 0; i < n; i++)
		free(jobs[i]);
	free(jobs);
	ASSERT_INT_EQ(ds_jobrec_by_staging(st2, &jobs, &n, NULL), DS_E_OK);
	ASSERT_INT_EQ(n, 0);
	free(jobs);
	TEST_DONE();

	TEST_START("the set check: this job's drives, staging as scanned");
	ASSERT_INT_EQ(ds_jobrec_check_set("draftjob", &cause), DS_E_OK);
	snprintf(path, sizeof path, "%s/b", st);
	write_file(path, "more data");
	ASSERT_INT_EQ(ds_jobrec_check_set("draftjob", &cause),
	    DS_E_NOT_VERIFIED);
	unlink(path);
	ASSERT_INT_EQ(ds_jobrec_check_set("draftjob", NULL), DS_E_OK);
	/* The drive overwritten by another job: not this job's set. */
	prep_opts(&o, st, "thiefjob", drives);
	ASSERT_INT_EQ(ds_prep(&o, &res, NULL), DS_E_OTHERJOB);
	ds_prep_result_free(res);
	res = NULL;
	o.overwrite_job = "draftjob";
	ASSERT_INT_EQ(ds_prep(&o, &res, NULL), DS_E_OK);
	ds_prep_result_free(res);
	res = NULL;
	ASSERT_INT_EQ(ds_jobrec_check_set("draftjob", &cause),
	    DS_E_NOT_VERIFIED);
	ASSERT_TRUE(strstr(cause, "d.img") != NULL);
	TEST_DONE();

	TEST_START("created: fields fixed; the service's states tracked");
	ASSERT_INT_EQ(ds_jobrec_created("thiefjob", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_jobrec_load("thiefjob", &r, NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_jobrec_set(r, DS_JOBREC_CONTAINER, "backups",
	    &cause), DS_E_JOBSTATE);
	ASSERT_PTR_EQ(r->container, NULL);
	ds_jobrec_free(r);
	r = NULL;
	ASSERT_INT_EQ(ds_jobrec_track("thiefjob", "Shipping", NULL), DS_E_OK);
	ASSERT_INT_EQ(ds_jobrec_move("thiefjob", DS_JOBREC_CANCELED, NULL,
	    NULL), DS_E_JOBSTATE);
	ASSERT_INT_EQ(ds_jobrec_move("thiefjob", DS_JOBREC_PREPARING, NULL,
	    NULL), DS_E_JOBSTATE);
	ASSERT_INT_EQ(ds_jobrec_load("thiefjob", &r, NULL), DS_E_OK);
	ASSERT_INT_EQ(r->state, DS_JOBREC_SHIPPING);
	ds_jobrec_free(r);
	r = NULL;
	TEST_DONE();

	free(cause);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	tap_end();
	return tap_failed > 0;
}
