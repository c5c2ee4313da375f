/* SPDX-License-Identifier: MIT */
/*
 * The request bodies diskseed-importd parses: Jobs_Create (PUT) and
 * Jobs_Update (PATCH) of one job, with the body rules of
 * importd/routes-jobs.c, through the real route, server_body() and the
 * SQLite job store. Only libevent's sending is replaced: the target is
 * linked with -Wl,--wrap=evhttp_send_reply, so each answer comes to
 * __wrap_evhttp_send_reply() below, which checks it.
 *
 * Input: requests separated by NUL bytes. The first byte of each, modulo
 * 8, picks the method: "0" PUT, "1" PATCH, "2" GET, "3"
 * listBitLockerKeys ("5" to "7" as "1" to "3"), and the rest is its
 * body; or "4": the rest is the query string of Jobs_ListByResourceGroup
 * ($top, $skiptoken, $filter). Every input starts from a service
 * without the job.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "db.h"
#include "error.h"
#include "fuzz.h"
#include "importd.h"

#define SUB	"11111111-2222-3333-4444-555555555555"

void	__wrap_evhttp_send_reply(struct evhttp_request *req, int code,
	    const char *reason, struct evbuffer *databuf);

static struct config	*cf;
static struct db	*db;
static int		 replies;
static int		 keys_allowed;

/* The daemon's log and error lines (main.c) go nowhere here. */
void
importd_err(const char *fmt, ...)
{
	(void)fmt;
}

void
importd_err_code(int code, char *cause)
{
	(void)code;
	free(cause);
}

void
importd_log(const char *fmt, ...)
{
	(void)fmt;
}

/* Fails when a drive of the job document O shows its key. */
static void
no_keys(json_t *o)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(json_object_get(json_object_get(o, "properties"),
	    "driveList"), i, d)
		FUZZ_CHECK(json_object_get(d, "bitLockerKey") == NULL);
	json_array_foreach(json_object_get(o, "value"), i, d)
		no_keys(d);
}

void
__wrap_evhttp_send_reply(struct evhttp_request *req, int code,
    const char *reason, struct evbuffer *databuf)
{
	json_t		*o, *e;
	json_error_t	 je;
	size_t		 len;
	unsigned char	*p;

	(void)req;
	replies++;
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "reply %d\n", code);
	FUZZ_CHECK(reason != NULL);
	/* 403: a storage account that is not the subscription's. */
	FUZZ_CHECK(code == 200 || code == 201 || code == 400 ||
	    code == 403 || code == 404 || code == 405 || code == 409 ||
	    code == 500);
	len = databuf != NULL ? evbuffer_get_length(databuf) : 0;
	if (len == 0) {
		FUZZ_CHECK(code == 200);
		return;
	}
	p = evbuffer_pullup(databuf, -1);
	o = json_loadb((const char *)p, len, 0, &je);
	FUZZ_CHECK(json_is_object(o));
	if (code >= 400) {
		/* An ErrorResponse: a code and a message. */
		e = json_object_get(o, "error");
		FUZZ_CHECK(json_is_string(json_object_get(e, "code")));
		FUZZ_CHECK(json_is_string(json_object_get(e, "message")));
	}
	/* The BitLocker keys leave only through listBitLockerKeys. */
	if (!keys_allowed && code < 300)
		no_keys(o);
	json_decref(o);
}

static void
setup(void)
{
	char	*cause = NULL, *path;

	if (cf != NULL)
		return;
	path = config_path(fuzz_tmpdir(), "importd.db");
	if (db_open(path, &db, &cause) != DS_E_OK ||
	    db_sub_add(db, SUB, "fuzz", &cause) != DS_E_OK) {
		fprintf(stderr, "db: %s\n", cause);
		abort();
	}
	free(path);
	/* The default account, granted to the subscription: else every
	 * Jobs_Create ends at the 403. */
	if (config_write_default(fuzz_tmpdir(), "127.0.0.1:0", &cause) !=
	    DS_E_OK || config_grant(fuzz_tmpdir(), "devstoreaccount1", SUB, 1,
	    &cause) != DS_E_OK ||
	    config_load(fuzz_tmpdir(), &cf, &cause) != DS_E_OK) {
		fprintf(stderr, "config: %s\n", cause);
		abort();
	}
}

/* Jobs_ListByResourceGroup with the query string Q (one job at most, so
 * no nextLink: the fake request has no URI to build it from). */
static void
list(const uint8_t *q, size_t len)
{
	struct req		 r;
	struct evkeyvalq	 query;
	char			*qs = fuzz_string(q, len);

	memset(&r, 0, sizeof r);
	TAILQ_INIT(&query);
	if ((r.ev = evhttp_request_new(NULL, NULL)) == NULL)
		abort();
	r.cf = cf;
	r.db = db;
	r.method = EVHTTP_REQ_GET;
	r.sub = SUB;
	r.rg = "rg";
	r.caller = strdup("fuzz");
	r.base = "https://127.0.0.1:8443";
	r.query = &query;
	keys_allowed = 0;
	replies = 0;
	if (evhttp_parse_query_str(qs, &query) == 0) {
		routes_job_list(&r);
		FUZZ_CHECK(replies == 1);
	}
	evhttp_clear_headers(&query);
	free(r.caller);
	free(qs);
	evhttp_request_free(r.ev);
}

static void
request(int kind, const uint8_t *body, size_t len)
{
	static const int methods[] = {
		EVHTTP_REQ_PUT, EVHTTP_REQ_PATCH, EVHTTP_REQ_GET,
		EVHTTP_REQ_POST
	};
	struct req	r;

	memset(&r, 0, sizeof r);
	if ((r.ev = evhttp_request_new(NULL, NULL)) == NULL)
		abort();
	if (len > 0)
		evbuffer_add(evhttp_request_get_input_buffer(r.ev), body, len);
	r.cf = cf;
	r.db = db;
	r.method = methods[kind % 4];
	r.sub = SUB;
	r.rg = "rg";
	r.job = "fuzzjob";
	r.action = kind % 4 == 3 ? "listBitLockerKeys" : NULL;
	r.caller = strdup("fuzz");
	r.base = "https://127.0.0.1:8443";
	keys_allowed = r.action != NULL;
	replies = 0;
	routes_jobs(&r);
	/* Every request is answered, once. */
	FUZZ_CHECK(replies == 1);
	json_decref(r.body);
	free(r.caller);
	evhttp_request_free(r.ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*end;
	size_t		 len;
	char		*cause = NULL;

	setup();
	db_job_delete(db, SUB, "rg", "fuzzjob", &cause);
	free(cause);
	while (size > 0) {
		end = memchr(data, '\0', size);
		len = end != NULL ? (size_t)(end - data) : size;
		if (len > 0 && data[0] % 8 == 4)
			list(data + 1, len - 1);
		else if (len > 0)
			request(data[0] % 4, data + 1, len - 1);
		if (end == NULL)
			break;
		data += len + 1;
		size -= len + 1;
	}
	return 0;
}
