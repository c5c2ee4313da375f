/* Recovery keys from a file for verify and restore (see rkeyfile.h). */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "error.h"
#include "i18n.h"
#include "restore.h"
#include "rkeyfile.h"

/* More drives than a set can have: a typo in an index, not a drive. */
#define RKEY_MAX_INDEX	4096

/*
 * Splits LINE into its last word (*KEY) and the drive index written
 * before it (-1: none). 0, or -1 when the index is out of range.
 */
static int
split_line(char *line, char **key, long *index)
{
	char	*end, *p;

	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	p = end;
	while (p > line && !isspace((unsigned char)p[-1]))
		p--;
	*key = p;
	*index = -1;
	/* The first number before the key: "2:", "drive 2 (sdb):". */
	for (; line < p; line++)
		if (isdigit((unsigned char)*line)) {
			errno = 0;
			*index = strtol(line, NULL, 10);
			if (errno != 0 || *index >= RKEY_MAX_INDEX)
				return -1;
			break;
		}
	return 0;
}

/* Puts KEY at INDEX of *KEYS, growing it. A DS_E_* code. */
static int
put_key(char ***keys, size_t *nkeys, size_t index, const char *key)
{
	char	**nk;
	size_t	  i;

	if (index >= *nkeys) {
		if ((nk = reallocarray(*keys, index + 1, sizeof *nk)) == NULL)
			return DS_E_NOMEM;
		for (i = *nkeys; i <= index; i++)
			nk[i] = NULL;
		*keys = nk;
		*nkeys = index + 1;
	}
	if ((*keys)[index] != NULL)
		return DS_E_PARSE;
	if (((*keys)[index] = strdup(key)) == NULL)
		return DS_E_NOMEM;
	return DS_E_OK;
}

int
rkeyfile_read(const char *path, char ***keys, size_t *nkeys, char **cause)
{
	FILE		*f;
	struct stat	 st;
	char		*line = NULL, *key, *p;
	size_t		 size = 0, next = 0, lineno = 0;
	long		 index;
	int		 rc = DS_E_OK;

	*keys = NULL;
	*nkeys = 0;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "re")) == NULL)
		return ds_cause(cause, errno == ENOENT ? DS_E_NOTFOUND :
		    DS_E_IO, "%s: %s", path, strerror(errno));
	if (f != stdin && fstat(fileno(f), &st) == 0 &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		ds_err_print(_("warning: %s can be read by others; keep "
		    "recovery keys in a file of mode 0600"), path);
	while (getline(&line, &size, f) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (split_line(p, &key, &index) == -1) {
			rc = ds_cause(cause, DS_E_PARSE, _("%s, line %zu: "
			    "no such drive index"), path, lineno);
			break;
		}
		if (index == -1)
			index = (long)next;
		next = (size_t)index + 1;
		rc = put_key(keys, nkeys, (size_t)index, key);
		if (rc != DS_E_OK) {
			if (rc == DS_E_PARSE)
				ds_cause(cause, rc, _("%s, line %zu: a second "
				    "key for drive %ld"), path, lineno, index);
			break;
		}
	}
	if (rc == DS_E_OK && ferror(f))
		rc = ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));
	if (rc == DS_E_OK && *nkeys == 0)
		rc = ds_cause(cause, DS_E_PARSE, _("%s: no recovery key in it"),
		    path);
	if (line != NULL) {
		OPENSSL_cleanse(line, size);
		free(line);
	}
	if (f != stdin)
		fclose(f);
	if (rc != DS_E_OK) {
		rkeyfile_free(*keys, *nkeys);
		*keys = NULL;
		*nkeys = 0;
	}
	return rc;
}

int
rkeyfile_use(const char *path, struct ds_read_opts *o, char ***keys,
    size_t *nkeys)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = rkeyfile_read(path, keys, nkeys, &cause)) != DS_E_OK) {
		ds_err_code(rc, cause);
		return rc == DS_E_PARSE ? DS_EXIT_USAGE : DS_EXIT_FAILURE;
	}
	o->recovery_keys = (const char *const *)*keys;
	o->nrecovery_keys = *nkeys;
	return DS_EXIT_OK;
}

void
rkeyfile_free(char **keys, size_t nkeys)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (keys[i] != NULL) {
			OPENSSL_cleanse(keys[i], strlen(keys[i]));
			free(keys[i]);
		}
	free(keys);
}
