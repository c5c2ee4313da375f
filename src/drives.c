/* SPDX-License-Identifier: MIT */
/* Drive detection: whole disks from libudev, with sysfs as the fallback. */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libudev.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drives-int.h"
#include "error.h"
#include "util.h"

#define BYID_DIR	"/dev/disk/by-id"

struct bit_name {
	const char	*name;
	const char	*text;
};

static const struct bit_name reasons[DS_DRIVE_NREASONS] = {
	{ "system", N_("holds the root or boot filesystem") },
	{ "mounted", N_("has a mounted filesystem") },
	{ "swap", N_("has active swap") },
	{ "holders", N_("is in use by LVM, MD RAID or dm-crypt") },
	{ "read-only", N_("is read-only") },
	{ "too-small", N_("is smaller than the minimum drive size") },
	{ "too-large", N_("is larger than the maximum drive size") },
	{ "no-medium", N_("has no medium (size 0)") },
	{ "no-access", N_("cannot be opened for writing by this user") },
}, warnings[DS_DRIVE_NWARNINGS] = {
	{ "usb-bridge", N_("behind a USB bridge: check the drive's serial "
	    "on its label") },
	{ "duplicate-serial", N_("another drive has the same serial: "
	    "confirm it by its /dev/disk/by-id name") },
	{ "no-serial", N_("no serial number: confirm it by its name") },
};

/* The entry of table T (N long) for the single bit BIT. */
static const struct bit_name *
bit_entry(const struct bit_name *t, int n, unsigned bit)
{
	static const struct bit_name	none = { "", "" };
	int				i;

	for (i = 0; i < n; i++)
		if (bit == (1U << i))
			return &t[i];
	return &none;
}

const char *
ds_drive_reason_text(unsigned r)
{
	return bit_entry(reasons, DS_DRIVE_NREASONS, r)->text;
}

const char *
ds_drive_reason_name(unsigned r)
{
	return bit_entry(reasons, DS_DRIVE_NREASONS, r)->name;
}

const char *
ds_drive_warning_text(unsigned w)
{
	return bit_entry(warnings, DS_DRIVE_NWARNINGS, w)->text;
}

const char *
ds_drive_warning_name(unsigned w)
{
	return bit_entry(warnings, DS_DRIVE_NWARNINGS, w)->name;
}

const char *
ds_drive_bus_text(const struct ds_drive *d)
{
	static const struct {
		const char	*bus;
		const char	*text;
	} t[] = {
		{ "sata", N_("SATA") },
		{ "nvme", N_("NVMe") },
		{ "scsi", N_("SCSI") },
		{ "virtio", N_("virtio") },
		{ "mmc", N_("SD/MMC") },
		{ "loop", N_("loop device") },
		{ "zram", N_("compressed RAM") },
		{ "ram", N_("RAM disk") },
		{ "dm", N_("device mapper") },
		{ "md", N_("MD RAID") },
		{ "virtual", N_("virtual") },
	};
	size_t i;

	if (d->bus == NULL)
		return N_("unknown");
	if (strcmp(d->bus, "usb") == 0)
		return d->sata_bridge ? N_("SATA behind a USB bridge") :
		    N_("USB");
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(d->bus, t[i].bus) == 0)
			return t[i].text;
	return d->bus;
}

int
ds_drive_limits_init(struct ds_drive_limits *l, char **cause)
{
	const char	*s;

	l->min_size = DS_DRIVE_MIN_DEFAULT;
	l->max_size = DS_DRIVE_MAX_DEFAULT;
	if ((s = getenv("DISKSEED_DRIVE_MIN_SIZE")) != NULL && *s != '\0' &&
	    ds_parse_size(s, &l->min_size) == -1)
		return ds_cause(cause, DS_E_INVAL,
		    "DISKSEED_DRIVE_MIN_SIZE=%s", s);
	if ((s = getenv("DISKSEED_DRIVE_MAX_SIZE")) != NULL && *s != '\0' &&
	    ds_parse_size(s, &l->max_size) == -1)
		return ds_cause(cause, DS_E_INVAL,
		    "DISKSEED_DRIVE_MAX_SIZE=%s", s);
	return DS_E_OK;
}

