/* SPDX-License-Identifier: MIT */
/* Azure Blob storage REST client: SharedKey signing, the operations. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "blob.h"
#include "blob-int.h"
#include "error.h"
#include "http.h"
#include "util.h"

#define BLOB_VERSION	"2021-08-06"
#define MAX_PARAMS	8

struct ds_blob {
	char		*account;
	unsigned char	*key;
	size_t		 keylen;
	char		*endpoint;	/* without a trailing slash */
	const char	*base_path;	/* in endpoint: "" or "/acct" */
	struct ds_blob_opts o;
	struct ds_http_policy policy;
	CURL		*curl;
	uint64_t	 nrequests;
	uint64_t	 nretries;
};

struct kv {
	const char	*name;
	const char	*value;
};

struct buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

/* One request and, once sent, its response. */
struct req {
	const char	*method;
	const char	*container;
	const char	*name;		/* NULL: the container itself */
	struct kv	 params[MAX_PARAMS];	/* query, values not encoded */
	size_t		 nparams;
	struct kv	 hdrs[MAX_HEADERS];	/* besides date and version */
	size_t		 nhdrs;
	const void	*body;
	size_t		 len;
	FILE		*out;		/* 2xx body goes here when set */
	off_t		 out_start;

	/* While it is sent (see perform). */
	struct ds_blob	*blob;
	const char	*url;
	const char	*path;		/* encoded, as signed */
	const char	*what;		/* for causes */
	struct curl_slist *slist;

	long		 status;
	struct buf	 resp;		/* body unless streamed to out */
	struct buf	 rhdrs;		/* "name: value\n" lines */
};

