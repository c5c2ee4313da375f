/* SPDX-License-Identifier: MIT */
/* jansson helpers and wiping allocators. */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <openssl/crypto.h>

#include "error.h"
#include "jsonx.h"
#include "state.h"

static void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

static char *
xml_strdup(const char *s)
{
	return strdup(s);
}

void
ds_wipe_allocators(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	json_set_alloc_funcs(malloc, wipe_free);
	xmlMemSetup(wipe_free, malloc, realloc, xml_strdup);
}

char *
ds_jstr(const json_t *o, const char *key)
{
	const char *s;

	if ((s = json_string_value(json_object_get(o, key))) == NULL)
		return NULL;
	return strdup(s);
}

long long
ds_jint(const json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

int
ds_jset(json_t *o, const char *key, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(v));
}

char *
ds_jdump(const json_t *o)
{
	return json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int
ds_jread_file(const char *path, size_t max, json_t **out, char **cause)
{
	json_error_t	 je;
	char		*text;
	size_t		 len;
	int		 rc;

	*out = NULL;
	if ((rc = ds_read_file(path, max, &text, &len, cause)) != 0)
		return rc;
	*out = json_loadb(text, len, 0, &je);
	free(text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ds_cause(cause, DS_E_PARSE, "%s: %d: %s", path,
		    je.line, je.text);
	}
	return DS_E_OK;
}

int
ds_jwrite_file(const char *path, const json_t *o, char **cause)
{
	char	*text;
	int	 rc;

	if ((text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL)
		return DS_E_NOMEM;
	rc = ds_write_file_atomic(path, text, strlen(text), 0600, cause);
	free(text);
	return rc;
}
