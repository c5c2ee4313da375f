/* SPDX-License-Identifier: MIT */
/* Storage targets of the ingest: Azure Blob storage or a directory. */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "i18n.h"
#include "state.h"
#include "target.h"
#include "upload.h"
#include "util.h"

/* Azurite's well-known development account key (public, not a secret). */
#define DEVSTORE_ACCOUNT "devstoreaccount1"
#define DEVSTORE_KEY "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2U" \
	"VErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

/* The default of an account's "uploadConnections". */
#define UPLOAD_CONNECTIONS	4
#define UPLOAD_CONNECTIONS_MAX	64

struct target {
	struct ds_blob	*blob;		/* Blob storage, or */
	char		*dir;		/* a directory */
	char		*flat;		/* the container that is dir itself */
	uint64_t	 puts;
	struct upload_pool *pool;	/* Blob: the streaming uploads */
	size_t		 block_size;
	char		*root_name;	/* directory: the container open */
	int		 root_fd;	/* its folder; -1 */
	int		 dirty;		/* written since the last sync */
	const volatile sig_atomic_t *stop; /* set: end long loops */
	char		*parent;	/* "CONTAINER/FOLDER" last walked */
	int		 parent_fd;	/* its folder; -1 */
};

int
target_open(json_t *acct, struct target **out, char **cause)
{
	struct ds_blob_opts	 o = { 0 };
	struct target		*t;
	const char		*name, *endpoint, *key, *dir;
	json_t			*v;
	json_int_t		 conns;
	int			 rc;

	*out = NULL;
	name = json_string_value(json_object_get(acct, "name"));
	endpoint = json_string_value(json_object_get(acct, "blobEndpoint"));
	key = json_string_value(json_object_get(acct, "key"));
	dir = json_string_value(json_object_get(acct, "directory"));
	if ((t = calloc(1, sizeof *t)) == NULL)
		return DS_E_NOMEM;
	t->root_fd = t->parent_fd = -1;
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
	conns = UPLOAD_CONNECTIONS;
	if (json_is_integer(v = json_object_get(acct, "uploadConnections")))
		conns = json_integer_value(v);
	if (conns < 1 || conns > UPLOAD_CONNECTIONS_MAX) {
		target_free(t);
		return ds_cause(cause, DS_E_IMPORTD_CONFIG, _("storage account "
		    "%s: \"uploadConnections\" must be 1 to %d"), name,
		    UPLOAD_CONNECTIONS_MAX);
	}
	t->block_size = o.block_size != 0 ? o.block_size :
	    DS_BLOB_BLOCK_SIZE;
	if ((rc = upload_pool_start(name, key, endpoint, &o, (unsigned)conns,
	    &t->pool, cause)) != DS_E_OK) {
		target_free(t);
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
	if ((t = calloc(1, sizeof *t)) == NULL)
		return DS_E_NOMEM;
	t->root_fd = t->parent_fd = -1;
	if ((t->dir = strdup(dir)) == NULL ||
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
	upload_pool_stop(t->pool);
	if (t->root_fd != -1)
		close(t->root_fd);
	if (t->parent_fd != -1)
		close(t->parent_fd);
	free(t->parent);
	free(t->root_name);
	ds_blob_free(t->blob);
	free(t->dir);
	free(t->flat);
	free(t);
}

void
target_set_stop(struct target *t, const volatile sig_atomic_t *stop)
{
	t->stop = stop;
}

int
target_is_dir(const struct target *t)
{
	return t->blob == NULL;
}

uint64_t
target_puts(const struct target *t)
{
	return t->puts;
}

uint64_t
target_retries(const struct target *t)
{
	return t->blob != NULL ? ds_blob_retries(t->blob) +
	    upload_pool_retries(t->pool) : 0;
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

static int	 dir_walk(struct target *, const char *, const char *, int,
		    int *, char **, char **);

/* SHA-256 in hex of NAME of the directory CONTAINER; -1 when it is not a
 * regular file there, or cannot be read. */
static int
file_sha256(struct target *t, const char *container, const char *name,
    char *hex, uint64_t *size)
{
	EVP_MD_CTX	*md = NULL;
	unsigned char	 buf[65536], sum[32];
	struct stat	 st;
	char		*base, *cause = NULL;
	ssize_t		 n;
	int		 dfd, fd, rc = -1;

	*size = 0;
	if (dir_walk(t, container, name, 0, &dfd, &base, &cause) != DS_E_OK) {
		free(cause);
		return -1;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	free(base);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (md = EVP_MD_CTX_new()) == NULL ||
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

int
target_put_buf(struct target *t, const char *container, const char *name,
    const void *buf, size_t len, char **cause)
{
	struct target_obj	*o;
	int			 rc;

	if (t->blob != NULL) {
		t->puts++;
		return ds_blob_put(t->blob, container, name, buf, len, NULL, 0,
		    cause);
	}
	if ((rc = target_obj_begin(t, container, name, len, 0, NULL, NULL, &o,
	    cause)) != DS_E_OK)
		return rc;
	if ((rc = target_obj_write(o, buf, len, 0, cause)) != DS_E_OK) {
		target_obj_abort(o);
		return rc;
	}
	return target_obj_commit(o, NULL, 0, cause);
}

int
target_put_fd(struct target *t, const char *container, const char *name,
    int fd, char **cause)
{
	struct target_obj	*o;
	char			 buf[65536], path[64];
	uint64_t		 off = 0;
	off_t			 end;
	ssize_t			 n;
	int			 rc;

	if ((end = lseek(fd, 0, SEEK_END)) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", name,
		    strerror(errno));
	if (t->blob != NULL) {
		/* The file may be unlinked: its descriptor names it. */
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		t->puts++;
		return ds_blob_put_file(t->blob, container, name, path, NULL,
		    0, NULL, NULL, NULL, cause);
	}
	if ((rc = target_obj_begin(t, container, name, (uint64_t)end, 0, NULL,
	    NULL, &o, cause)) != DS_E_OK)
		return rc;
	while (off < (uint64_t)end) {
		if ((n = pread(fd, buf, sizeof buf, (off_t)off)) <= 0) {
			target_obj_abort(o);
			return ds_cause(cause, DS_E_IO, "%s: %s", name,
			    strerror(n == 0 ? EIO : errno));
		}
		if ((rc = target_obj_write(o, buf, (size_t)n, off, cause)) !=
		    DS_E_OK) {
			target_obj_abort(o);
			return rc;
		}
		off += (uint64_t)n;
	}
	return target_obj_commit(o, NULL, 0, cause);
}

int
target_has(struct target *t, const char *container, const char *name,
    uint64_t size, const char *sha256, int *yes, char **cause)
{
	struct ds_blob_props	 p;
	const char		*v;
	char			 hex[65];
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
	*yes = file_sha256(t, container, name, hex, &got) == 0 &&
	    got == size && strcmp(hex, sha256) == 0;
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

/* One object being stored (see target.h). */
struct target_obj {
	struct target	*t;
	target_done_cb	 done;
	void		*arg;
	uint64_t	 size;
	uint64_t	 pos;		/* bytes written so far */
	/* directory */
	int		 dfd;		/* the parent folder */
	int		 fd;		/* the temporary file */
	char		*tmp;
	char		*base;
	/* Blob storage */
	struct upload	*u;
	unsigned char	*buf;		/* the block being filled */
	size_t		 blen;
	size_t		 bcap;
	char		**ids;
	size_t		 nids;
	EVP_MD_CTX	*md5;
	int		 single;	/* one Put Blob */
};

/* The container's folder, opened once (made when missing). */
static int
root_fd(struct target *t, const char *container, char **cause)
{
	char	*p;
	int	 rc;

	if (t->root_fd != -1 && strcmp(t->root_name, container) == 0)
		return DS_E_OK;
	if (t->root_fd != -1)
		close(t->root_fd);
	free(t->root_name);
	t->root_fd = -1;
	if ((t->root_name = strdup(container)) == NULL ||
	    (p = dir_path(t, container, NULL)) == NULL)
		return DS_E_NOMEM;
	if ((rc = ds_mkdir_p(p, 0755, cause)) == DS_E_OK &&
	    (t->root_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", p, strerror(errno));
	free(p);
	return rc;
}

/*
 * Opens the parent folder of NAME under the container's folder, making
 * the folders missing, one component at a time with O_NOFOLLOW: a
 * symbolic link, "." or ".." never leads out of the store. Sets *dfd (the
 * caller closes it) and *base (allocated: the last component).
 */
static int
dir_walk(struct target *t, const char *container, const char *name,
    int make, int *dfd, char **base, char **cause)
{
	char	*copy, *comp, *next, *key = NULL;
	int	 fd, nfd, rc;

	*dfd = -1;
	*base = NULL;
	if ((rc = root_fd(t, container, cause)) != DS_E_OK)
		return rc;
	/* Files come folder by folder: the last folder is kept open. */
	if ((comp = strrchr(name, '/')) != NULL && asprintf(&key, "%s/%.*s",
	    container, (int)(comp - name), name) == -1)
		return DS_E_NOMEM;
	if (key != NULL && t->parent != NULL && strcmp(key, t->parent) == 0 &&
	    strcmp(comp + 1, ".") != 0 && strcmp(comp + 1, "..") != 0 &&
	    comp[1] != '\0') {
		free(key);
		if ((*base = strdup(comp + 1)) == NULL)
			return DS_E_NOMEM;
		if ((*dfd = dup(t->parent_fd)) == -1) {
			free(*base);
			*base = NULL;
			return ds_cause(cause, DS_E_IO, "dup: %s",
			    strerror(errno));
		}
		return DS_E_OK;
	}
	if ((copy = strdup(name)) == NULL) {
		free(key);
		return DS_E_NOMEM;
	}
	if ((fd = dup(t->root_fd)) == -1) {
		free(copy);
		return ds_cause(cause, DS_E_IO, "dup: %s", strerror(errno));
	}
	for (comp = copy; (next = strchr(comp, '/')) != NULL; comp = next) {
		*next++ = '\0';
		if (*comp == '\0' || strcmp(comp, ".") == 0 ||
		    strcmp(comp, "..") == 0)
			goto refused;
		if (make && mkdirat(fd, comp, 0755) == -1 && errno != EEXIST)
			goto failed;
		if ((nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1)
			goto failed;
		close(fd);
		fd = nfd;
	}
	if (*comp == '\0' || strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0)
		goto refused;
	if ((*base = strdup(comp)) == NULL) {
		close(fd);
		free(copy);
		free(key);
		return DS_E_NOMEM;
	}
	*dfd = fd;
	free(copy);
	if (key != NULL) {
		if (t->parent_fd != -1)
			close(t->parent_fd);
		free(t->parent);
		t->parent = key;
		if ((t->parent_fd = dup(fd)) == -1) {
			free(t->parent);
			t->parent = NULL;
		}
	}
	return DS_E_OK;
refused:
	errno = EINVAL;
failed:
	rc = ds_cause(cause, DS_E_IO, _("%s: cannot be stored there: %s"),
	    name, strerror(errno));
	close(fd);
	free(copy);
	free(key);
	return rc;
}

/* Makes the temporary file of O beside its name. */
static int
dir_obj_open(struct target_obj *o, const char *container, const char *name,
    char **cause)
{
	int	 rc, i;

	if ((rc = dir_walk(o->t, container, name, 1, &o->dfd, &o->base,
	    cause)) != DS_E_OK)
		return rc;
	for (i = 0; i < 100; i++) {
		free(o->tmp);
		if (asprintf(&o->tmp, ".%s.%08lx.part", o->base,
		    (unsigned long)random()) == -1) {
			o->tmp = NULL;
			return DS_E_NOMEM;
		}
		o->fd = openat(o->dfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (o->fd != -1 || errno != EEXIST)
			break;
	}
	if (o->fd == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", name,
		    strerror(errno));
	return DS_E_OK;
}

static void
obj_free(struct target_obj *o)
{
	if (o->fd != -1)
		close(o->fd);
	if (o->dfd != -1)
		close(o->dfd);
	free(o->tmp);
	free(o->base);
	free(o->buf);
	ds_blob_ids_free(o->ids, o->nids);
	EVP_MD_CTX_free(o->md5);
	free(o);
}

int
target_obj_begin(struct target *t, const char *container, const char *name,
    uint64_t size, int resume, target_done_cb done, void *arg,
    struct target_obj **out, char **cause)
{
	struct target_obj	*o;
	int			 rc;

	*out = NULL;
	if ((o = calloc(1, sizeof *o)) == NULL)
		return DS_E_NOMEM;
	o->t = t;
	o->done = done;
	o->arg = arg;
	o->size = size;
	o->fd = o->dfd = -1;
	if (t->blob == NULL) {
		if ((rc = dir_obj_open(o, container, name, cause)) != DS_E_OK)
			goto fail;
		*out = o;
		return DS_E_OK;
	}
	if (size / t->block_size >= DS_BLOB_MAX_BLOCKS) {
		rc = ds_cause(cause, DS_E_BLOB_TOOBIG, "%s", name);
		goto fail;
	}
	rc = DS_E_NOMEM;
	o->single = size <= t->block_size;
	o->bcap = o->single ? (size_t)size : t->block_size;
	if ((o->buf = malloc(o->bcap > 0 ? o->bcap : 1)) == NULL ||
	    (o->md5 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(o->md5, EVP_md5(), NULL) != 1 ||
	    (o->u = upload_new(t->pool, container, name, done, arg)) == NULL)
		goto fail;
	if (!o->single && resume &&
	    (rc = upload_have(o->u, t->blob, cause)) != DS_E_OK) {
		upload_abandon(o->u);
		o->u = NULL;
		goto fail;
	}
	*out = o;
	return DS_E_OK;
fail:
	if (o->u != NULL) {
		o->done = NULL;
		upload_abandon(o->u);
	}
	obj_free(o);
	return rc;
}

/* Sends the block filled so far (its id: offset and hash). */
static int
flush_block(struct target_obj *o)
{
	unsigned char	 h[32];
	char		 id[64], hex[33];
	char		**ids;

	if (o->blen == 0)
		return DS_E_OK;
	EVP_Digest(o->buf, o->blen, h, NULL, EVP_sha256(), NULL);
	ds_hex(hex, h, 16);
	snprintf(id, sizeof id, "%016llx-%s",
	    (unsigned long long)(o->pos - o->blen), hex);
	if ((ids = reallocarray(o->ids, o->nids + 1, sizeof *ids)) == NULL)
		return DS_E_NOMEM;
	o->ids = ids;
	if ((o->ids[o->nids] = strdup(id)) == NULL)
		return DS_E_NOMEM;
	o->nids++;
	if (upload_block(o->u, id, o->buf, o->blen) != DS_E_OK) {
		o->buf = NULL;
		return DS_E_NOMEM;
	}
	o->blen = 0;
	if ((o->buf = malloc(o->bcap)) == NULL)
		return DS_E_NOMEM;
	return DS_E_OK;
}

/* Adds LEN bytes (zeros when BUF is NULL) to a Blob object. */
static int
blob_append(struct target_obj *o, const unsigned char *buf, size_t len)
{
	size_t	 n;
	int	 rc;

	while (len > 0) {
		n = o->bcap - o->blen < len ? o->bcap - o->blen : len;
		if (buf != NULL)
			memcpy(o->buf + o->blen, buf, n);
		else
			memset(o->buf + o->blen, 0, n);
		EVP_DigestUpdate(o->md5, o->buf + o->blen, n);
		o->blen += n;
		o->pos += n;
		len -= n;
		if (buf != NULL)
			buf += n;
		if (o->blen == o->bcap && !o->single &&
		    (rc = flush_block(o)) != DS_E_OK)
			return rc;
	}
	return DS_E_OK;
}

int
target_obj_write(struct target_obj *o, const void *buf, size_t len,
    uint64_t off, char **cause)
{
	uint64_t	 gap;
	int		 rc;

	if (off < o->pos || off + len > o->size || off + len < off)
		return ds_cause(cause, DS_E_INVAL, "write at %llu of %zu",
		    (unsigned long long)off, len);
	if (o->t->blob == NULL) {
		/* A gap stays a hole: the size is set on commit. */
		if (buf != NULL && len > 0 && pwrite(o->fd, buf, len,
		    (off_t)off) != (ssize_t)len)
			return ds_cause(cause, DS_E_IO, "%s: %s", o->base,
			    strerror(errno));
		o->pos = off + len;
		return DS_E_OK;
	}
	for (gap = off - o->pos; gap > 0; gap -= (uint64_t)len) {
		/* A hole of a sparse file is zeros, sent: it may be long. */
		if (o->t->stop != NULL && *o->t->stop)
			return DS_E_CANCELED;
		len = gap > 65536 ? 65536 : (size_t)gap;
		if ((rc = blob_append(o, NULL, len)) != DS_E_OK)
			return rc;
	}
	if (buf == NULL)
		return DS_E_OK;
	return blob_append(o, buf, len);
}

/* Sets mode, owner and mtime of FD from META. */
static int
fd_meta(int fd, const struct ds_blob_meta *meta, size_t nmeta)
{
	struct timespec	 ts[2];
	const char	*v;

	if (fchmod(fd, (v = meta_get(meta, nmeta, "mode")) != NULL ?
	    (mode_t)strtoul(v, NULL, 8) & 0777 : 0644) != 0)
		return -1;
	if ((v = meta_get(meta, nmeta, "owner")) != NULL &&
	    geteuid() == 0 && fchown(fd, (uid_t)strtoul(v, NULL, 10),
	    (gid_t)strtoul(strchr(v, ':') ? strchr(v, ':') + 1 : v, NULL,
	    10)) != 0)
		return -1;
	if ((v = meta_get(meta, nmeta, "mtime")) != NULL) {
		ts[0].tv_sec = ts[1].tv_sec = (time_t)strtoll(v, NULL, 10);
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (futimens(fd, ts) != 0)
			return -1;
	}
	return 0;
}

int
target_obj_commit(struct target_obj *o, const struct ds_blob_meta *meta,
    size_t nmeta, char **cause)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		 b64[64];
	unsigned	 mdlen;
	int		 rc = DS_E_OK;

	if (o->pos < o->size &&
	    (rc = target_obj_write(o, NULL, 0, o->size, cause)) != DS_E_OK) {
		target_obj_abort(o);
		return rc;
	}
	if (o->t->blob == NULL) {
		if (ftruncate(o->fd, (off_t)o->size) != 0 ||
		    fd_meta(o->fd, meta, nmeta) != 0 || close(o->fd) != 0) {
			o->fd = -1;
			rc = ds_cause(cause, DS_E_IO, "%s: %s", o->base,
			    strerror(errno));
		} else if ((o->fd = -1, renameat(o->dfd, o->tmp, o->dfd,
		    o->base)) != 0)
			rc = ds_cause(cause, DS_E_IO, "%s: %s", o->base,
			    strerror(errno));
		if (rc != DS_E_OK)
			unlinkat(o->dfd, o->tmp, 0);
		o->t->dirty = 1;
		o->t->puts++;
		if (o->done != NULL)
			o->done(o->arg, rc, cause != NULL && *cause != NULL ?
			    *cause : "");
		obj_free(o);
		return rc;
	}
	o->t->puts++;
	if (o->single) {
		rc = upload_put(o->u, o->buf, o->blen, meta, nmeta);
		o->buf = NULL;
	} else if ((rc = flush_block(o)) == DS_E_OK) {
		EVP_DigestFinal_ex(o->md5, md, &mdlen);
		EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
		rc = upload_commit(o->u, o->ids, o->nids, b64, meta, nmeta);
		o->ids = NULL;
		o->nids = 0;
	} else
		upload_abandon(o->u);
	obj_free(o);
	return rc;
}

void
target_obj_abort(struct target_obj *o)
{
	if (o == NULL)
		return;
	if (o->t->blob == NULL) {
		if (o->fd != -1) {
			close(o->fd);
			o->fd = -1;
		}
		unlinkat(o->dfd, o->tmp, 0);
		if (o->done != NULL)
			o->done(o->arg, DS_E_CANCELED, "");
	} else
		upload_abandon(o->u);
	obj_free(o);
}

int
target_drain(struct target *t, char **cause)
{
	return t->pool != NULL ? upload_pool_drain(t->pool, cause) : DS_E_OK;
}

int
target_failed(struct target *t)
{
	return t->pool != NULL ? upload_pool_failed(t->pool) : DS_E_OK;
}

void
target_sync(struct target *t)
{
	if (t->dirty && t->root_fd != -1)
		syncfs(t->root_fd);
	t->dirty = 0;
}

/* Copies regular file FROM of the store into a new object of O. */
static int
dir_copy_into(struct target *t, const char *container, const char *from,
    struct target_obj *o, char **cause)
{
	struct stat	 st;
	char		*base, buf[65536];
	ssize_t		 n;
	uint64_t	 off = 0;
	int		 dfd, fd, rc;

	if ((rc = dir_walk(t, container, from, 0, &dfd, &base, cause)) !=
	    DS_E_OK)
		return rc;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	free(base);
	if (fd == -1 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", from,
		    fd == -1 ? strerror(errno) : _("not a regular file"));
		goto out;
	}
	o->size = (uint64_t)st.st_size;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if ((rc = target_obj_write(o, buf, (size_t)n, off, cause)) !=
		    DS_E_OK)
			goto out;
		off += (uint64_t)n;
	}
	if (n < 0)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", from, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	return rc;
}

int
target_copy(struct target *t, const char *container, const char *from,
    const char *name, const struct ds_blob_meta *meta, size_t nmeta,
    char **cause)
{
	struct ds_blob_props	 p;
	struct target_obj	*o;
	const char		*want;
	int			 rc;

	if (t->blob != NULL) {
		if ((rc = ds_blob_copy(t->blob, container, from, name, meta,
		    nmeta, cause)) != DS_E_OK)
			return rc;
		/* Within one account the copy is done: check it is whole. */
		if ((rc = ds_blob_properties(t->blob, container, name, &p,
		    cause)) != DS_E_OK)
			return rc;
		want = meta_get(meta, nmeta, "sha256");
		if (want != NULL && (ds_blob_props_meta(&p, "sha256") == NULL ||
		    strcmp(ds_blob_props_meta(&p, "sha256"), want) != 0))
			rc = ds_cause(cause, DS_E_IO, _("%s: the copy of %s is "
			    "not whole"), name, from);
		ds_blob_props_clear(&p);
		t->puts++;
		return rc;
	}
	if ((rc = target_obj_begin(t, container, name, UINT64_MAX, 0, NULL,
	    NULL, &o, cause)) != DS_E_OK)
		return rc;
	if ((rc = dir_copy_into(t, container, from, o, cause)) != DS_E_OK) {
		target_obj_abort(o);
		return rc;
	}
	return target_obj_commit(o, meta, nmeta, cause);
}
