/* SPDX-License-Identifier: MIT */
/*
 * Drive eligibility: what the system uses (mounts, swap, holders) and the
 * size limits. The sources are the kernel's own (/proc/self/mountinfo,
 * /proc/swaps, /sys); tests replace them through umockdev's /proc and /sys.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drives-int.h"
#include "error.h"
#include "util.h"

#define MOUNTINFO	"/proc/self/mountinfo"
#define SWAPS		"/proc/swaps"
#define SLAVE_DEPTH	8

/* Undoes the octal escapes (\040) of mountinfo and swaps in place. */
static void
unescape_octal(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static int
is_system_mount(const char *mp)
{
	return strcmp(mp, "/") == 0 || strcmp(mp, "/boot") == 0 ||
	    strncmp(mp, "/boot/", 6) == 0 || strcmp(mp, "/usr") == 0;
}

static int
add_dev(dev_t **v, size_t *n, dev_t dev)
{
	dev_t	*nv;
	size_t	 i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == dev)
			return 0;
	if ((nv = reallocarray(*v, *n + 1, sizeof *nv)) == NULL)
		return -1;
	nv[(*n)++] = dev;
	*v = nv;
	return 0;
}

/* Adds DEV and, for dm and md devices, what they are built on. */
static int
add_with_slaves(struct ds_sysuse *su, dev_t dev, int depth)
{
	char		 path[PATH_MAX], *s;
	DIR		*dir;
	struct dirent	*de;
	dev_t		 slave;
	int		 rc = 0;

	if (add_dev(&su->system, &su->nsystem, dev) == -1)
		return -1;
	if (depth >= SLAVE_DEPTH)
		return 0;
	snprintf(path, sizeof path, "/sys/dev/block/%u:%u/slaves",
	    major(dev), minor(dev));
	if ((dir = opendir(path)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/class/block/%s", de->d_name);
		s = ds_sysfs_read(path, "dev");
		if (ds_parse_devnum(s, &slave) == 0)
			rc = add_with_slaves(su, slave, depth + 1);
		free(s);
	}
	closedir(dir);
	return rc;
}

int
ds_mountinfo_parse(char *line, struct ds_mount *m)
{
	char	*field[6], *p, *dash;
	int	 i;

	dash = strstr(line, " - ");
	if (dash == NULL)
		return -1;
	*dash = '\0';
	p = line;
	for (i = 0; i < 5; i++) {
		if ((field[i] = strsep(&p, " ")) == NULL)
			return -1;
	}
	if (ds_parse_devnum(field[2], &m->dev) == -1)
		return -1;
	/* After " - ": fstype, source, options. */
	p = dash + 3;
	if (strsep(&p, " ") == NULL || (field[5] = strsep(&p, " ")) == NULL)
		return -1;
	unescape_octal(field[4]);
	unescape_octal(field[5]);
	m->mountpoint = strdup(field[4]);
	m->source = strdup(field[5]);
	if (m->mountpoint == NULL || m->source == NULL) {
		free(m->mountpoint);
		free(m->source);
		return -2;
	}
	return 0;
}

static int
load_mounts(struct ds_sysuse *su, char **cause)
{
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	struct ds_mount	 m, *v;
	int		 rc, error = DS_E_OK;

	if ((f = fopen(MOUNTINFO, "re")) == NULL)
		return ds_cause(cause, DS_E_IO, "%s: %s", MOUNTINFO,
		    strerror(errno));
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if ((rc = ds_mountinfo_parse(line, &m)) == -1)
			continue;
		if (rc == -2 || (v = reallocarray(su->mounts, su->nmounts + 1,
		    sizeof *v)) == NULL) {
			if (rc == 0) {
				free(m.mountpoint);
				free(m.source);
			}
			error = ds_cause(cause, DS_E_NOMEM, MOUNTINFO);
			break;
		}
		su->mounts = v;
		su->mounts[su->nmounts++] = m;
		if (is_system_mount(m.mountpoint) &&
		    add_with_slaves(su, m.dev, 0) == -1) {
			error = ds_cause(cause, DS_E_NOMEM, MOUNTINFO);
			break;
		}
	}
	free(line);
	fclose(f);
	return error;
}

