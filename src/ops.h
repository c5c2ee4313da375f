/* SPDX-License-Identifier: MIT */
/*
 * How the backend talks to whoever drives it (the wizard, the plain CLI,
 * a test): one struct of callbacks given by the caller. The backend never
 * prints; it reports progress and passes warnings here.
 *
 * It asks nothing in the middle of an operation: where it needs the
 * user (all drives full, a drive to confirm), it stops, resumable, with
 * an error that says what is needed (DS_E_NEED_DRIVE,
 * DS_E_NOTCONFIRMED), and the caller asks and runs it again.
 *
 * Every callback may be NULL (then: progress and warnings are dropped).
 * A non-zero return from progress() cancels the operation, which then
 * returns DS_E_CANCELED and stays resumable.
 */
#ifndef DS_OPS_H
#define DS_OPS_H

#include <stdint.h>

/*
 * The phases an operation goes through; screens name them to the user.
 * SCAN walks the staging folder, FORMAT wipes signatures and writes the
 * header, COPY compresses, encrypts and writes, SYNC flushes a segment,
 * MANIFEST writes manifest and trailer, VERIFY reads back, RESTORE
 * decrypts, decompresses and extracts, UPLOAD sends to storage.
 */
enum ds_phase {
#define DS_PHASE(name, word, brief, long) DS_PHASE_##name,
#include "phases.def"
#undef DS_PHASE
	DS_PHASE__COUNT
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

struct ds_ui_ops {
	void	*arg;
	int	(*progress)(void *arg, const struct ds_progress *p);
	void	(*warn)(void *arg, const char *message);
};

#endif
