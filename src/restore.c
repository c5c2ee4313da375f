/* SPDX-License-Identifier: MIT */
/*
 * verify and restore, on top of the hostile-drive reader (dreader.h):
 * verify checks every chunk, and with --deep reads the whole stream into
 * a hash-only sink and compares each file with the staging folder;
 * restore reads it into the disk sink (restore-disk.c).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "error.h"
#include "restore-int.h"
#include "restore.h"
#include "util.h"
#include "walk.h"

#define HASH_BUF	((size_t)1 << 20)
#define HASH_STEP	4	/* buffers between cancel checks */

/* What verify --deep's sink needs. */
struct deep {
	const struct ds_read_opts	*o;
	struct ds_dreader		*dr;
	int				 staging;	/* folder fd */
	char				*real;		/* its absolute path */
	uint8_t				*buf;		/* HASH_BUF bytes */
};

/* Whether the caller asks to stop (progress says so). */
static int
canceled(const struct ds_read_opts *o, const char *path)
{
	struct ds_progress pr;

	if (o->ops == NULL || o->ops->progress == NULL)
		return 0;
	memset(&pr, 0, sizeof pr);
	pr.phase = DS_PHASE_VERIFY;
	pr.current = path;
	pr.drive_index = -1;
	return o->ops->progress(o->ops->arg, &pr) != 0;
}

/* Hashes the regular file PATH under the staging folder into OUT without
 * following a link; 0, -1 when it is no readable regular file, or
 * DS_E_CANCELED. */
static int
hash_staged(struct deep *dp, const char *path, uint8_t out[32])
{
	EVP_MD_CTX	*md = NULL;
	const char	*leaf;
	unsigned int	 len = 32;
	struct stat	 st;
	ssize_t		 n = -1;
	int		 parent, fd = -1, rc = -1, k = 0;

	if ((parent = ds_confined_parent(dp->staging, path, 0, &leaf)) == -1)
		return -1;
	fd = openat(parent, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	close(parent);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, dp->buf, HASH_BUF)) > 0) {
		EVP_DigestUpdate(md, dp->buf, (size_t)n);
		if (++k % HASH_STEP == 0 && canceled(dp->o, path)) {
			rc = DS_E_CANCELED;
			goto out;
		}
	}
	if (n == 0) {
		EVP_DigestFinal_ex(md, out, &len);
		rc = 0;
	}
out:
	EVP_MD_CTX_free(md);
	if (fd != -1)
		close(fd);
	return rc;
}

static int
deep_end(void *arg, void *handle, const struct ds_dr_entry *e,
    enum ds_dr_status st, const uint8_t *sha)
{
	struct deep	*dp = arg;
	uint8_t		 ssum[32];
	int		 r;

	(void)handle;
	if (st != DS_DR_OK || sha == NULL)
		return 0;
	r = hash_staged(dp, e->path, ssum);
	if (r == DS_E_CANCELED)
		return r;
	if (r == -1)
		return ds_read_problem((struct ds_read_report *)
		    ds_dreader_report(dp->dr), e->drive_index, -1, e->path,
		    _("not in the staging folder any more"));
	if (CRYPTO_memcmp(ssum, sha, 32) != 0)
		return ds_read_problem((struct ds_read_report *)
		    ds_dreader_report(dp->dr), e->drive_index, -1, e->path,
		    _("differs from the staging folder"));
	return 0;
}

/* The comparison of verify --deep: the staging folder's walk W (what
 * prep copies: src/walk.c leaves sockets, FIFOs and devices out) against
 * the manifests' sorted NAMES; each entry no manifest names is damage. */
static int
extra_compare(const struct ds_walk *w, const char **names, size_t n,
    struct ds_read_report *r)
{
	size_t	i;
	int	rc = DS_E_OK;

	for (i = 0; i < w->nents && rc == DS_E_OK; i++)
		if (bsearch(&w->ents[i].rel, names, n, sizeof *names,
		    ds_cmp_strp) == NULL)
			rc = ds_read_problem(r, -1, -1, w->ents[i].rel,
			    _("in the staging folder but not on the drives"));
	return rc;
}

static int
extra_tick(void *arg, const struct ds_walk *w)
{
	(void)w;
	return canceled(arg, NULL);
}

/* Names what is in the staging folder but in no manifest. */
static int
find_extra(struct deep *dp, char **cause)
{
	const struct ds_manifest	*m;
	struct ds_walk			 w;
	const char			**names;
	size_t				 i, f, n = 0;
	int				 rc;

	for (i = 0; i < ds_dreader_ndrives(dp->dr); i++)
		if ((m = ds_dreader_manifest(dp->dr, i)) != NULL)
			n += m->nfiles;
	if ((names = calloc(n + 1, sizeof *names)) == NULL)
		return DS_E_NOMEM;
	n = 0;
	for (i = 0; i < ds_dreader_ndrives(dp->dr); i++)
		for (f = 0; (m = ds_dreader_manifest(dp->dr, i)) != NULL &&
		    f < m->nfiles; f++)
			names[n++] = m->files[f].path;
	qsort(names, n, sizeof *names, ds_cmp_strp);
	memset(&w, 0, sizeof w);
	rc = ds_walk_dir(dp->real, extra_tick, NULL, (void *)dp->o, &w,
	    cause);
	if (rc == DS_E_OK)
		rc = extra_compare(&w, names, n, (struct ds_read_report *)
		    ds_dreader_report(dp->dr));
	ds_walk_clear(&w);
	free(names);
	return rc;
}

