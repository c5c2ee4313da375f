/* SPDX-License-Identifier: MIT */
/*
 * The drive side of the hostile-drive reader: opening a drive set
 * (header, trailer, manifest, keys), checking chunks, the report, and
 * inspect. dreader.c reads the stream.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "dreader-int.h"
#include "drives-lock.h"
#include "error.h"
#include "keys.h"
#include "manifest.h"
#include "restore.h"
#include "util.h"

#define MANIFEST_MAX	((uint64_t)512 * 1024 * 1024)

int
dr_vproblem(struct ds_read_report *r, int drive, int64_t chunk,
    const char *path, const char *fmt, va_list ap)
{
	struct ds_problem	*np;
	char			*reason;

	if (vasprintf(&reason, fmt, ap) == -1)
		reason = NULL;
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

int
ds_read_problem(struct ds_read_report *r, int drive, int64_t chunk,
    const char *path, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = dr_vproblem(r, drive, chunk, path, fmt, ap);
	va_end(ap);
	return rc;
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

void
dr_drive_free(struct rdrive *d)
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

/* Names in D why its manifest cannot be used: FMT (translated). */
static void
no_mf(struct rdrive *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
no_mf(struct rdrive *d, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(&d->why_no_mf, fmt, ap) == -1)
		d->why_no_mf = NULL;
	va_end(ap);
}

/* Reads (and with DR_MF_PARSE, parses) the manifest of D, whose
 * trailer is read: streamed, never held whole, checked against the
 * trailer's SHA-256. */
static void
drive_manifest(struct rdrive *d, enum dr_mf mode)
{
	uint8_t	 sum[32];
	int	 rc;

	if (d->trl.manifest_len > MANIFEST_MAX ||
	    d->trl.manifest_off + d->trl.manifest_len > d->size) {
		no_mf(d, _("the manifest cannot be read"));
		return;
	}
	rc = ds_manifest_read(d->fd, d->trl.manifest_off,
	    d->trl.manifest_len, sum, mode == DR_MF_PARSE ? &d->mf : NULL);
	if (rc == DS_E_IO || rc == DS_E_NOMEM)
		no_mf(d, _("the manifest cannot be read"));
	else if (CRYPTO_memcmp(sum, d->trl.manifest_hash, 32) != 0) {
		ds_manifest_free(d->mf);
		d->mf = NULL;
		no_mf(d, _("the manifest is damaged (its SHA-256 does not "
		    "match the trailer)"));
	} else if (rc != DS_E_OK)
		no_mf(d, _("the manifest is malformed"));
	else
		d->mf_ok = mode == DR_MF_PARSE;
}

/* Opens PATH and reads its header, trailer and (MODE) manifest. */
int
dr_drive_open(const char *path, enum dr_mf mode, struct rdrive **out,
    char **cause)
{
	struct rdrive	*d;
	char		*c2 = NULL;
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
	/* A shared lock: no one writes the drive while it is read. */
	if ((rc = ds_drive_lock(d->fd, path, 0, cause)) != DS_E_OK)
		goto fail;
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
			no_mf(d, _("the drive is %llu bytes but was written "
			    "as %llu (truncated?); no trailer"),
			    (unsigned long long)d->size,
			    (unsigned long long)d->h.drive_size);
		else
			no_mf(d, _("no trailer: the drive was not finished "
			    "(or its trailer is damaged)"));
	} else if (mode != DR_MF_NONE)
		drive_manifest(d, mode);
	free(c2);
	*out = d;
	return DS_E_OK;
fail:
	free(c2);
	dr_drive_free(d);
	return rc;
}

int
ds_drive_check_manifest(const char *path, char **cause)
{
	struct rdrive	*d;
	int		 rc;

	if ((rc = dr_drive_open(path, DR_MF_HASH, &d, cause)) != DS_E_OK)
		return rc;
	if (d->why_no_mf != NULL)
		rc = ds_cause(cause, DS_E_DAMAGED, "%s: %s", path,
		    d->why_no_mf);
	dr_drive_free(d);
	return rc;
}