/* Trims white space at both ends in place; NULL for an empty result. */
static char *
trim(char *s)
{
	size_t	len;
	char	*p;

	if (s == NULL)
		return NULL;
	for (p = s; isspace((unsigned char)*p); p++)
		;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	memmove(s, p, len);
	s[len] = '\0';
	if (len == 0) {
		free(s);
		return NULL;
	}
	return s;
}

char *
ds_sysfs_read(const char *dir, const char *name)
{
	char	 path[PATH_MAX], buf[512];
	FILE	*f;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return NULL;
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return trim(strdup(buf));
}

int
ds_parse_devnum(const char *s, dev_t *dev)
{
	unsigned	maj, min;
	char		end;

	if (s == NULL || sscanf(s, "%u:%u%c", &maj, &min, &end) != 2)
		return -1;
	*dev = makedev(maj, min);
	return 0;
}

/* A udev property, or NULL when missing or empty; borrowed. */
static const char *
prop(struct udev_device *dev, const char *key)
{
	const char *v = udev_device_get_property_value(dev, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Decodes udev's \xNN escapes (ID_MODEL_ENC); allocated. */
static char *
udev_unescape(const char *s)
{
	char	*out, *o;
	int	 c;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'x' && isxdigit((unsigned char)s[2])
		    && isxdigit((unsigned char)s[3]) &&
		    sscanf(s + 2, "%2x", (unsigned *)&c) == 1) {
			*o++ = (char)c;
			s += 3;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * An attribute of the nearest ancestor that has it (the SCSI device, the
 * NVMe controller), not going past the bus it hangs off; allocated.
 */
static char *
parent_attr(struct udev_device *dev, const char *attr)
{
	struct udev_device	*p;
	const char		*sub, *v;
	int			 depth;

	p = udev_device_get_parent(dev);
	for (depth = 0; p != NULL && depth < 4; depth++) {
		sub = udev_device_get_subsystem(p);
		if (sub != NULL && (strcmp(sub, "usb") == 0 ||
		    strcmp(sub, "pci") == 0 || strcmp(sub, "platform") == 0))
			break;
		if ((v = udev_device_get_sysattr_value(p, attr)) != NULL)
			return trim(strdup(v));
		p = udev_device_get_parent(p);
	}
	return NULL;
}

/* A name from udev (ENC, then plain with '_' for spaces), else sysfs. */
static char *
udev_name(struct udev_device *dev, const char *enc, const char *plain,
    const char *sysattr)
{
	const char	*v;
	char		*s, *p;

	if ((v = prop(dev, enc)) != NULL)
		return trim(udev_unescape(v));
	if ((v = prop(dev, plain)) != NULL) {
		if ((s = strdup(v)) == NULL)
			return NULL;
		for (p = s; *p != '\0'; p++)
			if (*p == '_')
				*p = ' ';
		return trim(s);
	}
	if (sysattr == NULL)
		return NULL;
	return parent_attr(dev, sysattr);
}

/* Reads the unit serial from a SCSI VPD page 0x80 in sysfs. */
static char *
vpd_serial(const char *syspath)
{
	char		 path[PATH_MAX];
	unsigned char	 buf[256];
	FILE		*f;
	size_t		 n, len;
	char		*s;

	snprintf(path, sizeof path, "%s/device/vpd_pg80", syspath);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (n < 4 || buf[1] != 0x80)
		return NULL;
	len = buf[3];
	if (len > n - 4)
		len = n - 4;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, buf + 4, len);
	s[len] = '\0';
	return trim(s);
}

static char *
find_serial(struct udev_device *dev)
{
	const char	*syspath = udev_device_get_syspath(dev), *v;
	char		*s;

	if ((v = prop(dev, "ID_SERIAL_SHORT")) != NULL ||
	    (v = prop(dev, "ID_SCSI_SERIAL")) != NULL)
		return trim(strdup(v));
	if ((s = ds_sysfs_read(syspath, "serial")) != NULL)	/* virtio */
		return s;
	if ((s = parent_attr(dev, "serial")) != NULL)		/* nvme, mmc */
		return s;
	return vpd_serial(syspath);
}

/* The transport, from udev's ID_BUS or else the sysfs path. */
static void
find_bus(struct udev_device *dev, struct ds_drive *d)
{
	const char	*path = d->syspath, *v;
	const char	*bus = NULL;
	static const char *virt[] = { "loop", "zram", "ram", "dm-", "md",
	    "nbd" };
	size_t		 i;

	if (strstr(path, "/devices/virtual/") != NULL) {
		d->is_virtual = 1;
		bus = "virtual";
		for (i = 0; i < sizeof virt / sizeof virt[0]; i++) {
			if (strncmp(d->name, virt[i], strlen(virt[i])) == 0) {
				bus = virt[i];
				break;
			}
		}
		d->bus = strndup(bus, strcspn(bus, "-"));
		return;
	}
	if (strstr(path, "/usb") != NULL ||
	    ((v = prop(dev, "ID_BUS")) != NULL && strcmp(v, "usb") == 0)) {
		bus = "usb";
		v = prop(dev, "ID_USB_DRIVER");
		if (prop(dev, "ID_ATA") != NULL ||
		    prop(dev, "ID_ATA_SATA") != NULL ||
		    (v != NULL && strcmp(v, "uas") == 0) || d->rotational)
			d->sata_bridge = 1;
		d->warnings |= DS_DRIVE_USBBRIDGE;
	} else if (strncmp(d->name, "nvme", 4) == 0 ||
	    strstr(path, "/nvme") != NULL)
		bus = "nvme";
	else if (strstr(path, "/virtio") != NULL)
		bus = "virtio";
	else if (strstr(path, "/mmc") != NULL)
		bus = "mmc";
	else if (strstr(path, "/ata") != NULL ||
	    ((v = prop(dev, "ID_BUS")) != NULL && strcmp(v, "ata") == 0))
		bus = "sata";
	else if (strstr(path, "/host") != NULL ||
	    ((v = prop(dev, "ID_BUS")) != NULL && strcmp(v, "scsi") == 0))
		bus = "scsi";
	d->bus = bus != NULL ? strdup(bus) : NULL;
}

static int
str_in(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static int
push_name(char ***vp, size_t *np, const char *s)
{
	char **v;

	if (str_in(*vp, s))
		return 0;
	if ((v = reallocarray(*vp, *np + 2, sizeof *v)) == NULL)
		return -1;
	*vp = v;
	if ((v[*np] = strdup(s)) == NULL)
		return -1;
	v[++*np] = NULL;
	return 0;
}

/* Preference of a by-id name: lower is better; partitions are skipped. */
static int
byid_rank(const char *s)
{
	static const char *pref[] = { "ata-", "nvme-", "scsi-", "usb-",
	    "virtio-", "mmc-", "wwn-" };
	size_t	i;
	const char *p = strstr(s, "-part");

	if (p != NULL && p[5] != '\0' && strspn(p + 5, "0123456789") ==
	    strlen(p + 5))
		return -1;
	for (i = 0; i < sizeof pref / sizeof pref[0]; i++)
		if (strncmp(s, pref[i], strlen(pref[i])) == 0)
			return (int)i;
	return (int)i;
}

static int
byid_cmp(const void *a, const void *b)
{
	const char	*sa = *(char *const *)a, *sb = *(char *const *)b;
	int		 ra = byid_rank(sa), rb = byid_rank(sb);

	return ra != rb ? ra - rb : strcmp(sa, sb);
}

/* Collects the disk's /dev/disk/by-id names, from udev and the folder. */
static int
find_byids(struct udev_device *dev, struct ds_drive *d)
{
	struct udev_list_entry	*e;
	DIR			*dir;
	struct dirent		*de;
	char			 path[PATH_MAX], target[PATH_MAX];
	const char		*s, *base;
	ssize_t			 len;
	size_t			 n = 0;

	udev_list_entry_foreach(e, udev_device_get_devlinks_list_entry(dev)) {
		s = udev_list_entry_get_name(e);
		if (strncmp(s, BYID_DIR "/", sizeof BYID_DIR) == 0 &&
		    byid_rank(s + sizeof BYID_DIR) != -1 &&
		    push_name(&d->by_ids, &n, s + sizeof BYID_DIR) == -1)
			return -1;
	}
	if ((dir = opendir(BYID_DIR)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' || byid_rank(de->d_name) == -1)
				continue;
			snprintf(path, sizeof path, BYID_DIR "/%s", de->d_name);
			len = readlink(path, target, sizeof target - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			base = strrchr(target, '/');
			base = base != NULL ? base + 1 : target;
			if (strcmp(base, d->name) == 0 &&
			    push_name(&d->by_ids, &n, de->d_name) == -1) {
				closedir(dir);
				return -1;
			}
		}
		closedir(dir);
	}
	if (n > 0) {
		qsort(d->by_ids, n, sizeof *d->by_ids, byid_cmp);
		if ((d->by_id = strdup(d->by_ids[0])) == NULL)
			return -1;
	}
	return 0;
}

static unsigned
attr_uint(const char *syspath, const char *name, unsigned dflt)
{
	char		*s = ds_sysfs_read(syspath, name);
	unsigned long	 v;
	char		*end;

	if (s == NULL)
		return dflt;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > UINT_MAX)
		v = dflt;
	free(s);
	return (unsigned)v;
}

int
ds_drive_from_udev(void *udev_device, struct ds_drive *d, char **cause)
{
	struct udev_device	*dev = udev_device;
	const char		*s;
	char			*v;
	unsigned long long	 sectors;

	memset(d, 0, sizeof *d);
	if ((s = udev_device_get_sysname(dev)) == NULL ||
	    (d->name = strdup(s)) == NULL ||
	    (d->syspath = strdup(udev_device_get_syspath(dev))) == NULL)
		goto nomem;
	if ((s = udev_device_get_devnode(dev)) != NULL)
		d->devnode = strdup(s);
	else if (asprintf(&d->devnode, "/dev/%s", d->name) == -1)
		d->devnode = NULL;
	if (d->devnode == NULL)
		goto nomem;
	d->devnum = udev_device_get_devnum(dev);
	if ((v = ds_sysfs_read(d->syspath, "size")) != NULL) {
		sectors = strtoull(v, NULL, 10);
		free(v);
		d->size = sectors * 512;
	}
	d->logical_sector = attr_uint(d->syspath, "queue/logical_block_size",
	    512);
	d->physical_sector = attr_uint(d->syspath,
	    "queue/physical_block_size", d->logical_sector);
	d->rotational = attr_uint(d->syspath, "queue/rotational", 0) != 0;
	d->removable = attr_uint(d->syspath, "removable", 0) != 0;
	d->read_only = attr_uint(d->syspath, "ro", 0) != 0;
	find_bus(dev, d);
	if (!d->is_virtual) {
		/* virtio's device/vendor is a PCI id, not a name. */
		d->vendor = udev_name(dev, "ID_VENDOR_ENC", "ID_VENDOR",
		    d->bus != NULL && strcmp(d->bus, "virtio") == 0 ?
		    NULL : "vendor");
		d->model = udev_name(dev, "ID_MODEL_ENC", "ID_MODEL",
		    "model");
		if (d->model == NULL)
			d->model = parent_attr(dev, "name");	/* mmc */
		d->serial = find_serial(dev);
	}
	if (find_byids(dev, d) == -1)
		goto nomem;
	return DS_E_OK;

nomem:
	ds_drive_clear(d);
	return ds_cause(cause, DS_E_NOMEM, "%s", udev_device_get_syspath(dev));
}

/* The serial without white space: the driveId the import job names. */
static char *
squeeze(const char *s)
{
	char	*out, *o;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			*o++ = *s;
	*o = '\0';
	return out;
}

/* Whether another drive of V also has by-id name NAME. */
static int
byid_shared(struct ds_drive *v, size_t n, size_t self, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (i != self && str_in(v[i].by_ids, name))
			return 1;
	return 0;
}

void
ds_drives_settle(struct ds_drive *v, size_t n)
{
	size_t		 i, j;
	const char	*id;
	char	       **b;

	for (i = 0; i < n; i++) {
		if (v[i].serial == NULL)
			continue;
		for (j = 0; j < n; j++) {
			if (j != i && v[j].serial != NULL &&
			    strcmp(v[i].serial, v[j].serial) == 0)
				v[i].warnings |= DS_DRIVE_DUPSERIAL;
		}
	}
	for (i = 0; i < n; i++) {
		free(v[i].confirm_id);
		free(v[i].drive_id);
		id = NULL;
		if (v[i].serial != NULL &&
		    !(v[i].warnings & DS_DRIVE_DUPSERIAL))
			id = v[i].serial;
		else {
			/* A by-id name no other disk has, best first. */
			for (b = v[i].by_ids; b != NULL && *b != NULL; b++) {
				if (!byid_shared(v, n, i, *b)) {
					id = *b;
					break;
				}
			}
		}
		if (id == NULL) {
			/* Nothing stable names it: the kernel name does. */
			id = v[i].name;
			if (v[i].serial == NULL)
				v[i].warnings |= DS_DRIVE_NOSERIAL;
		}
		v[i].confirm_id = strdup(id);
		v[i].drive_id = squeeze(v[i].serial != NULL ? v[i].serial :
		    id);
	}
}

void
ds_drive_clear(struct ds_drive *d)
{
	char	**b;
	int	  i;

	if (d == NULL)
		return;
	free(d->name);
	free(d->devnode);
	free(d->syspath);
	free(d->by_id);
	free(d->vendor);
	free(d->model);
	free(d->serial);
	free(d->bus);
	for (i = 0; i < DS_DRIVE_NREASONS; i++)
		free(d->details[i]);
	free(d->confirm_id);
	free(d->drive_id);
	for (b = d->by_ids; b != NULL && *b != NULL; b++)
		free(*b);
	free(d->by_ids);
	ds_gate_seed_clear(&d->seed);
	memset(d, 0, sizeof *d);
}

void
ds_drive_free(struct ds_drive *d)
{
	ds_drive_clear(d);
	free(d);
}

void
ds_drive_list_free(struct ds_drive_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		ds_drive_clear(&l->v[i]);
	free(l->v);
	free(l);
}

/* Reads every whole disk the system has, checked, into *LIST. */
static int
enumerate(const struct ds_drive_limits *limits, struct ds_drive_list **list,
    char **cause)
{
	struct udev		*udev = NULL;
	struct udev_enumerate	*en = NULL;
	struct udev_list_entry	*e;
	struct udev_device	*dev;
	struct ds_drive_list	*l;
	struct ds_drive		*v;
	struct ds_sysuse	 su;
	size_t			 i;
	int			 error;

	memset(&su, 0, sizeof su);
	if ((l = calloc(1, sizeof *l)) == NULL)
		return ds_cause(cause, DS_E_NOMEM, "drives");
	if ((udev = udev_new()) == NULL || (en = udev_enumerate_new(udev)) ==
	    NULL) {
		error = ds_cause(cause, DS_E_NOMEM, "udev");
		goto fail;
	}
	if (udev_enumerate_add_match_subsystem(en, "block") < 0 ||
	    udev_enumerate_add_match_property(en, "DEVTYPE", "disk") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		error = ds_cause(cause, DS_E_IO, _("cannot list block "
		    "devices: %s"), strerror(errno));
		goto fail;
	}
	if ((error = ds_sysuse_load(&su, cause)) != DS_E_OK)
		goto fail;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		dev = udev_device_new_from_syspath(udev,
		    udev_list_entry_get_name(e));
		if (dev == NULL)
			continue;	/* gone meanwhile */
		if ((v = reallocarray(l->v, l->n + 1, sizeof *v)) == NULL) {
			udev_device_unref(dev);
			error = ds_cause(cause, DS_E_NOMEM, "drives");
			goto fail;
		}
		l->v = v;
		error = ds_drive_from_udev(dev, &l->v[l->n], cause);
		udev_device_unref(dev);
		if (error != DS_E_OK)
			goto fail;
		l->n++;
		error = ds_drive_check(&l->v[l->n - 1], &su, limits, cause);
		if (error != DS_E_OK)
			goto fail;
		/* What it holds of diskseed, where this user may read it. */
		ds_gate_seed_read(l->v[l->n - 1].devnode, &l->v[l->n - 1].seed,
		    NULL);
	}
	ds_drives_settle(l->v, l->n);
	for (i = 0; i < l->n; i++) {
		if (l->v[i].confirm_id == NULL || l->v[i].drive_id == NULL) {
			error = ds_cause(cause, DS_E_NOMEM, "drives");
			goto fail;
		}
	}
	ds_sysuse_clear(&su);
	udev_enumerate_unref(en);
	udev_unref(udev);
	*list = l;
	return DS_E_OK;

fail:
	ds_sysuse_clear(&su);
	ds_drive_list_free(l);
	udev_enumerate_unref(en);
	udev_unref(udev);
	return error;
}

/* Eligible first, virtual last, then by name (sdb before sdaa). */
static int
drive_order(const void *a, const void *b)
{
	const struct ds_drive *da = a, *db = b;

	if ((da->reasons == 0) != (db->reasons == 0))
		return da->reasons == 0 ? -1 : 1;
	if (da->is_virtual != db->is_virtual)
		return da->is_virtual ? 1 : -1;
	return strverscmp(da->name, db->name);
}

int
ds_drives_list(const struct ds_drive_limits *limits, int all,
    struct ds_drive_list **list, char **cause)
{
	struct ds_drive_list	*l;
	size_t			 i, kept = 0;
	int			 error;

	if ((error = enumerate(limits, &l, cause)) != DS_E_OK)
		return error;
	for (i = 0; i < l->n; i++) {
		/* Unused loop devices and idle zram are not drives. */
		if (l->v[i].is_virtual && (!all || l->v[i].size == 0)) {
			ds_drive_clear(&l->v[i]);
			continue;
		}
		if (kept != i)
			l->v[kept] = l->v[i];
		kept++;
	}
	l->n = kept;
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, drive_order);
	*list = l;
	return DS_E_OK;
}

/*
 * The device number of a udev link (by-id names point at the kernel's
 * node, "../../sda"); resolving the name keeps a test bed's /dev working.
 */
static int
link_devnum(const char *path, dev_t *dev)
{
	struct stat	 st;
	char		 buf[PATH_MAX], target[PATH_MAX];
	const char	*base;
	ssize_t		 len;

	if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    (len = readlink(path, target, sizeof target - 1)) <= 0)
		return -1;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if ((size_t)snprintf(buf, sizeof buf, "/dev/%s", base) >= sizeof buf ||
	    stat(buf, &st) == -1 || !S_ISBLK(st.st_mode))
		return -1;
	*dev = st.st_rdev;
	return 0;
}