/* Opens the reader for O with FLAGS. */
static int
open_reader(const struct ds_read_opts *o, int flags, enum ds_phase phase,
    struct ds_dreader **dr, char **cause)
{
	struct ds_dreader_opts ro;

	memset(&ro, 0, sizeof ro);
	ro.drives = o->drives;
	ro.ndrives = o->ndrives;
	ro.recovery_keys = o->recovery_keys;
	ro.nrecovery_keys = o->nrecovery_keys;
	ro.flags = flags;
	ro.phase = phase;
	ro.ops = o->ops;
	return ds_dreader_open(&ro, dr, cause);
}

/* Ends a run of DR: the report goes out when RC allows one. */
static int
finish(struct ds_dreader *dr, int rc, struct ds_read_report **report)
{
	struct ds_read_report *r;

	*report = NULL;
	if (dr == NULL)
		return rc;
	r = ds_dreader_take_report(dr);
	ds_dreader_free(dr);
	if (rc == DS_E_OK && r->nproblems > 0)
		rc = DS_E_DAMAGED;
	if (rc == DS_E_OK || rc == DS_E_DAMAGED)
		*report = r;
	else
		ds_read_report_free(r);
	return rc;
}

/* verify --deep: the stream into a hash-only sink, then the staging
 * folder's extra entries. */
static int
verify_deep(const struct ds_read_opts *o, struct ds_dreader *dr,
    char **cause)
{
	struct ds_dr_sink	 s;
	struct deep		 dp;
	int			 rc;

	memset(&dp, 0, sizeof dp);
	dp.o = o;
	dp.dr = dr;
	if ((dp.staging = open(o->deep, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return ds_cause(cause, DS_E_IO, "%s: %s", o->deep,
		    strerror(errno));
	if ((dp.buf = malloc(HASH_BUF)) == NULL ||
	    (dp.real = realpath(o->deep, NULL)) == NULL) {
		free(dp.buf);
		close(dp.staging);
		return DS_E_NOMEM;
	}
	memset(&s, 0, sizeof s);
	s.arg = &dp;
	s.end = deep_end;
	rc = ds_dreader_run(dr, &s);
	if (rc == DS_E_OK && ds_dreader_report(dr)->nmissing == 0)
		rc = find_extra(&dp, cause);
	free(dp.real);
	free(dp.buf);
	close(dp.staging);
	return rc;
}

int
ds_verify(const struct ds_read_opts *o, struct ds_read_report **report,
    char **cause)
{
	struct ds_dreader		*dr = NULL;
	const struct ds_manifest	*m;
	struct ds_read_report		*r;
	size_t				 i, j;
	int				 rc;

	rc = open_reader(o, o->deep != NULL ? DS_DR_WHOLE : DS_DR_GAPS_ONLY,
	    DS_PHASE_VERIFY, &dr, cause);
	if (rc != DS_E_OK)
		return finish(NULL, rc, report);
	if ((rc = ds_dreader_check_chunks(dr)) != DS_E_OK)
		return finish(dr, rc, report);
	if (o->deep != NULL)
		return finish(dr, verify_deep(o, dr, cause), report);
	/*
	 * Without --deep the chunks were checked, not the files: what they
	 * hold is counted from the manifests, regular files once each (on
	 * their last part), not folders, links or files left out.
	 */
	r = (struct ds_read_report *)ds_dreader_report(dr);
	for (i = 0; i < ds_dreader_ndrives(dr); i++) {
		if ((m = ds_dreader_manifest(dr, i)) == NULL)
			continue;
		r->bytes_ok += m->bytes;
		for (j = 0; j < m->nfiles; j++)
			if (m->files[j].type == DS_MF_FILE &&
			    m->files[j].last && !m->files[j].skipped)
				r->files_ok++;
	}
	return finish(dr, rc, report);
}

int
ds_restore(const struct ds_read_opts *o, struct ds_read_report **report,
    char **cause)
{
	struct ds_dreader	*dr = NULL;
	struct ds_disk		*k = NULL;
	struct ds_dr_sink	 s;
	int			 rc;

	/* Every key is checked before anything is written. */
	if ((rc = open_reader(o, DS_DR_WHOLE, DS_PHASE_RESTORE, &dr,
	    cause)) != DS_E_OK)
		return finish(NULL, rc, report);
	if (o->to == NULL)
		return finish(dr, ds_cause(cause, DS_E_INVAL, "%s",
		    _("no target folder")), report);
	if ((rc = ds_disk_open(o->to, dr, &k, cause)) != DS_E_OK)
		return finish(dr, rc, report);
	ds_disk_sink(k, &s);
	rc = ds_dreader_run(dr, &s);
	ds_disk_finish(k);
	ds_disk_free(k);
	return finish(dr, rc, report);
}
