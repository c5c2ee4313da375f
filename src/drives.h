/* SPDX-License-Identifier: MIT */
/*
 * Drive detection: the whole disks the system has, what they are, and
 * whether diskseed may write to them (and why not).
 *
 * Call order: fill a struct ds_drive_limits with ds_drive_limits_init()
 * (defaults, then the DISKSEED_DRIVE_MIN_SIZE / DISKSEED_DRIVE_MAX_SIZE
 * environment), then ds_drives_list() for the list or ds_drive_lookup()
 * for one device. Both read libudev, falling back to sysfs attributes
 * where the udev database is empty (containers run no udevd), and
 * /proc/self/mountinfo, /proc/swaps and sysfs holders for eligibility.
 * Every call looks again: nothing is cached, so the format gate (gate.c)
 * decides on what is true right now.
 *
 * Hot-plug: ds_drive_monitor_new() gives a monitor whose fd becomes
 * readable when a whole disk appears, disappears or changes;
 * ds_drive_monitor_read() says what changed.
 */
#ifndef DS_DRIVES_H
#define DS_DRIVES_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "gate.h"

/* Why a drive cannot be used; a drive may have several. */
enum ds_drive_reason {
	DS_DRIVE_SYSTEM = 0x01,		/* root or boot filesystem */
	DS_DRIVE_MOUNTED = 0x02,	/* a mounted filesystem */
	DS_DRIVE_SWAP = 0x04,		/* active swap */
	DS_DRIVE_HOLDERS = 0x08,	/* LVM, MD RAID, dm-crypt */
	DS_DRIVE_READONLY = 0x10,
	DS_DRIVE_TOOSMALL = 0x20,
	DS_DRIVE_TOOLARGE = 0x40,
	DS_DRIVE_NOMEDIUM = 0x80,	/* size 0: empty card reader, zram */
	DS_DRIVE_NOACCESS = 0x100,	/* this user cannot open it to write */
};
#define DS_DRIVE_NREASONS 9

/* Warnings: shown, never refused. */
enum ds_drive_warning {
	DS_DRIVE_USBBRIDGE = 0x01,	/* behind a USB bridge */
	DS_DRIVE_DUPSERIAL = 0x02,	/* another drive has the same serial */
	DS_DRIVE_NOSERIAL = 0x04,	/* no serial: confirmed by name */
};
#define DS_DRIVE_NWARNINGS 3

/* 10 TB, the largest drive the import service accepts. */
#define DS_DRIVE_MAX_DEFAULT	(10ULL * 1000 * 1000 * 1000 * 1000)
/* 64 MiB: smaller is a card or a stick, not a seeding drive. */
#define DS_DRIVE_MIN_DEFAULT	(64ULL * 1024 * 1024)

struct ds_drive_limits {
	uint64_t	 min_size;	/* bytes; smaller is refused */
	uint64_t	 max_size;	/* bytes; larger is refused */
};

struct ds_drive {
	char		*name;		/* kernel name, "sda" */
	char		*devnode;	/* "/dev/sda" */
	char		*syspath;
	char		*by_id;		/* preferred /dev/disk/by-id name
					   (no folder), or NULL */
	char		*vendor;	/* each NULL when unknown */
	char		*model;
	char		*serial;
	char		*bus;		/* "sata", "usb", "nvme", "scsi",
					   "virtio", "mmc", "loop", ... */
	dev_t		 devnum;
	uint64_t	 size;		/* bytes */
	unsigned	 logical_sector;
	unsigned	 physical_sector;
	int		 rotational;
	int		 removable;
	int		 read_only;
	int		 is_virtual;	/* loop, zram, ram, dm, md: hidden
					   unless --all */
	int		 sata_bridge;	/* SATA disk behind a USB bridge */
	unsigned	 reasons;	/* enum ds_drive_reason bits */
	char		*details[DS_DRIVE_NREASONS];	/* per reason bit
					   (1 << i): "/ on sda2", or NULL */
	unsigned	 warnings;	/* enum ds_drive_warning bits */
	char		*confirm_id;	/* what the user types to confirm */
	char		*drive_id;	/* driveId: serial without spaces */
	char	       **by_ids;	/* every by-id name; NULL-ended */
	struct ds_gate_seed seed;	/* what it holds of diskseed, when
					   it could be read */
};

struct ds_drive_list {
	struct ds_drive	*v;
	size_t		 n;
};

