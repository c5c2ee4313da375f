/* SPDX-License-Identifier: MIT */
/*
 * HTTPS requests to the import service through libcurl: TLS always
 * verified (a CA file may be named, verification is never turned off),
 * the management certificate and key given from memory, the proxy from
 * the settings or https_proxy, connect and total timeouts, and retries
 * with exponential backoff on connection errors, 429 and 5xx, honouring
 * Retry-After (bounded by DS_HTTP_MAX_WAIT).
 */
#ifndef DS_HTTP_H
#define DS_HTTP_H

#include <stddef.h>

/* Longest wait between two attempts, in seconds. */
#define DS_HTTP_MAX_WAIT	60

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
