/* SPDX-License-Identifier: MIT */
/*
 * The copy logs of each drive (error, verbose, listing, the manifest's
 * copy): spooled in unlinked files while the run goes, stored in the
 * diagnostics container at its end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "importd.h"
#include "ingest-int.h"
#include "restore.h"
#include "target.h"

/* Where copy logs are spooled (the importd folder); set once. */
const char *log_dir;

/* Opens L's file: unlinked at once, or never linked (O_TMPFILE). */
static FILE *
ilog_file(struct ilog *l)
{
	char	*tmp = NULL;
	int	 fd;

	if (l->fp != NULL || l->broken)
		return l->fp;
	fd = open(log_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1 && asprintf(&tmp, "%s/.log.XXXXXX", log_dir) != -1) {
		if ((fd = mkostemp(tmp, O_CLOEXEC)) != -1)
			unlink(tmp);
		free(tmp);
	}
	if (fd == -1 || (l->fp = fdopen(fd, "w+")) == NULL) {
		if (fd != -1)
			close(fd);
		l->broken = 1;
	}
	return l->fp;
}

/* Appends a line to a copy log. */
void
logf_add(struct ilog *l, const char *fmt, ...)
{
	va_list	 ap;
	FILE	*fp;

	if ((fp = ilog_file(l)) == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	putc('\n', fp);
}

void
ilog_close(struct ilog *l)
{
	if (l->fp != NULL)
		fclose(l->fp);
	l->fp = NULL;
}

/*
 * Copies the manifest of the drive at PATH into L's file a buffer at a
 * time (the reader's; its SHA-256 checked): its text is as large as the
 * file table and would be the peak of the run if read whole.
 */
static int
copy_manifest(const char *path, struct ilog *l, char **cause)
{
	FILE	*fp;

	if ((fp = ilog_file(l)) == NULL)
		return ds_cause(cause, DS_E_IO, "%s: %s", log_dir,
		    strerror(errno));
	return ds_drive_copy_manifest(path, fp, cause);
}

/* Writes a drive's copy logs (and manifest) and sets their URIs. */
void
write_logs(struct ingest *in, struct idrive *d)
{
	static const char *const kinds[] = { "error", "verbose", "manifest",
		"listing" };
	static const char *const keys[] = {
		"errorLogUri", "verboseLogUri", "manifestUri", NULL };
	struct ilog	*l;
	size_t		 k;
	char		*name, *uri, *cause = NULL;
	json_t		*dj = drive_json(in, d->id);
	int		 rc;

	if (target_container(in->logt, in->diag_container, &cause) !=
	    DS_E_OK) {
		importd_err_code(DS_E_IO, cause);
		return;
	}
	for (k = 0; k < 4; k++) {
		/* Folders, links and specials: JSON lines (k == 3). */
		l = k == 0 ? &d->err : k == 1 ? &d->verbose : k == 2 ?
		    &d->mf_copy : &d->listing;
		if (k == 2) {
			/* Read again now: a million-row manifest's text is
			 * not kept for the whole run. */
			if (d->path == NULL || !json_is_true(json_object_get(
			    props_of(in), "backupDriveManifest")) ||
			    copy_manifest(d->path, l, &cause) != DS_E_OK) {
				free(cause);
				cause = NULL;
				ilog_close(l);
				continue;
			}
		} else if (l->fp != NULL && fflush(l->fp) != 0) {
			importd_err("%s: %s", d->id, strerror(errno));
			continue;
		}
		if (asprintf(&name, "%s%s%s/%s_%s.%s", in->diag_prefix,
		    *in->diag_prefix != '\0' ? "/" : "", in->job, d->id,
		    kinds[k], k == 2 ? "json" : k == 3 ? "jsonl" : "log") ==
		    -1)
			return;
		cause = NULL;
		if (l->fp != NULL)
			rc = target_put_fd(in->logt, in->diag_container, name,
			    fileno(l->fp), &cause);
		else
			rc = target_put_buf(in->logt, in->diag_container, name,
			    "", 0, &cause);
		if (rc != DS_E_OK)
			importd_err_code(DS_E_IO, cause);
		else if (keys[k] != NULL && (uri = target_uri(in->logt,
		    in->diag_container, name)) != NULL) {
			json_object_set_new(dj, keys[k], json_string(uri));
			free(uri);
		}
		free(name);
		if (k == 2)
			ilog_close(l);
	}
}
