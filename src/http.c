/* SPDX-License-Identifier: MIT */
/* HTTPS to the import service through libcurl, with retries. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

struct attempt {
	struct buf	 body;
	long		 retry_after;	/* seconds; -1: none */
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

/* Reads Retry-After in seconds or as an HTTP date. */
static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct attempt	*a = arg;
	size_t		 n = size * nmemb;
	char		 line[128], *v, *end;
	struct tm	 tm;
	long		 secs;

	if (n < 12 || n >= sizeof line || strncasecmp(ptr, "Retry-After:",
	    12) != 0)
		return n;
	memcpy(line, ptr, n);
	line[n] = '\0';
	for (v = line + 12; *v == ' ' || *v == '\t'; v++)
		;
	v[strcspn(v, "\r\n")] = '\0';
	errno = 0;
	secs = strtol(v, &end, 10);
	/* Bounded here, so that "seconds * 1000" later cannot overflow. */
	if (end != v && *end == '\0' && errno == 0 && secs >= 0)
		a->retry_after = secs < DS_HTTP_MAX_WAIT ? secs :
		    DS_HTTP_MAX_WAIT;
	else {
		memset(&tm, 0, sizeof tm);
		end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (end != NULL && *end == '\0') {
			secs = (long)(timegm(&tm) - time(NULL));
			a->retry_after = secs <= 0 ? 0 :
			    secs < DS_HTTP_MAX_WAIT ? secs : DS_HTTP_MAX_WAIT;
		}
	}
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

static int
retryable_status(long status)
{
	return status == 429 || status == 500 || status == 502 ||
	    status == 503 || status == 504;
}

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

int
ds_http_request(const struct ds_http_conf *conf, const char *method,
    const char *url, const char *body, struct ds_http_resp *resp,
    char **cause)
{
	static int		 inited;
	CURL			*h = NULL;
	struct curl_slist	*headers = NULL;
	struct attempt		 a;
	char			 errbuf[CURL_ERROR_SIZE];
	CURLcode		 cc = CURLE_OK;
	long			 status = 0, wait_ms, backoff;
	int			 retries, rc;

	memset(resp, 0, sizeof *resp);
	memset(&a, 0, sizeof a);
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ds_cause(cause, DS_E_TLS, "%s",
			    "curl_global_init");
		inited = 1;
	}
	retries = conf->retries < 0 ? 4 : conf->retries;
	backoff = conf->backoff_ms > 0 ? conf->backoff_ms : 500;
	if ((headers = make_headers(conf, body != NULL)) == NULL)
		return DS_E_NOMEM;
	if ((h = curl_easy_init()) == NULL) {
		curl_slist_free_all(headers);
		return DS_E_NOMEM;
	}
	for (;;) {
		free(a.body.data);
		memset(&a, 0, sizeof a);
		a.retry_after = -1;
		errbuf[0] = '\0';
		curl_easy_reset(h);
		if (setup(h, conf, method, url, body, headers, errbuf) != 0) {
			rc = ds_cause(cause, DS_E_TLS, "%s",
			    _("this libcurl cannot send client certificates "
			    "from memory"));
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
		cc = curl_easy_perform(h);
		resp->attempts++;
		status = 0;
		if (cc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (a.body.toobig) {
			rc = ds_cause(cause, DS_E_BADANSWER, _("answer larger "
			    "than %d bytes (%s)"), BODY_MAX, url);
			goto out;
		}
		if (cc == CURLE_OK && !retryable_status(status))
			break;
		if (cc != CURLE_OK && !retryable_curl(cc))
			break;
		if (resp->attempts > retries)
			break;
		/* Exponential backoff, or what the server asks, bounded. */
		wait_ms = backoff << (resp->attempts - 1);
		if (a.retry_after >= 0)
			wait_ms = a.retry_after * 1000;
		if (wait_ms > DS_HTTP_MAX_WAIT * 1000L)
			wait_ms = DS_HTTP_MAX_WAIT * 1000L;
		sleep_ms(wait_ms);
	}
	if (cc != CURLE_OK) {
		const char *what = errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(cc);
		if (tls_error(cc))
			rc = ds_cause(cause, DS_E_TLS, _("%s (%s)"), what,
			    url);
		else
			/* The cause first: a long URL must not hide it. */
			rc = ds_cause(cause, DS_E_UNREACHABLE, P_("%s (after "
			    "%d attempt; %s)", "%s (after %d attempts; %s)",
			    resp->attempts), what, resp->attempts, url);
		goto out;
	}
	resp->status = status;
	resp->body = a.body.data != NULL ? a.body.data : strdup("");
	resp->len = a.body.len;
	a.body.data = NULL;
	rc = resp->body != NULL ? DS_E_OK : DS_E_NOMEM;
out:
	free(a.body.data);
	curl_slist_free_all(headers);
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
