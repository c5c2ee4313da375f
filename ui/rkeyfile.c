/* SPDX-License-Identifier: MIT */
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
/* Room for one key's text: 16 groups and separators, and some slack. */
#define RKEY_TEXT_MAX	256

/* A key being gathered: its groups may come on more than one line. */
struct partial {
	char	 text[RKEY_TEXT_MAX];
	size_t	 len;
	int	 groups;
	long	 index;		/* -1: the next drive in turn */
	size_t	 lineno;	/* where it started */
};

/* Whether C is a byte of the frame a terminal screen is drawn in. */
static int
frame_byte(unsigned char c)
{
	return isspace(c) || c == '|' || c >= 0x80;
}

/*
 * Splits LINE into a label and the key text after it. A key shown by
 * the wizard may come framed ("│ ... │", as copied off the screen) and
 * split over lines, so a line is "LABEL: GROUPS", "LABEL KEY" (one word)
 * or GROUPS alone. *INDEX is the first number of the label (-1: none).
 * Returns 0, or -1 when the index is out of range.
 */
static int
split_line(char *line, char **key, long *index)
{
	char	*end, *p, *colon;

	end = line + strlen(line);
	while (end > line && frame_byte((unsigned char)end[-1]))
		*--end = '\0';
	while (frame_byte((unsigned char)*line))
		line++;
	*index = -1;
	if ((colon = strrchr(line, ':')) != NULL) {
		*colon = '\0';
		for (p = colon + 1; *p != '\0' &&
		    !isdigit((unsigned char)*p); p++)
			;
	} else if ((p = strrchr(line, ' ')) != NULL ||
	    (p = strrchr(line, '\t')) != NULL) {
		*p++ = '\0';
	} else {
		*key = line;
		return 0;
	}
	*key = p;
	/* The first number of the label: "2", "drive 2 (sdb)". */
	for (; *line != '\0'; line++)
		if (isdigit((unsigned char)*line)) {
			errno = 0;
			*index = strtol(line, NULL, 10);
			if (errno != 0 || *index >= RKEY_MAX_INDEX)
				return -1;
			break;
		}
	return 0;
}

/* Groups of digits in TEXT (a key's groups, or part of them). */
static int
count_groups(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		if (isdigit((unsigned char)*text) &&
		    !isdigit((unsigned char)text[1]))
			n++;
	return n;
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

/* Stores the key gathered in P; *NEXT is the drive after it. */
static int
put_partial(struct partial *p, char ***keys, size_t *nkeys, size_t *next,
    const char *path, char **cause)
{
	int rc;

	if (p->index == -1)
		p->index = (long)*next;
	*next = (size_t)p->index + 1;
	p->text[p->len] = '\0';
	rc = put_key(keys, nkeys, (size_t)p->index, p->text);
	if (rc == DS_E_PARSE)
		ds_cause(cause, rc, _("%s, line %zu: a second key for drive "
		    "%ld"), path, p->lineno, p->index);
	OPENSSL_cleanse(p->text, sizeof p->text);
	p->len = 0;
	p->groups = 0;
	p->index = -1;
	return rc;
}

int
rkeyfile_read(const char *path, char ***keys, size_t *nkeys, char **cause)
{
	FILE		*f;
	struct stat	 st;
	struct partial	 part;
	char		*line = NULL, *key, *p;
	size_t		 size = 0, next = 0, lineno = 0, n;
	long		 index;
	int		 rc = DS_E_OK, groups;

	*keys = NULL;
	*nkeys = 0;
	memset(&part, 0, sizeof part);
	part.index = -1;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "re")) == NULL)
		return ds_cause(cause, errno == ENOENT ? DS_E_NOTFOUND :
		    DS_E_IO, "%s: %s", path, strerror(errno));
	if (f != stdin && fstat(fileno(f), &st) == 0 &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		ui_err_print(_("warning: %s can be read by others; keep "
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
		/* A new label while a key is half read: it was cut short. */
		if (index != -1 && part.groups > 0) {
			rc = ds_cause(cause, DS_E_PARSE, _("%s, line %zu: the "
			    "key has %d of its 16 groups"), path, part.lineno,
			    part.groups);
			break;
		}
		if (index != -1)
			part.index = index;
		if ((groups = count_groups(key)) == 0)
			continue;
		if (part.groups == 0)
			part.lineno = lineno;
		n = strlen(key);
		if (part.len + n + 2 > sizeof part.text) {
			rc = ds_cause(cause, DS_E_PARSE, _("%s, line %zu: the "
			    "recovery key has more than 16 groups"), path,
			    part.lineno);
			break;
		}
		if (part.len > 0)
			part.text[part.len++] = '-';
		memcpy(part.text + part.len, key, n);
		part.len += n;
		part.groups += groups;
		if (part.groups >= 16 && (rc = put_partial(&part, keys, nkeys,
		    &next, path, cause)) != DS_E_OK)
			break;
	}
	if (rc == DS_E_OK && part.groups > 0)
		rc = ds_cause(cause, DS_E_PARSE, _("%s, line %zu: the key has "
		    "%d of its 16 groups"), path, part.lineno, part.groups);
	OPENSSL_cleanse(&part, sizeof part);
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
		ui_err_code(rc, cause);
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