static int
load_swaps(struct ds_sysuse *su, char **cause)
{
	FILE	*f;
	char	*line = NULL, *p, *name, **v;
	size_t	 cap = 0;
	int	 first = 1, error = DS_E_OK;

	if ((f = fopen(SWAPS, "re")) == NULL)
		return DS_E_OK;		/* no swap support at all */
	while (getline(&line, &cap, f) != -1) {
		if (first) {		/* the header */
			first = 0;
			continue;
		}
		p = line;
		name = strsep(&p, " \t\n");
		if (name == NULL || *name == '\0')
			continue;
		unescape_octal(name);
		if ((v = reallocarray(su->swaps, su->nswaps + 1, sizeof *v)) ==
		    NULL || (v[su->nswaps] = strdup(name)) == NULL) {
			if (v != NULL)
				su->swaps = v;
			error = ds_cause(cause, DS_E_NOMEM, SWAPS);
			break;
		}
		su->swaps = v;
		su->nswaps++;
	}
	free(line);
	fclose(f);
	return error;
}

int
ds_sysuse_load(struct ds_sysuse *su, char **cause)
{
	int error;

	memset(su, 0, sizeof *su);
	if ((error = load_mounts(su, cause)) != DS_E_OK ||
	    (error = load_swaps(su, cause)) != DS_E_OK) {
		ds_sysuse_clear(su);
		return error;
	}
	return DS_E_OK;
}

void
ds_sysuse_clear(struct ds_sysuse *su)
{
	size_t i;

	for (i = 0; i < su->nmounts; i++) {
		free(su->mounts[i].source);
		free(su->mounts[i].mountpoint);
	}
	for (i = 0; i < su->nswaps; i++)
		free(su->swaps[i]);
	free(su->mounts);
	free(su->swaps);
	free(su->system);
	memset(su, 0, sizeof *su);
}

/* The disk and its partitions: names and device numbers. */
struct member {
	char	name[NAME_MAX + 1];
	char	dir[PATH_MAX];
	dev_t	dev;
};

static int
list_members(const struct ds_drive *d, struct member **vp, size_t *np)
{
	struct member	*v, *nv;
	size_t		 n = 1;
	DIR		*dir;
	struct dirent	*de;
	char		 sub[PATH_MAX], *s;

	if ((v = calloc(1, sizeof *v)) == NULL)
		return -1;
	snprintf(v[0].name, sizeof v[0].name, "%s", d->name);
	snprintf(v[0].dir, sizeof v[0].dir, "%s", d->syspath);
	v[0].dev = d->devnum;
	if ((dir = opendir(d->syspath)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof sub, "%s/%s", d->syspath,
			    de->d_name);
			if ((s = ds_sysfs_read(sub, "partition")) == NULL)
				continue;
			free(s);
			if ((nv = reallocarray(v, n + 1, sizeof *v)) == NULL) {
				closedir(dir);
				free(v);
				return -1;
			}
			v = nv;
			memset(&v[n], 0, sizeof v[n]);
			snprintf(v[n].name, sizeof v[n].name, "%s",
			    de->d_name);
			snprintf(v[n].dir, sizeof v[n].dir, "%s", sub);
			s = ds_sysfs_read(sub, "dev");
			if (ds_parse_devnum(s, &v[n].dev) == -1)
				v[n].dev = 0;
			free(s);
			n++;
		}
		closedir(dir);
	}
	*vp = v;
	*np = n;
	return 0;
}

/* Whether the device path P (a mount source, a swap) names member M. */
static int
names_member(const char *p, const struct member *m)
{
	const char	*base;
	struct stat	 st;

	if (strncmp(p, "/dev/", 5) != 0)
		return 0;
	base = strrchr(p, '/') + 1;
	if (strcmp(base, m->name) == 0)
		return 1;
	return m->dev != 0 && stat(p, &st) == 0 && S_ISBLK(st.st_mode) &&
	    st.st_rdev == m->dev;
}

