/* SPDX-License-Identifier: MIT */
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

/*
 * What a drive holds of diskseed, read from its header and trailer
 * blocks (decoded by src/format.c; nothing else of the drive is read).
 * STATE is the job's local state (enum ds_jobrec_state, src/jobrec.h)
 * or -1 when this machine has no record of that job.
 */
struct ds_gate_seed {
	int		 is_seed;	/* 0: no diskseed header */
	char		*job;		/* owned */
	char		 set_id[33];	/* hex */
	unsigned	 index;		/* 0-based drive index */
	int		 complete;	/* trailer written: drive closed */
	int		 state;
};

/*
 * Reads what PATH holds of diskseed into S (clear it with
 * ds_gate_seed_clear). DS_E_OK with S->is_seed 0 for any other drive.
 */
int	 ds_gate_seed_read(const char *path, struct ds_gate_seed *s,
	    char **cause);
void	 ds_gate_seed_clear(struct ds_gate_seed *s);

/*
 * S for people, translated: "diskseed drive: job bigjob, drive 2 (1 of
 * the set is numbered 1), complete, job prepared"; allocated, NULL when S
 * is not a diskseed drive or without memory.
 */
char	*ds_gate_seed_text(const struct ds_gate_seed *s);

/*
 * Whether formatting PATH for job JOB (drive set SET_ID, hex, NULL while
 * the set is new) is allowed by what it holds: DS_E_INSET when it is a
 * drive of that set (never a new target), DS_E_OTHERJOB when it holds a
 * job that is not completed, closed or canceled and OVERWRITE_JOB does
 * not name that job (the cause names the job, its state and the flag).
 * This is the check behind prep --overwrite-job and the wizard's second
 * typed confirmation; ds_gate_open_format() makes it again itself.
 */
int	 ds_gate_check_overwrite(const char *path, const char *job,
	    const char *set_id, const char *overwrite_job, char **cause);

/*
 * Opens PATH to format it as a new drive of JOB: ds_gate_open_listed,
 * then the check of ds_gate_check_overwrite on the bytes read through
 * the open descriptor, so what is checked is what will be overwritten.
 */
int	 ds_gate_open_format(const char *path, const char *confirm_id,
	    const struct ds_drive *listed, const char *job,
	    const char *set_id, const char *overwrite_job, struct ds_gate *g,
	    char **cause);

/* Closes and frees what G holds; takes a zeroed G. */
void	 ds_gate_close(struct ds_gate *g);

#endif
