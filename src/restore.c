/*
 * Reading prepared drives back: inspect (header, trailer, manifest; no
 * key), verify (every chunk's hash and tag; deep: every file's SHA-256)
 * and restore (decrypt, decompress, extract safely). Drives are read in
 * the order of their index, whatever order they were given in.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "error.h"
#include "format.h"
#include "keys.h"
#include "manifest.h"
#include "restore.h"
#include "state.h"
#include "util.h"

#define MANIFEST_MAX	((uint64_t)512 * 1024 * 1024)

/* A drive opened for reading. */
struct rdrive {
	char			*path;
	int			 fd;
	uint64_t		 size;
	struct ds_hdr		 h;	/* header, or the trailer's copy */
	struct ds_hdr		 trl;
	int			 hdr_ok;
	int			 trl_ok;
	int			 mf_ok;
	struct ds_manifest	*mf;
	uint8_t			 hblock[DS_FMT_BLOCK];
	uint8_t			 tblock[DS_FMT_BLOCK];
	uint8_t			 key[DS_FMT_KEY_LEN];
	int			 have_key;
	char			*why_no_mf;	/* translated */
};

struct reader {
	const struct ds_read_opts *o;
	struct ds_read_report	*r;
	int			 restore;	/* else deep verify */
	struct rdrive		**byidx;	/* by index; NULL: missing */
	size_t			 nidx;
	char			*to;		/* realpath of the target */
	struct archive		*disk;

	/* The segment being read. */
	struct rdrive		*d;
	struct ds_mf_segment	*seg;
	uint64_t		 next_chunk;
	int64_t			 bad_chunk;
	uint8_t			*sealed;	/* bufsize bytes */
	uint8_t			*plain;
	size_t			 bufsize;

	/* The file whose parts are being put together. */
	char			*split_path;
	char			*dead_path;	/* lost: skip its parts */
	EVP_MD_CTX		*split_md;
	int			 split_bad;

	uint64_t		 done_bytes;
	uint64_t		 files_done;
	uint64_t		 files_total;
	uint64_t		 bytes_total;
};

static int
problem(struct ds_read_report *r, int drive, int64_t chunk, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
problem(struct ds_read_report *r, int drive, int64_t chunk, const char *path,
    const char *fmt, ...)
{
	struct ds_problem	*np;
	va_list			 ap;
	char			*reason;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) == -1)
		reason = NULL;
	va_end(ap);
	np = r->problems;
	if (reason != NULL && (r->nproblems & (r->nproblems - 1)) == 0)
		np = reallocarray(r->problems, r->nproblems ?
		    2 * r->nproblems : 1, sizeof *np);
	if (np == NULL || reason == NULL) {
		free(reason);
		return DS_E_NOMEM;
	}
	r->problems = np;
	np = &np[r->nproblems++];
	np->drive_index = drive;
	np->chunk = chunk;
	np->path = path != NULL ? strdup(path) : NULL;
	np->reason = reason;
	return DS_E_OK;
}

void
ds_read_report_free(struct ds_read_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nproblems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].reason);
	}
	free(r->problems);
	free(r->missing);
	free(r);
}

static void
rdrive_free(struct rdrive *d)
{
	if (d == NULL)
		return;
	if (d->fd != -1)
		close(d->fd);
	OPENSSL_cleanse(d->key, sizeof d->key);
	ds_manifest_free(d->mf);
	free(d->why_no_mf);
	free(d->path);
	free(d);
}