static int
buf_add(struct buf *b, const void *p, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t	 cap = b->cap ? b->cap : 256;
		char	*n;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((n = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = n;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static int
buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	n = buf_add(b, s, (size_t)n);
	free(s);
	return n;
}

/* Percent-encodes S; '/' is kept when KEEP_SLASH. Appends to B. */
static int
buf_encode(struct buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char	 e[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || (keep_slash && *p == '/')) {
			if (buf_add(b, p, 1) != 0)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[*p >> 4];
		e[2] = hex[*p & 0xf];
		if (buf_add(b, e, 3) != 0)
			return -1;
	}
	return 0;
}

char *
ds_blob_base64(const void *p, size_t len)
{
	char	*out;

	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

/* Decodes base64 S into an allocated buffer; NULL when S is not base64. */
static unsigned char *
unbase64(const char *s, size_t *lenp)
{
	size_t		 n = strlen(s);
	unsigned char	*out;
	int		 len;

	if (n == 0 || n % 4 != 0 || (out = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	if ((len = EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)n)) < 0) {
		free(out);
		return NULL;
	}
	if (n >= 1 && s[n - 1] == '=')
		len--;
	if (n >= 2 && s[n - 2] == '=')
		len--;
	*lenp = (size_t)len;
	return out;
}

int
ds_blob_open(const char *account, const char *key, const char *endpoint,
    const struct ds_blob_opts *opts, struct ds_blob **out, char **cause)
{
	struct ds_blob	*b;
	const char	*p;
	size_t		 n;

	*out = NULL;
	if (account == NULL || *account == '\0' || key == NULL ||
	    endpoint == NULL)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("storage account name, key and endpoint are needed"));
	if (strncmp(endpoint, "http://", 7) != 0 &&
	    strncmp(endpoint, "https://", 8) != 0)
		return ds_cause(cause, DS_E_INVAL,
		    _("not an http(s) endpoint: %s"), endpoint);
	if ((b = calloc(1, sizeof *b)) == NULL)
		return DS_E_NOMEM;
	if (opts != NULL)
		b->o = *opts;
	if (b->o.block_size == 0)
		b->o.block_size = DS_BLOB_BLOCK_SIZE;
	if (b->o.single_put_max == 0)
		b->o.single_put_max = b->o.block_size;
	if (b->o.retries == 0)
		b->o.retries = 10;
	if (b->o.backoff_ms == 0)
		b->o.backoff_ms = 250;
	if (b->o.backoff_max_ms == 0)
		b->o.backoff_max_ms = 8000;
	if (b->o.timeout_s == 0)
		b->o.timeout_s = 300;
	b->policy.retries = (int)b->o.retries;
	b->policy.backoff_ms = b->o.backoff_ms;
	b->policy.backoff_max_ms = b->o.backoff_max_ms;
	if ((b->account = strdup(account)) == NULL ||
	    (b->endpoint = strdup(endpoint)) == NULL)
		goto nomem;
	n = strlen(b->endpoint);
	while (n > 0 && b->endpoint[n - 1] == '/')
		b->endpoint[--n] = '\0';
	p = strstr(b->endpoint, "://") + 3;
	b->base_path = (p = strchr(p, '/')) != NULL ? p : "";
	if ((b->key = unbase64(key, &b->keylen)) == NULL) {
		ds_blob_free(b);
		return ds_cause(cause, DS_E_BLOB_KEY, "%s",
		    _("the storage account key is not valid base64"));
	}
	if ((b->curl = curl_easy_init()) == NULL)
		goto nomem;
	*out = b;
	return DS_E_OK;
nomem:
	ds_blob_free(b);
	return DS_E_NOMEM;
}

void
ds_blob_free(struct ds_blob *b)
{
	if (b == NULL)
		return;
	if (b->curl != NULL)
		curl_easy_cleanup(b->curl);
	ds_freezero(b->key, b->keylen);
	free(b->account);
	free(b->endpoint);
	free(b);
}

uint64_t
ds_blob_requests(const struct ds_blob *b)
{
	return b->nrequests;
}

uint64_t
ds_blob_retries(const struct ds_blob *b)
{
	return b->nretries;
}

size_t
ds_blob_block_size(const struct ds_blob *b)
{
	return b->o.block_size;
}

size_t
ds_blob_single_put_max(const struct ds_blob *b)
{
	return b->o.single_put_max;
}

/* Appends the encoded path of the resource ("/acct/container/name"). */
static int
resource_path(const struct ds_blob *b, struct buf *u, const char *container,
    const char *name)
{
	if (buf_add(u, b->base_path, strlen(b->base_path)) != 0 ||
	    buf_add(u, "/", 1) != 0 || buf_encode(u, container, 0) != 0)
		return -1;
	if (name != NULL && (buf_add(u, "/", 1) != 0 ||
	    buf_encode(u, name, 1) != 0))
		return -1;
	return 0;
}

char *
ds_blob_url(const struct ds_blob *b, const char *container, const char *name)
{
	struct buf	 u = { 0 };
	const char	*host_end;

	host_end = b->endpoint + (b->base_path[0] != '\0' ?
	    (size_t)(b->base_path - b->endpoint) : strlen(b->endpoint));
	if (buf_add(&u, b->endpoint, (size_t)(host_end - b->endpoint)) != 0 ||
	    resource_path(b, &u, container, name) != 0) {
		free(u.p);
		return NULL;
	}
	return u.p;
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct kv *)a)->name,
	    ((const struct kv *)b)->name);
}

static void
req_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdrs < MAX_HEADERS) {
		r->hdrs[r->nhdrs].name = name;
		r->hdrs[r->nhdrs].value = value;
		r->nhdrs++;
	}
}

static void
req_param(struct req *r, const char *name, const char *value)
{
	if (r->nparams < MAX_PARAMS) {
		r->params[r->nparams].name = name;
		r->params[r->nparams].value = value;
		r->nparams++;
	}
}

static const char *
req_hdr_value(const struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++) {
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	}
	return "";
}

/*
 * Builds the string to sign (the SharedKey scheme of version 2015-02-21
 * and later) and returns the Authorization header's value, allocated.
 */
