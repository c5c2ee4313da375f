/* SPDX-License-Identifier: MIT */
/*
 * Uploading a file as a blob (ds_blob_put_file): one Put Blob when it is
 * small, else block by block, resuming from the blocks the service holds
 * uncommitted. Only the public Blob operations are used, and three
 * helpers of blob-int.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blob.h"
#include "blob-int.h"
#include "error.h"
#include "util.h"

/* Reads up to LEN bytes (fewer only at the end of the file). */
static ssize_t
read_full(int fd, void *buf, size_t len)
{
	size_t	 done = 0;
	ssize_t	 n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int
has_id(char **ids, size_t nids, const char *id)
{
	size_t	 i;

	for (i = 0; i < nids; i++) {
		if (strcmp(ids[i], id) == 0)
			return 1;
	}
	return 0;
}

/* One file being uploaded by ds_blob_put_file. */
struct upload {
	struct ds_blob		*b;
	const char		*container;
	const char		*name;
	const char		*path;
	int			 fd;
	uint64_t		 size;
	const struct ds_blob_meta *meta;	/* with "sha256" last */
	size_t			 nmeta;
	char			*hex;		/* its value, 65 bytes */
	ds_blob_progress_cb	 cb;
	void			*arg;
	char			*buf;
};

/* A file no larger than one Put Blob: read, hashed and sent at once. */
static int
upload_small(struct upload *u, char **cause)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 len = (size_t)u->size;
	int		 err;

	if (read_full(u->fd, u->buf, len) != (ssize_t)len)
		return ds_cause(cause, DS_E_IO, _("%s: changed while being "
		    "read"), u->path);
	if (EVP_Digest(u->buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return DS_E_NOMEM;
	ds_hex(u->hex, md, mdlen);
	err = ds_blob_put(u->b, u->container, u->name, u->buf, len, u->meta,
	    u->nmeta, cause);
	if (err == DS_E_OK && u->cb != NULL && u->cb(u->arg, u->size,
	    u->size) != 0)
		err = DS_E_CANCELED;
	return err;
}

/*
 * Sends the next block of N bytes in u->buf as block number *NIDS, unless
 * the service holds it already (HAVE); its id is added to *IDS.
 */
static int
upload_block(struct upload *u, size_t n, char ***ids, size_t *nids,
    char **have, size_t nhave, char **cause)
{
	unsigned char	 bh[32];
	char		 bhex[65], **nv;

	if (EVP_Digest(u->buf, n, bh, NULL, EVP_sha256(), NULL) != 1)
		return DS_E_NOMEM;
	ds_hex(bhex, bh, 16);
	if ((nv = reallocarray(*ids, *nids + 1, sizeof *nv)) == NULL)
		return DS_E_NOMEM;
	*ids = nv;
	/* All ids of a blob have the same length: index and hash. */
	if (asprintf(&nv[*nids], "%06zu-%s", *nids, bhex) == -1)
		return DS_E_NOMEM;
	(*nids)++;
	if (has_id(have, nhave, nv[*nids - 1]))
		return DS_E_OK;
	return ds_blob_put_block(u->b, u->container, u->name, nv[*nids - 1],
	    u->buf, n, cause);
}

/*
 * A larger file, block by block, resuming from the blocks the service
 * holds uncommitted, then committed with the whole file's MD5.
 */
static int
upload_blocks(struct upload *u, char **cause)
{
	EVP_MD_CTX	*sha = NULL, *md5 = NULL;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		**ids = NULL, **have = NULL, *md5s = NULL;
	size_t		 nids = 0, nhave = 0;
	uint64_t	 done = 0;
	ssize_t		 n;
	int		 err = DS_E_NOMEM;

	if (u->size / ds_blob_block_size(u->b) >= DS_BLOB_MAX_BLOCKS)
		return ds_cause(cause, DS_E_BLOB_TOOBIG, "%s", u->path);
	if ((sha = EVP_MD_CTX_new()) == NULL ||
	    (md5 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(md5, EVP_md5(), NULL) != 1)
		goto out;
	if ((err = ds_blob_uncommitted(u->b, u->container, u->name, &have,
	    &nhave, cause)) != DS_E_OK)
		goto out;
	while ((n = read_full(u->fd, u->buf, ds_blob_block_size(u->b))) > 0) {
		EVP_DigestUpdate(sha, u->buf, (size_t)n);
		EVP_DigestUpdate(md5, u->buf, (size_t)n);
		if ((err = upload_block(u, (size_t)n, &ids, &nids, have, nhave,
		    cause)) != DS_E_OK)
			goto out;
		done += (uint64_t)n;
		if (u->cb != NULL && u->cb(u->arg, done, u->size) != 0) {
			err = DS_E_CANCELED;
			goto out;
		}
	}
	if (n == -1) {
		err = ds_cause(cause, DS_E_IO, "%s: %s", u->path,
		    strerror(errno));
		goto out;
	}
	if (done != u->size) {
		err = ds_cause(cause, DS_E_IO, _("%s: changed while being "
		    "read"), u->path);
		goto out;
	}
	EVP_DigestFinal_ex(sha, md, &mdlen);
	ds_hex(u->hex, md, mdlen);
	EVP_DigestFinal_ex(md5, md, &mdlen);
	err = DS_E_NOMEM;
	if ((md5s = ds_blob_base64(md, mdlen)) == NULL)
		goto out;
	err = ds_blob_put_block_list(u->b, u->container, u->name, ids, nids,
	    md5s, u->meta, u->nmeta, cause);
out:
	ds_blob_ids_free(ids, nids);
	ds_blob_ids_free(have, nhave);
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(md5);
	free(md5s);
	return err;
}

int
ds_blob_put_file(struct ds_blob *b, const char *container, const char *name,
    const char *path, const struct ds_blob_meta *meta, size_t nmeta,
    ds_blob_progress_cb cb, void *arg, char *sha256, char **cause)
{
	struct ds_blob_meta	 all[MAX_HEADERS];
	struct upload		 u = { .b = b, .container = container,
				    .name = name, .path = path, .meta = all,
				    .nmeta = nmeta + 1, .cb = cb, .arg = arg };
	struct stat		 st;
	char			 hex[65];
	size_t			 cap;
	int			 err;

	if (nmeta + 1 > MAX_HEADERS - 8)
		return ds_cause(cause, DS_E_INVAL, "%s",
		    _("too many metadata entries"));
	if ((u.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
	if (fstat(u.fd, &st) == -1) {
		err = ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	u.size = (uint64_t)st.st_size;
	cap = u.size <= ds_blob_single_put_max(b) ? (size_t)u.size :
	    ds_blob_block_size(b);
	err = DS_E_NOMEM;
	if ((u.buf = malloc(cap > 0 ? cap : 1)) == NULL)
		goto out;
	if (nmeta > 0)
		memcpy(all, meta, nmeta * sizeof *meta);
	all[nmeta].name = (char *)"sha256";
	all[nmeta].value = u.hex = hex;
	if (cb != NULL && cb(arg, 0, u.size) != 0) {
		err = DS_E_CANCELED;
		goto out;
	}
	if (u.size <= ds_blob_single_put_max(b))
		err = upload_small(&u, cause);
	else
		err = upload_blocks(&u, cause);
	if (err == DS_E_OK && sha256 != NULL)
		memcpy(sha256, hex, sizeof hex);
out:
	free(u.buf);
	close(u.fd);
	return err;
}
