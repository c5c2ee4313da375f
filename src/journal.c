/* SPDX-License-Identifier: MIT */
/* The prep journal: checksummed JSON records, appended atomically. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "error.h"
#include "journal.h"
#include "state.h"
#include "util.h"

struct ds_journal {
	int	 fd;
	char	*path;
};

/* The record of one journal line (without its newline), or NULL. */
static json_t *
line_record(const char *p, size_t linelen)
{
	json_t	*rec;
	uint8_t	 sum[32];
	char	 hex[65];

	if (linelen < 66 || p[64] != ' ')
		return NULL;
	SHA256((const unsigned char *)p + 65, linelen - 65, sum);
	ds_hex(hex, sum, 32);
	if (memcmp(hex, p, 64) != 0)
		return NULL;
	rec = json_loadb(p + 65, linelen - 65, 0, NULL);
	if (rec != NULL && !json_is_object(rec)) {
		json_decref(rec);
		rec = NULL;
	}
	return rec;
}

json_t *
ds_journal_parse(const char *buf, size_t len, size_t *validlen)
{
	json_t		*arr, *rec;
	const char	*p = buf, *nl;

	*validlen = 0;
	if ((arr = json_array()) == NULL)
		return NULL;
	while ((size_t)(p - buf) < len) {
		nl = memchr(p, '\n', len - (size_t)(p - buf));
		if (nl == NULL || (rec = line_record(p, (size_t)(nl - p))) ==
		    NULL)
			break;
		json_array_append_new(arr, rec);
		p = nl + 1;
		*validlen = (size_t)(p - buf);
	}
	return arr;
}

int
ds_journal_foreach(const char *path, int (*cb)(void *, json_t *),
    void *arg, size_t *validlen, char **cause)
{
	FILE	*f;
	json_t	*rec;
	char	*line = NULL;
	size_t	 cap = 0, valid = 0;
	ssize_t	 n;
	int	 rc = DS_E_OK;

	if ((f = fopen(path, "re")) == NULL) {
		if (validlen != NULL)
			*validlen = 0;
		return errno == ENOENT ? DS_E_OK : ds_cause(cause,
		    DS_E_STATEDIR, "%s: %s", path, strerror(errno));
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n' ||
		    (rec = line_record(line, (size_t)n - 1)) == NULL)
			break;
		valid += (size_t)n;
		if (cb != NULL)
			rc = cb(arg, rec);
		json_decref(rec);
		if (rc != DS_E_OK)
			break;
	}
	free(line);
	fclose(f);
	if (validlen != NULL)
		*validlen = valid;
	return rc;
}

static int
collect(void *arg, json_t *rec)
{
	return json_array_append(arg, rec) == 0 ? DS_E_OK : DS_E_NOMEM;
}

int
ds_journal_read(const char *path, json_t **records, char **cause)
{
	int rc;

	if ((*records = json_array()) == NULL)
		return DS_E_NOMEM;
	rc = ds_journal_foreach(path, collect, *records, NULL, cause);
	if (rc != DS_E_OK) {
		json_decref(*records);
		*records = NULL;
	}
	return rc;
}

int
ds_journal_open(const char *path, struct ds_journal **jp, json_t **records,
    char **cause)
{
	struct ds_journal	*j;
	struct stat		 st;
	size_t			 valid = 0;
	int			 rc;

	*jp = NULL;
	if (records != NULL)
		*records = NULL;
	if ((j = calloc(1, sizeof *j)) == NULL)
		return DS_E_NOMEM;
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd == -1 || (j->path = strdup(path)) == NULL) {
		rc = ds_cause(cause, DS_E_STATEDIR, "%s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (flock(j->fd, LOCK_EX | LOCK_NB) == -1) {
		rc = ds_cause(cause, DS_E_STATEDIR, _("%s: another diskseed is "
		    "working on this job"), path);
		goto fail;
	}
	if (fstat(j->fd, &st) == -1) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (records != NULL && (*records = json_array()) == NULL) {
		rc = DS_E_NOMEM;
		goto fail;
	}
	rc = ds_journal_foreach(path, records != NULL ? collect : NULL,
	    records != NULL ? *records : NULL, &valid, cause);
	if (rc != DS_E_OK)
		goto fail;
	if (valid != (size_t)st.st_size && (ftruncate(j->fd, (off_t)valid) ==
	    -1 || fdatasync(j->fd) == -1)) {
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	*jp = j;
	return DS_E_OK;
fail:
	if (records != NULL) {
		json_decref(*records);
		*records = NULL;
	}
	ds_journal_close(j);
	return rc;
}

int
ds_journal_append(struct ds_journal *j, json_t *rec, char **cause)
{
	char	*text;
	int	 rc;

	if ((text = json_dumps(rec, JSON_COMPACT)) == NULL)
		return DS_E_NOMEM;
	rc = ds_journal_append_text(j, text, cause);
	free(text);
	return rc;
}

int
ds_journal_append_text(struct ds_journal *j, const char *text, char **cause)
{
	char	*line;
	uint8_t	 sum[32];
	size_t	 tlen;
	ssize_t	 n;
	int	 rc = DS_E_OK;

	tlen = strlen(text);
	if ((line = malloc(tlen + 66)) == NULL)
		return DS_E_NOMEM;
	SHA256((unsigned char *)text, tlen, sum);
	ds_hex(line, sum, 32);
	line[64] = ' ';
	memcpy(line + 65, text, tlen);
	line[65 + tlen] = '\n';
	n = write(j->fd, line, tlen + 66);
	if (n != (ssize_t)(tlen + 66) || fdatasync(j->fd) == -1)
		rc = ds_cause(cause, DS_E_IO, "%s: %s", j->path,
		    n == -1 ? strerror(errno) : _("short write"));
	free(line);
	return rc;
}

void
ds_journal_close(struct ds_journal *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	free(j->path);
	free(j);
}
