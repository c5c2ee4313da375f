/* SPDX-License-Identifier: MIT */
/*
 * Errors are values. Every fallible backend function returns an enum
 * ds_err and, where a detail helps (a path, a drive, a server message),
 * fills an allocated string through a "char **cause" argument that the
 * caller frees. Nothing in src/ prints or exits.
 *
 * The codes and their messages come from one X-macro list per area
 * (src/errors-*.def), so a code can never lack a message.
 */
#ifndef DS_ERROR_H
#define DS_ERROR_H

#include <stdarg.h>

#include "i18n.h"

enum ds_err {
#define DS_ERR(name, exit, msg) DS_E_##name,
#include "errors-core.def"
#include "errors-engine.def"
#include "errors-drives.def"
#include "errors-api.def"
#include "errors-blob.def"
#include "errors-importd.def"
#include "errors-ui.def"
#undef DS_ERR
	DS_E__COUNT
};

/* The translated message of a code; borrowed, never NULL. */
const char *ds_strerror(int code);

/* The code's name ("NOMEM"), for logs and JSON; borrowed, never NULL. */
const char *ds_errname(int code);

/*
 * Sets *cause (when cause is not NULL) to an allocated, formatted detail,
 * freeing what it held. Returns code, so callers can write
 * "return ds_cause(cause, DS_E_IO, "%s: %s", path, strerror(errno));".
 */
int ds_cause(char **cause, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ds_vcause(char **cause, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
