/* SPDX-License-Identifier: MIT */
/* Checks of user-typed names, before any call to the service. */
#include "config.h"

#include <string.h>

#include "error.h"
#include "names.h"

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
is_alpha(int c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
bad(char **cause, const char *what, const char *name, const char *rule)
{
	return ds_cause(cause, DS_E_BADNAME, "%s '%s': %s", what, name, rule);
}

int
ds_name_check_job(const char *name, char **cause)
{
	const char	*rule = _("3 to 64 lowercase letters, digits and "
			    "hyphens, starting with a letter");
	size_t		 i, len = strlen(name);

	if (len < 3 || len > 64 || !is_lower((unsigned char)name[0]))
		return bad(cause, _("job name"), name, rule);
	for (i = 0; i < len; i++) {
		if (!is_lower((unsigned char)name[i]) &&
		    !is_digit((unsigned char)name[i]) && name[i] != '-')
			return bad(cause, _("job name"), name, rule);
	}
	return DS_E_OK;
}

int
ds_name_check_account(const char *name, char **cause)
{
	const char	*rule = _("3 to 24 lowercase letters and digits");
	size_t		 i, len = strlen(name);

	if (len < 3 || len > 24)
		return bad(cause, _("storage account"), name, rule);
	for (i = 0; i < len; i++) {
		if (!is_lower((unsigned char)name[i]) &&
		    !is_digit((unsigned char)name[i]))
			return bad(cause, _("storage account"), name, rule);
	}
	return DS_E_OK;
}

int
ds_name_check_container(const char *name, char **cause)
{
	const char	*rule = _("3 to 63 lowercase letters, digits and "
			    "hyphens, starting and ending with a letter or "
			    "digit, no two hyphens in a row");
	size_t		 i, len = strlen(name);

	if (len < 3 || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return bad(cause, _("container"), name, rule);
	for (i = 0; i < len; i++) {
		if (name[i] == '-' && name[i + 1] == '-')
			return bad(cause, _("container"), name, rule);
		if (!is_lower((unsigned char)name[i]) &&
		    !is_digit((unsigned char)name[i]) && name[i] != '-')
			return bad(cause, _("container"), name, rule);
	}
	return DS_E_OK;
}

int
ds_name_check_group(const char *name, char **cause)
{
	const char	*rule = _("1 to 90 letters, digits, '-', '_', '.', "
			    "'(' and ')', not ending with '.'");
	size_t		 i, len = strlen(name);

	if (len < 1 || len > 90 || name[len - 1] == '.')
		return bad(cause, _("resource group"), name, rule);
	for (i = 0; i < len; i++) {
		int c = (unsigned char)name[i];
		if (!is_alpha(c) && !is_digit(c) && strchr("-_.()", c) == NULL)
			return bad(cause, _("resource group"), name, rule);
	}
	return DS_E_OK;
}

int
ds_name_check_subscription(const char *id, char **cause)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	const char	*p = id;
	size_t		 g;
	int		 i;

	for (g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		for (i = 0; i < groups[g]; i++, p++) {
			if (!is_hex((unsigned char)*p))
				goto fail;
		}
		if (g + 1 < sizeof groups / sizeof groups[0] && *p++ != '-')
			goto fail;
	}
	if (*p == '\0')
		return DS_E_OK;
fail:
	return bad(cause, _("subscription id"), id,
	    _("a GUID such as 01234567-89ab-cdef-0123-456789abcdef"));
}

int
ds_name_check_location(const char *name, char **cause)
{
	const char	*rule = _("1 to 64 letters, digits and spaces");
	size_t		 i, len = strlen(name);

	if (len < 1 || len > 64)
		return bad(cause, _("location"), name, rule);
	for (i = 0; i < len; i++) {
		int c = (unsigned char)name[i];
		if (!is_alpha(c) && !is_digit(c) && c != ' ')
			return bad(cause, _("location"), name, rule);
	}
	return DS_E_OK;
}
