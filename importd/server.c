/* SPDX-License-Identifier: MIT */
/*
 * The HTTPS side of the service: libevent's evhttp over
 * bufferevent_openssl, one thread. Each request is authenticated by its
 * TLS client certificate, routed, and answered at once (SQLite calls are
 * short), so one loop serves many clients.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>

#include "error.h"
#include "db.h"
#include "http.h"
#include "importd.h"
#include "notify.h"

enum {
	FAULT_GARBAGE = -1,
	FAULT_HANG = -2,
	FAULT_CLOSE = -3
};

struct fault {
	int	kind;		/* an HTTP status or FAULT_* */
	int	count;
	int	retry_after;	/* -1 when none */
	int	retry_date;	/* sent as an HTTP date, not seconds */
};

struct server {
	struct event_base	*base;
	struct evhttp		*http;
	SSL_CTX			*ssl;
	X509_STORE		*store;
	struct config		*cf;
	struct db		*db;
	struct fault		*faults;	/* test hooks only */
	size_t			 nfaults;
	locale_t		 it;	/* Italian messages, or 0 */
	struct event		*sigterm;
	struct event		*sigint;
	struct conns		*conns;
};

/* The routes: literal segments compare without regard to case; "*"
 * captures one segment. */
enum route_kind {
	R_NONE, R_LOCATIONS, R_LOCATION, R_OPERATIONS, R_JOBS_SUB, R_JOBS_RG,
	R_JOB, R_JOB_KEYS
};

static const struct route {
	enum route_kind	 kind;
	const char	*pattern;
} routes[] = {
	{ R_LOCATIONS, "providers/Microsoft.ImportExport/locations" },
	{ R_LOCATION, "providers/Microsoft.ImportExport/locations/*" },
	{ R_OPERATIONS, "providers/Microsoft.ImportExport/operations" },
	{ R_JOBS_SUB, "subscriptions/*/providers/Microsoft.ImportExport/jobs" },
	{ R_JOBS_RG, "subscriptions/*/resourceGroups/*/providers/"
	    "Microsoft.ImportExport/jobs" },
	{ R_JOB, "subscriptions/*/resourceGroups/*/providers/"
	    "Microsoft.ImportExport/jobs/*" },
	{ R_JOB_KEYS, "subscriptions/*/resourceGroups/*/providers/"
	    "Microsoft.ImportExport/jobs/*/listBitLockerKeys" },
};

#define MAX_SEGS	16

static const char *
status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return status < 500 ? "Client Error" : "Server Error";
}

static void
server_send(struct evhttp_request *ev, int status, const char *body,
    size_t len)
{
	struct evbuffer		*buf = evbuffer_new();
	struct evkeyvalq	*h = evhttp_request_get_output_headers(ev);

	evhttp_add_header(h, "Content-Type",
	    "application/json; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	if (buf != NULL && body != NULL)
		evbuffer_add(buf, body, len);
	evhttp_send_reply(ev, status, status_reason(status), buf);
	if (buf != NULL)
		evbuffer_free(buf);
}

/* Writes the request line of R to the log, escaped: method, target,
 * status, peer address and User-Agent are the client's bytes. */
static void
server_log_request(struct req *r, int status)
{
	struct evhttp_connection	*evcon;
	const char			*m, *ua;
	char				*uri, *agent, *peer = NULL;
	ev_uint16_t			 port = 0;

	switch (r->method) {
	case EVHTTP_REQ_GET: m = "GET"; break;
	case EVHTTP_REQ_PUT: m = "PUT"; break;
	case EVHTTP_REQ_PATCH: m = "PATCH"; break;
	case EVHTTP_REQ_DELETE: m = "DELETE"; break;
	case EVHTTP_REQ_POST: m = "POST"; break;
	case EVHTTP_REQ_HEAD: m = "HEAD"; break;
	default: m = "OTHER"; break;
	}
	ua = evhttp_find_header(evhttp_request_get_input_headers(r->ev),
	    "User-Agent");
	if ((evcon = evhttp_request_get_connection(r->ev)) != NULL)
		evhttp_connection_get_peer(evcon, &peer, &port);
	uri = importd_log_escape(evhttp_request_get_uri(r->ev));
	agent = importd_log_escape(ua);
	importd_log("%s %s %d %s \"%s\"", m, uri != NULL ? uri : "?", status,
	    peer != NULL ? peer : "-", agent != NULL ? agent : "?");
	free(uri);
	free(agent);
}

void
server_reply(struct req *r, int status, json_t *body)
{
	char	*s = NULL;

	if (body != NULL)
		s = json_dumps(body, JSON_COMPACT);
	server_send(r->ev, status, s, s != NULL ? strlen(s) : 0);
	server_log_request(r, status);
	importd_json_free(s);
	json_decref(body);
}

void
server_error(struct req *r, int status, const char *code,
    const char *target, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	json_t	*err;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	err = json_pack("{s:{s:s, s:s, s:s*, s:[]}}", "error", "code", code,
	    "message", msg != NULL ? msg : code, "target", target,
	    "details");
	free(msg);
	server_reply(r, status, err);
}

int
server_body(struct req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->ev);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 je;
	unsigned char	*p;

	p = evbuffer_pullup(in, -1);
	if (len == 0 || p == NULL) {
		server_error(r, 400, "InvalidRequestContent", NULL,
		    _("The request has no body; a JSON object is needed."));
		return -1;
	}
	r->body = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES,
	    &je);
	if (r->body == NULL || !json_is_object(r->body)) {
		server_error(r, 400, "InvalidRequestContent", NULL,
		    _("The request body is not a JSON object: %s (line %d, "
		    "column %d)."), r->body == NULL ? je.text :
		    _("another type"), je.line, je.column);
		return -1;
	}
	return 0;
}

