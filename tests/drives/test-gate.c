/* SPDX-License-Identifier: MIT */
/*
 * The format gate on block devices, under umockdev: every ineligible disk
 * of tests/drives/ (*.umockdev) is refused with nothing written, the
 * confirmation id is the serial (the by-id name where serials collide),
 * and a disk that changed since it was listed is refused.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>
#include <unistd.h>

#include "drives-int.h"
#include "drives.h"
#include "error.h"
#include "gate.h"
#include "tap.h"

static UMockdevTestbed	*tb;
static char		 root[1024];

static void
load(const char *name)
{
	char	 path[4096];
	GError	*err = NULL;

	snprintf(path, sizeof path, "%s/tests/drives/%s",
	    getenv("top_srcdir"), name);
	if (!umockdev_testbed_add_from_file(tb, path, &err)) {
		printf("Bail out! %s: %s\n", path, err->message);
		exit(1);
	}
}

static void
copy_in(const char *name, const char *to)
{
	char	 src[4096], dst[4096], buf[4096];
	FILE	*in, *out;
	size_t	 n;

	snprintf(src, sizeof src, "%s/tests/drives/%s", getenv("top_srcdir"),
	    name);
	snprintf(dst, sizeof dst, "%s/%s", root, to);
	if ((in = fopen(src, "r")) == NULL || (out = fopen(dst, "w")) ==
	    NULL) {
		printf("Bail out! %s: %s\n", dst, strerror(errno));
		exit(1);
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

/* The size of the test bed's stand-in for /dev/NAME: 0 means unwritten. */
static long long
node_size(const char *name)
{
	char		path[4096];
	struct stat	st;

	snprintf(path, sizeof path, "%s/dev/%s", root, name);
	if (stat(path, &st) == -1)
		return -1;
	return (long long)st.st_size;
}

/* Opens NAME with its own confirmation id; returns the gate's code. */
static int
open_confirmed(const char *dev, char **cause)
{
	struct ds_gate	 g;
	char		*id;
	int		 rc;

	id = ds_gate_confirm_id(dev, cause);
	rc = ds_gate_open(dev, id != NULL ? id : "", &g, cause);
	free(id);
	if (rc == DS_E_OK)
		ds_gate_close(&g);
	else if (g.fd != -1)
		rc = -1;	/* refused but left open: a bug */
	return rc;
}

static void
refuses(const char *name, const char *dev, int want, const char *why)
{
	char	*cause = NULL;
	int	 rc;

	TEST_START(name);
	rc = open_confirmed(dev, &cause);
	if (rc != want || cause == NULL || strstr(cause, why) == NULL)
		printf("# %s: %s\n", ds_errname(rc), cause ? cause : "");
	ASSERT_INT_EQ(rc, want);
	ASSERT_TRUE(cause != NULL && strstr(cause, why) != NULL);
	ASSERT_INT_EQ(node_size(dev + 5), 0);
	free(cause);
	TEST_DONE();
}

static void
confirm_id_is(const char *dev, const char *want)
{
	char	*id, *cause = NULL;

	TEST_START(dev);
	id = ds_gate_confirm_id(dev, &cause);
	ASSERT_STRING_EQ(id, want);
	free(id);
	free(cause);
	TEST_DONE();
}

static struct ds_drive *
listed(const char *name)
{
	struct ds_drive_limits	 limits;
	struct ds_drive		*d = NULL;

	if (ds_drive_limits_init(&limits, NULL) != DS_E_OK ||
	    ds_drive_lookup(name, &limits, &d, NULL) != DS_E_OK)
		return NULL;
	return d;
}

static char **
names(const char *a, const char *b)
{
	char **v = calloc(3, sizeof *v);

	v[0] = a != NULL ? strdup(a) : NULL;
	v[1] = b != NULL ? strdup(b) : NULL;
	return v;
}

