/* SPDX-License-Identifier: MIT */
/*
 * The prep journal (jobs/<job>/journal in the state directory): an
 * append-only file of JSON records, one a line, each behind the SHA-256
 * of its text ("HEX JSON\n"). A record is written with one write() and
 * fdatasync'd; a torn or damaged last record is ignored on reading and cut
 * off before the next append, so a kill -9 at any instant leaves the
 * journal at its last committed record.
 *
 * Call order: ds_journal_open() (loads the records), ds_journal_append()
 * as work is committed, ds_journal_close().
 */
#ifndef DS_JOURNAL_H
#define DS_JOURNAL_H

#include <stddef.h>

#include <jansson.h>

struct ds_journal;

/*
 * Opens (creating, mode 0600) the journal at PATH, locked against a
 * second writer. When RECORDS is not NULL, *records is set to a new JSON
 * array of the valid records (caller decrefs); a torn tail is truncated
 * away.
 */
int	ds_journal_open(const char *path, struct ds_journal **j,
	    json_t **records, char **cause);

/*
 * Calls CB with each valid record of the journal at PATH (borrowed for
 * the call), one at a time, without keeping them; stops at the first
 * torn or damaged line, or when CB returns non-zero (returned). A missing
 * journal has no records. *validlen (if not NULL): bytes of valid lines.
 */
int	ds_journal_foreach(const char *path, int (*cb)(void *, json_t *),
	    void *arg, size_t *validlen, char **cause);

/* Reads the valid records of the journal at PATH without changing it. */
int	ds_journal_read(const char *path, json_t **records, char **cause);

/* Appends REC (borrowed) and makes it durable. */
int	ds_journal_append(struct ds_journal *j, json_t *rec, char **cause);

/* Appends the compact JSON object TEXT (one line, no newline). */
int	ds_journal_append_text(struct ds_journal *j, const char *text,
	    char **cause);

/* Closes J; takes NULL. */
void	ds_journal_close(struct ds_journal *j);

/*
 * Parses journal text BUF of LEN bytes into a new array of records;
 * *validlen is the length of the valid prefix.
 */
json_t	*ds_journal_parse(const char *buf, size_t len, size_t *validlen);

#endif