/* Defaults, overridden by the DISKSEED_DRIVE_{MIN,MAX}_SIZE environment. */
int	 ds_drive_limits_init(struct ds_drive_limits *, char **cause);

/*
 * Lists whole disks, eligible first, then by name; hides virtual ones
 * unless ALL. Fills *LIST (free with ds_drive_list_free).
 */
int	 ds_drives_list(const struct ds_drive_limits *, int all,
	    struct ds_drive_list **list, char **cause);
void	 ds_drive_list_free(struct ds_drive_list *);

/*
 * Finds the whole disk at PATH (a device node, a by-id link or a kernel
 * name), checking it like ds_drives_list. Returns DS_E_NOTFOUND when PATH
 * is not a whole disk, DS_E_INELIGIBLE for a partition. *DRIVE is
 * allocated; free with ds_drive_free.
 */
int	 ds_drive_lookup(const char *path, const struct ds_drive_limits *,
	    struct ds_drive **drive, char **cause);
void	 ds_drive_free(struct ds_drive *);

/* The untranslated (N_) text of one reason or warning bit. */
const char *ds_drive_reason_text(unsigned reason);
const char *ds_drive_warning_text(unsigned warning);
/* A stable lower-case name of one bit, for JSON ("mounted"). */
const char *ds_drive_reason_name(unsigned reason);
const char *ds_drive_warning_name(unsigned warning);
/* What the bus is called for people, untranslated (N_): "SATA behind a
 * USB bridge"; borrowed. */
const char *ds_drive_bus_text(const struct ds_drive *);

/*
 * One drive as a new JSON object (a jansson json_t *, the caller's
 * reference: json_decref it); NULL without memory.
 */
void	*ds_drive_json(const struct ds_drive *);

/* What is on a drive now, from libblkid. */
struct ds_drive_part {
	unsigned	 number;
	uint64_t	 start;		/* bytes */
	uint64_t	 size;		/* bytes */
	char		*type;		/* partition type (GUID or 0xNN) */
	char		*name;		/* GPT partition name, or NULL */
	char		*fstype;	/* filesystem found in it, or NULL */
	char		*label;
	char		*uuid;
};

struct ds_drive_contents {
	uint64_t		 size;
	char			*pttype;	/* "gpt", "dos", or NULL */
	char			*ptuuid;
	char			*fstype;	/* on the whole disk */
	char			*label;
	char			*uuid;
	struct ds_drive_part	*parts;
	size_t			 nparts;
	struct ds_gate_seed	 seed;		/* a diskseed drive? */
};

/*
 * Probes PATH read-only (a drive or an image file) and fills *OUT
 * (free with ds_drive_contents_free). An empty drive gives no table and
 * no filesystem.
 */
int	 ds_drive_contents(const char *path, struct ds_drive_contents **out,
	    char **cause);
void	 ds_drive_contents_free(struct ds_drive_contents *);
/* The contents as a new JSON object, like ds_drive_json. */
void	*ds_drive_contents_json(const struct ds_drive_contents *);

/* Hot-plug. */
enum ds_drive_action {
	DS_DRIVE_ADD,
	DS_DRIVE_REMOVE,
	DS_DRIVE_CHANGE,
};

struct ds_drive_event {
	enum ds_drive_action	 action;
	char			*name;		/* kernel name */
	char			*devnode;
	int			 is_virtual;	/* loop, zram, dm, ... */
	struct ds_drive		*drive;		/* as it is now (add,
						   change), else NULL */
};

struct ds_drive_monitor;

/* Starts listening; events that happen after this call are reported. */
int	 ds_drive_monitor_new(const struct ds_drive_limits *,
	    struct ds_drive_monitor **, char **cause);
/* The fd to poll for reading; borrowed. */
int	 ds_drive_monitor_fd(const struct ds_drive_monitor *);
/*
 * Reads one pending event about a whole disk into *EV (free its members
 * with ds_drive_event_clear). Returns DS_E_OK with *GOT 1 when there was
 * one, 0 when nothing (more) is pending; never blocks.
 */
int	 ds_drive_monitor_read(struct ds_drive_monitor *,
	    struct ds_drive_event *ev, int *got, char **cause);
void	 ds_drive_event_clear(struct ds_drive_event *);
void	 ds_drive_monitor_free(struct ds_drive_monitor *);
const char *ds_drive_action_name(enum ds_drive_action);

#endif
