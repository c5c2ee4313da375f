/* SPDX-License-Identifier: MIT */
/*
 * How the backend talks to whoever drives it (the wizard, the plain CLI,
 * a test): one struct of callbacks given by the caller. The backend never
 * prints; it reports progress, asks questions and passes warnings here.
 *
 * Every callback may be NULL (then: progress is dropped, a question gets
 * its default answer, a warning is dropped). A non-zero return from
 * progress() or ask() cancels the operation, which then returns
 * DS_E_CANCELED and stays resumable.
 */
#ifndef DS_OPS_H
#define DS_OPS_H

#include <stdint.h>

/* The phases an operation goes through; screens name them to the user. */
enum ds_phase {
	DS_PHASE_SCAN,		/* walking the staging folder */
	DS_PHASE_FORMAT,	/* wiping signatures, writing the header */
	DS_PHASE_COPY,		/* compress, encrypt, write */
	DS_PHASE_SYNC,		/* flushing a segment to the drive */
	DS_PHASE_MANIFEST,	/* writing manifest and trailer */
	DS_PHASE_VERIFY,	/* reading back */
	DS_PHASE_RESTORE,	/* decrypt, decompress, extract */
	DS_PHASE_UPLOAD,	/* sending to storage */
};

struct ds_progress {
	enum ds_phase	 phase;
	uint64_t	 done;		/* bytes of input done */
	uint64_t	 total;		/* bytes of input in all (0: unknown) */
	uint64_t	 files_done;
	uint64_t	 files_total;
	const char	*current;	/* path being worked on; borrowed */
	int		 drive_index;	/* -1 when none */
	uint64_t	 drive_used;	/* bytes written on that drive */
	uint64_t	 drive_size;
};

enum ds_question {
	DS_ASK_NEXT_DRIVE,	/* drive full: answer = path of the next one */
	DS_ASK_CONFIRM,		/* yes/no; answer = "yes" to go on */
};

struct ds_ui_ops {
	void	*arg;
	int	(*progress)(void *arg, const struct ds_progress *p);
	/* Sets *answer to an allocated string the backend frees. */
	int	(*ask)(void *arg, enum ds_question q, const char *detail,
		    char **answer);
	void	(*warn)(void *arg, const char *message);
};

#endif
