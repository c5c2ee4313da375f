/* SPDX-License-Identifier: MIT */
/*
 * The wizard's screens. Each lives in ui/screen-<name>.c and exports one
 * const struct screen_ops; ui/wizard.c (the sequencer) owns the order in
 * which they are shown, the main loop, resize, help and quitting.
 *
 * Call order for one visit of a screen:
 *   enter(model, &data)          make the private state; non-zero refuses
 *                                the visit (*cause says why)
 *   draw(model, data)            any number of times, on a cleared screen
 *   key(model, data, key)        for every key; returns what happens next
 *   event(model, data)           when fd(data) is readable or tick_ms
 *                                passed; returns what happens next
 *   leave(data)                  frees the private state (takes NULL)
 *
 * What the user chose goes into the model, never into globals: the
 * sequencer reads it to pick the next screen.
 */
#ifndef DS_SCREEN_H
#define DS_SCREEN_H

#include <stddef.h>
#include <stdint.h>

struct ds_shipment;
struct ds_gate_seed;

/* What a key or an event asks the sequencer to do. */
enum screen_action {
	SA_UNHANDLED,	/* the sequencer applies its own keys (help, Esc) */
	SA_STAY,	/* nothing changed on screen */
	SA_REDRAW,	/* draw again */
	SA_NEXT,	/* go on to the screen the sequencer picks */
	SA_BACK,	/* the previous screen */
	SA_QUIT,	/* leave the wizard (after asking, if needed) */
};

/* Which of the first menu's paths the user took. */
enum wiz_mode {
	WIZ_MODE_NONE,
	WIZ_MODE_PREPARE,	/* settings, staging, drives, copy, job, ship */
	WIZ_MODE_SHIP,		/* shipping details of an existing job */
	WIZ_MODE_STATUS,	/* state of the jobs */
};

/* Where the copy screen goes on to. */
enum wiz_copy_next {
	WIZ_NEXT_KEYS,		/* copied and verified */
	WIZ_NEXT_DRIVE,		/* a drive is full: choose the next */
};

/* The user's choices, filled screen by screen; strings are owned. */
struct wiz_model {
	enum wiz_mode	 mode;
	char		*settings;	/* publish-settings file */
	char		*subscription;	/* subscription id chosen */
	char		*staging;	/* staging folder */
	char		*job;		/* import job name */
	char		*account;	/* storage account */
	char		*container;
	char		*location;
	int		 skip_unreadable; /* the user accepted to skip */
	int		 resume;	/* the job has prep state already */
	int		 copied;	/* ... and all of staging is copied */
	int		 all_drives;	/* list virtual disks too */
	char		*drive;		/* drive being confirmed */
	char		*confirm_id;	/* what the user typed for it */
	char		*overwrite_job;	/* the unfinished job on it, named
					   by the user to overwrite it */
	char		**drives;	/* drives given to the copy so far */
	size_t		 ndrives;
	enum wiz_copy_next copy_next;
	int		 attached;	/* came straight to a running copy */
	int		 need_keys;	/* the job's keys were never confirmed:
					   show them before anything else */
	struct ds_shipment *shipment;	/* reviewed before it is sent */
	char		*stored;	/* where the shipping details went */
	char		*message;	/* shown once by the next screen */
};

/* Frees what the model holds (not the model itself). */
void	wiz_model_clear(struct wiz_model *m);

/* Appends a copy of PATH to the model's drives. */
void	wiz_add_drive(struct wiz_model *m, const char *path);

/*
 * Keeps the job's staging folder, storage account, container and
 * location in the state directory (jobs/<job>/wizard, 0600), so that a
 * wizard started again (after a lost SSH session) still knows them.
 */
int	wiz_remember(const struct wiz_model *m, char **cause);

/* Fills what the model lacks of the above from that file, if any. */
void	wiz_recall(struct wiz_model *m);

/*
 * "diskseed drive: job X, drive I, complete or not, job STATE" for what a
 * drive holds of diskseed (src/gate.h); allocated, NULL for any other
 * drive.
 */
char	*wiz_seed_text(const struct ds_gate_seed *seed);

/*
 * Whether SEED is a drive of a job other than JOB that is not completed,
 * closed or canceled (or not known here): formatting it needs that job
 * named.
 */
int	wiz_seed_unfinished(const struct ds_gate_seed *seed, const char *job);

/* Notes that the user confirmed JOB's keys are saved. */
int	wiz_keys_confirm(const char *job, char **cause);

/*
 * Whether JOB, prepared by the wizard, still waits for its keys to be
 * confirmed: its keys screen must be shown before anything else.
 */
int	wiz_keys_pending(const char *job);

/* Replaces *slot with a copy of S (NULL clears it). */
void	wiz_set(char **slot, const char *s);

struct screen_ops {
	const char	*name;		/* for tests and the screen dump */
	const char	*title;		/* translatable; in the frame */
	const char	*keys;		/* translatable; the help line */
	const char	*help;		/* translatable; F1 / ? popup */
	int		 tick_ms;	/* 0: no periodic event */
	int		(*enter)(struct wiz_model *m, void **data,
			    char **cause);
	void		(*draw)(struct wiz_model *m, void *data);
	enum screen_action (*key)(struct wiz_model *m, void *data, int key);
	int		(*fd)(void *data);	/* -1 or NULL: none */
	enum screen_action (*event)(struct wiz_model *m, void *data);
	void		(*leave)(void *data);
};

extern const struct screen_ops screen_menu_ops;
extern const struct screen_ops screen_settings_ops;
extern const struct screen_ops screen_status_ops;
extern const struct screen_ops screen_staging_ops;
extern const struct screen_ops screen_drives_ops;
extern const struct screen_ops screen_confirm_ops;
extern const struct screen_ops screen_copy_ops;
extern const struct screen_ops screen_keys_ops;
extern const struct screen_ops screen_job_ops;
extern const struct screen_ops screen_shipping_ops;
extern const struct screen_ops screen_review_ops;

#endif
