/* SPDX-License-Identifier: MIT */
/*
 * The manifest a drive carries (ds_manifest_parse): what it accepts is
 * consistent, and each file entry survives the way prep writes it
 * (ds_mf_file_json) and restore reads it back.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "error.h"
#include "fuzz.h"
#include "manifest.h"

/* Writes F as prep does and parses it back; the fields must agree. */
static void
round_trip(const struct ds_manifest *m, const struct ds_mf_file *f)
{
	struct ds_manifest	*m2 = NULL;
	const struct ds_mf_file	*g;
	json_t			*o, *fj;
	char			*text;

	FUZZ_CHECK((fj = ds_mf_file_json(f)) != NULL);
	o = json_pack("{s:s, s:i, s:s, s:[o]}", "format", "diskseed-manifest",
	    "version", 1, "setId", m->set_id, "files", fj);
	FUZZ_CHECK(o != NULL);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(ds_manifest_parse(text, strlen(text), &m2, NULL) ==
	    DS_E_OK);
	free(text);
	FUZZ_CHECK(m2->nfiles == 1);
	g = &m2->files[0];
	FUZZ_CHECK(strcmp(f->path, g->path) == 0);
	FUZZ_CHECK(f->type == g->type && f->size == g->size);
	FUZZ_CHECK(f->skipped == g->skipped && f->segment == g->segment);
	FUZZ_CHECK(f->ordinal == g->ordinal && f->offset == g->offset);
	FUZZ_CHECK(f->length == g->length && f->last == g->last);
	FUZZ_CHECK(f->has_sha == g->has_sha && f->changed == g->changed);
	FUZZ_CHECK(!f->has_sha || memcmp(f->sha, g->sha, 32) == 0);
	ds_manifest_free(m2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_manifest	*m = NULL, *m2 = NULL;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	rc = ds_manifest_parse((const char *)data, size, &m, &cause);
	FUZZ_CHECK((rc == DS_E_OK) == (m != NULL));
	FUZZ_CHECK(rc == DS_E_OK || (rc == DS_E_PARSE && cause != NULL));
	free(cause);
	FUZZ_CHECK(ds_manifest_parse((const char *)data, size, &m2, NULL) ==
	    rc);
	ds_manifest_free(m2);
	if (m == NULL)
		return 0;
	FUZZ_CHECK(strlen(m->set_id) == 32 && m->job != NULL);
	for (i = 0; i < m->nchunks; i++)
		FUZZ_CHECK(m->chunks[i].index == i);
	for (i = 0; i < m->nfiles; i++) {
		FUZZ_CHECK(m->files[i].path != NULL);
		FUZZ_CHECK(m->files[i].type <= DS_MF_OTHER);
		FUZZ_CHECK(m->files[i].skipped ||
		    m->files[i].segment != DS_MF_NOSEG);
		round_trip(m, &m->files[i]);
	}
	ds_manifest_free(m);
	return 0;
}