static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;
	size_t	got = 0;

	while (got < len) {
		n = pread(fd, (uint8_t *)buf + got, len - got,
		    (off_t)(off + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Opens PATH and reads its header, trailer and manifest. */
static int
rdrive_open(const char *path, struct rdrive **out, char **cause)
{
	struct rdrive	*d;
	char		*buf = NULL, *c2 = NULL;
	uint8_t		 sum[32];
	off_t		 end;
	int		 rc;

	*out = NULL;
	if ((d = calloc(1, sizeof *d)) == NULL)
		return DS_E_NOMEM;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd == -1 || (d->path = strdup(path)) == NULL) {
		rc = ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if ((end = lseek(d->fd, 0, SEEK_END)) == -1) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	d->size = (uint64_t)end;
	if (d->size >= 2 * DS_FMT_BLOCK && read_at(d->fd, d->hblock,
	    DS_FMT_BLOCK, 0) == 0 && ds_hdr_decode(d->hblock, &d->h,
	    &c2) == DS_E_OK && d->h.kind == DS_HDR_HEADER)
		d->hdr_ok = 1;
	if (d->size >= 2 * DS_FMT_BLOCK && read_at(d->fd, d->tblock,
	    DS_FMT_BLOCK, ds_fmt_trailer_off(d->size)) == 0 &&
	    ds_hdr_decode(d->tblock, &d->trl, NULL) == DS_E_OK &&
	    d->trl.kind == DS_HDR_TRAILER)
		d->trl_ok = 1;
	if (!d->hdr_ok && !d->trl_ok) {
		rc = ds_cause(cause, DS_E_PARSE, "%s: %s", path,
		    c2 != NULL ? c2 : _("not a diskseed drive"));
		goto fail;
	}
	if (!d->hdr_ok) {
		d->h = d->trl;
		d->h.kind = DS_HDR_HEADER;
	}
	if (!d->trl_ok) {
		if (d->size != d->h.drive_size)
			rc = asprintf(&d->why_no_mf, _("the drive is %llu "
			    "bytes but was written as %llu (truncated?); no "
			    "trailer"), (unsigned long long)d->size,
			    (unsigned long long)d->h.drive_size);
		else
			rc = asprintf(&d->why_no_mf, _("no trailer: the "
			    "drive was not finished (or its trailer is "
			    "damaged)"));
		if (rc == -1)
			d->why_no_mf = NULL;
	} else if (d->trl.manifest_len > MANIFEST_MAX ||
	    d->trl.manifest_off + d->trl.manifest_len > d->size ||
	    (buf = malloc(d->trl.manifest_len + 1)) == NULL ||
	    read_at(d->fd, buf, d->trl.manifest_len, d->trl.manifest_off) ==
	    -1) {
		if (asprintf(&d->why_no_mf, _("the manifest cannot be read"))
		    == -1)
			d->why_no_mf = NULL;
	} else {
		SHA256((uint8_t *)buf, d->trl.manifest_len, sum);
		if (CRYPTO_memcmp(sum, d->trl.manifest_hash, 32) != 0) {
			if (asprintf(&d->why_no_mf, _("the manifest is "
			    "damaged (its SHA-256 does not match the "
			    "trailer)")) == -1)
				d->why_no_mf = NULL;
		} else if (ds_manifest_parse(buf, d->trl.manifest_len, &d->mf,
		    NULL) != DS_E_OK) {
			if (asprintf(&d->why_no_mf, _("the manifest is "
			    "malformed")) == -1)
				d->why_no_mf = NULL;
		} else
			d->mf_ok = 1;
	}
	free(buf);
	free(c2);
	*out = d;
	return DS_E_OK;
fail:
	free(c2);
	rdrive_free(d);
	return rc;
}

void
ds_drive_info_clear(struct ds_drive_info *info)
{
	if (info == NULL)
		return;
	free(info->job);
	free(info->header_hash);
	free(info->manifest_file);
	free(info->manifest_hash);
	memset(info, 0, sizeof *info);
}

int
ds_drive_inspect(const char *path, struct ds_drive_info *info, char **cause)
{
	struct rdrive	*d;
	char		 hex[65], name[96];
	size_t		 i;
	int		 rc;

	memset(info, 0, sizeof *info);
	if ((rc = rdrive_open(path, &d, cause)) != DS_E_OK)
		return rc;
	ds_hex(info->set_id, d->h.set_id, DS_FMT_SET_LEN);
	info->index = d->h.index;
	info->job = strdup(d->h.job);
	snprintf(name, sizeof name, "diskseed-%s-%u.manifest.json",
	    info->set_id, info->index);
	info->manifest_file = strdup(name);
	info->size = d->size;
	info->bytes_used = DS_FMT_DATA_OFF;
	if (d->hdr_ok && d->trl_ok)
		info->header_hash = ds_fmt_header_hash(d->hblock, d->tblock,
		    ds_fmt_trailer_off(d->size));
	if (d->trl_ok) {
		ds_hex(hex, d->trl.manifest_hash, 32);
		info->manifest_hash = strdup(hex);
		info->chunks = d->trl.chunks;
		info->last = d->trl.last != 0;
		info->bytes_used = d->trl.manifest_off + (d->trl.manifest_len +
		    DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	}
	if (d->mf_ok) {
		for (i = 0; i < d->mf->nfiles; i++)
			if (!d->mf->files[i].skipped &&
			    d->mf->files[i].offset == 0)
				info->files++;
		info->stream_bytes = d->mf->bytes;
	}
	info->complete = d->trl_ok && d->mf_ok;
	rdrive_free(d);
	return DS_E_OK;
}

/* Loads the key of D (recovery key or key file) and checks it. */
static int
rdrive_key(const struct ds_read_opts *o, struct rdrive *d, char **cause)
{
	const char	*rk = NULL;
	char		 set[33];
	uint8_t		 check[32];
	int		 rc;

	ds_hex(set, d->h.set_id, DS_FMT_SET_LEN);
	if (o->recovery_keys != NULL && d->h.index < o->nrecovery_keys)
		rk = o->recovery_keys[d->h.index];
	if (rk != NULL)
		rc = ds_rkey_parse(rk, d->key, cause);
	else
		rc = ds_keys_load(set, d->h.index, d->key, cause);
	if (rc != DS_E_OK)
		return rc == DS_E_PARSE || rc == DS_E_NOTFOUND ?
		    ds_cause(cause, DS_E_BADKEY, _("drive %u (%s): no usable "
		    "key: %s"), d->h.index, d->path, cause != NULL &&
		    *cause != NULL ? *cause : "") : rc;
	ds_fmt_key_check(d->key, d->h.set_id, d->h.index, check);
	if (CRYPTO_memcmp(check, d->h.key_check, 32) != 0) {
		OPENSSL_cleanse(d->key, sizeof d->key);
		return ds_cause(cause, DS_E_BADKEY, _("drive %u (%s): the key "
		    "does not open this drive"), d->h.index, d->path);
	}
	d->have_key = 1;
	return DS_E_OK;
}

/* Opens every drive of O, sorted by index, with keys when NEED_KEY. */
static int
open_set(struct reader *rd, int need_key, char **cause)
{
	const struct ds_read_opts	*o = rd->o;
	struct rdrive			*d, **nv;
	size_t				 i, n = 0;
	int				 rc, last = -1;

	for (i = 0; i < o->ndrives; i++) {
		if ((rc = rdrive_open(o->drives[i], &d, cause)) != DS_E_OK)
			return rc;
		if (rd->nidx > 0) {
			struct rdrive *f = NULL;
			size_t k;

			for (k = 0; k < rd->nidx && f == NULL; k++)
				f = rd->byidx[k];
			if (memcmp(f->h.set_id, d->h.set_id,
			    DS_FMT_SET_LEN) != 0) {
				rc = ds_cause(cause, DS_E_INVAL, _("%s belongs "
				    "to another drive set than %s"),
				    d->path, f->path);
				rdrive_free(d);
				return rc;
			}
		}
		if (d->h.index >= rd->nidx) {
			/* index < DS_FMT_MAX_DRIVES (ds_hdr_decode). */
			nv = reallocarray(rd->byidx, (size_t)d->h.index + 1,
			    sizeof *nv);
			if (nv == NULL) {
				rdrive_free(d);
				return DS_E_NOMEM;
			}
			memset(nv + rd->nidx, 0, ((size_t)d->h.index + 1 -
			    rd->nidx) * sizeof *nv);
			rd->byidx = nv;
			rd->nidx = (size_t)d->h.index + 1;
		}
		if (rd->byidx[d->h.index] != NULL) {
			rc = ds_cause(cause, DS_E_INVAL, _("%s and %s are the "
			    "same drive %u"), rd->byidx[d->h.index]->path,
			    d->path, d->h.index);
			rdrive_free(d);
			return rc;
		}
		rd->byidx[d->h.index] = d;
		if (d->trl_ok && d->trl.last)
			last = (int)d->h.index;
		if (need_key && (rc = rdrive_key(o, d, cause)) != DS_E_OK)
			return rc;
	}
	/* Buffers for the biggest chunk of the set. */
	for (i = 0; i < rd->nidx; i++)
		if (rd->byidx[i] != NULL && rd->byidx[i]->h.chunk_size >
		    rd->bufsize)
			rd->bufsize = rd->byidx[i]->h.chunk_size;
	if (rd->bufsize > 0 && ((rd->sealed = malloc(rd->bufsize)) == NULL ||
	    (rd->plain = malloc(rd->bufsize)) == NULL))
		return DS_E_NOMEM;
	/* Missing: gaps, and one after the highest when none is the last. */
	for (i = 0; i < rd->nidx; i++)
		if (rd->byidx[i] == NULL)
			n++;
	if (last == -1 && rd->nidx > 0)
		n++;
	if (n > 0) {
		if ((rd->r->missing = calloc(n, sizeof *rd->r->missing)) ==
		    NULL)
			return DS_E_NOMEM;
		for (i = 0; i < rd->nidx; i++)
			if (rd->byidx[i] == NULL)
				rd->r->missing[rd->r->nmissing++] = (int)i;
		if (last == -1 && rd->nidx > 0)
			rd->r->missing[rd->r->nmissing++] = (int)rd->nidx;
	}
	/* Verify alone checks drives one by one: only gaps matter. */
	for (i = 0; i < rd->r->nmissing; i++)
		if (rd->restore || o->deep != NULL || (o->ndrives > 1 &&
		    rd->r->missing[i] < (int)rd->nidx))
			problem(rd->r, rd->r->missing[i], -1, NULL,
			    last == -1 && rd->r->missing[i] == (int)rd->nidx ?
			    _("drive %d (or later ones) is missing: no drive "
			    "given ends the set; what is on them is not read") :
			    _("drive %d is missing; what is on it is not read"),
			    rd->r->missing[i]);
	return DS_E_OK;
}

static void
close_set(struct reader *rd)
{
	size_t i;

	for (i = 0; i < rd->nidx; i++)
		rdrive_free(rd->byidx[i]);
	free(rd->byidx);
	rd->byidx = NULL;
	rd->nidx = 0;
}

/* The chunk slots D has room for. */
static uint64_t
max_slots(const struct rdrive *d)
{
	uint64_t end = d->h.drive_size < d->size ? d->h.drive_size : d->size;

	if (end < d->h.data_off + DS_FMT_BLOCK)
		return 0;
	return (end - d->h.data_off - DS_FMT_BLOCK) / d->h.chunk_size;
}

/* Checks chunk I of D (hash from the manifest, then the tag). */
static int
check_chunk(struct reader *rd, struct rdrive *d, uint64_t i, uint32_t *lenp,
    char **why)
{
	struct ds_chunk_rec	 rec;
	uint8_t			 sum[32];
	size_t			 len;
	uint64_t		 off = d->h.data_off + i * d->h.chunk_size;
	int			 rc;

	*why = NULL;
	if (off + d->h.chunk_size > d->size || read_at(d->fd, rd->sealed,
	    d->h.chunk_size, off) == -1)
		return ds_cause(why, DS_E_DAMAGED, _("chunk %llu cannot be "
		    "read (the drive ends before it)"), (unsigned long long)i);
	if (d->mf_ok) {
		if (i >= d->mf->nchunks)
			return ds_cause(why, DS_E_DAMAGED, _("chunk %llu is "
			    "not in the manifest"), (unsigned long long)i);
		len = ds_chunk_sealed_len(d->mf->chunks[i].length);
		if (len > d->h.chunk_size)
			return ds_cause(why, DS_E_DAMAGED, "chunk %llu",
			    (unsigned long long)i);
		SHA256(rd->sealed, len, sum);
		if (memcmp(sum, d->mf->chunks[i].sha, 32) != 0)
			return ds_cause(why, DS_E_DAMAGED, _("chunk %llu is "
			    "damaged (SHA-256 mismatch)"),
			    (unsigned long long)i);
	}
	rc = ds_chunk_open(d->have_key ? d->key : NULL, d->h.set_id,
	    d->h.index, i, rd->sealed, d->h.chunk_size, &rec, rd->plain, why);
	if (rc == DS_E_OK && d->mf_ok && rec.length != d->mf->chunks[i].length)
		rc = ds_cause(why, DS_E_DAMAGED, _("chunk %llu has the wrong "
		    "length"), (unsigned long long)i);
	if (rc == DS_E_OK && lenp != NULL)
		*lenp = rec.length;
	return rc;
}

static ssize_t
seg_read(struct archive *a, void *arg, const void **buf)
{
	struct reader		*rd = arg;
	uint32_t		 len = 0;
	char			*why = NULL;
	uint64_t		 end = rd->seg->first_chunk + rd->seg->nchunks;
	int			 rc;

	(void)a;
	if (rd->next_chunk >= end)
		return 0;
	rc = check_chunk(rd, rd->d, rd->next_chunk, &len, &why);
	if (rc != DS_E_OK) {
		rd->bad_chunk = (int64_t)rd->next_chunk;
		if (rd->restore)	/* verify named it already */
			problem(rd->r, (int)rd->d->h.index, rd->bad_chunk,
			    NULL, "%s", why != NULL ? why : ds_strerror(rc));
		free(why);
		archive_set_error(a, EIO, "damaged chunk");
		return -1;
	}
	rd->next_chunk++;
	*buf = rd->plain;
	return (ssize_t)len;
}

/* Whether PATH may be extracted: relative, no "..", not empty. */
static int
safe_path(const char *path)
{
	const char *p = path;

	if (*path == '\0' || *path == '/')
		return 0;
	while (*p != '\0') {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 0;
		p = strchr(p, '/');
		if (p == NULL)
			break;
		p++;
	}
	return 1;
}

static void
lost(struct reader *rd, const struct ds_mf_file *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lost(struct reader *rd, const struct ds_mf_file *f, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	problem(rd->r, rd->d != NULL ? (int)rd->d->h.index : -1,
	    rd->bad_chunk, f->path, "%s", msg != NULL ? msg : "");
	free(msg);
	rd->r->files_failed++;
}

/* Resolves PATH under the restore folder, refusing to leave it through
 * a symbolic link; an allocated path or NULL. */
static char *
inside(struct reader *rd, const char *path)
{
	char	*full, *dir, real[PATH_MAX], *slash;
	size_t	 len = strlen(rd->to);
	int	 ok = 0;

	if (asprintf(&full, "%s/%s", rd->to, path) == -1)
		return NULL;
	if ((dir = strdup(full)) != NULL && (slash = strrchr(dir, '/')) !=
	    NULL) {
		*slash = '\0';
		ok = realpath(dir, real) != NULL && strncmp(real, rd->to,
		    len) == 0 && (real[len] == '\0' || real[len] == '/');
	}
	free(dir);
	if (!ok) {
		free(full);
		return NULL;
	}
	return full;
}

/* Removes what was restored of a lost file, so no damaged file stays. */
static void
remove_partial(struct reader *rd, const char *path)
{
	struct stat	 st;
	char		*full;

	if (!rd->restore || (full = inside(rd, path)) == NULL)
		return;
	if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
		unlink(full);
	free(full);
}

/* Marks PATH as lost: its further parts are skipped without a word. */
static void
set_dead(struct reader *rd, const char *path)
{
	free(rd->dead_path);
	rd->dead_path = strdup(path);
	remove_partial(rd, path);
}

/* Drops the file being put together from parts, if any, as lost; WHY
 * is reported unless it was reported already (or is empty). */
static void
split_drop(struct reader *rd, const char *why)
{
	if (rd->split_path == NULL)
		return;
	if (!rd->split_bad && why != NULL && *why != '\0') {
		problem(rd->r, rd->d != NULL ? (int)rd->d->h.index : -1,
		    rd->bad_chunk, rd->split_path, "%s", why);
		rd->r->files_failed++;
	}
	set_dead(rd, rd->split_path);
	free(rd->split_path);
	rd->split_path = NULL;
	EVP_MD_CTX_free(rd->split_md);
	rd->split_md = NULL;
	rd->split_bad = 0;
}

/* Hashes the zeros of a hole of LEN bytes. */
static void
hash_zeros(EVP_MD_CTX *md, uint64_t len)
{
	static const uint8_t	zero[65536];
	size_t			n;

	while (len > 0) {
		n = len < sizeof zero ? (size_t)len : sizeof zero;
		EVP_DigestUpdate(md, zero, n);
		len -= n;
	}
}

/* Hashes the file at PATH into OUT; -1 when it cannot be read. */
static int
hash_file(const char *path, uint8_t *buf, size_t bufsize, uint8_t out[32])
{
	EVP_MD_CTX	*md;
	unsigned int	 len = 32;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, bufsize)) > 0)
		EVP_DigestUpdate(md, buf, (size_t)n);
	EVP_DigestFinal_ex(md, out, &len);
	EVP_MD_CTX_free(md);
	close(fd);
	return n == 0 ? 0 : -1;
}

/* Opens the continuation target PATH under the restore folder safely. */
static int
open_part(struct reader *rd, const char *path)
{
	char	*full;
	int	 fd;

	if ((full = inside(rd, path)) == NULL) {
		errno = ELOOP;
		return -1;
	}
	fd = open(full, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	free(full);
	return fd;
}

/* Whether the archive's NAME is PATH (folders end in '/' there). */
static int
same_path(const char *name, const char *path)
{
	size_t len = strlen(path);

	if (name == NULL || strncmp(name, path, len) != 0)
		return 0;
	return name[len] == '\0' || (name[len] == '/' && name[len + 1] == '\0');
}

/* Writes LEN bytes at OFF, leaving holes where 64 KiB blocks are zero. */
static int
write_sparse(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	size_t	i, n;

	for (i = 0; i < len; i += n) {
		n = len - i < 65536 ? len - i : 65536;
		if (buf[i] == 0 && memcmp(buf + i, buf + i + 1, n - 1) == 0)
			continue;
		if (pwrite(fd, buf + i, n, (off_t)(off + i)) != (ssize_t)n)
			return -1;
	}
	return 0;
}

/* Handles one archive entry E, whose manifest record is F. */
static int
do_entry(struct reader *rd, struct archive *a, struct archive_entry *e,
    const struct ds_mf_file *f)
{
	EVP_MD_CTX	*md = NULL;
	const void	*buf;
	size_t		 len;
	la_int64_t	 boff;
	uint64_t	 pos = 0;
	uint8_t		 sum[32], ssum[32];
	unsigned int	 mdlen = 32;
	char		*full = NULL, *hl = NULL;
	int		 fd = -1, r, ok = 1, cont, first_part;

	cont = f->type == DS_MF_FILE && f->offset > 0;
	first_part = f->type == DS_MF_FILE && f->offset == 0 && !f->last;
	if (!same_path(archive_entry_pathname(e), f->path)) {
		lost(rd, f, _("the archive does not match the manifest"));
		return -1;
	}
	if (!safe_path(f->path) || (archive_entry_hardlink(e) != NULL &&
	    !safe_path(archive_entry_hardlink(e)))) {
		lost(rd, f, _("refused: absolute path or '..'"));
		return 0;
	}
	if (cont) {
		if (rd->dead_path != NULL && strcmp(rd->dead_path,
		    f->path) == 0) {
			if (f->last) {
				free(rd->dead_path);
				rd->dead_path = NULL;
			}
			return 0;
		}
		if (rd->split_path == NULL || strcmp(rd->split_path, f->path)) {
			split_drop(rd, _("incomplete: the rest of this file "
			    "is missing"));
			lost(rd, f, _("incomplete: the beginning of this file "
			    "is on a missing or damaged drive"));
			if (!f->last)
				set_dead(rd, f->path);
			return 0;
		}
		md = rd->split_md;
	} else {
		split_drop(rd, _("incomplete: the rest of this file is "
		    "missing"));
		if (f->type == DS_MF_FILE && ((md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)) {
			EVP_MD_CTX_free(md);
			return -1;
		}
	}
	if (rd->restore) {
		if (cont) {
			if ((fd = open_part(rd, f->path)) == -1) {
				rd->split_bad = 1;
				lost(rd, f, _("cannot reopen to add a part: "
				    "%s"), strerror(errno));
			}
		} else {
			if (asprintf(&full, "%s/%s", rd->to, f->path) == -1)
				goto fail;
			archive_entry_copy_pathname(e, full);
			if (archive_entry_hardlink(e) != NULL) {
				if (asprintf(&hl, "%s/%s", rd->to,
				    archive_entry_hardlink(e)) == -1)
					goto fail;
				archive_entry_copy_hardlink(e, hl);
			}
			r = archive_write_header(rd->disk, e);
			if (r < ARCHIVE_WARN) {
				lost(rd, f, _("cannot be restored: %s"),
				    archive_error_string(rd->disk));
				ok = 0;
			}
		}
	}
	for (;;) {
		r = archive_read_data_block(a, &buf, &len, &boff);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			if (!cont || !rd->split_bad)
				lost(rd, f, _("lost: a damaged chunk of its "
				    "segment"));
			if (cont) {
				rd->split_bad = 1;
				md = NULL;
				split_drop(rd, "");
			}
			if (md != NULL)
				EVP_MD_CTX_free(md);
			if (fd != -1)
				close(fd);
			if (rd->restore && !cont && ok)
				archive_write_finish_entry(rd->disk);
			if (first_part)
				set_dead(rd, f->path);
			else if (!cont && f->type == DS_MF_FILE)
				remove_partial(rd, f->path);
			free(full);
			free(hl);
			return -1;
		}
		if (md != NULL) {
			if ((uint64_t)boff > pos)
				hash_zeros(md, (uint64_t)boff - pos);
			EVP_DigestUpdate(md, buf, len);
			pos = (uint64_t)boff + len;
		}
		rd->done_bytes += len;
		if (!rd->restore || !ok)
			continue;
		if (cont) {
			if (fd != -1 && write_sparse(fd, buf, len, f->offset +
			    (uint64_t)boff) == -1) {
				lost(rd, f, "%s", strerror(errno));
				close(fd);
				fd = -1;
				rd->split_bad = 1;
			}
		} else if (archive_write_data_block(rd->disk, buf, len,
		    boff) < ARCHIVE_WARN) {
			lost(rd, f, "%s", archive_error_string(rd->disk));
			ok = 0;
		}
	}
	if (md != NULL && f->length > pos)
		hash_zeros(md, f->length - pos);
	if (rd->restore && !cont && ok &&
	    archive_write_finish_entry(rd->disk) < ARCHIVE_WARN) {
		lost(rd, f, "%s", archive_error_string(rd->disk));
		ok = 0;
	}
	if (first_part) {
		rd->split_path = strdup(f->path);
		rd->split_md = md;
		rd->split_bad = !ok;
		md = NULL;
		goto out;
	}
	if (cont && !f->last) {
		md = NULL;
		goto out;
	}
	/* A whole file, or the last part: check its SHA-256. */
	if (md != NULL) {
		EVP_DigestFinal_ex(md, sum, &mdlen);
		if (cont && rd->split_bad)
			ok = 0;
		else if (f->has_sha && memcmp(sum, f->sha, 32) != 0) {
			lost(rd, f, _("its SHA-256 does not match the "
			    "manifest"));
			ok = 0;
		}
		if (ok && rd->restore && cont && fd != -1) {
			struct timespec ts[2];

			/* The file may end in a hole. */
			if (ftruncate(fd, (off_t)f->size) == -1)
				ok = 0;
			ts[0].tv_sec = archive_entry_atime(e);
			ts[0].tv_nsec = archive_entry_atime_nsec(e);
			ts[1].tv_sec = archive_entry_mtime(e);
			ts[1].tv_nsec = archive_entry_mtime_nsec(e);
			futimens(fd, ts);
		}
		if (ok && !rd->restore && rd->o->deep != NULL) {
			char *sp;

			if (asprintf(&sp, "%s/%s", rd->o->deep, f->path) == -1)
				goto fail;
			if (hash_file(sp, rd->sealed, rd->d->h.chunk_size,
			    ssum) == -1)
				problem(rd->r, (int)rd->d->h.index, -1, f->path,
				    _("not in the staging folder any more"));
			else if (memcmp(ssum, sum, 32) != 0)
				problem(rd->r, (int)rd->d->h.index, -1, f->path,
				    _("differs from the staging folder"));
			free(sp);
		}
	}
	if (cont) {
		if (rd->split_bad)
			ok = 0;
		if (!ok)
			remove_partial(rd, f->path);
		free(rd->split_path);
		rd->split_path = NULL;
		rd->split_md = NULL;
	}
	if (ok) {
		rd->r->files_ok++;
		rd->r->bytes_ok += f->size;
	}
	rd->files_done++;
out:
	if (md != NULL)
		EVP_MD_CTX_free(md);
	if (fd != -1)
		close(fd);
	free(full);
	free(hl);
	return 0;
fail:
	if (md != NULL && md != rd->split_md)
		EVP_MD_CTX_free(md);
	if (fd != -1)
		close(fd);
	free(full);
	free(hl);
	return -1;
}

static int
report_progress(struct reader *rd)
{
	struct ds_progress pr;

	if (rd->o->ops == NULL || rd->o->ops->progress == NULL)
		return 0;
	memset(&pr, 0, sizeof pr);
	pr.phase = rd->restore ? DS_PHASE_RESTORE : DS_PHASE_VERIFY;
	pr.done = rd->done_bytes;
	pr.total = rd->bytes_total;
	pr.files_done = rd->files_done;
	pr.files_total = rd->files_total;
	pr.drive_index = rd->d != NULL ? (int)rd->d->h.index : -1;
	return rd->o->ops->progress(rd->o->ops->arg, &pr);
}

/* Reads segment SEG of drive D, entry by entry. */
static int
read_segment(struct reader *rd, struct rdrive *d, struct ds_mf_segment *seg)
{
	struct archive		*a;
	struct archive_entry	*e;
	struct ds_mf_file	**files = NULL;
	size_t			 i, n = 0, k = 0;
	int			 r, rc = DS_E_OK;

	for (i = 0; i < d->mf->nfiles; i++)
		if (d->mf->files[i].segment == seg->segment)
			n++;
	if ((files = calloc(n + 1, sizeof *files)) == NULL)
		return DS_E_NOMEM;
	for (i = 0; i < d->mf->nfiles; i++) {
		struct ds_mf_file *f = &d->mf->files[i];

		if (f->segment == seg->segment && f->ordinal < n)
			files[f->ordinal] = f;
	}
	rd->d = d;
	rd->seg = seg;
	rd->next_chunk = seg->first_chunk;
	rd->bad_chunk = -1;
	if ((a = archive_read_new()) == NULL) {
		free(files);
		return DS_E_NOMEM;
	}
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, rd, NULL, seg_read, NULL) == ARCHIVE_OK) {
		while (k < n && ((r = archive_read_next_header(a, &e)) ==
		    ARCHIVE_OK || r == ARCHIVE_WARN)) {
			if (files[k] == NULL || do_entry(rd, a, e, files[k])
			    != 0) {
				k++;
				break;
			}
			k++;
			if (report_progress(rd) != 0) {
				rc = DS_E_CANCELED;
				break;
			}
		}
	}
	if (rc == DS_E_OK && k < n && rd->bad_chunk == -1)
		problem(rd->r, (int)d->h.index, -1, NULL, _("segment %u cannot "
		    "be read: %s"), seg->segment, archive_error_string(a) ?
		    archive_error_string(a) : "?");
	for (; rc == DS_E_OK && k < n; k++) {
		if (files[k] == NULL)
			continue;
		if (files[k]->type == DS_MF_FILE && files[k]->offset > 0) {
			if (rd->split_path != NULL && strcmp(rd->split_path,
			    files[k]->path) == 0) {
				split_drop(rd, _("lost: a damaged chunk of "
				    "its segment"));
				continue;
			}
			if (rd->dead_path != NULL && strcmp(rd->dead_path,
			    files[k]->path) == 0)
				continue;
		}
		if (rd->bad_chunk >= 0)
			lost(rd, files[k], _("lost: chunk %lld of drive %u "
			    "is damaged"), (long long)rd->bad_chunk,
			    d->h.index);
		else
			lost(rd, files[k], _("lost: segment %u of drive %u "
			    "cannot be read"), seg->segment, d->h.index);
		if (files[k]->type == DS_MF_FILE && !files[k]->last)
			set_dead(rd, files[k]->path);
	}
	archive_read_free(a);
	free(files);
	rd->seg = NULL;
	return rc;
}

/* Says that PATH was left out by prep (a warning, not damage). */
static void
warn_skipped(struct reader *rd, const char *path)
{
	char *msg;

	if (rd->o->ops == NULL || rd->o->ops->warn == NULL)
		return;
	if (asprintf(&msg, _("%s: was skipped by prep (unreadable)"),
	    path) == -1)
		return;
	rd->o->ops->warn(rd->o->ops->arg, msg);
	free(msg);
}

/* Reads the whole stream, drive after drive, in the order of indexes. */
static int
read_stream(struct reader *rd)
{
	struct rdrive	*d;
	size_t		 i, s, f;
	int		 rc;

	for (i = 0; i < rd->nidx; i++) {
		if ((d = rd->byidx[i]) == NULL || !d->mf_ok)
			continue;
		rd->files_total += d->mf->nfiles;
		rd->bytes_total += d->mf->bytes;
		for (f = 0; f < d->mf->nfiles; f++)
			if (d->mf->files[f].skipped)
				warn_skipped(rd, d->mf->files[f].path);
	}
	for (i = 0; i < rd->nidx; i++) {
		d = rd->byidx[i];
		if (d == NULL || !d->mf_ok) {
			rd->d = NULL;
			split_drop(rd, _("incomplete: part of this file is "
			    "on a missing drive"));
			if (d != NULL)
				problem(rd->r, (int)i, -1, NULL, "%s: %s",
				    d->path, d->why_no_mf);
			continue;
		}
		for (s = 0; s < d->mf->nsegments; s++)
			if ((rc = read_segment(rd, d, &d->mf->segments[s])) !=
			    DS_E_OK)
				return rc;
	}
	rd->d = NULL;
	split_drop(rd, _("incomplete: the rest of this file is on a missing "
	    "drive"));
	return DS_E_OK;
}

static int
reader_init(struct reader *rd, const struct ds_read_opts *o,
    struct ds_read_report **report)
{
	memset(rd, 0, sizeof *rd);
	rd->o = o;
	*report = NULL;
	if ((rd->r = calloc(1, sizeof *rd->r)) == NULL)
		return DS_E_NOMEM;
	return DS_E_OK;
}

/* Finishes RD: the report goes out when RC allows one. */
static int
reader_done(struct reader *rd, int rc, struct ds_read_report **report)
{
	close_set(rd);
	split_drop(rd, "");
	free(rd->dead_path);
	if (rd->disk != NULL)
		archive_write_free(rd->disk);
	if (rd->plain != NULL)
		ds_freezero(rd->plain, rd->bufsize);
	free(rd->sealed);
	free(rd->to);
	if (rc == DS_E_OK && rd->r->nproblems > 0)
		rc = DS_E_DAMAGED;
	if (rc == DS_E_OK || rc == DS_E_DAMAGED)
		*report = rd->r;
	else
		ds_read_report_free(rd->r);
	return rc;
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk of the staging folder for verify --deep (nftw has no
 * argument for its callback: one walk at a time, under extra_lock). */
static pthread_mutex_t	  extra_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reader	*extra_rd;
static char		**extra_names;
static size_t		  extra_n;
static size_t		  extra_prefix;

static int
extra_visit(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	const char *rel = path + extra_prefix;

	(void)st;
	(void)type;
	if (ftw->level == 0)
		return 0;
	if (*rel == '/')
		rel++;
	if (bsearch(&rel, extra_names, extra_n, sizeof *extra_names,
	    cmp_strp) == NULL)
		problem(extra_rd->r, -1, -1, rel, _("in the staging folder but "
		    "not on the drives"));
	return 0;
}

/* Names what is in the staging folder but in no manifest. */
static int
find_extra(struct reader *rd)
{
	struct rdrive	*d;
	size_t		 i, f, n = 0;

	for (i = 0; i < rd->nidx; i++)
		if ((d = rd->byidx[i]) != NULL && d->mf_ok)
			n += d->mf->nfiles;
	pthread_mutex_lock(&extra_lock);
	if ((extra_names = calloc(n + 1, sizeof *extra_names)) == NULL) {
		pthread_mutex_unlock(&extra_lock);
		return DS_E_NOMEM;
	}
	extra_n = 0;
	for (i = 0; i < rd->nidx; i++)
		for (f = 0; (d = rd->byidx[i]) != NULL && d->mf_ok &&
		    f < d->mf->nfiles; f++)
			extra_names[extra_n++] = d->mf->files[f].path;
	qsort(extra_names, extra_n, sizeof *extra_names, cmp_strp);
	extra_rd = rd;
	extra_prefix = strlen(rd->o->deep);
	nftw(rd->o->deep, extra_visit, 32, FTW_PHYS);
	free(extra_names);
	extra_names = NULL;
	extra_rd = NULL;
	pthread_mutex_unlock(&extra_lock);
	return DS_E_OK;
}

int
ds_verify(const struct ds_read_opts *o, struct ds_read_report **report,
    char **cause)
{
	struct reader	 rd;
	struct rdrive	*d;
	uint64_t	 n, c;
	size_t		 i, f;
	char		*why;
	int		 rc;

	if ((rc = reader_init(&rd, o, report)) != DS_E_OK)
		return rc;
	if ((rc = open_set(&rd, 1, cause)) != DS_E_OK)
		return reader_done(&rd, rc, report);
	for (i = 0; i < rd.nidx; i++) {
		if ((d = rd.byidx[i]) == NULL)
			continue;
		rd.d = d;
		if (!d->hdr_ok)
			problem(rd.r, (int)i, -1, NULL, _("%s: the header is "
			    "damaged (the trailer's copy was used)"), d->path);
		if (d->why_no_mf != NULL)
			problem(rd.r, (int)i, -1, NULL, "%s: %s", d->path,
			    d->why_no_mf);
		if (d->hdr_ok && d->trl_ok && (memcmp(d->h.set_id,
		    d->trl.set_id, DS_FMT_SET_LEN) != 0 || d->h.index !=
		    d->trl.index || d->h.chunk_size != d->trl.chunk_size ||
		    d->h.created != d->trl.created || d->h.drive_size !=
		    d->trl.drive_size || memcmp(d->h.key_check,
		    d->trl.key_check, 32) != 0 || strcmp(d->h.job,
		    d->trl.job) != 0))
			problem(rd.r, (int)i, -1, NULL, _("%s: header and "
			    "trailer disagree"), d->path);
		n = d->mf_ok ? d->mf->nchunks : d->trl_ok ? d->trl.chunks : 0;
		/* No more than the drive holds, whatever the trailer says. */
		if (n > max_slots(d)) {
			problem(rd.r, (int)i, -1, NULL, _("%s: the trailer "
			    "names %llu chunks but the drive holds at most "
			    "%llu"),
			    d->path, (unsigned long long)n,
			    (unsigned long long)max_slots(d));
			n = max_slots(d);
		}
		for (c = 0; c < n; c++) {
			if (check_chunk(&rd, d, c, NULL, &why) == DS_E_OK)
				continue;
			problem(rd.r, (int)i, (int64_t)c, NULL, "%s: %s",
			    d->path, why);
			free(why);
			for (f = 0; d->mf_ok && f < d->mf->nfiles; f++)
				if (d->mf->files[f].segment ==
				    d->mf->chunks[c].segment)
					problem(rd.r, (int)i, (int64_t)c,
					    d->mf->files[f].path,
					    _("in segment %u of the damaged "
					    "chunk: may be lost from this "
					    "chunk on"),
					    d->mf->chunks[c].segment);
		}
		rd.done_bytes += n * d->h.chunk_size;
		if (report_progress(&rd) != 0)
			return reader_done(&rd, DS_E_CANCELED, report);
	}
	rd.d = NULL;
	for (i = 0; o->deep == NULL && i < rd.nidx; i++)
		for (f = 0; rd.byidx[i] != NULL && rd.byidx[i]->mf_ok &&
		    f < rd.byidx[i]->mf->nfiles; f++)
			if (rd.byidx[i]->mf->files[f].skipped)
				warn_skipped(&rd,
				    rd.byidx[i]->mf->files[f].path);
	if (o->deep != NULL) {
		rd.done_bytes = 0;
		rc = read_stream(&rd);
		if (rc == DS_E_OK && rd.r->nmissing == 0)
			rc = find_extra(&rd);
	} else {
		for (i = 0; i < rd.nidx; i++)
			if (rd.byidx[i] != NULL && rd.byidx[i]->mf_ok)
				rd.r->files_ok += rd.byidx[i]->mf->nfiles;
	}
	return reader_done(&rd, rc, report);
}

int
ds_restore(const struct ds_read_opts *o, struct ds_read_report **report,
    char **cause)
{
	struct reader	 rd;
	char		 real[PATH_MAX];
	int		 rc, flags;

	if ((rc = reader_init(&rd, o, report)) != DS_E_OK)
		return rc;
	rd.restore = 1;
	/* Every key is checked before anything is written. */
	if ((rc = open_set(&rd, 1, cause)) != DS_E_OK)
		return reader_done(&rd, rc, report);
	if (o->to == NULL || (rc = ds_mkdir_p(o->to, 0755, cause)) !=
	    DS_E_OK || realpath(o->to, real) == NULL) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", o->to ? o->to : "",
		    strerror(errno));
		return reader_done(&rd, rc, report);
	}
	if ((rd.to = strdup(real)) == NULL ||
	    (rd.disk = archive_write_disk_new()) == NULL)
		return reader_done(&rd, DS_E_NOMEM, report);
	flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
	    ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR |
	    ARCHIVE_EXTRACT_SPARSE | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	    ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(rd.disk, flags);
	archive_write_disk_set_standard_lookup(rd.disk);
	rc = read_stream(&rd);
	if (rc == DS_E_OK && archive_write_close(rd.disk) != ARCHIVE_OK)
		problem(rd.r, -1, -1, NULL, "%s",
		    archive_error_string(rd.disk));
	return reader_done(&rd, rc, report);
}
