/* SPDX-License-Identifier: MIT */
/*
 * Log escaping: a log line of the service holds bytes a client sent
 * (request target, User-Agent); escaped here, in one place, so that no
 * client can forge a line or send terminal controls to an operator.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importd.h"

char *
importd_log_escape(const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p;
	char			*out, *o;
	size_t			 len;

	if (s == NULL)
		s = "-";
	len = strlen(s);
	if (len > (SIZE_MAX - 1) / 4 || (out = malloc(len * 4 + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s, o = out; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '"') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[*p >> 4];
		*o++ = hex[*p & 0xf];
	}
	*o = '\0';
	return out;
}
