/* SPDX-License-Identifier: MIT */
/* diskseed inspect: a drive's header and manifest summary, no key. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "error.h"
#include "restore.h"
#include "util.h"

static const struct ds_cliopt options[] = {
	UI_OPT_JSON('j'),
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed inspect [--json] D\n"
    "Show a drive's header and manifest summary; no key is needed.\n");

int
cmd_inspect(int argc, char **argv)
{
	struct ds_drive_info	 i;
	json_t			*o;
	char			*cause = NULL, a[16], b[16], c[16];
	int			 ch, rc, json = 0;

	while ((ch = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("inspect", NULL);
		}
	}
	if (optind != argc - 1)
		return ui_usage_error("inspect", "%s", _("give one drive"));
	if ((rc = ds_drive_inspect(argv[optind], &i, &cause)) != DS_E_OK)
		return ui_fail(rc, cause);
	if (json) {
		o = json_pack("{s:s, s:i, s:s, s:s?, s:s, s:s?, s:I, s:I, "
		    "s:I, s:I, s:I, s:b, s:b}", "setId", i.set_id,
		    "index", (int)i.index, "job", i.job,
		    "headerHash", i.header_hash,
		    "manifestFile", i.manifest_file,
		    "manifestHash", i.manifest_hash,
		    "size", (json_int_t)i.size,
		    "bytesUsed", (json_int_t)i.bytes_used,
		    "chunks", (json_int_t)i.chunks,
		    "files", (json_int_t)i.files,
		    "streamBytes", (json_int_t)i.stream_bytes,
		    "last", i.last, "complete", i.complete);
		if (o != NULL)
			json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		ds_human_size(a, sizeof a, i.size);
		ds_human_size(b, sizeof b, i.bytes_used);
		ds_human_size(c, sizeof c, i.stream_bytes);
		printf(_("job:            %s\n"), i.job);
		printf(_("drive set:      %s\n"), i.set_id);
		printf(_("drive index:    %u\n"), i.index);
		printf(_("size:           %s (%s used)\n"), a, b);
		printf(_("complete:       %s\n"), i.complete ? _("yes") :
		    _("no"));
		printf(_("last drive:     %s\n"), i.last ? _("yes") : _("no"));
		printf(_("chunks:         %llu\n"),
		    (unsigned long long)i.chunks);
		printf(_("files:          %llu (%s)\n"),
		    (unsigned long long)i.files, c);
		printf(_("manifest file:  %s\n"), i.manifest_file);
		printf(_("manifest hash:  %s\n"), i.manifest_hash ?
		    i.manifest_hash : "-");
		printf(_("header hash:    %s\n"), i.header_hash ?
		    i.header_hash : "-");
	}
	ds_drive_info_clear(&i);
	return DS_EXIT_OK;
}
