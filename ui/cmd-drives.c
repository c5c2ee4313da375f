/* SPDX-License-Identifier: MIT */
/* diskseed drives: list whole disks, watch for hot-plug, show contents. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "drives.h"
#include "error.h"
#include "gate.h"
#include "util.h"

static volatile sig_atomic_t drives_stop;

static const struct ds_cliopt options[] = {
	{ "all", 'a', NULL, N_("also list loop, zram and other virtual "
	    "disks") },
	UI_OPT_JSON('j'),
	{ "watch", 'w', NULL, N_("print drives as they are added, removed or "
	    "changed") },
	{ "show", 's', "D", N_("show drive D and what is on it now") },
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed drives [--json] [--all]\n"
    "       diskseed drives --watch [--json] [--all]\n"
    "       diskseed drives --show D [--json]\n"
    "List whole disks and whether diskseed may write to them.\n");

/* Prints J (consumed) on one line; 0 or -1 without memory. */
static int
print_json(json_t *j)
{
	char *s;

	if (j == NULL)
		return -1;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		return -1;
	puts(s);
	free(s);
	fflush(stdout);
	return 0;
}

/* What a drive holds of diskseed, between BEFORE and AFTER, if any. */
static void
print_seed(const char *before, const struct ds_gate_seed *s,
    const char *after)
{
	char *t;

	if ((t = ds_gate_seed_text(s)) == NULL)
		return;
	printf("%s%s%s", before, t, after);
	free(t);
}

/* What the status column says: why not, and the warnings. */
static void
print_status(const struct ds_drive *d)
{
	unsigned	 bit;
	int		 i, n = 0;

	if (d->reasons == 0)
		fputs(_("eligible"), stdout);
	else
		fputs(_("not eligible:"), stdout);
	for (i = 0; i < DS_DRIVE_NREASONS; i++) {
		bit = 1U << i;
		if (!(d->reasons & bit))
			continue;
		printf("%s %s", n++ > 0 ? ";" : "",
		    _(ds_drive_reason_text(bit)));
		if (d->details[i] != NULL)
			printf(" (%s)", d->details[i]);
	}
	for (i = 0; i < DS_DRIVE_NWARNINGS; i++) {
		bit = 1U << i;
		if (d->warnings & bit)
			printf("; %s %s", _("warning:"),
			    _(ds_drive_warning_text(bit)));
	}
	if (d->serial == NULL || strcmp(d->serial, d->confirm_id) != 0)
		printf("; %s %s", _("confirm with:"), d->confirm_id);
	print_seed("; ", &d->seed, "");
}

static void
print_line(const struct ds_drive *d)
{
	char size[32];

	printf("%-12s %10s %-26s %-22s %-20s ", d->devnode,
	    ds_human_size(size, sizeof size, d->size),
	    _(ds_drive_bus_text(d)), d->model != NULL ? d->model : "-",
	    d->serial != NULL ? d->serial : "-");
	print_status(d);
	putchar('\n');
}

static int
list_drives(const struct ds_drive_limits *limits, int all, int json)
{
	struct ds_drive_list	*l;
	json_t			*a;
	char			*cause = NULL;
	size_t			 i;
	int			 error;

	if ((error = ds_drives_list(limits, all, &l, &cause)) != DS_E_OK)
		return ui_fail(error, cause);
	if (json) {
		if ((a = json_array()) == NULL)
			goto nomem;
		for (i = 0; i < l->n; i++) {
			if (json_array_append_new(a, ds_drive_json(&l->v[i])) !=
			    0) {
				json_decref(a);
				goto nomem;
			}
		}
		if (print_json(a) == -1)
			goto nomem;
	} else {
		/* TRANSLATORS: column headings; keep the widths. */
		printf("%-12s %10s %-26s %-22s %-20s %s\n", _("DEVICE"),
		    _("SIZE"), _("BUS"), _("MODEL"), _("SERIAL"),
		    _("STATUS"));
		for (i = 0; i < l->n; i++)
			print_line(&l->v[i]);
	}
	ds_drive_list_free(l);
	return DS_EXIT_OK;

nomem:
	ds_drive_list_free(l);
	ui_err_code(DS_E_NOMEM, NULL);
	return DS_EXIT_FAILURE;
}

