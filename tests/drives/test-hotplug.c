/* SPDX-License-Identifier: MIT */
/*
 * Hot-plug under umockdev: a disk is plugged in and pulled out again,
 * and both the library's monitor and `diskseed drives --watch --json`
 * report it within a second. Waits by polling, never by sleeping.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>

#include "drives.h"
#include "error.h"
#include "tap.h"

#define SDB "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/" \
	"target6:0:0/6:0:0:0/block/sdb"
#define SDA "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/" \
	"0:0:0:0/block/sda"

static UMockdevTestbed	*tb;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
plug(const char *name, const char *syspath)
{
	char	 path[4096];
	GError	*err = NULL;

	snprintf(path, sizeof path, "%s/tests/drives/%s",
	    getenv("top_srcdir"), name);
	if (!umockdev_testbed_add_from_file(tb, path, &err)) {
		printf("Bail out! %s: %s\n", path, err->message);
		exit(1);
	}
	umockdev_testbed_uevent(tb, syspath, "add");
}

static void
unplug(const char *syspath)
{
	umockdev_testbed_uevent(tb, syspath, "remove");
	umockdev_testbed_remove_device(tb, syspath);
}

/* Reads monitor events until one with ACTION arrives or MS pass. */
static int
wait_event(struct ds_drive_monitor *m, enum ds_drive_action action,
    double ms, struct ds_drive_event *ev)
{
	struct pollfd	pfd = { ds_drive_monitor_fd(m), POLLIN, 0 };
	double		end = now_ms() + ms;
	int		got;

	while (now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
			continue;
		while (ds_drive_monitor_read(m, ev, &got, NULL) == DS_E_OK &&
		    got) {
			if (ev->action == action &&
			    strcmp(ev->name, "sdb") == 0)
				return 1;
			ds_drive_event_clear(ev);
		}
	}
	return 0;
}

/* Reads FD into BUF until NEEDLE (and a newline after it) or MS pass. */
static int
wait_text(int fd, char *buf, size_t size, size_t *len, const char *needle,
    double ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	double		 end = now_ms() + ms;
	ssize_t		 n;
	char		*p;

	for (;;) {
		buf[*len] = '\0';
		if ((p = strstr(buf, needle)) != NULL && strchr(p, '\n'))
			return 1;
		if (now_ms() >= end)
			return 0;
		if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
			continue;
		n = read(fd, buf + *len, size - 1 - *len);
		if (n <= 0)
			return 0;
		*len += (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	struct ds_drive_limits	 limits;
	struct ds_drive_monitor	*m = NULL;
	struct ds_drive_event	 ev;
	char			 out[65536], err[4096];
	size_t			 outlen = 0, errlen = 0;
	int			 po[2], pe[2], status;
	pid_t			 pid;
	double			 t0;

	if (getenv("LD_PRELOAD") == NULL ||
	    strstr(getenv("LD_PRELOAD"), "umockdev") == NULL) {
		execlp("umockdev-wrapper", "umockdev-wrapper", argv[0],
		    (char *)NULL);
		printf("1..0 # SKIP umockdev-wrapper: %s\n", strerror(errno));
		return 0;
	}
	tb = umockdev_testbed_new();
	ds_drive_limits_init(&limits, NULL);

	TEST_START("library monitor: add and remove within 1 s");
	ASSERT_INT_EQ(ds_drive_monitor_new(&limits, &m, NULL), DS_E_OK);
	t0 = now_ms();
	plug("usb-sata.umockdev", SDB);
	ASSERT_TRUE(wait_event(m, DS_DRIVE_ADD, 1000, &ev));
	printf("# add seen after %.1f ms\n", now_ms() - t0);
	ASSERT_TRUE(ev.drive != NULL);
	ASSERT_STRING_EQ(ev.drive->serial, "57583131413132333435");
	ASSERT_STRING_EQ(ev.devnode, "/dev/sdb");
	ds_drive_event_clear(&ev);
	t0 = now_ms();
	unplug(SDB);
	ASSERT_TRUE(wait_event(m, DS_DRIVE_REMOVE, 1000, &ev));
	printf("# remove seen after %.1f ms\n", now_ms() - t0);
	ASSERT_TRUE(ev.drive == NULL);
	ds_drive_event_clear(&ev);
	TEST_DONE();
	ds_drive_monitor_free(m);

	TEST_START("drives --watch --json: add and remove within 1 s");
	ASSERT_TRUE(pipe(po) == 0 && pipe(pe) == 0);
	if ((pid = fork()) == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execl(getenv("DISKSEED"), "diskseed", "drives", "--watch",
		    "--json", (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	ASSERT_TRUE(wait_text(pe[0], err, sizeof err, &errlen, "watching",
	    10000));
	t0 = now_ms();
	plug("sata.umockdev", SDA);
	ASSERT_TRUE(wait_text(po[0], out, sizeof out, &outlen,
	    "{\"action\":\"add\",\"name\":\"sda\"", 1000));
	printf("# add printed after %.1f ms\n", now_ms() - t0);
	ASSERT_TRUE(strstr(out, "\"serial\":\"WD-WCC7K1234567\"") != NULL);
	t0 = now_ms();
	unplug(SDA);
	ASSERT_TRUE(wait_text(po[0], out, sizeof out, &outlen,
	    "{\"action\":\"remove\",\"name\":\"sda\",\"path\":\"/dev/sda\","
	    "\"drive\":null}", 1000));
	printf("# remove printed after %.1f ms\n", now_ms() - t0);
	kill(pid, SIGTERM);
	ASSERT_INT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	TEST_DONE();

	g_object_unref(tb);
	return tap_end();
}