/* The device number PATH stands for (a node, a by-id link, a name). */
static int
path_devnum(const char *path, dev_t *dev, char **cause)
{
	struct stat	 st;
	char		 buf[PATH_MAX];

	if (strchr(path, '/') == NULL) {
		if ((size_t)snprintf(buf, sizeof buf, "/dev/%s", path) >=
		    sizeof buf)
			return ds_cause(cause, DS_E_NOTFOUND, "%s", path);
		if (stat(buf, &st) == -1) {
			if ((size_t)snprintf(buf, sizeof buf, BYID_DIR "/%s",
			    path) >= sizeof buf)
				return ds_cause(cause, DS_E_NOTFOUND, "%s",
				    path);
			return path_devnum(buf, dev, cause);
		}
		path = buf;
	}
	if (link_devnum(path, dev) == 0)
		return DS_E_OK;
	if (stat(path, &st) == -1)
		return ds_cause(cause, DS_E_NOTFOUND, "%s: %s", path,
		    strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		*dev = st.st_rdev;
		return DS_E_OK;
	}
	return ds_cause(cause, DS_E_NOTFOUND, _("%s is not a block device"),
	    path);
}

int
ds_drive_lookup(const char *path, const struct ds_drive_limits *limits,
    struct ds_drive **drive, char **cause)
{
	struct ds_drive_list	*l;
	struct ds_drive		*d;
	dev_t			 dev;
	size_t			 i;
	char			 sys[PATH_MAX], *part;
	int			 error;

	if ((error = path_devnum(path, &dev, cause)) != DS_E_OK)
		return error;
	if ((error = enumerate(limits, &l, cause)) != DS_E_OK)
		return error;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].devnum != dev)
			continue;
		if ((d = malloc(sizeof *d)) == NULL) {
			ds_drive_list_free(l);
			return ds_cause(cause, DS_E_NOMEM, "%s", path);
		}
		*d = l->v[i];
		memset(&l->v[i], 0, sizeof l->v[i]);
		ds_drive_list_free(l);
		*drive = d;
		return DS_E_OK;
	}
	ds_drive_list_free(l);
	snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u", major(dev),
	    minor(dev));
	if ((part = ds_sysfs_read(sys, "partition")) != NULL) {
		free(part);
		return ds_cause(cause, DS_E_INELIGIBLE, _("%s is a partition; "
		    "give the whole disk"), path);
	}
	return ds_cause(cause, DS_E_NOTFOUND, _("%s is not a whole disk"),
	    path);
}
