/* SPDX-License-Identifier: MIT */
/*
 * Drawing helpers shared by the wizard's screens (ui/widgets.c): the
 * terminal set-up, frames in UTF-8 or ASCII line drawing, text that is
 * clipped and wrapped by display columns, text fields with editing and
 * path completion, scrolling lists, a progress bar, the help line and
 * popups. Only ui/ includes curses.
 *
 * Keys: ui_getkey() returns a character (a Unicode code point), or a
 * curses function key as UI_KEY(KEY_...). Enter is always '\n',
 * backspace always UI_KEY(KEY_BACKSPACE).
 */
#ifndef DS_WIDGETS_H
#define DS_WIDGETS_H

#include <stddef.h>
#include <stdint.h>

#define UI_KEY(k)	(0x10000000 | (k))
#define UI_ESC		27
#define UI_CTRL_C	3
#define UI_NOKEY	(-1)

/* Text roles; each is colour when allowed, an attribute otherwise. */
enum ui_role {
	UI_NORMAL,
	UI_TITLE,
	UI_SELECTED,
	UI_ERROR,
	UI_WARNING,
	UI_GOOD,
	UI_DIM,
	UI_HELPLINE,
};

/*
 * Starts curses on the terminal; returns 0, or -1 with *cause set when
 * the terminal cannot be used (unknown TERM, not a tty). Registers
 * ui_end() with atexit().
 */
int	 ui_start(char **cause);

/* Restores the terminal; safe to call more than once. */
void	 ui_end(void);

/* Whether line drawing is ASCII (non-UTF-8 locale, vt100, test hook). */
int	 ui_ascii(void);

/* Reads one key without waiting; UI_NOKEY when there is none. */
int	 ui_getkey(void);

/* Milliseconds of the monotonic clock, for timers and rates. */
int64_t	 ui_now_ms(void);

int	 ui_lines(void);
int	 ui_cols(void);

/* Applies the size the terminal has now (after KEY_RESIZE). */
void	 ui_resized(void);

/* Clears the screen and draws the frame with TITLE and the help line. */
void	 ui_frame(const char *title, const char *keys);

/* Draws a box; H and W include the border. */
void	 ui_box(int y, int x, int h, int w);

/* A horizontal rule inside the frame at row Y. */
void	 ui_rule(int y);

/*
 * Prints S at (y, x) in ROLE, clipped to W display columns (W <= 0: to
 * the frame's right edge). Returns the columns used.
 */
int	 ui_print(int y, int x, int w, enum ui_role role, const char *s);

/* Like ui_print with a printf format. */
int	 ui_printf(int y, int x, int w, enum ui_role role, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));

/*
 * Prints S as a table cell of W display columns from (y, x), right
 * aligned when RIGHT is set; a longer S is cut and ends in "…". Returns
 * the column of the next cell (one space after). Columns are counted in
 * display columns, so they line up in every language.
 */
int	 ui_cell(int y, int x, int w, enum ui_role role, int right,
	    const char *s);

/*
 * A table row from column 3: cell I in W[I] columns (negative: right
 * aligned; 0: up to the frame). FILL paints the row in ROLE across the
 * frame first (a selected row).
 */
void	 ui_row(int y, enum ui_role role, int fill, const int *w,
	    const char *const *cell, size_t n);

/* The display width of the widest of the N strings S (NULLs skipped). */
int	 ui_widest(const char *const *s, size_t n);

/*
 * Prints S word-wrapped into W columns from row Y, at most MAXLINES rows
 * (0: no limit); returns the rows used. Newlines in S start new rows. A
 * text longer than MAXLINES rows ends in "… [F3: all of it]" and is kept
 * for ui_more_text() until the next ui_frame().
 */
int	 ui_wrap(int y, int x, int w, int maxlines, enum ui_role role,
	    const char *s);

/*
 * The message of error CODE followed by CAUSE when there is one, as an
 * allocated string (NULL without memory); frees CAUSE.
 */
char	*ui_error_text(int code, char *cause);

/*
 * The whole of the last text ui_wrap() had to shorten since the frame was
 * drawn, or NULL; borrowed until the next ui_frame().
 */
const char *ui_more_text(void);

/* Display columns of the UTF-8 string S. */
int	 ui_width(const char *s);

/* A progress bar of W columns for DONE of TOTAL (TOTAL 0: empty). */
void	 ui_bar(int y, int x, int w, uint64_t done, uint64_t total);

/*
 * A popup over the current screen with TITLE and TEXT (wrapped) and, at
 * its foot, KEYS. Drawn on the main screen, so the screen dump shows it.
 * TOP (may be NULL) is the first row of TEXT shown, for a text longer
 * than the screen; it is kept in range, and arrows at the foot say that
 * there is more above or below.
 */
void	 ui_popup(const char *title, const char *text, const char *keys,
	    int *top);

/* Flushes drawing to the terminal and writes the test dump, if asked. */
void	 ui_refresh(const char *screen_name);

/* Places the visible cursor at (y, x), or hides it when Y < 0. */
void	 ui_cursor(int y, int x);

/* An editable one-line text field (UTF-8). */
struct ui_field {
	char	*buf;		/* NUL-terminated; owned */
	size_t	 len;		/* bytes */
	size_t	 cap;
	size_t	 cur;		/* cursor, in bytes, on a character start */
	int	 path;		/* Tab completes file names */
	char	*hint;		/* completion candidates; owned */
};

void	 ui_field_init(struct ui_field *f, const char *text, int path);
void	 ui_field_set(struct ui_field *f, const char *text);
void	 ui_field_free(struct ui_field *f);

/* Applies KEY to the field; returns 1 when the field used it. */
int	 ui_field_key(struct ui_field *f, int key);

/* Draws the field in W columns; FOCUSED shows the cursor there. */
void	 ui_field_draw(struct ui_field *f, int y, int x, int w, int focused);

/* A list's selection and scroll position; items are drawn by the caller. */
struct ui_list {
	size_t	 n;
	size_t	 sel;
	size_t	 top;
};

/* Moves the selection for KEY (arrows, pages, home/end); 1 when used. */
int	 ui_list_key(struct ui_list *l, int key, int height);

/* Keeps the selection visible in HEIGHT rows. */
void	 ui_list_scroll(struct ui_list *l, int height);

#endif
