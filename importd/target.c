/* Storage targets of the ingest: Azure Blob storage or a directory. */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "i18n.h"
#include "state.h"
#include "target.h"
#include "util.h"

/* Azurite's well-known development account key (public, not a secret). */
#define DEVSTORE_ACCOUNT "devstoreaccount1"
#define DEVSTORE_KEY "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2U" \
	"VErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

struct target {
	struct ds_blob	*blob;		/* Blob storage, or */
	char		*dir;		/* a directory */
	char		*flat;		/* the container that is dir itself */
	uint64_t	 puts;
};

int
target_open(json_t *acct, struct target **out, char **cause)
{
	struct ds_blob_opts	 o = { 0 };
	struct target		*t;
	const char		*name, *endpoint, *key, *dir;
	json_t			*v;
	int			 rc;

	*out = NULL;
	name = json_string_value(json_object_get(acct, "name"));
	endpoint = json_string_value(json_object_get(acct, "blobEndpoint"));
	key = json_string_value(json_object_get(acct, "key"));
	dir = json_string_value(json_object_get(acct, "directory"));
	if ((t = calloc(1, sizeof *t)) == NULL)
		return DS_E_NOMEM;
	if (dir != NULL) {
		if ((t->dir = strdup(dir)) == NULL) {
			free(t);
			return DS_E_NOMEM;
		}
		*out = t;
		return DS_E_OK;
	}
	if (key == NULL && name != NULL && strcmp(name, DEVSTORE_ACCOUNT) == 0)
		key = DEVSTORE_KEY;
	if (name == NULL || endpoint == NULL || key == NULL) {
		free(t);
		return ds_cause(cause, DS_E_IMPORTD_CONFIG, _("storage account "
		    "%s: needs \"blobEndpoint\" and \"key\", or "
		    "\"directory\""), name != NULL ? name : "?");
	}
	if (json_is_integer(v = json_object_get(acct, "blockSize")))
		o.block_size = (size_t)json_integer_value(v);
	if (json_is_integer(v = json_object_get(acct, "retries")))
		o.retries = (unsigned)json_integer_value(v);
	if ((rc = ds_blob_open(name, key, endpoint, &o, &t->blob, cause)) !=
	    DS_E_OK) {
		free(t);
		return rc;
	}
	*out = t;
	return DS_E_OK;
}

int
target_open_dir(const char *dir, const char *flat, struct target **out)
{
	struct target	*t;

	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->dir = strdup(dir)) == NULL ||
	    (flat != NULL && (t->flat = strdup(flat)) == NULL)) {
		target_free(t);
		return DS_E_NOMEM;
	}
	*out = t;
	return DS_E_OK;
}

void
target_free(struct target *t)
{
	if (t == NULL)
		return;
	ds_blob_free(t->blob);
	free(t->dir);
	free(t->flat);
	free(t);
}

uint64_t
target_puts(const struct target *t)
{
	return t->puts;
}

uint64_t
target_retries(const struct target *t)
{
	return t->blob != NULL ? ds_blob_retries(t->blob) : 0;
}

/* "DIR/CONTAINER/NAME", allocated, or NULL. */
static char *
dir_path(const struct target *t, const char *container, const char *name)
{
	char	*p;
	int	 flat = t->flat != NULL && strcmp(t->flat, container) == 0;

	if (asprintf(&p, "%s%s%s%s%s", t->dir, flat ? "" : "/",
	    flat ? "" : container, name ? "/" : "", name ? name : "") == -1)
		return NULL;
	return p;
}

int
target_container(struct target *t, const char *container, char **cause)
{
	char	*p;
	int	 rc;

	if (t->blob != NULL)
		return ds_blob_create_container(t->blob, container, cause);
	if ((p = dir_path(t, container, NULL)) == NULL)
		return DS_E_NOMEM;
	rc = ds_mkdir_p(p, 0755, cause);
	free(p);
	return rc;
}

/* SHA-256 of the file at PATH in hex; -1 when it cannot be read. */
static int
file_sha256(const char *path, char *hex, uint64_t *size)
{
	EVP_MD_CTX	*md;
	unsigned char	 buf[65536], sum[32];
	ssize_t		 n;
	int		 fd, rc = -1;

	*size = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (n == 0 && EVP_DigestFinal_ex(md, sum, NULL) == 1) {
		ds_hex(hex, sum, 32);
		rc = 0;
	}
out:
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}

static const char *
meta_get(const struct ds_blob_meta *meta, size_t nmeta, const char *name)
{
	size_t	 i;

	for (i = 0; i < nmeta; i++)
		if (strcmp(meta[i].name, name) == 0)
			return meta[i].value;
	return NULL;
}

/* Copies SRC to DST through a temporary file, then applies the mode,
 * owner and mtime of META. */