int
ds_drive_copy_manifest(const char *path, FILE *fp, char **cause)
{
	struct rdrive	*d;
	EVP_MD_CTX	*md = NULL;
	char		 buf[65536];
	uint8_t		 sum[32];
	unsigned int	 mdlen = 32;
	uint64_t	 off, len;
	size_t		 want;
	int		 rc;

	if ((rc = dr_drive_open(path, DR_MF_NONE, &d, cause)) != DS_E_OK)
		return rc;
	if (!d->trl_ok || d->trl.manifest_len > MANIFEST_MAX ||
	    d->trl.manifest_off + d->trl.manifest_len > d->size) {
		rc = ds_cause(cause, DS_E_DAMAGED, "%s: %s", path,
		    _("the manifest cannot be read"));
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		rc = DS_E_NOMEM;
		goto out;
	}
	off = d->trl.manifest_off;
	for (len = d->trl.manifest_len; len > 0; len -= want) {
		want = len < sizeof buf ? (size_t)len : sizeof buf;
		if (read_at(d->fd, buf, want, off) == -1 ||
		    fwrite(buf, 1, want, fp) != want) {
			rc = ds_cause(cause, DS_E_IO, "%s: %s", path,
			    strerror(errno != 0 ? errno : EIO));
			goto out;
		}
		EVP_DigestUpdate(md, buf, want);
		off += want;
	}
	EVP_DigestFinal_ex(md, sum, &mdlen);
	if (CRYPTO_memcmp(sum, d->trl.manifest_hash, 32) != 0)
		rc = ds_cause(cause, DS_E_DAMAGED, "%s: %s", path,
		    _("the manifest is damaged (its SHA-256 does not match "
		    "the trailer)"));
	else if (fflush(fp) != 0)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path,
		    strerror(errno));
out:
	EVP_MD_CTX_free(md);
	dr_drive_free(d);
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
	if ((rc = dr_drive_open(path, DR_MF_PARSE, &d, cause)) != DS_E_OK)
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
	dr_drive_free(d);
	return DS_E_OK;
}

/* Loads the key of D (recovery key or key file) and checks it. */
static int
rdrive_key(const struct ds_dreader_opts *o, struct rdrive *d, char **cause)
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