static char *
sign(const struct ds_blob *b, const struct req *r, const char *date,
    const char *path)
{
	struct kv	 xms[MAX_HEADERS + 2], params[MAX_PARAMS];
	struct buf	 s = { 0 };
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	char		*sig = NULL, *auth = NULL, len[32] = "";
	size_t		 i, nx = 0;

	if (r->len > 0)
		snprintf(len, sizeof len, "%zu", r->len);
	buf_printf(&s, "%s\n%s\n%s\n%s\n%s\n%s\n\n%s\n%s\n%s\n%s\n%s\n",
	    r->method, req_hdr_value(r, "Content-Encoding"),
	    req_hdr_value(r, "Content-Language"), len,
	    req_hdr_value(r, "Content-MD5"),
	    req_hdr_value(r, "Content-Type"),
	    req_hdr_value(r, "If-Modified-Since"),
	    req_hdr_value(r, "If-Match"), req_hdr_value(r, "If-None-Match"),
	    req_hdr_value(r, "If-Unmodified-Since"),
	    req_hdr_value(r, "Range"));
	xms[nx].name = "x-ms-date";
	xms[nx++].value = date;
	xms[nx].name = "x-ms-version";
	xms[nx++].value = BLOB_VERSION;
	for (i = 0; i < r->nhdrs; i++) {
		if (strncasecmp(r->hdrs[i].name, "x-ms-", 5) == 0)
			xms[nx++] = r->hdrs[i];
	}
	qsort(xms, nx, sizeof *xms, kv_cmp);
	for (i = 0; i < nx; i++) {
		const char *n;

		for (n = xms[i].name; *n != '\0'; n++) {
			char c = (char)(*n >= 'A' && *n <= 'Z' ?
			    *n - 'A' + 'a' : *n);
			buf_add(&s, &c, 1);
		}
		buf_printf(&s, ":%s\n", xms[i].value);
	}
	buf_printf(&s, "/%s%s", b->account, path);
	memcpy(params, r->params, r->nparams * sizeof *params);
	qsort(params, r->nparams, sizeof *params, kv_cmp);
	for (i = 0; i < r->nparams; i++)
		buf_printf(&s, "\n%s:%s", params[i].name, params[i].value);
	if (s.p == NULL)
		return NULL;
	if (HMAC(EVP_sha256(), b->key, (int)b->keylen, (unsigned char *)s.p,
	    s.len, mac, &maclen) == NULL)
		goto out;
	if ((sig = ds_blob_base64(mac, maclen)) == NULL)
		goto out;
	if (asprintf(&auth, "SharedKey %s:%s", b->account, sig) == -1)
		auth = NULL;
out:
	OPENSSL_cleanse(mac, sizeof mac);
	free(sig);
	free(s.p);
	return auth;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct req	*r = arg;

	if (r->out != NULL && r->status >= 200 && r->status < 300)
		return fwrite(p, size, n, r->out);
	if (buf_add(&r->resp, p, size * n) != 0)
		return 0;
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct req	*r = arg;
	size_t		 len = size * n;

	/* The status line of each response: remember its code. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);

		buf_reset(&r->rhdrs);
		r->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if (buf_add(&r->rhdrs, p, len) != 0)
		return 0;
	return len;
}

/* The value of response header NAME, allocated; NULL when absent. */
static char *
resp_header(const struct req *r, const char *name)
{
	const char	*line, *end;
	size_t		 n = strlen(name);

	for (line = r->rhdrs.p; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char	*v = line + n + 1;
			const char	*e = end;

			while (*v == ' ' || *v == '\t')
				v++;
			while (e > v && (e[-1] == '\n' || e[-1] == '\r' ||
			    e[-1] == ' '))
				e--;
			return strndup(v, (size_t)(e - v));
		}
	}
	return NULL;
}

/* The text of the first element named NAME under NODE; NULL if none. */
static xmlNode *
xml_child(xmlNode *node, const char *name)
{
	xmlNode	*c;

	for (c = node != NULL ? node->children : NULL; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	}
	return NULL;
}

static char *
xml_text(xmlNode *node, const char *name)
{
	xmlNode	*c = name != NULL ? xml_child(node, name) : node;
	xmlChar	*t;
	char	*s;

	if (c == NULL || (t = xmlNodeGetContent(c)) == NULL)
		return NULL;
	s = strdup((const char *)t);
	xmlFree(t);
	return s;
}

