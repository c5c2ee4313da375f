/*
 * The format gate: the only way any code in diskseed opens a drive for
 * writing. Wiping the wrong disk is the worst thing this tool can do, so
 * every check happens here, immediately before the write, whatever the
 * caller (wizard, CLI, test) saw minutes ago.
 *
 * A drive is a block device (a whole disk) or a regular file used as an
 * image. CONFIRM_ID is what the user typed to confirm it:
 *   - image file: its file name (basename), e.g. "drive1.img";
 *   - block device: its serial, or its /dev/disk/by-id name where
 *     serials collide (src/drives.c decides which is required).
 * Block devices must also be eligible (not mounted, no holders, not the
 * system disk, not read-only, within the size limits), are opened with
 * O_EXCL, and must still be the disk that was listed (size and identity).
 */
#ifndef DS_GATE_H
#define DS_GATE_H

#include <stdint.h>

struct ds_gate {
	int		 fd;		/* open O_RDWR (O_EXCL for devices) */
	uint64_t	 size;		/* bytes usable */
	unsigned	 sector_size;	/* logical (512 for images) */
	int		 is_block;
	char		*path;		/* as given; owned */
	char		*drive_id;	/* driveId for the job: serial without
					   spaces, or the image's file name */
};

/* The identifier the user must type to confirm PATH; allocated. */
char	*ds_gate_confirm_id(const char *path, char **cause);

/*
 * Opens PATH for writing after every check. Returns DS_E_OK and fills G
 * (release with ds_gate_close), or DS_E_NOTCONFIRMED / DS_E_INELIGIBLE /
 * DS_E_CHANGED / DS_E_BUSY with *cause saying why; nothing is written
 * on any failure.
 */
int	 ds_gate_open(const char *path, const char *confirm_id,
	    struct ds_gate *g, char **cause);

struct ds_drive;

/*
 * Like ds_gate_open, and also refuses (DS_E_CHANGED) a block device that
 * is no longer the drive LISTED (from ds_drives_list, minutes ago): other
 * device number, size, serial or confirmation id. LISTED may be NULL.
 */
int	 ds_gate_open_listed(const char *path, const char *confirm_id,
	    const struct ds_drive *listed, struct ds_gate *g, char **cause);

/*
 * Checks that CONFIRM (a comma-separated list, as given to --confirm)
 * names ID. Returns 1 when it does.
 */
int	 ds_gate_confirm_matches(const char *confirm, const char *id);

/* Closes and frees what G holds; takes a zeroed G. */
void	 ds_gate_close(struct ds_gate *g);

#endif