/* Confirmation ids when serials and even by-id names collide. */
static void
settle(void)
{
	struct ds_drive	v[4];
	int		i;

	TEST_START("confirmation ids of colliding drives");
	memset(v, 0, sizeof v);
	v[0].name = strdup("sdx");
	v[0].serial = strdup("0000");
	v[0].by_ids = names("usb-Bridge_0000-0:0", "wwn-0x5000000000000001");
	v[1].name = strdup("sdy");
	v[1].serial = strdup("0000");
	v[1].by_ids = names("usb-Bridge_0000-0:0", "wwn-0x5000000000000002");
	v[2].name = strdup("sdz");
	v[3].name = strdup("sdw");
	v[3].serial = strdup("WD 1234 5678");
	ds_drives_settle(v, 4);
	ASSERT_STRING_EQ(v[0].confirm_id, "wwn-0x5000000000000001");
	ASSERT_STRING_EQ(v[1].confirm_id, "wwn-0x5000000000000002");
	ASSERT_TRUE(v[0].warnings & DS_DRIVE_DUPSERIAL);
	ASSERT_STRING_EQ(v[0].drive_id, "0000");
	ASSERT_STRING_EQ(v[2].confirm_id, "sdz");
	ASSERT_TRUE(v[2].warnings & DS_DRIVE_NOSERIAL);
	ASSERT_STRING_EQ(v[3].confirm_id, "WD 1234 5678");
	ASSERT_STRING_EQ(v[3].drive_id, "WD12345678");
	ASSERT_TRUE(!(v[3].warnings & DS_DRIVE_DUPSERIAL));
	for (i = 0; i < 4; i++)
		ds_drive_clear(&v[i]);
	TEST_DONE();
}

