/* SPDX-License-Identifier: MIT */
/*
 * Small jansson helpers the import-job client shares, and the allocator
 * hooks that make jansson and libxml2 wipe what they free (they hold
 * private keys and recovery keys while a request is built or parsed).
 */
#ifndef DS_JSONX_H
#define DS_JSONX_H

#include <jansson.h>

/*
 * Makes jansson and libxml2 wipe every block they free. Call once,
 * before either library allocates; later calls do nothing.
 */
void	 ds_wipe_allocators(void);

/* A copy of the string member KEY of O (allocated), or NULL. */
char	*ds_jstr(const json_t *o, const char *key);

/* The integer member KEY of O, or DEF when absent or not a number. */
long long ds_jint(const json_t *o, const char *key, long long def);

/* Sets KEY of O to the string V when V is not NULL; -1 on failure. */
int	 ds_jset(json_t *o, const char *key, const char *v);

/*
 * Reads PATH (at most MAX bytes) as a JSON object into *out (the caller
 * decrefs it); DS_E_NOTFOUND when missing, DS_E_PARSE when not an object.
 */
int	 ds_jread_file(const char *path, size_t max, json_t **out,
	    char **cause);

/* Writes O, indented, to PATH atomically with mode 0600. */
int	 ds_jwrite_file(const char *path, const json_t *o, char **cause);

/* Dumps O compactly; allocated, the caller frees (or wipes) it. */
char	*ds_jdump(const json_t *o);

struct ds_address;

/* Reads an address object into A; ADDITIONAL names the extra member
 * (NULL: none). The strings are allocated (src/api.c). */
void	 ds_address_read(const json_t *o, const char *additional,
	    struct ds_address *a);

/* The ReturnAddress JSON of A, or NULL (src/api.c). */
json_t	*ds_address_json(const struct ds_address *a);

struct ds_location;
struct ds_job;

/* The JSON of a location or a job as diskseed shows it (--json): the
 * API's field names, keys never included; NULL on failure. */
json_t	*ds_location_to_json(const struct ds_location *l);
json_t	*ds_job_to_json(const struct ds_job *j);

#endif
