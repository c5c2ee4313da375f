/* SPDX-License-Identifier: MIT */
/*
 * A client of the Azure Blob storage REST API (libcurl, SharedKey
 * authorization signed with HMAC-SHA256). Used by diskseed-importd's
 * ingest to upload restored files, and by the tests to read them back.
 *
 * Call order: ds_blob_open() with an account's name, key (base64) and
 * endpoint ("https://NAME.blob.core.windows.net", or path-style for the
 * emulator: "http://127.0.0.1:10000/devstoreaccount1"); then any of the
 * calls below; then ds_blob_free(). A client is not thread-safe.
 *
 * Every call is sent through the transport's retry policy (src/http.h:
 * connection failures, timeouts, 408, 429, 500, 502-504, with backoff or
 * the service's Retry-After), so that a server that goes away and comes
 * back within the retry budget costs only time. Other HTTP errors return
 * DS_E_BLOB_HTTP with the service's error code and message in *cause.
 */
#ifndef DS_BLOB_H
#define DS_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The default size of a block of a large upload (memory used per upload). */
#define DS_BLOB_BLOCK_SIZE	(8U * 1024 * 1024)
/* The most blocks a blob can have. */
#define DS_BLOB_MAX_BLOCKS	50000

struct ds_blob;

/* One user-defined metadata pair, sent as x-ms-meta-NAME: VALUE. */
struct ds_blob_meta {
	char	*name;		/* lowercase letters, digits, '_' */
	char	*value;		/* printable ASCII */
};

/* What the service says about a blob. */
struct ds_blob_props {
	char		*name;
	uint64_t	 size;
	char		*etag;
	char		*content_md5;	/* base64, or NULL */
	char		*last_modified;	/* as the service wrote it */
	char		*creation_time;	/* as the service wrote it; or NULL */
	size_t		 nmeta;
	struct ds_blob_meta *meta;
};

/* One page of a listing. */
struct ds_blob_list {
	size_t		 n;
	struct ds_blob_props *blobs;
	char		*next_marker;	/* NULL on the last page */
};

/* Tunables; the defaults suit real use. */
struct ds_blob_opts {
	size_t		 block_size;	/* 0: DS_BLOB_BLOCK_SIZE */
	size_t		 single_put_max;/* larger files use blocks; 0: block */
	unsigned	 retries;	/* attempts after the first; 0: 10 */
	unsigned	 backoff_ms;	/* first wait, doubled; 0: 250 */
	unsigned	 backoff_max_ms;/* 0: 8000 */
	long		 timeout_s;	/* per request; 0: 300 */
};

/*
 * Progress of ds_blob_put_file: called after each block (and before the
 * first) with the bytes sent so far; a non-zero return cancels.
 */
typedef int (*ds_blob_progress_cb)(void *arg, uint64_t done, uint64_t total);

/*
 * Makes a client. KEY is the account key in base64 (it is decoded and kept,
 * wiped by ds_blob_free). OPTS may be NULL. *out is allocated; free it
 * with ds_blob_free.
 */
int	ds_blob_open(const char *account, const char *key,
	    const char *endpoint, const struct ds_blob_opts *opts,
	    struct ds_blob **out, char **cause);
void	ds_blob_free(struct ds_blob *b);

/* Number of HTTP requests sent and of retries made, for tests and logs. */
uint64_t ds_blob_requests(const struct ds_blob *b);
uint64_t ds_blob_retries(const struct ds_blob *b);

/* The URL of a blob (NAME percent-encoded); allocated, caller frees. */
char	*ds_blob_url(const struct ds_blob *b, const char *container,
	    const char *name);

/* Creates CONTAINER; an existing container is not an error. */
int	ds_blob_create_container(struct ds_blob *b, const char *container,
	    char **cause);

/* Puts BUF as a whole blob (Put Blob) with the metadata given. */
int	ds_blob_put(struct ds_blob *b, const char *container, const char *name,
	    const void *buf, size_t len, const struct ds_blob_meta *meta,
	    size_t nmeta, char **cause);

/*
 * Uploads the file at PATH as blob NAME: with one Put Blob when it is
 * small, otherwise block by block (Put Block with Content-MD5, then Put
 * Block List with the metadata and the whole file's MD5). Memory used is
 * one block. Blocks the service already holds uncommitted for this blob,
 * with the same content (the block id carries a hash of it), are not sent
 * again, so an interrupted upload resumes. If SHA256 is not NULL it
 * receives the file's SHA-256 in hex (65 bytes).
 */
int	ds_blob_put_file(struct ds_blob *b, const char *container,
	    const char *name, const char *path, const struct ds_blob_meta *meta,
	    size_t nmeta, ds_blob_progress_cb cb, void *arg, char *sha256,
	    char **cause);

/* Put Block: ID is the block id before base64 (at most 64 bytes). */
int	ds_blob_put_block(struct ds_blob *b, const char *container,
	    const char *name, const char *id, const void *buf, size_t len,
	    char **cause);

/* Put Block List: commits IDS (as given to ds_blob_put_block) in order. */
int	ds_blob_put_block_list(struct ds_blob *b, const char *container,
	    const char *name, char *const *ids, size_t nids,
	    const char *content_md5, const struct ds_blob_meta *meta,
	    size_t nmeta, char **cause);

/*
 * Get Block List of uncommitted blocks: *ids (the ids as given to
 * ds_blob_put_block) and *nids are allocated; free with
 * ds_blob_ids_free. A blob that does not exist has none.
 */
int	ds_blob_uncommitted(struct ds_blob *b, const char *container,
	    const char *name, char ***ids, size_t *nids, char **cause);
void	ds_blob_ids_free(char **ids, size_t nids);

/*
 * Copy Blob within the account: FROM (of CONTAINER) as NAME, with META
 * instead of FROM's metadata. The service copies without the bytes
 * passing through here; within one account it is done when this returns.
 */
int	ds_blob_copy(struct ds_blob *b, const char *container, const char *from,
	    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
	    char **cause);

/* Replaces the blob's metadata. */
int	ds_blob_set_metadata(struct ds_blob *b, const char *container,
	    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
	    char **cause);

/*
 * Get Blob Properties into *props (cleared first; free with
 * ds_blob_props_clear). DS_E_NOTFOUND when there is no such blob.
 */
int	ds_blob_properties(struct ds_blob *b, const char *container,
	    const char *name, struct ds_blob_props *props, char **cause);
void	ds_blob_props_clear(struct ds_blob_props *props);

/* The value of metadata NAME in PROPS; borrowed, NULL when absent. */
const char *ds_blob_props_meta(const struct ds_blob_props *props,
	    const char *name);

/*
 * List Blobs, one page: blobs whose names start with PREFIX (NULL: all),
 * from MARKER (NULL: the start), at most MAX (0: the service's default),
 * with their metadata. *out is allocated; free with ds_blob_list_free.
 */
int	ds_blob_list(struct ds_blob *b, const char *container,
	    const char *prefix, const char *marker, unsigned max,
	    struct ds_blob_list **out, char **cause);
void	ds_blob_list_free(struct ds_blob_list *l);

/* Get Blob: writes the blob's content to OUT. */
int	ds_blob_get(struct ds_blob *b, const char *container, const char *name,
	    FILE *out, char **cause);

/* Deletes a blob; a missing blob is DS_E_NOTFOUND. */
int	ds_blob_delete(struct ds_blob *b, const char *container,
	    const char *name, char **cause);

#endif