int
main(int argc, char **argv)
{
	struct ds_gate	 g;
	struct ds_drive	*d;
	char		*cause = NULL, img[4096], *dir;
	int		 rc, fd;

	if (getenv("LD_PRELOAD") == NULL ||
	    strstr(getenv("LD_PRELOAD"), "umockdev") == NULL) {
		/* The test bed needs umockdev's preload library. */
		execlp("umockdev-wrapper", "umockdev-wrapper", argv[0],
		    (char *)NULL);
		printf("1..0 # SKIP umockdev-wrapper: %s\n", strerror(errno));
		return 0;
	}
	unsetenv("DISKSEED_DRIVE_MIN_SIZE");
	unsetenv("DISKSEED_DRIVE_MAX_SIZE");
	tb = umockdev_testbed_new();
	dir = umockdev_testbed_get_root_dir(tb);
	snprintf(root, sizeof root, "%s", dir);
	g_free(dir);
	load("sata.umockdev");
	load("usb-sata.umockdev");
	load("usb-dup.umockdev");
	load("root.umockdev");
	load("mounted.umockdev");
	load("lvm.umockdev");
	load("nvme.umockdev");
	load("ro.umockdev");
	load("big.umockdev");
	load("loop.umockdev");
	snprintf(img, sizeof img, "%s/proc/self", root);
	if (g_mkdir_with_parents(img, 0755) == -1) {
		printf("Bail out! %s\n", img);
		return 1;
	}
	copy_in("mountinfo", "proc/self/mountinfo");
	copy_in("swaps", "proc/swaps");

	refuses("root disk", "/dev/sde", DS_E_INELIGIBLE,
	    "holds the root or boot filesystem");
	refuses("mounted disk", "/dev/sdf", DS_E_INELIGIBLE,
	    "/srv/data set on sdf1");
	refuses("swap disk", "/dev/sdg", DS_E_INELIGIBLE, "active swap");
	refuses("LVM member", "/dev/sdh", DS_E_INELIGIBLE, "held by dm-0");
	refuses("read-only disk", "/dev/sdi", DS_E_INELIGIBLE, "read-only");
	refuses("12 TB disk", "/dev/sdj", DS_E_INELIGIBLE, "12.0 TB > 10.0 TB");
	refuses("partition", "/dev/sde1", DS_E_INELIGIBLE, "partition");

	confirm_id_is("/dev/sda", "WD-WCC7K1234567");
	confirm_id_is("/dev/sdb", "57583131413132333435");
	confirm_id_is("/dev/sdc", "usb-JMicron_Generic_0123456789ABCDEF-0:0");
	confirm_id_is("/dev/sdd", "usb-JMicron_Generic_0123456789ABCDEF-0:1");
	confirm_id_is("/dev/nvme0n1", "S4EWNX0R123456");
	confirm_id_is("/dev/loop0", "loop0");
	confirm_id_is("/dev/disk/by-id/"
	    "ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567",
	    "WD-WCC7K1234567");

	TEST_START("unconfirmed");
	rc = ds_gate_open("/dev/sda", NULL, &g, &cause);
	ASSERT_INT_EQ(rc, DS_E_NOTCONFIRMED);
	ASSERT_INT_EQ(g.fd, -1);
	ASSERT_TRUE(strstr(cause, "--confirm WD-WCC7K1234567") != NULL);
	rc = ds_gate_open("/dev/sda", "WD-WCC7K7654321,sdb", &g, &cause);
	ASSERT_INT_EQ(rc, DS_E_NOTCONFIRMED);
	ASSERT_INT_EQ(node_size("sda"), 0);
	TEST_DONE();

	TEST_START("duplicate serial needs the by-id name");
	rc = ds_gate_open("/dev/sdc", "0123456789ABCDEF", &g, &cause);
	ASSERT_INT_EQ(rc, DS_E_NOTCONFIRMED);
	ASSERT_TRUE(strstr(cause, "usb-JMicron_Generic_0123456789ABCDEF-0:0")
	    != NULL);
	ASSERT_INT_EQ(node_size("sdc"), 0);
	TEST_DONE();

	TEST_START("confirmed eligible disk passes the checks");
	/* The test bed's node is a plain file: the gate stops at O_EXCL's
	 * identity check, which a real disk passes (tests/drives/loop.sh). */
	rc = ds_gate_open("/dev/sda", "WD-WCC7K1234567", &g, &cause);
	printf("# %s: %s\n", ds_errname(rc), cause ? cause : "");
	ASSERT_TRUE(rc == DS_E_CHANGED || rc == DS_E_IO);
	ASSERT_INT_EQ(g.fd, -1);
	ASSERT_INT_EQ(node_size("sda"), 0);
	TEST_DONE();

	TEST_START("size changed since listing");
	d = listed("/dev/sdb");
	ASSERT_TRUE(d != NULL);
	umockdev_testbed_set_attribute(tb, "/sys/devices/pci0000:00/"
	    "0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/"
	    "sdb", "size", "1953525168");
	rc = ds_gate_open_listed("/dev/sdb", "57583131413132333435", d, &g,
	    &cause);
	ds_drive_free(d);
	ASSERT_INT_EQ(rc, DS_E_CHANGED);
	ASSERT_INT_EQ(node_size("sdb"), 0);
	TEST_DONE();

	TEST_START("another disk now at the listed node");
	d = listed("/dev/sdb");
	ASSERT_TRUE(d != NULL);
	free(d->serial);
	d->serial = strdup("WD-OTHERDISK");
	rc = ds_gate_open_listed("/dev/sdb", "57583131413132333435", d, &g,
	    &cause);
	ds_drive_free(d);
	ASSERT_INT_EQ(rc, DS_E_CHANGED);
	TEST_DONE();

	TEST_START("configured limits");
	setenv("DISKSEED_DRIVE_MIN_SIZE", "8T", 1);
	ASSERT_INT_EQ(open_confirmed("/dev/sda", &cause), DS_E_INELIGIBLE);
	ASSERT_TRUE(strstr(cause, "smaller than the minimum") != NULL);
	unsetenv("DISKSEED_DRIVE_MIN_SIZE");
	setenv("DISKSEED_DRIVE_MAX_SIZE", "20T", 1);
	rc = open_confirmed("/dev/sdj", &cause);
	ASSERT_TRUE(rc != DS_E_INELIGIBLE && rc != DS_E_OK);
	setenv("DISKSEED_DRIVE_MAX_SIZE", "ten", 1);
	ASSERT_INT_EQ(open_confirmed("/dev/sdj", &cause), DS_E_INVAL);
	unsetenv("DISKSEED_DRIVE_MAX_SIZE");
	TEST_DONE();

	TEST_START("image files keep working");
	snprintf(img, sizeof img, "%s/drive1.img", root);
	fd = open(img, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ASSERT_TRUE(fd != -1 && ftruncate(fd, 1 << 20) == 0);
	close(fd);
	ASSERT_INT_EQ(ds_gate_open(img, "x,drive1.img", &g, &cause), DS_E_OK);
	ASSERT_INT_EQ(g.is_block, 0);
	ASSERT_INT_EQ(g.size, 1 << 20);
	ASSERT_STRING_EQ(g.drive_id, "drive1.img");
	ds_gate_close(&g);
	TEST_DONE();

	TEST_START("root on LVM: the disk under it is the system disk");
	snprintf(img, sizeof img, "%s/proc/self/mountinfo", root);
	ASSERT_TRUE(g_file_set_contents(img, "22 1 253:0 / / rw - ext4 "
	    "/dev/mapper/vg0-data rw\n", -1, NULL));
	d = listed("/dev/sdh");
	ASSERT_TRUE(d != NULL);
	ASSERT_TRUE(d->reasons & DS_DRIVE_SYSTEM);
	ASSERT_TRUE(d->reasons & DS_DRIVE_HOLDERS);
	ASSERT_STRING_EQ(d->details[0], "sdh1 under /, /usr or /boot");
	ds_drive_free(d);
	d = listed("/dev/sde");
	ASSERT_TRUE(d != NULL);
	ASSERT_INT_EQ(d->reasons, 0);
	ds_drive_free(d);
	TEST_DONE();

	settle();
	free(cause);
	g_object_unref(tb);
	return tap_end();
}