int
dr_open_set(struct ds_dreader *rd, char **cause)
{
	const struct ds_dreader_opts	*o = &rd->o;
	int				 need_key = !(o->flags & DS_DR_NO_KEY);
	struct rdrive			*d, **nv;
	size_t				 i, n = 0;
	int				 rc, last = -1;

	for (i = 0; i < o->ndrives; i++) {
		if ((rc = dr_drive_open(o->drives[i], DR_MF_PARSE, &d,
		    cause)) != DS_E_OK)
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
				dr_drive_free(d);
				return rc;
			}
		}
		if (d->h.index >= rd->nidx) {
			/* index < DS_FMT_MAX_DRIVES (ds_hdr_decode). */
			nv = reallocarray(rd->byidx, (size_t)d->h.index + 1,
			    sizeof *nv);
			if (nv == NULL) {
				dr_drive_free(d);
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
			dr_drive_free(d);
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
		if (!(o->flags & DS_DR_GAPS_ONLY) || (o->ndrives > 1 &&
		    rd->r->missing[i] < (int)rd->nidx))
			ds_read_problem(rd->r, rd->r->missing[i], -1, NULL,
			    last == -1 && rd->r->missing[i] == (int)rd->nidx ?
			    _("drive %d (or later ones) is missing: no drive "
			    "given ends the set; what is on them is not read") :
			    _("drive %d is missing; what is on it is not read"),
			    rd->r->missing[i]);
	return DS_E_OK;
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

int
dr_check_chunk(struct ds_dreader *rd, struct rdrive *d, uint64_t i,
    uint32_t *lenp, char **why)
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


int
dr_progress(struct ds_dreader *dr, const char *current)
{
	const struct ds_ui_ops	*ops = dr->o.ops;
	struct ds_progress	 pr;

	if (dr->o.stop != NULL && *dr->o.stop)
		return 1;
	if (ops == NULL || ops->progress == NULL)
		return 0;
	memset(&pr, 0, sizeof pr);
	pr.phase = dr->o.phase;
	pr.done = dr->done_bytes;
	pr.total = dr->bytes_total;
	pr.files_done = dr->files_done;
	pr.files_total = dr->files_total;
	pr.current = current;
	pr.drive_index = dr->cur_drive;
	return ops->progress(ops->arg, &pr);
}

int
ds_dreader_open(const struct ds_dreader_opts *o, struct ds_dreader **out,
    char **cause)
{
	struct ds_dreader	*dr;
	int			 rc;

	*out = NULL;
	if ((dr = calloc(1, sizeof *dr)) == NULL)
		return DS_E_NOMEM;
	dr->o = *o;
	dr->cur_drive = -1;
	if ((dr->r = calloc(1, sizeof *dr->r)) == NULL) {
		free(dr);
		return DS_E_NOMEM;
	}
	if ((rc = dr_open_set(dr, cause)) != DS_E_OK) {
		ds_dreader_free(dr);
		return rc;
	}
	*out = dr;
	return DS_E_OK;
}

void
ds_dreader_free(struct ds_dreader *dr)
{
	size_t i;

	if (dr == NULL)
		return;
	for (i = 0; i < dr->nidx; i++)
		dr_drive_free(dr->byidx[i]);
	free(dr->byidx);
	if (dr->plain != NULL)
		ds_freezero(dr->plain, dr->bufsize);
	free(dr->sealed);
	ds_read_report_free(dr->r);
	free(dr);
}

const struct ds_read_report *
ds_dreader_report(const struct ds_dreader *dr)
{
	return dr->r;
}

struct ds_read_report *
ds_dreader_take_report(struct ds_dreader *dr)
{
	struct ds_read_report *r = dr->r;

	dr->r = NULL;
	return r;
}

size_t
ds_dreader_ndrives(const struct ds_dreader *dr)
{
	return dr->nidx;
}

const struct ds_manifest *
ds_dreader_manifest(const struct ds_dreader *dr, size_t index)
{
	if (index >= dr->nidx || dr->byidx[index] == NULL ||
	    !dr->byidx[index]->mf_ok)
		return NULL;
	return dr->byidx[index]->mf;
}

int
ds_dreader_damage(struct ds_dreader *dr, const char *path, const char *fmt,
    ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = dr_vproblem(dr->r, dr->cur_drive, -1, path, fmt, ap);
	va_end(ap);
	dr->r->files_failed++;
	dr->sink_bad = 1;
	return rc;
}

/* Whether the header and the trailer of D say the same. */
static int
hdr_trl_agree(const struct rdrive *d)
{
	return memcmp(d->h.set_id, d->trl.set_id, DS_FMT_SET_LEN) == 0 &&
	    d->h.index == d->trl.index && d->h.chunk_size ==
	    d->trl.chunk_size && d->h.created == d->trl.created &&
	    d->h.drive_size == d->trl.drive_size && memcmp(d->h.key_check,
	    d->trl.key_check, 32) == 0 && strcmp(d->h.job, d->trl.job) == 0;
}

/* Checks every chunk of drive D. */
static int
check_drive(struct ds_dreader *dr, struct rdrive *d)
{
	struct ds_read_report	*r = dr->r;
	uint64_t		 n, c;
	size_t			 f;
	char			*why;
	int			 i = (int)d->h.index;

	if (!d->hdr_ok)
		ds_read_problem(r, i, -1, NULL, _("%s: the header is "
		    "damaged (the trailer's copy was used)"), d->path);
	if (d->why_no_mf != NULL)
		ds_read_problem(r, i, -1, NULL, "%s: %s", d->path,
		    d->why_no_mf);
	if (d->hdr_ok && d->trl_ok && !hdr_trl_agree(d))
		ds_read_problem(r, i, -1, NULL, _("%s: header and trailer "
		    "disagree"), d->path);
	n = d->mf_ok ? d->mf->nchunks : d->trl_ok ? d->trl.chunks : 0;
	/* No more than the drive holds, whatever the trailer says. */
	if (n > max_slots(d)) {
		ds_read_problem(r, i, -1, NULL, _("%s: the trailer names %llu "
		    "chunks but the drive holds at most %llu"), d->path,
		    (unsigned long long)n, (unsigned long long)max_slots(d));
		n = max_slots(d);
	}
	for (c = 0; c < n; c++) {
		if (c % 64 == 0 && dr_progress(dr, NULL) != 0)
			return DS_E_CANCELED;
		dr->done_bytes += d->h.chunk_size;
		if (dr_check_chunk(dr, d, c, NULL, &why) == DS_E_OK)
			continue;
		ds_read_problem(r, i, (int64_t)c, NULL, "%s: %s", d->path, why);
		free(why);
		for (f = 0; d->mf_ok && f < d->mf->nfiles; f++)
			if (d->mf->files[f].segment == d->mf->chunks[c].segment)
				ds_read_problem(r, i, (int64_t)c,
				    d->mf->files[f].path, _("in segment %u of "
				    "the damaged chunk: may be lost from this "
				    "chunk on"), d->mf->chunks[c].segment);
	}
	return DS_E_OK;
}

int
ds_dreader_check_chunks(struct ds_dreader *dr)
{
	size_t	i;
	int	rc;

	dr->checked = 1;
	for (i = 0; i < dr->nidx; i++) {
		if (dr->byidx[i] == NULL)
			continue;
		dr->cur_drive = (int)i;
		if ((rc = check_drive(dr, dr->byidx[i])) != DS_E_OK)
			return rc;
		if (dr_progress(dr, NULL) != 0)
			return DS_E_CANCELED;
	}
	dr->cur_drive = -1;
	return DS_E_OK;
}