static int
dir_copy(const char *src, const char *dst, const void *buf, size_t len,
    const struct ds_blob_meta *meta, size_t nmeta, char **cause)
{
	char		*tmp = NULL, *slash, *parent;
	char		 chunk[65536];
	const char	*v;
	struct timeval	 tv[2];
	ssize_t		 n;
	int		 in = -1, out = -1, rc = DS_E_NOMEM;

	if ((parent = strdup(dst)) == NULL)
		return DS_E_NOMEM;
	if ((slash = strrchr(parent, '/')) != NULL)
		*slash = '\0';
	rc = ds_mkdir_p(parent, 0755, cause);
	free(parent);
	if (rc != DS_E_OK)
		return rc;
	if (asprintf(&tmp, "%s.part", dst) == -1)
		return DS_E_NOMEM;
	rc = DS_E_IO;
	if (src != NULL && (in = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		ds_cause(cause, rc, "%s: %s", src, strerror(errno));
		goto out;
	}
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		ds_cause(cause, rc, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (src == NULL && write(out, buf, len) != (ssize_t)len) {
		ds_cause(cause, rc, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (in != -1 && (n = read(in, chunk, sizeof chunk)) != 0) {
		if (n < 0 || write(out, chunk, (size_t)n) != n) {
			ds_cause(cause, rc, "%s: %s", tmp, strerror(errno));
			goto out;
		}
	}
	if (fsync(out) != 0) {
		ds_cause(cause, rc, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fchmod(out, (v = meta_get(meta, nmeta, "mode")) != NULL ?
	    (mode_t)strtoul(v, NULL, 8) & 07777 : 0644);
	if ((v = meta_get(meta, nmeta, "owner")) != NULL && geteuid() == 0)
		if (fchown(out, (uid_t)strtoul(v, NULL, 10),
		    (gid_t)strtoul(strchr(v, ':') ? strchr(v, ':') + 1 : v,
		    NULL, 10)) != 0)
			goto out_err;
	if ((v = meta_get(meta, nmeta, "mtime")) != NULL) {
		tv[0].tv_sec = tv[1].tv_sec = (time_t)strtoll(v, NULL, 10);
		tv[0].tv_usec = tv[1].tv_usec = 0;
		futimes(out, tv);
	}
	if (close(out) != 0 || rename(tmp, dst) != 0) {
		out = -1;
		goto out_err;
	}
	out = -1;
	rc = DS_E_OK;
	goto out;
out_err:
	ds_cause(cause, rc, "%s: %s", dst, strerror(errno));
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (rc != DS_E_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
target_put_file(struct target *t, const char *container, const char *name,
    const char *path, const struct ds_blob_meta *meta, size_t nmeta,
    ds_blob_progress_cb cb, void *arg, char *sha256, char **cause)
{
	char		*dst;
	uint64_t	 size;
	int		 rc;

	t->puts++;
	if (t->blob != NULL)
		return ds_blob_put_file(t->blob, container, name, path, meta,
		    nmeta, cb, arg, sha256, cause);
	if ((dst = dir_path(t, container, name)) == NULL)
		return DS_E_NOMEM;
	if ((rc = dir_copy(path, dst, NULL, 0, meta, nmeta, cause)) ==
	    DS_E_OK && file_sha256(dst, sha256, &size) != 0)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", dst, strerror(errno));
	if (rc == DS_E_OK && cb != NULL && cb(arg, size, size) != 0)
		rc = DS_E_CANCELED;
	free(dst);
	return rc;
}

int
target_put_buf(struct target *t, const char *container, const char *name,
    const void *buf, size_t len, char **cause)
{
	char	*dst;
	int	 rc;

	t->puts++;
	if (t->blob != NULL)
		return ds_blob_put(t->blob, container, name, buf, len, NULL, 0,
		    cause);
	if ((dst = dir_path(t, container, name)) == NULL)
		return DS_E_NOMEM;
	rc = dir_copy(NULL, dst, buf, len, NULL, 0, cause);
	free(dst);
	return rc;
}

int
target_has(struct target *t, const char *container, const char *name,
    uint64_t size, const char *sha256, int *yes, char **cause)
{
	struct ds_blob_props	 p;
	const char		*v;
	char			*path, hex[65];
	uint64_t		 got;
	int			 rc;

	*yes = 0;
	if (t->blob != NULL) {
		rc = ds_blob_properties(t->blob, container, name, &p, cause);
		if (rc == DS_E_NOTFOUND) {
			free(*cause);
			*cause = NULL;
			return DS_E_OK;
		}
		if (rc != DS_E_OK)
			return rc;
		v = ds_blob_props_meta(&p, "sha256");
		*yes = p.size == size && v != NULL && strcmp(v, sha256) == 0;
		ds_blob_props_clear(&p);
		return DS_E_OK;
	}
	if ((path = dir_path(t, container, name)) == NULL)
		return DS_E_NOMEM;
	*yes = file_sha256(path, hex, &got) == 0 && got == size &&
	    strcmp(hex, sha256) == 0;
	free(path);
	return DS_E_OK;
}

char *
target_uri(struct target *t, const char *container, const char *name)
{
	char	*p, *u;

	if (t->blob != NULL)
		return ds_blob_url(t->blob, container, name);
	if ((p = dir_path(t, container, name)) == NULL)
		return NULL;
	if (asprintf(&u, "file://%s", p) == -1)
		u = NULL;
	free(p);
	return u;
}
