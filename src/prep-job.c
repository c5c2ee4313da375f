/* SPDX-License-Identifier: MIT */
/* What the stages of prep share (prep-job.h): warnings, the records. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "journal.h"
#include "prep-job.h"
#include "prepared.h"

int
prep_prog_report(struct prep_prog *pg, const struct ds_progress *pr,
    int force)
{
	struct timespec now;

	if (pg->ops == NULL || pg->ops->progress == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - pg->last.tv_sec) * 1000 +
	    (now.tv_nsec - pg->last.tv_nsec) / 1000000 < 100)
		return pg->canceled;
	pg->last = now;
	if (pg->ops->progress(pg->ops->arg, pr) != 0)
		pg->canceled = 1;
	return pg->canceled;
}

void
prep_warn(const struct prep_job *j, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (j->o->ops == NULL || j->o->ops->warn == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) != -1) {
		j->o->ops->warn(j->o->ops->arg, msg);
		free(msg);
	}
	va_end(ap);
}

int
prep_add_str(char ***v, size_t *n, const char *s)
{
	char **nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof **v)) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
prep_add_int(int **v, size_t *n, int i)
{
	int *nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof **v)) == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = i;
	return 0;
}

void
prep_note_changed(struct prep_job *j, const char *rel, int after_copy)
{
	struct ds_prep_result *r = j->res;

	if (r->nchanged > 0 && strcmp(r->changed[r->nchanged - 1], rel) == 0)
		return;
	if (after_copy)
		prep_warn(j, _("%s: changed after it was copied; the drives "
		    "hold the earlier version"), rel);
	else
		prep_warn(j, _("%s: changed while it was read"), rel);
	prep_add_str(&r->changed, &r->nchanged, rel);
}

int
prep_journal_add(struct prep_job *j, json_t *rec, char **cause)
{
	int rc;

	rc = ds_journal_append(j->journal, rec, cause);
	json_decref(rec);
	return rc;
}

struct ds_prepared_drive *
prep_prepared_drive(struct prep_job *j, uint32_t index)
{
	struct ds_prepared_drive	*nd;
	size_t				 i;

	for (i = 0; i < j->prepared->ndrives; i++)
		if (j->prepared->drives[i].index == (int)index)
			return &j->prepared->drives[i];
	nd = reallocarray(j->prepared->drives, j->prepared->ndrives + 1,
	    sizeof *nd);
	if (nd == NULL)
		return NULL;
	j->prepared->drives = nd;
	nd = &nd[j->prepared->ndrives++];
	memset(nd, 0, sizeof *nd);
	nd->index = (int)index;
	return nd;
}

void
ds_prep_result_free(struct ds_prep_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nunreadable; i++)
		free(r->unreadable[i]);
	for (i = 0; i < r->nchanged; i++)
		free(r->changed[i]);
	free(r->unreadable);
	free(r->changed);
	free(r->formatted);
	free(r->closed);
	free(r);
}