static void
on_signal(int sig)
{
	drives_stop = 1;
}

static int
print_event(const struct ds_drive_event *ev, int all, int json)
{
	json_t	*o;
	int	 rc = 0;

	/* Virtual disks come and go with every losetup; --all shows them. */
	if (!all && ev->is_virtual)
		return 0;
	if (json) {
		if ((o = json_object()) == NULL)
			return -1;
		rc |= json_object_set_new(o, "action",
		    json_string(ds_drive_action_name(ev->action)));
		rc |= json_object_set_new(o, "name", json_string(ev->name));
		rc |= json_object_set_new(o, "path", json_string(ev->devnode));
		rc |= json_object_set_new(o, "drive", ev->drive != NULL ?
		    ds_drive_json(ev->drive) : json_null());
		if (rc != 0) {
			json_decref(o);
			return -1;
		}
		return print_json(o);
	}
	printf("%-6s ", ds_drive_action_name(ev->action));
	if (ev->drive != NULL)
		print_line(ev->drive);
	else
		printf("%s\n", ev->devnode);
	fflush(stdout);
	return 0;
}

static int
watch_drives(const struct ds_drive_limits *limits, int all, int json)
{
	struct ds_drive_monitor	*m;
	struct ds_drive_event	 ev;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	char			*cause = NULL;
	int			 error, got, rc = DS_EXIT_OK;

	if ((error = ds_drive_monitor_new(limits, &m, &cause)) != DS_E_OK)
		return ui_fail(error, cause);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tests wait for this line before they plug anything in. */
	fprintf(stderr, _("watching for drives; Ctrl-C stops\n"));
	pfd.fd = ds_drive_monitor_fd(m);
	pfd.events = POLLIN;
	while (!drives_stop) {
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			ui_err_print("poll: %s", strerror(errno));
			rc = DS_EXIT_FAILURE;
			break;
		}
		for (;;) {
			error = ds_drive_monitor_read(m, &ev, &got, &cause);
			if (error != DS_E_OK) {
				ui_err_code(error, cause);
				cause = NULL;
				rc = DS_EXIT_FAILURE;
				break;
			}
			if (!got)
				break;
			if (print_event(&ev, all, json) == -1) {
				ds_drive_event_clear(&ev);
				ui_err_code(DS_E_NOMEM, NULL);
				rc = DS_EXIT_FAILURE;
				break;
			}
			ds_drive_event_clear(&ev);
		}
		if (rc != DS_EXIT_OK)
			break;
	}
	ds_drive_monitor_free(m);
	return rc;
}

static void
show_contents(const struct ds_drive_contents *c)
{
	const struct ds_drive_part	*p;
	size_t				 i;
	char				 size[32];

	print_seed("", &c->seed, "\n");
	if (c->pttype == NULL && c->fstype == NULL && c->nparts == 0 &&
	    c->seed.is_seed)
		return;
	if (c->pttype == NULL && c->fstype == NULL && c->nparts == 0) {
		printf("%s\n", _("Contents: nothing recognised (empty or "
		    "unknown data)"));
		return;
	}
	if (c->pttype != NULL)
		printf("%-18s %s\n", _("Partition table:"), c->pttype);
	if (c->fstype != NULL)
		printf("%-18s %s%s%s%s\n", _("Filesystem:"), c->fstype,
		    c->label != NULL ? " \"" : "",
		    c->label != NULL ? c->label : "",
		    c->label != NULL ? "\"" : "");
	for (i = 0; i < c->nparts; i++) {
		p = &c->parts[i];
		printf(_("  partition %u: %s, type %s"), p->number,
		    ds_human_size(size, sizeof size, p->size),
		    p->type != NULL ? p->type : "-");
		if (p->fstype != NULL)
			printf(", %s", p->fstype);
		if (p->label != NULL)
			printf(" \"%s\"", p->label);
		putchar('\n');
	}
}

