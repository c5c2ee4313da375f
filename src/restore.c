/*
 * verify and restore, on top of the hostile-drive reader (dreader.h):
 * verify checks every chunk, and with --deep reads the whole stream into
 * a hash-only sink and compares each file with the staging folder;
 * restore reads it into the disk sink (restore-disk.c).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
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

#define HASH_BUF	((size_t)1 << 20)
#define HASH_STEP	4	/* buffers between cancel checks */

/* What verify --deep's sink needs. */
struct deep {
	const struct ds_read_opts	*o;
	struct ds_dreader		*dr;
	int				 staging;	/* folder fd */
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

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The comparison of verify --deep: REL (a staging entry of mode MODE)
 * is damage when no manifest names it. Sockets are never copied by
 * prep, so they are not missing. */
struct extra {
	const char		**names;	/* sorted */
	size_t			  n;
	struct ds_read_report	 *r;
};

static int
extra_visit(void *arg, const char *rel, mode_t mode)
{
	struct extra *x = arg;

	if (S_ISSOCK(mode) || bsearch(&rel, x->names, x->n, sizeof
	    *x->names, cmp_strp) != NULL)
		return 0;
	return ds_read_problem(x->r, -1, -1, rel, _("in the staging folder "
	    "but not on the drives"));
}

/* Walks the folder FD (whose path under the walk's root is PREFIX, ""
 * at the top), calling VISIT for every entry below it; no link is
 * followed and no state is global. Takes FD. */
static int
walk(int fd, const char *prefix, int (*visit)(void *, const char *,
    mode_t), void *arg)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*rel;
	int		 sub, rc = DS_E_OK;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return DS_E_OK;
	}
	while (rc == DS_E_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (asprintf(&rel, "%s%s%s", prefix, *prefix ? "/" : "",
		    de->d_name) == -1) {
			rc = DS_E_NOMEM;
			break;
		}
		rc = visit(arg, rel, st.st_mode);
		if (rc == DS_E_OK && S_ISDIR(st.st_mode) && (sub = openat(
		    dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) != -1)
			rc = walk(sub, rel, visit, arg);
		free(rel);
	}
	closedir(d);
	return rc;
}

/* Names what is in the staging folder but in no manifest. */
static int
find_extra(struct deep *dp)
{
	const struct ds_manifest	*m;
	struct extra			 x;
	size_t				 i, f, n = 0;
	int				 fd, rc;

	for (i = 0; i < ds_dreader_ndrives(dp->dr); i++)
		if ((m = ds_dreader_manifest(dp->dr, i)) != NULL)
			n += m->nfiles;
	if ((x.names = calloc(n + 1, sizeof *x.names)) == NULL)
		return DS_E_NOMEM;
	x.n = 0;
	for (i = 0; i < ds_dreader_ndrives(dp->dr); i++)
		for (f = 0; (m = ds_dreader_manifest(dp->dr, i)) != NULL &&
		    f < m->nfiles; f++)
			x.names[x.n++] = m->files[f].path;
	qsort(x.names, x.n, sizeof *x.names, cmp_strp);
	x.r = (struct ds_read_report *)ds_dreader_report(dp->dr);
	rc = DS_E_OK;
	if ((fd = dup(dp->staging)) != -1)
		rc = walk(fd, "", extra_visit, &x);
	free(x.names);
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
	if ((dp.buf = malloc(HASH_BUF)) == NULL) {
		close(dp.staging);
		return DS_E_NOMEM;
	}
	memset(&s, 0, sizeof s);
	s.arg = &dp;
	s.end = deep_end;
	rc = ds_dreader_run(dr, &s);
	if (rc == DS_E_OK && ds_dreader_report(dr)->nmissing == 0)
		rc = find_extra(&dp);
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
	size_t				 i;
	int				 rc;

	rc = open_reader(o, o->deep != NULL ? DS_DR_WHOLE : DS_DR_GAPS_ONLY,
	    DS_PHASE_VERIFY, &dr, cause);
	if (rc != DS_E_OK)
		return finish(NULL, rc, report);
	if ((rc = ds_dreader_check_chunks(dr)) != DS_E_OK)
		return finish(dr, rc, report);
	if (o->deep != NULL)
		return finish(dr, verify_deep(o, dr, cause), report);
	r = (struct ds_read_report *)ds_dreader_report(dr);
	for (i = 0; i < ds_dreader_ndrives(dr); i++)
		if ((m = ds_dreader_manifest(dr, i)) != NULL)
			r->files_ok += m->nfiles;
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
