/* SPDX-License-Identifier: MIT */
/*
 * Drive lifecycle for prep (prep-drive.h): new, format, reopen, close,
 * and the manifest lists that grow while a drive is written.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <blkid.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "error.h"
#include "format.h"
#include "gate.h"
#include "keys.h"
#include "prep-drive.h"
#include "prep-job.h"
#include "prepared.h"
#include "util.h"

/* Appends LEN bytes of S to T, after a comma when T is not empty. */
int
prep_tbuf_add(struct prep_tbuf *t, const char *s, size_t len)
{
	char	*n;
	size_t	 need = t->len + len + 2;

	if (len == 0)
		return DS_E_OK;
	if (t->spill) {
		if (t->f == NULL && (t->f = tmpfile()) == NULL)
			return DS_E_IO;
		if ((t->len > 0 && fputc(',', t->f) == EOF) ||
		    fwrite(s, 1, len, t->f) != len)
			return DS_E_IO;
		t->len += len + (t->len > 0);
		return DS_E_OK;
	}
	if (need > t->cap) {
		t->cap = need > 2 * t->cap ? need : 2 * t->cap;
		if ((n = realloc(t->s, t->cap)) == NULL)
			return DS_E_NOMEM;
		t->s = n;
	}
	if (t->len > 0)
		t->s[t->len++] = ',';
	memcpy(t->s + t->len, s, len);
	t->len += len;
	t->s[t->len] = '\0';
	return DS_E_OK;
}

void
prep_tbuf_free(struct prep_tbuf *t)
{
	int spill = t->spill;

	if (t->f != NULL)
		fclose(t->f);
	free(t->s);
	memset(t, 0, sizeof *t);
	t->spill = spill;
}

/* Streams the manifest to the drive at OFF, hashing it. */
struct mf_out {
	int		 fd;
	EVP_MD_CTX	*md;
	uint8_t		*buf;		/* PREP_READ_BUF bytes, aligned */
	size_t		 fill;
	uint64_t	 off;
	int		 err;
};

static void
mf_put(struct mf_out *m, const char *s, size_t len)
{
	size_t n;

	EVP_DigestUpdate(m->md, s, len);
	while (len > 0 && !m->err) {
		n = PREP_READ_BUF - m->fill;
		if (n > len)
			n = len;
		memcpy(m->buf + m->fill, s, n);
		m->fill += n;
		s += n;
		len -= n;
		if (m->fill == PREP_READ_BUF) {
			if (pwrite(m->fd, m->buf, PREP_READ_BUF,
			    (off_t)m->off) != PREP_READ_BUF)
				m->err = errno ? errno : EIO;
			m->off += PREP_READ_BUF;
			m->fill = 0;
		}
	}
}

static void
mf_put_tb(struct mf_out *m, struct prep_tbuf *t)
{
	char	buf[65536];
	size_t	n;

	if (!t->spill) {
		if (t->s != NULL)
			mf_put(m, t->s, t->len);
		return;
	}
	if (t->f == NULL)
		return;
	if (fflush(t->f) == EOF || fseek(t->f, 0, SEEK_SET) == -1) {
		m->err = EIO;
		return;
	}
	while ((n = fread(buf, 1, sizeof buf, t->f)) > 0)
		mf_put(m, buf, n);
	if (ferror(t->f))
		m->err = EIO;
	fseek(t->f, 0, SEEK_END);
}

