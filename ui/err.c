/* SPDX-License-Identifier: MIT */
/* diskseed's messages, exit codes, usage errors, help and version. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "error.h"
#include "i18n.h"

char ui_progname[] = "diskseed";

/* Each error's exit code, in the order of enum ds_err. */
static const unsigned char exit_codes[] = {
#define DS_ERR(name, exit, msg) DS_EXIT_##exit,
#include "errors-core.def"
#include "errors-engine.def"
#include "errors-drives.def"
#include "errors-api.def"
#include "errors-blob.def"
#include "errors-importd.def"
#include "errors-ui.def"
#undef DS_ERR
};

void
ui_err_print(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ui_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
ui_err_code(int code, char *cause)
{
	if (cause != NULL && *cause != '\0')
		ui_err_print("%s: %s", ds_strerror(code), cause);
	else
		ui_err_print("%s", ds_strerror(code));
	free(cause);
}

int
ui_exit_code(int code)
{
	if (code < 0 || code >= DS_E__COUNT)
		return DS_EXIT_FAILURE;
	return exit_codes[code];
}

int
ui_fail(int code, char *cause)
{
	ui_err_code(code, cause);
	return ui_exit_code(code);
}

int
ui_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	*try;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", ui_progname);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if ((try = ds_cliopt_try(ui_progname, cmd)) != NULL)
		fputs(try, stderr);
	free(try);
	return DS_EXIT_USAGE;
}

int
ui_help(const char *usage, const struct ds_cliopt *t)
{
	char *lines;

	fputs(usage, stdout);
	if (t != NULL && (lines = ds_cliopt_help(t)) != NULL) {
		printf("\n%s\n%s", _("Options:"), lines);
		free(lines);
	}
	return DS_EXIT_OK;
}

void
ui_version(const char *program)
{
	printf("%s %s\n%s", program, PACKAGE_VERSION, ds_cliopt_copyright());
}