#ifdef DS_TEST_HOOKS
/*
 * Parses DISKSEED_IMPORTD_FAULTS, "500*1,429*2:retry-after=1,hang";
 * "retry-date=N" sends Retry-After as the HTTP date N seconds ahead.
 */
static int
server_faults(struct server *s, const char *spec, char **cause)
{
	char		*copy, *item, *save = NULL, *star, *colon, *end;
	struct fault	*f;

	if (spec == NULL || *spec == '\0')
		return DS_E_OK;
	if ((copy = strdup(spec)) == NULL)
		return DS_E_NOMEM;
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		f = reallocarray(s->faults, s->nfaults + 1, sizeof *f);
		if (f == NULL) {
			free(copy);
			return DS_E_NOMEM;
		}
		s->faults = f;
		f = &s->faults[s->nfaults++];
		f->count = 1;
		f->retry_after = -1;
		f->retry_date = 0;
		if ((colon = strchr(item, ':')) != NULL) {
			*colon++ = '\0';
			f->retry_date = strncmp(colon, "retry-date=", 11) == 0;
			if (f->retry_date)
				colon += 11;
			else if (strncmp(colon, "retry-after=", 12) == 0)
				colon += 12;
			else
				goto bad;
			f->retry_after = (int)strtol(colon, &end, 10);
			if (*end != '\0' || f->retry_after < 0)
				goto bad;
		}
		if ((star = strchr(item, '*')) != NULL) {
			*star++ = '\0';
			f->count = (int)strtol(star, &end, 10);
			if (*end != '\0' || f->count < 1)
				goto bad;
		}
		if (strcmp(item, "garbage") == 0)
			f->kind = FAULT_GARBAGE;
		else if (strcmp(item, "hang") == 0)
			f->kind = FAULT_HANG;
		else if (strcmp(item, "close") == 0)
			f->kind = FAULT_CLOSE;
		else {
			f->kind = (int)strtol(item, &end, 10);
			if (*end != '\0' || f->kind < 400 || f->kind > 599)
				goto bad;
		}
	}
	free(copy);
	return DS_E_OK;
bad:
	free(copy);
	return ds_cause(cause, DS_E_IMPORTD_CONFIG,
	    _("DISKSEED_IMPORTD_FAULTS: bad item in \"%s\""), spec);
}

