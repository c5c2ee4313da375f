/* SPDX-License-Identifier: MIT */
/* The one message table of diskseed's error codes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"

static const char *const messages[] = {
#define DS_ERR(name, exit, msg) msg,
#include "errors-core.def"
#include "errors-engine.def"
#include "errors-drives.def"
#include "errors-api.def"
#include "errors-blob.def"
#include "errors-importd.def"
#include "errors-ui.def"
#undef DS_ERR
};

static const char *const names[] = {
#define DS_ERR(name, exit, msg) #name,
#include "errors-core.def"
#include "errors-engine.def"
#include "errors-drives.def"
#include "errors-api.def"
#include "errors-blob.def"
#include "errors-importd.def"
#include "errors-ui.def"
#undef DS_ERR
};

const char *
ds_strerror(int code)
{
	if (code < 0 || code >= DS_E__COUNT)
		return _("unknown error");
	return _(messages[code]);
}

const char *
ds_errname(int code)
{
	if (code < 0 || code >= DS_E__COUNT)
		return "UNKNOWN";
	return names[code];
}

int
ds_vcause(char **cause, int code, const char *fmt, va_list ap)
{
	char *s;

	if (cause == NULL)
		return code;
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	free(*cause);
	*cause = s;
	return code;
}

int
ds_cause(char **cause, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ds_vcause(cause, code, fmt, ap);
	va_end(ap);
	return code;
}
