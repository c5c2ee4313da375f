/* SPDX-License-Identifier: MIT */
/*
 * The block-device lock: while diskseed writes a drive it holds
 * flock(LOCK_EX) on it, while it reads one flock(LOCK_SH), the convention
 * of udev, systemd and util-linux (sfdisk --lock, systemd-repart): udev
 * does not probe a device that is locked exclusively, and two programs
 * never write one disk at once. The lock lasts as long as the open file
 * description (close releases it); image files are not locked.
 */
#ifndef DS_DRIVES_LOCK_H
#define DS_DRIVES_LOCK_H

/*
 * Locks FD (PATH, opened by the caller) without waiting: exclusively when
 * EXCLUSIVE, else shared. Does nothing for anything but a block device.
 * DS_E_BUSY with *cause naming PATH when another program holds the lock.
 */
int	ds_drive_lock(int fd, const char *path, int exclusive, char **cause);

#endif