/* Answers EV with the next injected fault; 0 when there is none left. */
static int
server_fault(struct server *s, struct req *r)
{
	struct fault		*f;
	struct evkeyvalq	*h;
	char			 buf[32];
	static const char	 garbage[] = "{\"value\": [ <html>garbage";
	struct bufferevent	*bev;
	char			*uri;

	while (s->nfaults > 0 && s->faults[0].count == 0) {
		memmove(s->faults, s->faults + 1,
		    (s->nfaults - 1) * sizeof *s->faults);
		s->nfaults--;
	}
	if (s->nfaults == 0)
		return 0;
	f = &s->faults[0];
	f->count--;
	importd_log("fault injected: %s", (uri = importd_log_escape(
	    evhttp_request_get_uri(r->ev))) != NULL ? uri : "?");
	free(uri);
	switch (f->kind) {
	case FAULT_GARBAGE:
		server_send(r->ev, 200, garbage, sizeof garbage - 1);
		break;
	case FAULT_HANG:
		break;
	case FAULT_CLOSE:
		bev = evhttp_connection_get_bufferevent(
		    evhttp_request_get_connection(r->ev));
		shutdown(bufferevent_getfd(bev), SHUT_RDWR);
		break;
	default:
		if (f->retry_after >= 0) {
			h = evhttp_request_get_output_headers(r->ev);
			if (f->retry_date)
				ds_http_date(buf, sizeof buf,
				    time(NULL) + f->retry_after);
			else
				snprintf(buf, sizeof buf, "%d", f->retry_after);
			evhttp_add_header(h, "Retry-After", buf);
		}
		server_error(r, f->kind, f->kind == 429 ? "TooManyRequests" :
		    f->kind == 503 ? "ServiceUnavailable" :
		    f->kind >= 500 ? "InternalServerError" : "BadRequest",
		    NULL, _("Injected fault (DISKSEED_IMPORTD_FAULTS)."));
		break;
	}
	return 1;
}
#endif /* DS_TEST_HOOKS */

/* Splits PATH into at most MAX_SEGS decoded segments. */
static int
server_split(const char *path, char **segs)
{
	const char	*p = path, *e;
	char		*raw;
	int		 n = 0;

	while (*p == '/')
		p++;
	while (*p != '\0') {
		if (n == MAX_SEGS)
			goto fail;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if ((raw = strndup(p, e - p)) == NULL)
			goto fail;
		segs[n] = evhttp_uridecode(raw, 0, NULL);
		free(raw);
		if (segs[n] == NULL)
			goto fail;
		n++;
		p = e;
		while (*p == '/')
			p++;
	}
	return n;
fail:
	while (n > 0)
		free(segs[--n]);
	return -1;
}

/* Matches SEGS against the routes; fills CAPS (borrowed) and returns
 * the kind. */
static enum route_kind
server_route(char **segs, int n, const char **caps, int *ncaps)
{
	size_t		 i;
	int		 k, ok;
	const char	*p, *e;
	size_t		 len;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		p = routes[i].pattern;
		*ncaps = 0;
		ok = 1;
		for (k = 0; ok && *p != '\0'; k++) {
			e = strchr(p, '/');
			len = e != NULL ? (size_t)(e - p) : strlen(p);
			if (k >= n)
				ok = 0;
			else if (len == 1 && *p == '*')
				caps[(*ncaps)++] = segs[k];
			else if (strlen(segs[k]) != len ||
			    strncasecmp(segs[k], p, len) != 0)
				ok = 0;
			p += len;
			if (*p == '/')
				p++;
		}
		if (ok && k == n)
			return routes[i].kind;
	}
	return R_NONE;
}

/* Checks the caller's certificate for subscription SUB (any when NULL).
 * Answers 403 and returns -1 when it may not act. */
static int
server_auth(struct server *s, struct req *r, const char *sub)
{
	struct bufferevent	*bev;
	SSL			*ssl;
	X509			*peer = NULL;
	char			 fpr[65];
	int			 v, ok;

	bev = evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(r->ev));
	ssl = bufferevent_openssl_get_ssl(bev);
	if (ssl == NULL || (peer = SSL_get1_peer_certificate(ssl)) == NULL) {
		server_error(r, 403, "AuthenticationFailed", NULL,
		    _("The server failed to authenticate the request: no "
		    "client certificate was presented."));
		return -1;
	}
	if ((v = tls_verify_client(s->store, peer)) != X509_V_OK) {
		X509_free(peer);
		server_error(r, 403, "AuthenticationFailed", NULL,
		    _("The server failed to authenticate the request: the "
		    "client certificate is not valid (%s)."),
		    X509_verify_cert_error_string(v));
		return -1;
	}
	tls_fingerprint(peer, fpr);
	X509_free(peer);
	ok = db_cert_allowed(s->db, sub, fpr, &r->caller);
	if (ok < 0) {
		server_error(r, 500, "InternalServerError", NULL,
		    _("The service's database failed."));
		return -1;
	}
	if (ok == 0) {
		server_error(r, 403, "AuthenticationFailed", NULL, sub != NULL ?
		    _("The server failed to authenticate the request: the "
		    "certificate is not registered for subscription %s.") :
		    _("The server failed to authenticate the request: the "
		    "certificate is not registered for any subscription."),
		    sub);
		return -1;
	}
	return 0;
}

/* Switches this thread's messages to Accept-Language's first language
 * when we have it (Italian), else English. */
