/* SPDX-License-Identifier: MIT */
/* HTTP through libcurl: the retry policy, and HTTPS to the service. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "error.h"
#include "http.h"
#include "util.h"

#define BODY_MAX	(64 * 1024 * 1024)

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 toobig;
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf	*b = arg;
	size_t		 n = size * nmemb;
	char		*nd;

	if (b->len + n + 1 > BODY_MAX) {
		b->toobig = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap == 0 ? 4096 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((nd = realloc(b->data, ncap)) == NULL)
			return 0;
		b->data = nd;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Connection failures that another attempt may not meet. */
static int
retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

int
ds_http_retryable(CURLcode cc, long status)
{
	if (cc != CURLE_OK)
		return retryable_curl(cc);
	return status == 408 || status == 429 || status == 500 ||
	    status == 502 || status == 503 || status == 504;
}

/*
 * The wait before retry number N (from 1): the server's Retry-After when it
 * sent one (libcurl reads both the seconds and the HTTP-date form, the
 * latter whatever the locale), else the backoff doubled N-1 times.
 */
static long
wait_ms(CURL *h, const struct ds_http_policy *p, int n)
{
	curl_off_t	 after = 0;
	long		 ms = p->backoff_ms > 0 ? p->backoff_ms : 1;

	if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
	    after > 0)
		return after < DS_HTTP_MAX_WAIT ? (long)after * 1000 :
		    DS_HTTP_MAX_WAIT * 1000L;
	while (--n > 0 && ms < p->backoff_max_ms)
		ms *= 2;
	return ms < p->backoff_max_ms ? ms : p->backoff_max_ms;
}

int
ds_http_perform(CURL *h, const struct ds_http_policy *policy,
    ds_http_prepare_fn prepare, void *arg, struct ds_http_outcome *out,
    char **cause)
{
	int	 err;

	memset(out, 0, sizeof *out);
	for (;;) {
		curl_easy_reset(h);
		if ((err = prepare(arg, h, cause)) != DS_E_OK)
			return err;
		out->curl_code = curl_easy_perform(h);
		out->attempts++;
		out->status = 0;
		if (out->curl_code == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE,
			    &out->status);
		if (!ds_http_retryable(out->curl_code, out->status) ||
		    out->attempts > policy->retries)
			return DS_E_OK;
		sleep_ms(wait_ms(h, policy, out->attempts));
	}
}

void
ds_http_date(char *out, size_t size, time_t t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;

	gmtime_r(&t, &tm);
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
tls_error(CURLcode cc)
{
	switch (cc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return 1;
	default:
		return 0;
	}
}

/* Sets up one easy handle for CONF; 0 on success. */
static int
setup(CURL *h, const struct ds_http_conf *conf, const char *method,
    const char *url, const char *body, struct curl_slist *headers,
    char *errbuf)
{
	struct curl_blob	 cert, key;
	CURLcode		 cc = CURLE_OK;

#define SET(opt, val) do {						\
	if (cc == CURLE_OK)						\
		cc = curl_easy_setopt(h, opt, val);			\
} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (conf->ca_file != NULL)
		SET(CURLOPT_CAINFO, conf->ca_file);
	if (conf->proxy != NULL)
		SET(CURLOPT_PROXY, conf->proxy);
	if (conf->cert_pem != NULL && conf->key_pem != NULL) {
		cert.data = (void *)conf->cert_pem;
		cert.len = strlen(conf->cert_pem);
		cert.flags = CURL_BLOB_NOCOPY;
		key.data = (void *)conf->key_pem;
		key.len = strlen(conf->key_pem);
		key.flags = CURL_BLOB_NOCOPY;
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLCERT_BLOB, &cert);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
		SET(CURLOPT_SSLKEY_BLOB, &key);
	}
	SET(CURLOPT_CONNECTTIMEOUT, conf->connect_timeout > 0 ?
	    conf->connect_timeout : 10L);
	SET(CURLOPT_TIMEOUT, conf->total_timeout > 0 ?
	    conf->total_timeout : 60L);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	if (strcmp(method, "GET") != 0)
		SET(CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		SET(CURLOPT_POSTFIELDS, body);
		SET(CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "POST") == 0) {
		SET(CURLOPT_POSTFIELDS, "");
		SET(CURLOPT_POSTFIELDSIZE, 0L);
	}
#undef SET
	return cc == CURLE_OK ? 0 : -1;
}

