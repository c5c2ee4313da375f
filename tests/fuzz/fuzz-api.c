/* SPDX-License-Identifier: MIT */
/*
 * The answers the import-job client parses (src/api.c): Locations_List,
 * Locations_Get, Jobs_Get, Jobs_ListBySubscription (following its
 * nextLinks), Jobs_Update and Jobs_Delete, each with its ErrorResponse.
 *
 * The real operations run; only the transport is replaced: the target
 * is linked with -Wl,--wrap=ds_http_request, so the client's calls come
 * to __wrap_ds_http_request() below, which answers with the input.
 *
 * Input: byte 0 picks the operation (and whether the management
 * certificate counts as expired), byte 1 the HTTP status, the rest is
 * the answers' bodies, one per request, separated by NUL bytes.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "error.h"
#include "fuzz.h"
#include "http.h"
#include "jsonx.h"
#include "settings.h"

#define BASE	"https://fuzz.invalid:8443/base"

int	__wrap_ds_http_request(const struct ds_http_conf *conf,
	    const char *method, const char *url, const char *body,
	    struct ds_http_resp *resp, char **cause);

static const long statuses[] = {
	200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 503, 301, 0
};

static struct {
	const uint8_t	*p;	/* the answers not given yet */
	size_t		 left;
	long		 status;
	int		 requests;
} feed;

int
__wrap_ds_http_request(const struct ds_http_conf *conf, const char *method,
    const char *url, const char *body, struct ds_http_resp *resp,
    char **cause)
{
	const uint8_t	*end;
	size_t		 len;

	(void)conf;
	(void)cause;
	memset(resp, 0, sizeof *resp);
	/* The client never talks to another service (any case). */
	FUZZ_CHECK(strncasecmp(url, BASE, sizeof BASE - 1) == 0 &&
	    (url[sizeof BASE - 1] == '/' || url[sizeof BASE - 1] == '?'));
	FUZZ_CHECK(body == NULL || strcmp(method, "GET") != 0);
	feed.requests++;
	if (feed.left == 0 && feed.requests > 1) {
		/* Nothing more to say: an empty last page. */
		resp->status = 200;
		resp->body = strdup("{\"value\": []}");
		resp->len = strlen(resp->body);
		resp->attempts = 1;
		return DS_E_OK;
	}
	end = memchr(feed.p, '\0', feed.left);
	len = end != NULL ? (size_t)(end - feed.p) : feed.left;
	/* As http.c promises: allocated and NUL-terminated. */
	if ((resp->body = malloc(len + 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(resp->body, feed.p, len);
	resp->body[len] = '\0';
	resp->len = len;
	resp->status = feed.status;
	resp->attempts = 1;
	feed.p += len;
	feed.left -= len;
	if (feed.left > 0) {
		feed.p++;
		feed.left--;
	}
	return DS_E_OK;
}

static void
check_job(const struct ds_job *j)
{
	json_t	*o;

	FUZZ_CHECK(j != NULL && j->name != NULL);
	FUZZ_CHECK(j->ndrives == 0 || j->drives != NULL);
	FUZZ_CHECK((o = ds_job_to_json(j)) != NULL);
	json_decref(o);
}

static void
check_location(const struct ds_location *l)
{
	json_t	*o;
	size_t	 i;

	FUZZ_CHECK(l->name != NULL);
	for (i = 0; i < l->ncarriers; i++)
		FUZZ_CHECK(l->carriers[i] != NULL);
	for (i = 0; i < l->nalternates; i++)
		FUZZ_CHECK(l->alternates[i] != NULL);
	FUZZ_CHECK((o = ds_location_to_json(l)) != NULL);
	json_decref(o);
}

/* Runs operation OP; returns its code, *cause set on failure. */
static int
run(struct ds_api *api, int op, char **cause)
{
	struct ds_location	*locs = NULL, *loc = NULL;
	struct ds_job		*job = NULL, **jobs = NULL;
	struct ds_package	 pkg;
	size_t			 n = 0, i;
	int			 rc;

	switch (op) {
	case 0:
		rc = ds_api_locations(api, &locs, &n, cause);
		FUZZ_CHECK(rc == DS_E_OK || (locs == NULL && n == 0));
		for (i = 0; i < n; i++)
			check_location(&locs[i]);
		ds_locations_free(locs, n);
		break;
	case 1:
		rc = ds_api_location_get(api, "westus", &loc, cause);
		FUZZ_CHECK((rc == DS_E_OK) == (loc != NULL));
		if (loc != NULL)
			check_location(loc);
		ds_location_free(loc);
		break;
	case 2:
		rc = ds_api_job_get(api, NULL, "fuzzjob", &job, cause);
		FUZZ_CHECK((rc == DS_E_OK) == (job != NULL));
		if (job != NULL)
			check_job(job);
		ds_job_free(job);
		break;
	case 3:
		rc = ds_api_job_list(api, &jobs, &n, cause);
		FUZZ_CHECK(rc == DS_E_OK || (jobs == NULL && n == 0));
		for (i = 0; i < n; i++)
			check_job(jobs[i]);
		ds_jobs_free(jobs, n);
		break;
	case 4:
		memset(&pkg, 0, sizeof pkg);
		pkg.carrier = (char *)"FedEx";
		pkg.tracking = (char *)"1234567890";
		pkg.drive_count = 1;
		rc = ds_api_job_ship(api, "rg", "fuzzjob", NULL, &pkg, &job,
		    cause);
		FUZZ_CHECK((rc == DS_E_OK) == (job != NULL));
		if (job != NULL)
			check_job(job);
		ds_job_free(job);
		break;
	case 5:
		rc = ds_api_job_cancel(api, "rg", "fuzzjob", &job, cause);
		FUZZ_CHECK((rc == DS_E_OK) == (job != NULL));
		if (job != NULL)
			check_job(job);
		ds_job_free(job);
		break;
	default:
		rc = ds_api_job_delete(api, "rg", "fuzzjob", cause);
		break;
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_settings	 s;
	struct ds_api		*api;
	char			*cause = NULL;
	int			 op, rc, rc2;

	if (size < 2)
		return 0;
	memset(&s, 0, sizeof s);
	s.subscription_id = (char *)"11111111-2222-3333-4444-555555555555";
	s.url = (char *)BASE "/";
	s.resource_group = (char *)"rg";
	s.cert.thumbprint = (char *)"0123456789ABCDEF";
	s.cert.expired = data[0] >> 7;
	op = (data[0] & 0x7f) % 7;
	FUZZ_CHECK(ds_api_open_with(&s, &api, &cause) == DS_E_OK);

	memset(&feed, 0, sizeof feed);
	feed.status = statuses[data[1] % (sizeof statuses /
	    sizeof statuses[0])];
	feed.p = data + 2;
	feed.left = size - 2;
	rc = run(api, op, &cause);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "operation %d: %s%s%s\n", op, ds_errname(rc),
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	FUZZ_CHECK(rc == DS_E_OK || cause != NULL || rc == DS_E_NOMEM);
	if (feed.status < 200 || feed.status > 299)
		FUZZ_CHECK(rc != DS_E_OK);
	free(cause);
	cause = NULL;

	/* The cause is optional: the same answer without one. */
	memset(&feed, 0, sizeof feed);
	feed.status = statuses[data[1] % (sizeof statuses /
	    sizeof statuses[0])];
	feed.p = data + 2;
	feed.left = size - 2;
	rc2 = run(api, op, NULL);
	FUZZ_CHECK(rc2 == rc);
	ds_api_close(api);
	return 0;
}