/* Sets reason BIT with a detail, keeping the first detail. */
static int
set_reason(struct ds_drive *d, unsigned bit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
set_reason(struct ds_drive *d, unsigned bit, const char *fmt, ...)
{
	va_list	ap;
	int	i;

	for (i = 0; i < DS_DRIVE_NREASONS; i++)
		if (bit == (1U << i))
			break;
	d->reasons |= bit;
	if (fmt == NULL || d->details[i] != NULL)
		return 0;
	va_start(ap, fmt);
	if (vasprintf(&d->details[i], fmt, ap) == -1)
		d->details[i] = NULL;
	va_end(ap);
	return d->details[i] == NULL ? -1 : 0;
}

/* The first entry of DIR/holders, or NULL; allocated. */
static char *
first_holder(const char *dir)
{
	char		 path[PATH_MAX], *s = NULL;
	DIR		*dp;
	struct dirent	*de;

	snprintf(path, sizeof path, "%s/holders", dir);
	if ((dp = opendir(path)) == NULL)
		return NULL;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] != '.') {
			s = strdup(de->d_name);
			break;
		}
	}
	closedir(dp);
	return s;
}

static int
check_member(struct ds_drive *d, const struct member *m,
    const struct ds_sysuse *su)
{
	size_t	 i;
	char	*h;
	int	 rc = 0;

	for (i = 0; rc == 0 && i < su->nmounts; i++) {
		if ((m->dev == 0 || su->mounts[i].dev != m->dev) &&
		    !names_member(su->mounts[i].source, m))
			continue;
		if (is_system_mount(su->mounts[i].mountpoint))
			rc = set_reason(d, DS_DRIVE_SYSTEM, _("%s on %s"),
			    su->mounts[i].mountpoint, m->name);
		if (rc == 0)
			rc = set_reason(d, DS_DRIVE_MOUNTED, _("%s on %s"),
			    su->mounts[i].mountpoint, m->name);
	}
	for (i = 0; rc == 0 && i < su->nsystem; i++)
		if (m->dev != 0 && su->system[i] == m->dev)
			rc = set_reason(d, DS_DRIVE_SYSTEM,
			    _("%s under /, /usr or /boot"), m->name);
	for (i = 0; rc == 0 && i < su->nswaps; i++)
		if (names_member(su->swaps[i], m))
			rc = set_reason(d, DS_DRIVE_SWAP, "%s", su->swaps[i]);
	if (rc == 0 && (h = first_holder(m->dir)) != NULL) {
		rc = set_reason(d, DS_DRIVE_HOLDERS, _("%s held by %s"),
		    m->name, h);
		free(h);
	}
	return rc;
}

/* Formats BYTES in decimal units, as drive makers and the service do. */
static const char *
decimal_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB",
	    "PB" };
	double	v = (double)bytes;
	int	u = 0;

	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

int
ds_drive_check(struct ds_drive *d, const struct ds_sysuse *su,
    const struct ds_drive_limits *limits, char **cause)
{
	struct member	*m;
	size_t		 n, i;
	char		 a[32], b[32];
	int		 rc = 0;

	if (list_members(d, &m, &n) == -1)
		return ds_cause(cause, DS_E_NOMEM, "%s", d->name);
	for (i = 0; rc == 0 && i < n; i++)
		rc = check_member(d, &m[i], su);
	free(m);
	if (rc == 0 && d->read_only)
		rc = set_reason(d, DS_DRIVE_READONLY, NULL);
	/* Root opens any disk; anyone else only what the modes let. */
	if (rc == 0 && geteuid() != 0 && d->devnode != NULL &&
	    access(d->devnode, R_OK | W_OK) == -1)
		rc = set_reason(d, DS_DRIVE_NOACCESS, "%s", strerror(errno));
	if (rc == 0 && d->size == 0)
		rc = set_reason(d, DS_DRIVE_NOMEDIUM, NULL);
	else if (rc == 0 && d->size < limits->min_size)
		rc = set_reason(d, DS_DRIVE_TOOSMALL, _("%s < %s"),
		    ds_human_size(a, sizeof a, d->size),
		    ds_human_size(b, sizeof b, limits->min_size));
	else if (rc == 0 && d->size > limits->max_size)
		rc = set_reason(d, DS_DRIVE_TOOLARGE, _("%s > %s"),
		    decimal_size(a, sizeof a, d->size),
		    decimal_size(b, sizeof b, limits->max_size));
	if (rc != 0)
		return ds_cause(cause, DS_E_NOMEM, "%s", d->name);
	return DS_E_OK;
}