static void
server_language(struct server *s, struct req *r)
{
	const char	*al;

	al = evhttp_find_header(evhttp_request_get_input_headers(r->ev),
	    "Accept-Language");
	if (al != NULL && strncasecmp(al, "it", 2) == 0 &&
	    (al[2] == '\0' || strchr("-_,;", al[2]) != NULL)) {
		if (s->it == (locale_t)0)
			s->it = newlocale(LC_MESSAGES_MASK, "it_IT.UTF-8",
			    (locale_t)0);
		if (s->it != (locale_t)0) {
			uselocale(s->it);
			return;
		}
	}
	uselocale(LC_GLOBAL_LOCALE);
}

static void
server_handle(struct evhttp_request *ev, void *arg)
{
	struct server		*s = arg;
	struct req		 r;
	struct evkeyvalq	 query;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(ev);
	const char		*path, *qs, *apiv, *host, *caps[4];
	char			*segs[MAX_SEGS], base[300];
	int			 nseg, ncaps = 0, i;
	enum route_kind		 kind;
	const char		*sub = NULL;

	memset(&r, 0, sizeof r);
	memset(&query, 0, sizeof query);
	TAILQ_INIT(&query);
	r.ev = ev;
	r.srv = s;
	r.cf = s->cf;
	r.db = s->db;
	r.method = evhttp_request_get_command(ev);
	r.query = &query;
	server_language(s, &r);

	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
#ifdef DS_TEST_HOOKS
	if (strcmp(path, "/") != 0 && server_fault(s, &r)) {
		nseg = 0;
		goto done;
	}
#endif

	nseg = server_split(path, segs);
	kind = nseg < 0 ? R_NONE : server_route(segs, nseg, caps, &ncaps);
	if (kind >= R_JOBS_SUB && valid_guid(caps[0]))
		sub = caps[0];
	if (server_auth(s, &r, sub) != 0)
		goto done;

	qs = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (qs != NULL && evhttp_parse_query_str(qs, &query) != 0) {
		server_error(&r, 400, "InvalidQueryParameter", NULL,
		    _("The query string is malformed."));
		goto done;
	}
	if (kind == R_NONE) {
		server_error(&r, 404, "NotFound", NULL,
		    _("No resource at %s."), path);
		goto done;
	}
	apiv = evhttp_find_header(&query, "api-version");
	if (apiv == NULL) {
		server_error(&r, 400, "MissingApiVersionParameter",
		    "api-version", _("The api-version query parameter "
		    "(?api-version=) is required for all requests."));
		goto done;
	}
	if (strcmp(apiv, IMPORTD_API_VERSION) != 0) {
		server_error(&r, 400, "InvalidApiVersionParameter",
		    "api-version", _("The api-version '%s' is invalid. The "
		    "supported version is '%s'."), apiv, IMPORTD_API_VERSION);
		goto done;
	}
	if (kind >= R_JOBS_SUB && sub == NULL) {
		server_error(&r, 400, "InvalidSubscriptionId", "subscriptionId",
		    _("The subscription id '%s' is not a GUID."), caps[0]);
		goto done;
	}
	host = evhttp_find_header(evhttp_request_get_input_headers(ev),
	    "Host");
	if (host == NULL || strpbrk(host, "/?#\"\\ ") != NULL)
		host = "127.0.0.1";
	snprintf(base, sizeof base, "https://%s", host);
	r.base = base;

	switch (kind) {
	case R_LOCATIONS:
	case R_LOCATION:
		r.location = kind == R_LOCATION ? caps[0] : NULL;
		routes_locations(&r);
		break;
	case R_OPERATIONS:
		routes_operations(&r);
		break;
	case R_JOBS_SUB:
	case R_JOBS_RG:
		r.sub = sub;
		r.rg = kind == R_JOBS_RG ? caps[1] : NULL;
		routes_job_list(&r);
		break;
	case R_JOB:
	case R_JOB_KEYS:
		r.sub = sub;
		r.rg = caps[1];
		r.job = caps[2];
		r.action = kind == R_JOB_KEYS ? "listBitLockerKeys" : NULL;
		routes_jobs(&r);
		break;
	case R_NONE:
		break;
	}
done:
	for (i = 0; i < nseg; i++)
		free(segs[i]);
	evhttp_clear_headers(&query);
	json_decref(r.body);
	free(r.caller);
	uselocale(LC_GLOBAL_LOCALE);
}

static void
server_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server	*s = arg;

	(void)what;
	importd_log("signal %d: stopping", (int)sig);
	event_base_loopexit(s->base, NULL);
}

