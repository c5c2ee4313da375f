/* SPDX-License-Identifier: MIT */
/*
 * Checks of the names a user types (DESIGN.md "Names the user types"),
 * made before any call to the service so a typo costs no round trip.
 * Each returns DS_E_OK or DS_E_BADNAME with *cause saying what is wrong.
 */
#ifndef DS_NAMES_H
#define DS_NAMES_H

/* Import job: 3-64 lowercase letters, digits, hyphens; a letter first. */
int	ds_name_check_job(const char *name, char **cause);

/* Storage account: 3-24 lowercase letters and digits. */
int	ds_name_check_account(const char *name, char **cause);

/*
 * Container: 3-63 lowercase letters, digits and hyphens, a letter or
 * digit first and last, no two hyphens in a row.
 */
int	ds_name_check_container(const char *name, char **cause);

/* Resource group: 1-90 letters, digits, '-', '_', '.', '(' and ')'. */
int	ds_name_check_group(const char *name, char **cause);

/* Subscription id: a GUID (8-4-4-4-12 hex digits). */
int	ds_name_check_subscription(const char *id, char **cause);

/* Location: 1-64 letters, digits and spaces (as "West US" or "westus"). */
int	ds_name_check_location(const char *name, char **cause);

#endif
