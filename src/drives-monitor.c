/* SPDX-License-Identifier: MIT */
/*
 * Hot-plug: a udev monitor on whole disks. With udevd running it listens
 * to udev's events (the database is complete by then); without it (in a
 * container) to the kernel's.
 */
#include "config.h"

#include <fcntl.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drives-int.h"
#include "error.h"

struct ds_drive_monitor {
	struct udev		*udev;
	struct udev_monitor	*mon;
	struct ds_drive_limits	 limits;
};

const char *
ds_drive_action_name(enum ds_drive_action a)
{
	switch (a) {
	case DS_DRIVE_ADD:
		return "add";
	case DS_DRIVE_REMOVE:
		return "remove";
	case DS_DRIVE_CHANGE:
		return "change";
	}
	return "";
}

int
ds_drive_monitor_new(const struct ds_drive_limits *limits,
    struct ds_drive_monitor **out, char **cause)
{
	struct ds_drive_monitor	*m;
	const char		*source;
	int			 flags;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "monitor");
	m->limits = *limits;
	source = access("/run/udev/control", F_OK) == 0 ||
	    getenv("UMOCKDEV_DIR") != NULL ? "udev" : "kernel";
	if ((m->udev = udev_new()) == NULL ||
	    (m->mon = udev_monitor_new_from_netlink(m->udev, source)) ==
	    NULL ||
	    udev_monitor_filter_add_match_subsystem_devtype(m->mon, "block",
	    "disk") < 0 ||
	    udev_monitor_enable_receiving(m->mon) < 0) {
		ds_drive_monitor_free(m);
		return ds_cause(cause, DS_E_IO, _("cannot listen to device "
		    "events"));
	}
	flags = fcntl(udev_monitor_get_fd(m->mon), F_GETFL);
	fcntl(udev_monitor_get_fd(m->mon), F_SETFL, flags | O_NONBLOCK);
	*out = m;
	return DS_E_OK;
}

int
ds_drive_monitor_fd(const struct ds_drive_monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

int
ds_drive_monitor_read(struct ds_drive_monitor *m, struct ds_drive_event *ev,
    int *got, char **cause)
{
	struct udev_device	*dev;
	const char		*action, *s;
	int			 error;

	memset(ev, 0, sizeof *ev);
	*got = 0;
	while ((dev = udev_monitor_receive_device(m->mon)) != NULL) {
		action = udev_device_get_action(dev);
		s = udev_device_get_devtype(dev);
		if (action == NULL || s == NULL || strcmp(s, "disk") != 0) {
			udev_device_unref(dev);
			continue;
		}
		if (strcmp(action, "add") == 0)
			ev->action = DS_DRIVE_ADD;
		else if (strcmp(action, "remove") == 0)
			ev->action = DS_DRIVE_REMOVE;
		else if (strcmp(action, "change") == 0)
			ev->action = DS_DRIVE_CHANGE;
		else {
			udev_device_unref(dev);
			continue;
		}
		ev->name = strdup(udev_device_get_sysname(dev));
		ev->is_virtual = strstr(udev_device_get_syspath(dev),
		    "/devices/virtual/") != NULL;
		s = udev_device_get_devnode(dev);
		if (s != NULL)
			ev->devnode = strdup(s);
		else if (asprintf(&ev->devnode, "/dev/%s", ev->name) == -1)
			ev->devnode = NULL;
		udev_device_unref(dev);
		if (ev->name == NULL || ev->devnode == NULL) {
			ds_drive_event_clear(ev);
			return ds_cause(cause, DS_E_NOMEM, "monitor");
		}
		*got = 1;
		if (ev->action == DS_DRIVE_REMOVE)
			return DS_E_OK;
		/* As it is now, checked against every other disk. */
		error = ds_drive_lookup(ev->devnode, &m->limits, &ev->drive,
		    NULL);
		if (error != DS_E_OK)
			ev->drive = NULL;	/* gone again already */
		return DS_E_OK;
	}
	return DS_E_OK;
}

void
ds_drive_event_clear(struct ds_drive_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->name);
	free(ev->devnode);
	ds_drive_free(ev->drive);
	memset(ev, 0, sizeof *ev);
}

void
ds_drive_monitor_free(struct ds_drive_monitor *m)
{
	if (m == NULL)
		return;
	if (m->mon != NULL)
		udev_monitor_unref(m->mon);
	if (m->udev != NULL)
		udev_unref(m->udev);
	free(m);
}