static struct curl_slist *
make_headers(const struct ds_http_conf *conf, int has_body)
{
	struct curl_slist	*l = NULL, *n;
	char			*al = NULL;

	if ((n = curl_slist_append(l, "Accept: application/json")) == NULL)
		return NULL;
	l = n;
	if (has_body) {
		n = curl_slist_append(l, "Content-Type: application/json");
		if (n == NULL)
			goto fail;
		l = n;
	}
	if (conf->accept_language != NULL) {
		if (asprintf(&al, "Accept-Language: %s",
		    conf->accept_language) == -1)
			goto fail;
		n = curl_slist_append(l, al);
		free(al);
		if (n == NULL)
			goto fail;
		l = n;
	}
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

/* One request of ds_http_request, as each attempt sets it up. */
struct request {
	const struct ds_http_conf *conf;
	const char		*method;
	const char		*url;
	const char		*body;
	struct curl_slist	*headers;
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		 answer;
};

static int
prepare_request(void *arg, CURL *h, char **cause)
{
	struct request	*r = arg;

	free(r->answer.data);
	memset(&r->answer, 0, sizeof r->answer);
	r->errbuf[0] = '\0';
	if (setup(h, r->conf, r->method, r->url, r->body, r->headers,
	    r->errbuf) != 0)
		return ds_cause(cause, DS_E_TLS, "%s",
		    _("this libcurl cannot send client certificates "
		    "from memory"));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->answer);
	return DS_E_OK;
}

/* The error of a request whose last attempt got no answer. */
static int
failed(const struct request *r, const struct ds_http_outcome *o,
    char **cause)
{
	const char *what = r->errbuf[0] != '\0' ? r->errbuf :
	    curl_easy_strerror(o->curl_code);

	if (tls_error(o->curl_code))
		return ds_cause(cause, DS_E_TLS, _("%s (%s)"), what, r->url);
	/* The cause first: a long URL must not hide it. */
	return ds_cause(cause, DS_E_UNREACHABLE, P_("%s (after %d attempt; "
	    "%s)", "%s (after %d attempts; %s)", o->attempts), what,
	    o->attempts, r->url);
}

int
ds_http_request(const struct ds_http_conf *conf, const char *method,
    const char *url, const char *body, struct ds_http_resp *resp,
    char **cause)
{
	static int		 inited;
	CURL			*h = NULL;
	struct request		 r = { .conf = conf, .method = method,
				    .url = url, .body = body };
	struct ds_http_policy	 policy;
	struct ds_http_outcome	 o;
	int			 rc;

	memset(resp, 0, sizeof *resp);
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ds_cause(cause, DS_E_TLS, "%s",
			    "curl_global_init");
		inited = 1;
	}
	policy.retries = conf->retries < 0 ? 4 : conf->retries;
	policy.backoff_ms = conf->backoff_ms > 0 ? conf->backoff_ms : 500;
	policy.backoff_max_ms = DS_HTTP_MAX_WAIT * 1000L;
	if ((r.headers = make_headers(conf, body != NULL)) == NULL)
		return DS_E_NOMEM;
	if ((h = curl_easy_init()) == NULL) {
		curl_slist_free_all(r.headers);
		return DS_E_NOMEM;
	}
	if ((rc = ds_http_perform(h, &policy, prepare_request, &r, &o,
	    cause)) != DS_E_OK)
		goto out;
	resp->attempts = o.attempts;
	if (r.answer.toobig) {
		rc = ds_cause(cause, DS_E_BADANSWER, _("answer larger "
		    "than %d bytes (%s)"), BODY_MAX, url);
		goto out;
	}
	if (o.curl_code != CURLE_OK) {
		rc = failed(&r, &o, cause);
		goto out;
	}
	resp->status = o.status;
	resp->body = r.answer.data != NULL ? r.answer.data : strdup("");
	resp->len = r.answer.len;
	r.answer.data = NULL;
	rc = resp->body != NULL ? DS_E_OK : DS_E_NOMEM;
out:
	free(r.answer.data);
	curl_slist_free_all(r.headers);
	curl_easy_cleanup(h);
	return rc;
}

void
ds_http_resp_clear(struct ds_http_resp *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	memset(resp, 0, sizeof *resp);
}

char *
ds_http_accept_language(void)
{
	const char	*loc = setlocale(LC_MESSAGES, NULL);
	char		 lang[16];
	size_t		 i, n;

	if (loc == NULL || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0 ||
	    strncmp(loc, "C.", 2) == 0)
		return strdup("en-US");
	n = strcspn(loc, ".@");
	if (n == 0 || n >= sizeof lang)
		return strdup("en-US");
	for (i = 0; i < n; i++) {
		if (loc[i] == '_')
			lang[i] = '-';
		else if (isalpha((unsigned char)loc[i]))
			lang[i] = loc[i];
		else
			return strdup("en-US");
	}
	lang[n] = '\0';
	return strdup(lang);
}

char *
ds_http_escape(const char *s)
{
	char	*e, *copy;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}
