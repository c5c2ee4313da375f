/* SPDX-License-Identifier: MIT */
/*
 * What the import-job subcommands (settings, locations, job, ship,
 * status) share: printing of addresses, locations, jobs and JSON.
 */
#ifndef DS_APICLI_H
#define DS_APICLI_H

#include <stdio.h>

struct ds_address;
struct ds_job;
struct ds_location;

/* Prints an address, each line indented by INDENT spaces. */
void	apicli_address(FILE *f, const struct ds_address *a, int indent);

/* Prints a location: name, address, carriers. */
void	apicli_location(FILE *f, const struct ds_location *l);

/* Prints a job's state and each drive's state, progress and logs. */
void	apicli_job(FILE *f, const struct ds_job *j);

/* Prints a JSON value (a json_t *) and frees it; -1 when J is NULL. */
int	apicli_json(FILE *f, void *j);

#endif