static void
show_drive(const struct ds_drive *d)
{
	char	size[32];

	printf("%-18s %s\n", _("Device:"), d->devnode);
	if (d->by_id != NULL)
		printf("%-18s /dev/disk/by-id/%s\n", _("By id:"), d->by_id);
	printf("%-18s %s\n", _("Vendor:"), d->vendor != NULL ? d->vendor : "-");
	printf("%-18s %s\n", _("Model:"), d->model != NULL ? d->model : "-");
	printf("%-18s %s\n", _("Serial:"), d->serial != NULL ? d->serial : "-");
	printf("%-18s %s (%llu %s)\n", _("Size:"),
	    ds_human_size(size, sizeof size, d->size),
	    (unsigned long long)d->size, _("bytes"));
	printf("%-18s %u / %u\n", _("Sectors:"), d->logical_sector,
	    d->physical_sector);
	printf("%-18s %s\n", _("Bus:"), _(ds_drive_bus_text(d)));
	printf("%-18s %s\n", _("Rotational:"), d->rotational ? _("yes") :
	    _("no"));
	printf("%-18s %s\n", _("Removable:"), d->removable ? _("yes") :
	    _("no"));
	printf("%-18s %s\n", _("Read-only:"), d->read_only ? _("yes") :
	    _("no"));
	printf("%-18s ", _("Status:"));
	print_status(d);
	putchar('\n');
	printf("%-18s %s\n", _("To confirm, type:"), d->confirm_id);
}

static int
show(const char *path, const struct ds_drive_limits *limits, int json)
{
	struct ds_drive			*d = NULL;
	struct ds_drive_contents	*c = NULL;
	struct stat			 st;
	json_t				*o;
	char				*cause = NULL, *id = NULL;
	int				 error, rc = DS_EXIT_FAILURE;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((id = ds_gate_confirm_id(path, &cause)) == NULL)
			return ui_fail(DS_E_NOTFOUND, cause);
	} else if ((error = ds_drive_lookup(path, limits, &d, &cause)) !=
	    DS_E_OK)
		return ui_fail(error, cause);
	if ((error = ds_drive_contents(d != NULL ? d->devnode : path, &c,
	    &cause)) != DS_E_OK && !(d != NULL && !json)) {
		ui_err_code(error, cause);
		goto out;
	}
	if (json) {
		if ((o = json_object()) == NULL ||
		    json_object_set_new(o, "drive", d != NULL ?
		    ds_drive_json(d) : json_null()) != 0 ||
		    json_object_set_new(o, "confirmId", json_string(d != NULL ?
		    d->confirm_id : id)) != 0 ||
		    json_object_set_new(o, "contents",
		    ds_drive_contents_json(c)) != 0) {
			json_decref(o);
			ui_err_code(DS_E_NOMEM, NULL);
			goto out;
		}
		if (print_json(o) == -1) {
			ui_err_code(DS_E_NOMEM, NULL);
			goto out;
		}
	} else {
		if (d != NULL)
			show_drive(d);
		else {
			printf("%-18s %s\n", _("Image file:"), path);
			printf("%-18s %s\n", _("To confirm, type:"), id);
		}
		if (c == NULL) {
			/* The drive is shown; what is on it cannot be. */
			ui_err_code(error, cause);
			goto out;
		}
		show_contents(c);
	}
	rc = DS_EXIT_OK;
out:
	free(id);
	ds_drive_free(d);
	ds_drive_contents_free(c);
	return rc;
}

int
cmd_drives(int argc, char **argv)
{
	struct ds_drive_limits	 limits;
	const char		*showpath = NULL;
	char			*cause = NULL;
	int			 c, all = 0, json = 0, watch = 0, error;

	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'w':
			watch = 1;
			break;
		case 's':
			showpath = optarg;
			break;
		case 'h':
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("drives", NULL);
		}
	}
	if (optind != argc)
		return ui_usage_error("drives", _("unexpected argument '%s'"),
		    argv[optind]);
	if (watch && showpath != NULL)
		return ui_usage_error("drives", "%s", _("--watch and --show "
		    "do not go together"));
	if ((error = ds_drive_limits_init(&limits, &cause)) != DS_E_OK)
		return ui_fail(error, cause);
	if (showpath != NULL)
		return show(showpath, &limits, json);
	if (watch)
		return watch_drives(&limits, all, json);
	return list_drives(&limits, all, json);
}
