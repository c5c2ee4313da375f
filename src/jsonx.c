/* jansson helpers and wiping allocators. */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <openssl/crypto.h>

#include "jsonx.h"

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