/* Writes PORT to DIR/port atomically (tests poll for it). */
static int
server_write_port(const char *dir, int port, char **cause)
{
	char	*tmp = config_path(dir, "port.tmp");
	char	*path = config_path(dir, "port");
	FILE	*f;
	int	 rc = DS_E_OK;

	if (tmp == NULL || path == NULL)
		rc = DS_E_NOMEM;
	else if ((f = fopen(tmp, "we")) == NULL)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", tmp, strerror(errno));
	else {
		fprintf(f, "%d\n", port);
		if (fclose(f) != 0 || rename(tmp, path) != 0)
			rc = ds_cause(cause, DS_E_IO, "%s: %s", path,
			    strerror(errno));
	}
	free(tmp);
	free(path);
	return rc;
}

int
server_run(const char *dir, const char *listen, char **cause)
{
	struct server		 s;
	struct conns_limits	 lim;
	char			*addr = NULL, *dbpath = NULL;
	int			 port, rc, nofile;

	memset(&s, 0, sizeof s);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = config_load(dir, &s.cf, cause)) != DS_E_OK)
		goto out;
	if ((rc = config_split_listen(listen != NULL ? listen : s.cf->listen,
	    &addr, &port, cause)) != DS_E_OK ||
	    (rc = conns_limits_load(s.cf, &lim, cause)) != DS_E_OK)
		goto out;
	nofile = conns_raise_nofile();
#ifdef DS_TEST_HOOKS
	if ((rc = server_faults(&s, getenv("DISKSEED_IMPORTD_FAULTS"),
	    cause)) != DS_E_OK)
		goto out;
#endif
	if ((rc = tls_server_ctx(dir, &s.ssl, cause)) != DS_E_OK ||
	    (rc = tls_ca_store(dir, &s.store, cause)) != DS_E_OK)
		goto out;
	if ((dbpath = config_path(dir, "importd.db")) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((rc = db_open(dbpath, &s.db, cause)) != DS_E_OK)
		goto out;
	if ((s.base = event_base_new()) == NULL ||
	    (s.http = evhttp_new(s.base)) == NULL) {
		rc = ds_cause(cause, DS_E_NOMEM, "libevent");
		goto out;
	}
	evhttp_set_gencb(s.http, server_handle, &s);
	evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(s.http, 1024 * 1024);
	evhttp_set_max_headers_size(s.http, 64 * 1024);
	if ((s.conns = conns_new(s.base, s.ssl, &lim, nofile)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	if ((rc = conns_listen(s.conns, s.http, addr, port, &port,
	    cause)) != DS_E_OK)
		goto out;
	if ((rc = server_write_port(dir, port, cause)) != DS_E_OK)
		goto out;
	s.sigterm = evsignal_new(s.base, SIGTERM, server_signal, &s);
	s.sigint = evsignal_new(s.base, SIGINT, server_signal, &s);
	if (s.sigterm == NULL || s.sigint == NULL ||
	    evsignal_add(s.sigterm, NULL) != 0 ||
	    evsignal_add(s.sigint, NULL) != 0) {
		rc = ds_cause(cause, DS_E_IMPORTD_LISTEN, "signals");
		goto out;
	}
	importd_log("listening on https://%s:%d (api-version %s)",
	    strchr(addr, ':') != NULL ? "[::]" : addr, port,
	    IMPORTD_API_VERSION);
	importd_log("connections: at most %d, %d per address; TLS handshake "
	    "within %d s, idle for %d s; %d open files",
	    conns_limits(s.conns)->max_total,
	    conns_limits(s.conns)->max_per_peer,
	    conns_limits(s.conns)->handshake_secs,
	    conns_limits(s.conns)->idle_secs, nofile);
	notify_ready(port);
	event_base_dispatch(s.base);
	notify_stopping();
	rc = DS_E_OK;
out:
	if (s.sigterm != NULL)
		event_free(s.sigterm);
	if (s.sigint != NULL)
		event_free(s.sigint);
	conns_stop(s.conns);
	if (s.http != NULL)
		evhttp_free(s.http);
	conns_free(s.conns);
	if (s.base != NULL)
		event_base_free(s.base);
	db_close(s.db);
	SSL_CTX_free(s.ssl);
	X509_STORE_free(s.store);
	config_free(s.cf);
	free(s.faults);
	if (s.it != (locale_t)0)
		freelocale(s.it);
	free(addr);
	free(dbpath);
	return rc;
}
