/* SPDX-License-Identifier: MIT */
/* The naming rules of the API (NOTES.md) and the job and drive states. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "importd.h"
#include "names.h"

const char *const job_states[] = {
	"Creating", "Shipping", "Received", "Transferring", "Packaging",
	"Completed", "Closed", "Canceled", NULL
};

const char *const drive_states[] = {
	"Specified", "Received", "NeverReceived", "Transferring", "Completed",
	"CompletedMoreInfo", "ShippedBack", NULL
};

int
state_index(const char *const *states, const char *s)
{
	int	i;

	for (i = 0; s != NULL && states[i] != NULL; i++) {
		if (strcmp(states[i], s) == 0)
			return i;
	}
	return -1;
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A GUID: 8-4-4-4-12 hex digits. */
int
valid_guid(const char *s)
{
	static const char	pat[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t			i;

	if (s == NULL || strlen(s) != sizeof pat - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == '-' ? s[i] != '-' : !is_hex((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Job names: the client's one rule (src/names.c). */
int
valid_job_name(const char *s)
{
	return s != NULL && ds_name_check_job(s, NULL) == DS_E_OK;
}

/* Resource groups (Azure's rule, ASCII part): 1 to 90 letters, digits,
 * '_', '-', '.', '(' or ')', not ending in '.'. */
int
valid_rg_name(const char *s)
{
	size_t	i, n;
	int	c;

	if (s == NULL || (n = strlen(s)) < 1 || n > 90 || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!is_lower(c | 0x20) && !is_digit(c) &&
		    strchr("_-.()", c) == NULL)
			return 0;
	}
	return 1;
}

/* Storage accounts: 3 to 24 lowercase letters and digits. */
int
valid_account_name(const char *s)
{
	size_t	i, n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 24)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_lower((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Blob containers: 3 to 63 lowercase letters, digits and single
 * hyphens, starting and ending with a letter or digit; or "$root". */
int
valid_container_name(const char *s)
{
	size_t	i, n;
	int	c;

	if (s != NULL && strcmp(s, "$root") == 0)
		return 1;
	if (s == NULL || (n = strlen(s)) < 3 || n > 63 || s[0] == '-' ||
	    s[n - 1] == '-' || strstr(s, "--") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!is_lower(c) && !is_digit(c) && c != '-')
			return 0;
	}
	return 1;
}

int
valid_container_name_any_case(const char *s)
{
	char	buf[64];
	size_t	i;

	if (s == NULL || strlen(s) >= sizeof buf)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' :
		    s[i]);
	buf[i] = '\0';
	return valid_container_name(buf);
}

void
importd_json_free(void *p)
{
	json_free_t	fn;

	json_get_alloc_funcs(NULL, &fn);
	if (p != NULL)
		fn(p);
}

const char *
importd_now(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	char		tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%07ldZ", tmp, ts.tv_nsec / 100);
	return buf;
}