static xmlDoc *
xml_parse(const struct buf *b)
{
	if (b->p == NULL || b->len == 0)
		return NULL;
	return xmlReadMemory(b->p, (int)b->len, "reply.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Turns a failed response into an error code and a cause. */
static int
http_error(const struct req *r, const char *what, char **cause)
{
	xmlDoc	*doc;
	char	*code = NULL, *msg = NULL, *nl;
	int	 err;

	if ((doc = xml_parse(&r->resp)) != NULL) {
		xmlNode *root = xmlDocGetRootElement(doc);

		code = xml_text(root, "Code");
		msg = xml_text(root, "Message");
		xmlFreeDoc(doc);
	}
	if (code == NULL)
		code = resp_header(r, "x-ms-error-code");
	if (msg != NULL && (nl = strchr(msg, '\n')) != NULL)
		*nl = '\0';
	if (r->status == 404)
		err = DS_E_NOTFOUND;
	else if (r->status == 403)
		err = DS_E_BLOB_AUTH;
	else
		err = DS_E_BLOB_HTTP;
	ds_cause(cause, err, "%s: HTTP %ld%s%s%s%s", what, r->status,
	    code != NULL ? " " : "", code != NULL ? code : "",
	    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	free(code);
	free(msg);
	return err;
}

/* Appends a header line made by FMT to *L; -1 without memory. */
static int
slist_add(struct curl_slist **l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
slist_add(struct curl_slist **l, const char *fmt, ...)
{
	struct curl_slist	*n;
	va_list			 ap;
	char			*line;
	int			 len;

	va_start(ap, fmt);
	len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	n = curl_slist_append(*l, line);
	free(line);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* The headers of R signed at DATE; allocated, NULL without memory. */
static struct curl_slist *
req_headers(const struct ds_blob *b, const struct req *r, const char *date)
{
	struct curl_slist	*h = NULL;
	char			*auth;
	size_t			 i;
	int			 bad;

	if ((auth = sign(b, r, date, r->path)) == NULL)
		return NULL;
	bad = slist_add(&h, "Authorization: %s", auth) != 0 ||
	    slist_add(&h, "x-ms-date: %s", date) != 0 ||
	    slist_add(&h, "%s", "x-ms-version: " BLOB_VERSION) != 0 ||
	    slist_add(&h, "%s", "Expect:") != 0 ||
	    (req_hdr_value(r, "Content-Type")[0] == '\0' &&
	    slist_add(&h, "%s", "Content-Type:") != 0);
	for (i = 0; !bad && i < r->nhdrs; i++)
		bad = slist_add(&h, "%s: %s", r->hdrs[i].name,
		    r->hdrs[i].value) != 0;
	free(auth);
	if (bad) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/*
 * Sets up C for one attempt of R (ds_http_prepare_fn): signed with the
 * time it is sent, the answer's buffers emptied, a file being written
 * rewound.
 */
static int
prepare(void *arg, CURL *c, char **cause)
{
	struct req	*r = arg;
	char		 date[64];

	r->status = 0;
	buf_reset(&r->resp);
	buf_reset(&r->rhdrs);
	curl_slist_free_all(r->slist);
	r->slist = NULL;
	if (r->out != NULL && (fflush(r->out) != 0 ||
	    fseeko(r->out, r->out_start, SEEK_SET) != 0 ||
	    ftruncate(fileno(r->out), r->out_start) != 0))
		return ds_cause(cause, DS_E_IO, "%s: %s", r->what,
		    strerror(errno));
	ds_http_date(date, sizeof date, time(NULL));
	if ((r->slist = req_headers(r->blob, r, date)) == NULL)
		return DS_E_NOMEM;
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->slist);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, r->blob->o.timeout_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (strcmp(r->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (strcmp(r->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
		if (strcmp(r->method, "PUT") == 0) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)r->len);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			    r->body != NULL ? r->body : "");
		}
	}
	r->blob->nrequests++;
	return DS_E_OK;
}

/*
 * Sends R through the transport's retry policy (src/http.h). Returns
 * DS_E_OK with r->status set (any status the caller must judge), or
 * DS_E_BLOB_NET when the service could not be reached in the budget.
 */
static int
perform(struct ds_blob *b, struct req *r, const char *what, char **cause)
{
	struct buf		 u = { 0 }, path = { 0 };
	struct ds_http_outcome	 o;
	const char		*host_end;
	size_t			 i;
	int			 err;

	if (resource_path(b, &path, r->container, r->name) != 0)
		return DS_E_NOMEM;
	host_end = b->endpoint + (b->base_path[0] != '\0' ?
	    (size_t)(b->base_path - b->endpoint) : strlen(b->endpoint));
	buf_add(&u, b->endpoint, (size_t)(host_end - b->endpoint));
	buf_add(&u, path.p, path.len);
	for (i = 0; i < r->nparams; i++) {
		buf_add(&u, i == 0 ? "?" : "&", 1);
		buf_encode(&u, r->params[i].name, 0);
		buf_add(&u, "=", 1);
		buf_encode(&u, r->params[i].value, 0);
	}
	if (u.p == NULL) {
		free(path.p);
		return DS_E_NOMEM;
	}
	r->blob = b;
	r->url = u.p;
	r->path = path.p;
	r->what = what;
	err = ds_http_perform(b->curl, &b->policy, prepare, r, &o, cause);
	curl_slist_free_all(r->slist);
	r->slist = NULL;
	if (o.attempts > 1)
		b->nretries += (uint64_t)o.attempts - 1;
	if (err == DS_E_OK && o.curl_code != CURLE_OK)
		err = ds_cause(cause, o.curl_code == CURLE_OUT_OF_MEMORY ?
		    DS_E_NOMEM : o.curl_code == CURLE_WRITE_ERROR ? DS_E_IO :
		    DS_E_BLOB_NET, "%s: %s", what,
		    curl_easy_strerror(o.curl_code));
	free(u.p);
	free(path.p);
	return err;
}

static void
req_free(struct req *r)
{
	free(r->resp.p);
	free(r->rhdrs.p);
}

/* Drops the cause of an error the caller turns into success. */
static void
cause_clear(char **cause)
{
	if (cause != NULL) {
		free(*cause);
		*cause = NULL;
	}
}

/* "METHOD container/name", for causes; allocated. */
static char *
what_of(const char *method, const char *container, const char *name)
{
	char	*s;

	if (asprintf(&s, "%s %s%s%s", method, container, name ? "/" : "",
	    name ? name : "") == -1)
		return NULL;
	return s;
}

/* Sends a request and checks for status WANT (or any 2xx when 0). */
static int
simple(struct ds_blob *b, struct req *r, long want, char **cause)
{
	char	*what = what_of(r->method, r->container, r->name);
	int	 err;

	if (what == NULL)
		return DS_E_NOMEM;
	err = perform(b, r, what, cause);
	if (err == DS_E_OK && (want != 0 ? r->status != want :
	    (r->status < 200 || r->status >= 300)))
		err = http_error(r, what, cause);
	free(what);
	return err;
}

/* Adds x-ms-meta-* headers; NAMES receives the allocated header names. */
static int
add_meta(struct req *r, const struct ds_blob_meta *meta, size_t nmeta,
    char **names, char **cause)
{
	size_t	 i;

	if (nmeta + r->nhdrs > MAX_HEADERS)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("too many metadata entries"));
	for (i = 0; i < nmeta; i++) {
		if (asprintf(&names[i], "x-ms-meta-%s", meta[i].name) == -1) {
			names[i] = NULL;
			return DS_E_NOMEM;
		}
		req_header(r, names[i], meta[i].value);
	}
	return DS_E_OK;
}

static void
free_names(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(names[i]);
}

int
ds_blob_create_container(struct ds_blob *b, const char *container,
    char **cause)
{
	struct req	 r = { .method = "PUT", .container = container };
	char		*code;
	int		 err;

	req_param(&r, "restype", "container");
	err = simple(b, &r, 201, cause);
	if (err == DS_E_BLOB_HTTP && r.status == 409) {
		code = resp_header(&r, "x-ms-error-code");
		if (code != NULL &&
		    strcmp(code, "ContainerAlreadyExists") == 0) {
			cause_clear(cause);
			err = DS_E_OK;
		}
		free(code);
	}
	req_free(&r);
	return err;
}

static char *
md5_base64(const void *p, size_t len)
{
	unsigned char	 md[16];
	unsigned int	 mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_md5(), NULL) != 1)
		return NULL;
	return ds_blob_base64(md, mdlen);
}

int
ds_blob_put(struct ds_blob *b, const char *container, const char *name,
    const void *buf, size_t len, const struct ds_blob_meta *meta,
    size_t nmeta, char **cause)
{
	struct req	 r = { .method = "PUT", .container = container,
			    .name = name, .body = buf, .len = len };
	char		*names[MAX_HEADERS] = { NULL }, *md5;
	int		 err;

	if ((md5 = md5_base64(buf, len)) == NULL)
		return DS_E_NOMEM;
	req_header(&r, "x-ms-blob-type", "BlockBlob");
	req_header(&r, "Content-Type", "application/octet-stream");
	req_header(&r, "Content-MD5", md5);
	if ((err = add_meta(&r, meta, nmeta, names, cause)) == DS_E_OK)
		err = simple(b, &r, 201, cause);
	free_names(names, nmeta);
	free(md5);
	req_free(&r);
	return err;
}

int
ds_blob_put_block(struct ds_blob *b, const char *container, const char *name,
    const char *id, const void *buf, size_t len, char **cause)
{
	struct req	 r = { .method = "PUT", .container = container,
			    .name = name, .body = buf, .len = len };
	char		*id64, *md5;
	int		 err;

	if ((id64 = ds_blob_base64(id, strlen(id))) == NULL)
		return DS_E_NOMEM;
	if ((md5 = md5_base64(buf, len)) == NULL) {
		free(id64);
		return DS_E_NOMEM;
	}
	req_param(&r, "comp", "block");
	req_param(&r, "blockid", id64);
	req_header(&r, "Content-Type", "application/octet-stream");
	req_header(&r, "Content-MD5", md5);
	err = simple(b, &r, 201, cause);
	free(md5);
	free(id64);
	req_free(&r);
	return err;
}

int
ds_blob_put_block_list(struct ds_blob *b, const char *container,
    const char *name, char *const *ids, size_t nids, const char *content_md5,
    const struct ds_blob_meta *meta, size_t nmeta, char **cause)
{
	struct req	 r = { .method = "PUT", .container = container,
			    .name = name };
	struct buf	 x = { 0 };
	char		*names[MAX_HEADERS] = { NULL }, *id64, *md5 = NULL;
	size_t		 i;
	int		 err;

	buf_printf(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<BlockList>");
	for (i = 0; i < nids; i++) {
		if ((id64 = ds_blob_base64(ids[i], strlen(ids[i]))) == NULL)
			break;
		buf_printf(&x, "<Latest>%s</Latest>", id64);
		free(id64);
	}
	buf_printf(&x, "</BlockList>");
	if (x.p == NULL || i < nids || (md5 = md5_base64(x.p, x.len)) == NULL) {
		free(x.p);
		return DS_E_NOMEM;
	}
	r.body = x.p;
	r.len = x.len;
	req_param(&r, "comp", "blocklist");
	req_header(&r, "Content-Type", "application/xml");
	req_header(&r, "Content-MD5", md5);
	req_header(&r, "x-ms-blob-content-type", "application/octet-stream");
	if (content_md5 != NULL)
		req_header(&r, "x-ms-blob-content-md5", content_md5);
	if ((err = add_meta(&r, meta, nmeta, names, cause)) == DS_E_OK)
		err = simple(b, &r, 201, cause);
	free_names(names, nmeta);
	free(md5);
	free(x.p);
	req_free(&r);
	return err;
}

void
ds_blob_ids_free(char **ids, size_t nids)
{
	size_t	 i;

	if (ids == NULL)
		return;
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
}

int
ds_blob_uncommitted(struct ds_blob *b, const char *container,
    const char *name, char ***idsp, size_t *nidsp, char **cause)
{
	struct req	 r = { .method = "GET", .container = container,
			    .name = name };
	xmlDoc		*doc = NULL;
	xmlNode		*list, *c;
	char		**ids = NULL, **n, *id64;
	unsigned char	*raw;
	size_t		 nids = 0, len;
	int		 err;

	*idsp = NULL;
	*nidsp = 0;
	req_param(&r, "comp", "blocklist");
	req_param(&r, "blocklisttype", "uncommitted");
	err = simple(b, &r, 200, cause);
	if (err == DS_E_NOTFOUND) {
		cause_clear(cause);
		req_free(&r);
		return DS_E_OK;
	}
	if (err != DS_E_OK)
		goto out;
	if ((doc = xml_parse(&r.resp)) == NULL) {
		err = ds_cause(cause, DS_E_BLOB_REPLY, "%s",
		    _("bad block list"));
		goto out;
	}
	list = xml_child(xmlDocGetRootElement(doc), "UncommittedBlocks");
	for (c = list != NULL ? list->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    (id64 = xml_text(c, "Name")) == NULL)
			continue;
		raw = unbase64(id64, &len);
		free(id64);
		if (raw == NULL)
			continue;
		raw[len] = '\0';
		if ((n = reallocarray(ids, nids + 1, sizeof *ids)) == NULL) {
			free(raw);
			err = DS_E_NOMEM;
			goto out;
		}
		ids = n;
		ids[nids++] = (char *)raw;
	}
	*idsp = ids;
	*nidsp = nids;
	ids = NULL;
	err = DS_E_OK;
out:
	ds_blob_ids_free(ids, nids);
	if (doc != NULL)
		xmlFreeDoc(doc);
	req_free(&r);
	return err;
}

int
ds_blob_set_metadata(struct ds_blob *b, const char *container,
    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
    char **cause)
{
	struct req	 r = { .method = "PUT", .container = container,
			    .name = name };
	char		*names[MAX_HEADERS] = { NULL };
	int		 err;

	req_param(&r, "comp", "metadata");
	if ((err = add_meta(&r, meta, nmeta, names, cause)) == DS_E_OK)
		err = simple(b, &r, 200, cause);
	free_names(names, nmeta);
	req_free(&r);
	return err;
}

int
ds_blob_copy(struct ds_blob *b, const char *container, const char *from,
    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
    char **cause)
{
	struct req	 r = { .method = "PUT", .container = container,
			    .name = name };
	char		*names[MAX_HEADERS] = { NULL }, *src;
	int		 err;

	if ((src = ds_blob_url(b, container, from)) == NULL)
		return DS_E_NOMEM;
	req_header(&r, "x-ms-copy-source", src);
	if ((err = add_meta(&r, meta, nmeta, names, cause)) == DS_E_OK)
		err = simple(b, &r, 202, cause);
	free_names(names, nmeta);
	req_free(&r);
	free(src);
	return err;
}

void
ds_blob_props_clear(struct ds_blob_props *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmeta; i++) {
		free(p->meta[i].name);
		free(p->meta[i].value);
	}
	free(p->meta);
	free(p->name);
	free(p->etag);
	free(p->content_md5);
	free(p->last_modified);
	free(p->creation_time);
	memset(p, 0, sizeof *p);
}