/* Ends the stream: pads the last block with zeros and writes it. */
static void
mf_end(struct mf_out *m)
{
	size_t padded = (m->fill + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK *
	    DS_FMT_BLOCK;

	if (m->err || m->fill == 0)
		return;
	memset(m->buf + m->fill, 0, padded - m->fill);
	if (pwrite(m->fd, m->buf, padded, (off_t)m->off) !=
	    (ssize_t)padded)
		m->err = errno ? errno : EIO;
}

/* Appends the JSON array A to T without its brackets. */
static int
tb_add_items(struct prep_tbuf *t, json_t *a)
{
	char	*text;
	int	 rc;

	if (json_array_size(a) == 0)
		return DS_E_OK;
	if ((text = json_dumps(a, JSON_COMPACT)) == NULL)
		return DS_E_NOMEM;
	rc = prep_tbuf_add(t, text + 1, strlen(text) - 2);
	free(text);
	return rc;
}

void
prep_mf_init(struct prep_mf *m)
{
	memset(m, 0, sizeof *m);
	m->chunks.spill = m->files.spill = 1;
}

int
prep_mf_add_seg(struct prep_mf *m, json_t *rec, const char *ftext,
    uint64_t nfiles, uint64_t bytes)
{
	json_t	*s, *v, *files = json_object_get(rec, "files");
	char	*text;
	size_t	 i;
	int	 rc;

	s = json_pack("{s:O, s:O, s:I, s:O}",
	    "segment", json_object_get(rec, "segment"),
	    "firstChunk", json_object_get(rec, "firstChunk"),
	    "chunks", (json_int_t)json_array_size(json_object_get(rec,
	    "chunks")),
	    "streamBytes", json_object_get(rec, "streamBytes"));
	if (s == NULL || (text = json_dumps(s, JSON_COMPACT)) == NULL) {
		json_decref(s);
		return DS_E_NOMEM;
	}
	json_decref(s);
	rc = prep_tbuf_add(&m->segs, text, strlen(text));
	free(text);
	if (rc != DS_E_OK ||
	    (rc = tb_add_items(&m->chunks, json_object_get(rec,
	    "chunks"))) != DS_E_OK ||
	    (rc = ftext != NULL ? prep_tbuf_add(&m->files, ftext,
	    strlen(ftext)) : tb_add_items(&m->files, files)) != DS_E_OK)
		return rc;
	m->nfiles += nfiles;
	m->bytes += bytes;
	json_array_foreach(ftext == NULL ? files : NULL, i, v) {
		if (json_object_get(v, "skipped") != NULL)
			continue;
		m->nfiles++;
		m->bytes += (uint64_t)json_integer_value(
		    json_object_get(v, json_object_get(v, "length") ?
		    "length" : "size"));
	}
	return DS_E_OK;
}

void
prep_mf_free(struct prep_mf *m)
{
	prep_tbuf_free(&m->segs);
	prep_tbuf_free(&m->chunks);
	prep_tbuf_free(&m->files);
}

uint64_t
prep_drive_avail(const struct prep_drive *d, uint32_t chunk_size)
{
	uint64_t used = DS_FMT_DATA_OFF + d->next_slot * chunk_size +
	    d->mf_est + PREP_MF_BASE;

	return used >= d->trailer_off ? 0 : d->trailer_off - used;
}

/*
 * Chunk slots are written with O_DIRECT where the drive allows it: whole
 * aligned 4 KiB blocks, no copy into the page cache. Everything else
 * (header, manifest, trailer) is written without it.
 */
void
prep_drive_direct(struct prep_drive *d, int on)
{
	int flags;

	if (getenv("DISKSEED_NO_DIRECT") != NULL ||
	    (flags = fcntl(d->g.fd, F_GETFL)) == -1)
		return;
	fcntl(d->g.fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT);
}

/*
 * Streams D's manifest (LAST: the set's last drive) after its chunks:
 * its head, then the three lists. *MOFF, *MLEN and HASH: where it went,
 * how long it is and its SHA-256.
 */
static int
mf_write(struct prep_drive *d, struct prep_job *j, int last, uint64_t *moff,
    uint64_t *mlen, uint8_t *hash, char **cause)
{
	static const char	 seg_key[] = ",\"segments\":[";
	static const char	 chunk_key[] = "],\"chunks\":[";
	static const char	 file_key[] = "],\"files\":[";
	static const char	 tail[] = "]}";
	struct mf_out		 m;
	json_t			*mf;
	char			*head;
	uint64_t		 padded;
	unsigned int		 mdlen = 32;

	mf = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:i, s:b, "
	    "s:{s:I, s:I, s:I}}",
	    "format", "diskseed-manifest", "version", 1,
	    "setId", j->set_hex, "drive", (int)d->index, "job", j->job,
	    "chunkSize", (int)j->chunk_size, "dataOffset", DS_FMT_DATA_OFF,
	    "last", last, "totals", "files", (json_int_t)d->mf.nfiles,
	    "bytes", (json_int_t)d->mf.bytes,
	    "chunks", (json_int_t)d->next_slot);
	if (mf == NULL || (head = json_dumps(mf, JSON_COMPACT)) == NULL) {
		json_decref(mf);
		return DS_E_NOMEM;
	}
	json_decref(mf);
	/* The head without its '}', then the three lists. */
	head[strlen(head) - 1] = '\0';
	*mlen = strlen(head) + strlen(seg_key) + d->mf.segs.len +
	    strlen(chunk_key) + d->mf.chunks.len + strlen(file_key) +
	    d->mf.files.len + strlen(tail);
	*moff = DS_FMT_DATA_OFF + d->next_slot * j->chunk_size;
	padded = (*mlen + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	if (*moff + padded > d->trailer_off) {
		free(head);
		return ds_cause(cause, DS_E_DRIVEFULL,
		    _("%s: no room left for the manifest"), d->g.path);
	}
	memset(&m, 0, sizeof m);
	m.fd = d->g.fd;
	m.off = *moff;
	if ((m.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(m.md, EVP_sha256(), NULL) != 1 ||
	    posix_memalign((void **)&m.buf, DS_FMT_BLOCK, PREP_READ_BUF) != 0) {
		EVP_MD_CTX_free(m.md);
		free(head);
		return DS_E_NOMEM;
	}
	mf_put(&m, head, strlen(head));
	free(head);
	mf_put(&m, seg_key, strlen(seg_key));
	mf_put_tb(&m, &d->mf.segs);
	mf_put(&m, chunk_key, strlen(chunk_key));
	mf_put_tb(&m, &d->mf.chunks);
	mf_put(&m, file_key, strlen(file_key));
	mf_put_tb(&m, &d->mf.files);
	mf_put(&m, tail, strlen(tail));
	mf_end(&m);
	EVP_DigestFinal_ex(m.md, hash, &mdlen);
	EVP_MD_CTX_free(m.md);
	free(m.buf);
	if (m.err || m.off + m.fill != *moff + *mlen) {
		errno = m.err ? m.err : EIO;
		return ds_cause(cause, DS_E_IO, "%s: %s", d->g.path,
		    strerror(errno));
	}
	return DS_E_OK;
}

/* Writes the manifest and trailer of the open drive and closes it. */
int
prep_drive_close(struct prep_drive *d, struct prep_job *j, int last,
    char **cause)
{
	struct ds_prepared_drive	*pd;
	struct ds_hdr			 h;
	json_t				*rec;
	uint8_t				 trailer[DS_FMT_BLOCK];
	uint8_t				 hash[32];
	char				 hex[65];
	char				*hh = NULL;
	uint64_t			 moff, mlen;
	size_t				 padded;
	int				 rc;

	prep_drive_direct(d, 0);
	j->prog(j->prog_arg, DS_PHASE_MANIFEST, 1);
	if ((rc = mf_write(d, j, last, &moff, &mlen, hash, cause)) != DS_E_OK)
		return rc;
	padded = (mlen + DS_FMT_BLOCK - 1) / DS_FMT_BLOCK * DS_FMT_BLOCK;
	ds_hdr_decode(d->header, &h, NULL);
	h.kind = DS_HDR_TRAILER;
	h.manifest_off = moff;
	h.manifest_len = mlen;
	memcpy(h.manifest_hash, hash, 32);
	h.chunks = d->next_slot;
	h.last = (uint32_t)last;
	ds_hdr_encode(&h, trailer);
	if (pwrite(d->g.fd, trailer, DS_FMT_BLOCK, (off_t)d->trailer_off) !=
	    DS_FMT_BLOCK || fdatasync(d->g.fd) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", d->g.path,
		    strerror(errno));
	ds_hex(hex, hash, 32);
	hh = ds_fmt_header_hash(d->header, trailer, d->trailer_off);
	rec = json_pack("{s:s, s:i, s:s, s:s, s:I, s:b}", "t", "close",
	    "index", (int)d->index, "manifestHash", hex, "headerHash",
	    hh != NULL ? hh : "", "bytesUsed", (json_int_t)(moff + padded),
	    "last", last);
	if ((rc = prep_journal_add(j, rec, cause)) != DS_E_OK)
		goto out;
	if ((pd = prep_prepared_drive(j, d->index)) == NULL) {
		rc = DS_E_NOMEM;
		goto out;
	}
	free(pd->manifest_hash);
	free(pd->header_hash);
	pd->manifest_hash = strdup(hex);
	pd->header_hash = hh;
	hh = NULL;
	pd->bytes_used = moff + padded;
	pd->complete = 1;
	j->prepared->finished = last;
	if ((rc = ds_prepared_save(j->prepared, cause)) != DS_E_OK)
		goto out;
	prep_add_int(&j->res->closed, &j->res->nclosed, (int)d->index);
	OPENSSL_cleanse(d->key, sizeof d->key);
	ds_gate_close(&d->g);
	prep_mf_free(&d->mf);
	d->open = 0;
out:
	free(hh);
	return rc;
}

/* Wipes signatures at both ends, zeroes the first and last MiB, writes
 * the header. */
static int
drive_format(struct prep_drive *d, struct prep_job *j, char **cause)
{
	blkid_probe	 pr;
	struct ds_hdr	 h;
	uint8_t		*zero;
	uint64_t	 size = d->g.size, end;
	int		 rc = DS_E_OK;

	j->prog(j->prog_arg, DS_PHASE_FORMAT, 1);
	if ((pr = blkid_new_probe()) != NULL) {
		if (blkid_probe_set_device(pr, d->g.fd, 0, 0) == 0) {
			blkid_probe_enable_superblocks(pr, 1);
			blkid_probe_set_superblocks_flags(pr,
			    BLKID_SUBLKS_MAGIC);
			blkid_probe_enable_partitions(pr, 1);
			blkid_probe_set_partitions_flags(pr,
			    BLKID_PARTS_MAGIC);
			while (blkid_do_probe(pr) == 0)
				blkid_do_wipe(pr, 0);
		}
		blkid_free_probe(pr);
	}
	if ((zero = calloc(1, DS_FMT_DATA_OFF)) == NULL)
		return DS_E_NOMEM;
	end = size / DS_FMT_BLOCK * DS_FMT_BLOCK - DS_FMT_DATA_OFF;
	memset(&h, 0, sizeof h);
	h.kind = DS_HDR_HEADER;
	h.version = DS_FMT_VERSION;
	memcpy(h.set_id, j->set_id, DS_FMT_SET_LEN);
	h.index = d->index;
	h.cipher = DS_FMT_CIPHER_GCM;
	h.chunk_size = j->chunk_size;
	h.data_off = DS_FMT_DATA_OFF;
	h.drive_size = size;
	h.created = (uint64_t)time(NULL);
	ds_fmt_key_check(d->key, j->set_id, d->index, h.key_check);
	snprintf(h.job, sizeof h.job, "%s", j->job);
	ds_hdr_encode(&h, d->header);
	memcpy(zero, d->header, DS_FMT_BLOCK);
	if (pwrite(d->g.fd, zero + DS_FMT_BLOCK, DS_FMT_DATA_OFF -
	    DS_FMT_BLOCK, DS_FMT_BLOCK) != DS_FMT_DATA_OFF - DS_FMT_BLOCK ||
	    pwrite(d->g.fd, zero + DS_FMT_BLOCK, DS_FMT_DATA_OFF -
	    DS_FMT_BLOCK, (off_t)end) != DS_FMT_DATA_OFF - DS_FMT_BLOCK ||
	    fdatasync(d->g.fd) == -1 ||
	    pwrite(d->g.fd, d->header, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK ||
	    fdatasync(d->g.fd) == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", d->g.path,
		    strerror(errno));
	free(zero);
	return rc;
}

static int
drive_check_size(struct prep_drive *d, uint32_t chunk_size, char **cause)
{
	if (d->g.size < 3 * (uint64_t)DS_FMT_DATA_OFF + 4 *
	    (uint64_t)chunk_size)
		return ds_cause(cause, DS_E_DRIVEFULL,
		    _("%s: at least %llu bytes are needed"), d->g.path,
		    (unsigned long long)(3 * (uint64_t)DS_FMT_DATA_OFF + 4 *
		    (uint64_t)chunk_size));
	d->trailer_off = ds_fmt_trailer_off(d->g.size);
	return DS_E_OK;
}

/* Opens the given drive PATH as a new drive of the set and formats it. */
int
prep_drive_new(struct prep_drive *d, struct prep_job *j, const char *path,
    char **cause)
{
	struct ds_prepared_drive	*pd;
	json_t				*rec;
	char				 rkey[DS_FMT_RKEY_LEN + 1], mfname[96];
	int				 rc;

	memset(d, 0, sizeof *d);
	prep_mf_init(&d->mf);
	if ((rc = ds_gate_open_format(path, j->o->confirm, NULL, j->job,
	    j->set_hex, j->o->overwrite_job, &d->g, cause)) !=
	    DS_E_OK)
		return rc;
	d->open = 1;
	d->index = j->next_index;
	if ((rc = drive_check_size(d, j->chunk_size, cause)) != DS_E_OK)
		return rc;
	if (RAND_bytes(d->key, sizeof d->key) != 1)
		return ds_cause(cause, DS_E_IO, _("no random numbers"));
	if ((rc = ds_keys_save(j->set_hex, d->index, d->key, cause)) !=
	    DS_E_OK)
		return rc;
	if ((pd = prep_prepared_drive(j, d->index)) == NULL)
		return DS_E_NOMEM;
	ds_rkey_format(d->key, rkey);
	snprintf(mfname, sizeof mfname, "diskseed-%s-%u.manifest.json",
	    j->set_hex, d->index);
	free(pd->path);
	free(pd->drive_id);
	free(pd->manifest_file);
	pd->path = strdup(path);
	pd->drive_id = strdup(d->g.drive_id);
	if (pd->recovery_key != NULL)
		ds_freezero(pd->recovery_key, strlen(pd->recovery_key));
	pd->recovery_key = strdup(rkey);
	OPENSSL_cleanse(rkey, sizeof rkey);
	pd->manifest_file = strdup(mfname);
	pd->size = d->g.size;
	pd->bytes_used = DS_FMT_DATA_OFF;
	if ((rc = ds_prepared_save(j->prepared, cause)) != DS_E_OK)
		return rc;
	rec = json_pack("{s:s, s:i, s:s, s:s, s:I}", "t", "drive",
	    "index", (int)d->index, "path", path, "driveId",
	    d->g.drive_id, "size", (json_int_t)d->g.size);
	if ((rc = prep_journal_add(j, rec, cause)) != DS_E_OK)
		return rc;
	j->next_index++;
	if ((rc = drive_format(d, j, cause)) != DS_E_OK)
		return rc;
	prep_add_int(&j->res->formatted, &j->res->nformatted, (int)d->index);
	return DS_E_OK;
}

/* Reopens the drive left open by an interrupted run (record REC). */
int
prep_drive_reopen(struct prep_drive *d, struct prep_job *j, json_t *drec,
    json_t *segs, struct prep_mf *mf, uint64_t next_slot, uint64_t mf_est,
    char **cause)
{
	const char	*path;
	struct ds_hdr	 h;
	char		 idx[16];
	size_t		 i;
	int		 rc;

	path = json_string_value(json_object_get(drec, "path"));
	for (i = 0; i < j->o->ndrives; i++)
		if (strcmp(j->o->drives[i], path) == 0)
			break;
	if (i == j->o->ndrives)
		return ds_cause(cause, DS_E_NEED_DRIVE,
		    _("drive %d (%s) is not finished: give it again with "
		    "--drive %s --confirm ID"),
		    (int)json_integer_value(json_object_get(drec, "index")),
		    path, path);
	j->used_drive[i] = 1;
	memset(d, 0, sizeof *d);
	prep_mf_init(&d->mf);
	if ((rc = ds_gate_open(path, j->o->confirm, &d->g, cause)) != DS_E_OK)
		return rc;
	d->open = 1;
	d->index = (uint32_t)json_integer_value(json_object_get(drec,
	    "index"));
	if ((rc = drive_check_size(d, j->chunk_size, cause)) != DS_E_OK)
		return rc;
	if ((rc = ds_keys_load(j->set_hex, d->index, d->key, cause)) !=
	    DS_E_OK)
		return rc;
	/* Its manifest lists so far, rebuilt from the journal. */
	d->mf = *mf;
	d->next_slot = next_slot;
	d->mf_est = mf_est;
	memset(mf, 0, sizeof *mf);
	if (pread(d->g.fd, d->header, DS_FMT_BLOCK, 0) != DS_FMT_BLOCK ||
	    ds_hdr_decode(d->header, &h, NULL) != DS_E_OK ||
	    memcmp(h.set_id, j->set_id, DS_FMT_SET_LEN) != 0 ||
	    h.index != d->index || h.chunk_size != j->chunk_size) {
		if (json_array_size(segs) > 0) {
			snprintf(idx, sizeof idx, "%u", d->index);
			return ds_cause(cause, DS_E_CHANGED,
			    _("%s no longer holds drive %s of this job"),
			    path, idx);
		}
		/* Killed before the header was written: format again. */
		return drive_format(d, j, cause);
	}
	return DS_E_OK;
}

/*
 * Refuses, before anything is written, a new drive that holds another
 * job's drive or one of this set (the gate checks again when it opens).
 */
int
prep_drive_check_overwrite(const struct prep_job *j, char **cause)
{
	size_t	i;
	int	rc;

	for (i = 0; i < j->o->ndrives; i++) {
		if (j->used_drive[i])
			continue;	/* this set's own, from the journal */
		if ((rc = ds_gate_check_overwrite(j->o->drives[i], j->job,
		    j->set_hex, j->o->overwrite_job, cause)) != DS_E_OK)
			return rc;
	}
	return DS_E_OK;
}

int
prep_drive_check_confirmed(const struct ds_prep_opts *o, char **cause)
{
	size_t	 i, j;
	char	*id;
	int	 ok;

	for (i = 0; i < o->ndrives; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(o->drives[i], o->drives[j]) == 0)
				return ds_cause(cause, DS_E_INVAL,
				    _("%s is given twice"), o->drives[i]);
		if ((id = ds_gate_confirm_id(o->drives[i], cause)) == NULL) {
			struct stat st;

			/* It exists but the gate refuses it. */
			return stat(o->drives[i], &st) == -1 ? DS_E_NOTFOUND :
			    DS_E_INELIGIBLE;
		}
		ok = ds_gate_confirm_matches(o->confirm, id);
		if (!ok) {
			ds_cause(cause, DS_E_NOTCONFIRMED,
			    _("%s: confirm it with --confirm %s"),
			    o->drives[i], id);
			free(id);
			return DS_E_NOTCONFIRMED;
		}
		free(id);
	}
	return DS_E_OK;
}

void
prep_drive_drop(struct prep_drive *d)
{
	if (!d->open)
		return;
	OPENSSL_cleanse(d->key, sizeof d->key);
	ds_gate_close(&d->g);
	prep_mf_free(&d->mf);
	d->open = 0;
}
