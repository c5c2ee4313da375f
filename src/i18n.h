/* SPDX-License-Identifier: MIT */
/* Translation macros, one place for the whole program (GNU hello style). */
#ifndef DS_I18N_H
#define DS_I18N_H

#include <libintl.h>
#include <locale.h>

#define _(s)	gettext(s)
#define N_(s)	(s)
#define P_(s, p, n)	ngettext((s), (p), (n))

#endif