const char *
ds_blob_props_meta(const struct ds_blob_props *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->nmeta; i++) {
		if (strcasecmp(p->meta[i].name, name) == 0)
			return p->meta[i].value;
	}
	return NULL;
}

static int
props_add_meta(struct ds_blob_props *p, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	struct ds_blob_meta	*m;

	if ((m = reallocarray(p->meta, p->nmeta + 1, sizeof *m)) == NULL)
		return -1;
	p->meta = m;
	m += p->nmeta;
	m->name = strndup(name, nlen);
	m->value = strndup(value, vlen);
	if (m->name == NULL || m->value == NULL) {
		free(m->name);
		free(m->value);
		return -1;
	}
	p->nmeta++;
	return 0;
}

int
ds_blob_properties(struct ds_blob *b, const char *container, const char *name,
    struct ds_blob_props *p, char **cause)
{
	struct req	 r = { .method = "HEAD", .container = container,
			    .name = name };
	const char	*line, *end, *colon, *v;
	char		*len;
	int		 err;

	memset(p, 0, sizeof *p);
	if ((err = simple(b, &r, 200, cause)) != DS_E_OK) {
		if (err == DS_E_NOTFOUND)
			ds_cause(cause, err, _("no blob %s in %s"), name,
			    container);
		goto out;
	}
	err = DS_E_NOMEM;
	if ((p->name = strdup(name)) == NULL)
		goto out;
	p->etag = resp_header(&r, "ETag");
	p->content_md5 = resp_header(&r, "Content-MD5");
	p->last_modified = resp_header(&r, "Last-Modified");
	p->creation_time = resp_header(&r, "x-ms-creation-time");
	if ((len = resp_header(&r, "Content-Length")) != NULL)
		p->size = strtoull(len, NULL, 10);
	free(len);
	for (line = r.rhdrs.p; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		if (strncasecmp(line, "x-ms-meta-", 10) != 0 ||
		    (colon = memchr(line, ':', (size_t)(end - line))) == NULL)
			continue;
		for (v = colon + 1; *v == ' '; v++)
			;
		len = (char *)end;
		while (len > v && (len[-1] == '\n' || len[-1] == '\r'))
			len--;
		if (props_add_meta(p, line + 10, (size_t)(colon - line - 10),
		    v, (size_t)(len - v)) != 0)
			goto out;
	}
	err = DS_E_OK;
out:
	if (err != DS_E_OK)
		ds_blob_props_clear(p);
	req_free(&r);
	return err;
}

