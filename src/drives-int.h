/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by drives.c, drives-eligible.c and drives-monitor.c;
 * not for other modules.
 */
#ifndef DS_DRIVES_INT_H
#define DS_DRIVES_INT_H

#include <sys/types.h>

#include <stddef.h>

#include "drives.h"

/* What the system uses right now, read once per listing. */
struct ds_mount {
	dev_t		 dev;
	char		*source;	/* "/dev/sda1", or what the fs says */
	char		*mountpoint;
};

struct ds_sysuse {
	struct ds_mount	*mounts;
	size_t		 nmounts;
	char	       **swaps;		/* swap device paths */
	size_t		 nswaps;
	dev_t		*system;	/* devices under / and /boot, with
					   the slaves of dm and md ones */
	size_t		 nsystem;
};

/*
 * Parses one line of /proc/self/mountinfo (changed in place) into M:
 * 0, -1 when malformed, -2 when out of memory. M's strings are
 * allocated (fuzzed by tests/fuzz/fuzz-mountinfo.c).
 */
int	 ds_mountinfo_parse(char *line, struct ds_mount *m);

/* Reads mountinfo, swaps and the devices under / and /boot. */
int	 ds_sysuse_load(struct ds_sysuse *, char **cause);
void	 ds_sysuse_clear(struct ds_sysuse *);

/* Sets D's reasons and details from SU and LIMITS. */
int	 ds_drive_check(struct ds_drive *d, const struct ds_sysuse *su,
	    const struct ds_drive_limits *limits, char **cause);

/* Reads one line of a sysfs file DIR/NAME, trimmed; allocated or NULL. */
char	*ds_sysfs_read(const char *dir, const char *name);

/* Parses "MAJ:MIN" into *DEV; -1 when it is not that. */
int	 ds_parse_devnum(const char *s, dev_t *dev);

/* Fills D from the udev device (a struct udev_device *). */
int	 ds_drive_from_udev(void *udev_device, struct ds_drive *d,
	    char **cause);

/*
 * Sets the duplicate-serial warnings and the confirmation ids of the N
 * drives V, which must be every whole disk the system has.
 */
void	 ds_drives_settle(struct ds_drive *v, size_t n);

/* Frees what D holds, leaving it zeroed. */
void	 ds_drive_clear(struct ds_drive *d);

#endif
