/* SPDX-License-Identifier: MIT */
/*
 * Inside the import-job client: what api.c, api-jobs.c and api-model.c
 * share. No other module includes this; they use api.h.
 */
#ifndef DS_API_INT_H
#define DS_API_INT_H

#include <jansson.h>

#include "api.h"
#include "http.h"

#define PROVIDER	"/providers/Microsoft.ImportExport"

struct ds_api {
	struct ds_settings	*owned;
	const struct ds_settings *s;
	struct ds_http_conf	 conf;
	char			*lang;
	char			*base;	/* url without a trailing slash */
};

/*
 * Sends METHOD to PATH (below the base URL, or an absolute nextLink)
 * with QUERY appended and BODY, and parses the answer into *out
 * (allocated; NULL when OUT is NULL or the answer is empty). A status
 * other than 2xx is an error built from the ErrorResponse, named WHAT.
 */
int	ds_api_call(struct ds_api *api, const char *method, const char *path,
	    const char *query, const json_t *body, const char *what,
	    json_t **out, char **cause);

/* The subscription id escaped for a path, in lower case; allocated. */
char	*ds_api_sub_escaped(const struct ds_api *api);

/*
 * Sends a request about job NAME of group RG (NULL: the settings') and
 * reads the job in the answer into *out (allocated; ds_job_free).
 */
int	ds_api_job_call(struct ds_api *api, const char *method, const char *rg,
	    const char *name, const json_t *body, const char *what,
	    struct ds_job **out, char **cause);

/* Reads a JobResponse into *out (allocated; ds_job_free). */
int	ds_api_job_read(const json_t *o, struct ds_job **out, char **cause);

/* Reads a Location into L (its strings allocated; ds_location_free's). */
int	ds_api_location_read(const json_t *o, struct ds_location *l,
	    char **cause);

#endif