void
ds_blob_list_free(struct ds_blob_list *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		ds_blob_props_clear(&l->blobs[i]);
	free(l->blobs);
	free(l->next_marker);
	free(l);
}

/* Fills P from a <Blob> element of a listing. */
static int
list_entry(xmlNode *blob, struct ds_blob_props *p)
{
	xmlNode	*props, *meta, *c;
	char	*s;
	xmlChar	*t;
	int	 rc;

	if ((p->name = xml_text(blob, "Name")) == NULL)
		return -1;
	props = xml_child(blob, "Properties");
	if ((s = xml_text(props, "Content-Length")) != NULL)
		p->size = strtoull(s, NULL, 10);
	free(s);
	p->etag = xml_text(props, "Etag");
	p->content_md5 = xml_text(props, "Content-MD5");
	if (p->content_md5 != NULL && p->content_md5[0] == '\0') {
		free(p->content_md5);
		p->content_md5 = NULL;
	}
	p->last_modified = xml_text(props, "Last-Modified");
	p->creation_time = xml_text(props, "Creation-Time");
	meta = xml_child(blob, "Metadata");
	for (c = meta != NULL ? meta->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((t = xmlNodeGetContent(c)) == NULL)
			return -1;
		rc = props_add_meta(p, (const char *)c->name,
		    strlen((const char *)c->name), (const char *)t,
		    strlen((const char *)t));
		xmlFree(t);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
ds_blob_list(struct ds_blob *b, const char *container, const char *prefix,
    const char *marker, unsigned max, struct ds_blob_list **out,
    char **cause)
{
	struct req		 r = { .method = "GET",
				    .container = container };
	struct ds_blob_list	*l = NULL;
	struct ds_blob_props	*np;
	xmlDoc			*doc = NULL;
	xmlNode			*root, *blobs, *c;
	char			 maxs[16];
	int			 err;

	*out = NULL;
	req_param(&r, "restype", "container");
	req_param(&r, "comp", "list");
	req_param(&r, "include", "metadata");
	if (prefix != NULL && *prefix != '\0')
		req_param(&r, "prefix", prefix);
	if (marker != NULL && *marker != '\0')
		req_param(&r, "marker", marker);
	if (max != 0) {
		snprintf(maxs, sizeof maxs, "%u", max);
		req_param(&r, "maxresults", maxs);
	}
	if ((err = simple(b, &r, 200, cause)) != DS_E_OK)
		goto out;
	if ((doc = xml_parse(&r.resp)) == NULL) {
		err = ds_cause(cause, DS_E_BLOB_REPLY, "%s",
		    _("the blob listing is not valid XML"));
		goto out;
	}
	err = DS_E_NOMEM;
	if ((l = calloc(1, sizeof *l)) == NULL)
		goto out;
	root = xmlDocGetRootElement(doc);
	blobs = xml_child(root, "Blobs");
	for (c = blobs != NULL ? blobs->children : NULL; c != NULL;
	    c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "Blob") != 0)
			continue;
		if ((np = reallocarray(l->blobs, l->n + 1, sizeof *np)) == NULL)
			goto out;
		l->blobs = np;
		memset(&l->blobs[l->n], 0, sizeof *np);
		l->n++;
		if (list_entry(c, &l->blobs[l->n - 1]) != 0)
			goto out;
	}
	l->next_marker = xml_text(root, "NextMarker");
	if (l->next_marker != NULL && l->next_marker[0] == '\0') {
		free(l->next_marker);
		l->next_marker = NULL;
	}
	*out = l;
	l = NULL;
	err = DS_E_OK;
out:
	ds_blob_list_free(l);
	if (doc != NULL)
		xmlFreeDoc(doc);
	req_free(&r);
	return err;
}

int
ds_blob_get(struct ds_blob *b, const char *container, const char *name,
    FILE *out, char **cause)
{
	struct req	 r = { .method = "GET", .container = container,
			    .name = name, .out = out };
	int		 err;

	if ((r.out_start = ftello(out)) < 0)
		return ds_cause(cause, DS_E_IO, "%s", strerror(errno));
	err = simple(b, &r, 200, cause);
	if (err == DS_E_OK && fflush(out) != 0)
		err = ds_cause(cause, DS_E_IO, "%s", strerror(errno));
	req_free(&r);
	return err;
}

int
ds_blob_delete(struct ds_blob *b, const char *container, const char *name,
    char **cause)
{
	struct req	 r = { .method = "DELETE", .container = container,
			    .name = name };
	int		 err;

	err = simple(b, &r, 202, cause);
	req_free(&r);
	return err;
}
