/* SPDX-License-Identifier: MIT */
/*
 * HTTP through libcurl, and the one retry policy of every HTTP client of
 * diskseed: the import-job client below (ds_http_request) and the Blob
 * client of diskseed-importd both send through ds_http_perform, which
 * decides whether an attempt is worth repeating (ds_http_retryable), how
 * long to wait first (exponential backoff, or the server's Retry-After,
 * read by libcurl in either form, bounded by DS_HTTP_MAX_WAIT) and how
 * many times.
 *
 * ds_http_request: HTTPS requests to the import service: TLS always
 * verified (a CA file may be named, verification is never turned off),
 * the management certificate and key given from memory, the proxy from
 * the settings or https_proxy, connect and total timeouts.
 */
#ifndef DS_HTTP_H
#define DS_HTTP_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

/* Longest wait between two attempts, in seconds. */
#define DS_HTTP_MAX_WAIT	60

/* How often and how patiently a client tries again. */
struct ds_http_policy {
	int	 retries;	/* attempts after the first */
	long	 backoff_ms;	/* wait before the first retry, then doubled */
	long	 backoff_max_ms; /* the longest backoff; Retry-After may be
				    longer, up to DS_HTTP_MAX_WAIT */
};

/* What the last attempt of ds_http_perform gave. */
struct ds_http_outcome {
	CURLcode curl_code;	/* CURLE_OK when an answer came */
	long	 status;	/* its HTTP status; 0 when none came */
	int	 attempts;	/* how many requests were made */
};

/*
 * Sets up the easy handle H (just reset) for one attempt: URL, headers,
 * body, callbacks. Called again before each retry, so that what must be
 * fresh is made again (the Blob client signs each attempt with the time
 * it is sent; a body written to a file is rewound). Returns DS_E_OK, or an
 * error that ends the request (with *cause), returned by ds_http_perform.
 */
typedef int (*ds_http_prepare_fn)(void *arg, CURL *h, char **cause);

/*
 * Sends a request through H, trying again by the policy while
 * ds_http_retryable says so. *out tells how the last attempt ended (the
 * caller judges its status and turns a CURLcode into its own error).
 * Returns DS_E_OK, or what PREPARE returned. H stays the caller's.
 */
int	ds_http_perform(CURL *h, const struct ds_http_policy *policy,
	    ds_http_prepare_fn prepare, void *arg,
	    struct ds_http_outcome *out, char **cause);

/*
 * The one rule of what is worth another attempt: a connection that failed,
 * broke or timed out, and the statuses 408, 429, 500, 502, 503, 504.
 */
int	ds_http_retryable(CURLcode cc, long status);

/* Writes T as an HTTP date (RFC 1123, English whatever the locale). */
void	ds_http_date(char *out, size_t size, time_t t);

struct ds_http_conf {
	const char	*ca_file;	/* NULL: the system's bundle */
	const char	*proxy;		/* NULL: libcurl reads https_proxy */
	const char	*cert_pem;	/* borrowed; may be NULL */
	const char	*key_pem;	/* borrowed; secret */
	const char	*accept_language; /* NULL: none sent */
	long		 connect_timeout; /* seconds; 0: 10 */
	long		 total_timeout;	/* seconds per attempt; 0: 60 */
	int		 retries;	/* attempts after the first; <0: 4 */
	long		 backoff_ms;	/* first backoff; 0: 500 */
};

struct ds_http_resp {
	long	 status;	/* HTTP status of the last attempt */
	char	*body;		/* allocated, NUL-terminated; caller frees */
	size_t	 len;
	int	 attempts;	/* how many requests were made */
};

/*
 * Sends METHOD to URL with BODY (JSON, may be NULL) and fills *resp.
 * Returns DS_E_OK whenever an answer came, whatever its status (the
 * caller reads resp->status); DS_E_UNREACHABLE when every attempt failed
 * to connect, DS_E_TLS when TLS could not be set up or verified.
 */
int	ds_http_request(const struct ds_http_conf *conf, const char *method,
	    const char *url, const char *body, struct ds_http_resp *resp,
	    char **cause);

/* Frees the body of RESP; takes NULL. */
void	ds_http_resp_clear(struct ds_http_resp *resp);

/*
 * The Accept-Language value for the current LC_MESSAGES locale
 * ("it_IT.UTF-8" gives "it-IT", "C" gives "en-US"); allocated.
 */
char	*ds_http_accept_language(void);

/* Escapes S for a URL path segment; allocated. */
char	*ds_http_escape(const char *s);

#endif
