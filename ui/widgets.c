/* SPDX-License-Identifier: MIT */
/* widgets.c: terminal set-up and the drawing helpers of the wizard. */
#include "config.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "error.h"
#include "i18n.h"
#include "widgets.h"

static int	ui_started;
static int	ui_ascii_drawing;
static int	ui_colour;
static int	ui_cur_y = -1, ui_cur_x;
#ifdef DS_TEST_HOOKS
static unsigned long ui_dump_seq;
#endif
/*
 * Text cut since the frame was drawn (a test hook: the screen dump names
 * it, and the tests fail on it). Fields scroll on purpose and say so.
 */
static int	ui_clip_ok;
static int	ui_nclipped;
static char	ui_clipped[160];
static char	*ui_more;	/* the last text too long for its place */

/* The box-drawing pieces: UTF-8 and ASCII. */
enum { BOX_H, BOX_V, BOX_TL, BOX_TR, BOX_BL, BOX_BR, BOX_LT, BOX_RT };
static const wchar_t box_utf8[] = L"─│┌┐└┘├┤";
static const wchar_t box_ascii[] = L"-|++++++";

static int
env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0';
}

/* Decides ASCII line drawing: non-UTF-8 locale, a vt100, or the hook. */
static int
want_ascii(void)
{
	const char	*term = getenv("TERM");
	const char	*cs = nl_langinfo(CODESET);

	if (env_set("DISKSEED_ASCII"))
		return 1;
	if (cs == NULL || (strcasecmp(cs, "UTF-8") != 0 &&
	    strcasecmp(cs, "utf8") != 0))
		return 1;
	if (term != NULL && (strncmp(term, "vt1", 3) == 0 ||
	    strncmp(term, "vt5", 3) == 0))
		return 1;
	return 0;
}

int
ui_start(char **cause)
{
	SCREEN	*s;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ds_cause(cause, DS_E_NOTTY, "%s", "stdin/stdout");
	ui_ascii_drawing = want_ascii();
	set_escdelay(25);
	if ((s = newterm(NULL, stdout, stdin)) == NULL) {
		return ds_cause(cause, DS_E_TERM, "TERM=%s",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
	}
	set_term(s);
	ui_started = 1;
	atexit(ui_end);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (has_colors() && !env_set("NO_COLOR")) {
		ui_colour = 1;
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_BLACK, COLOR_CYAN);
		init_pair(3, COLOR_RED, -1);
		init_pair(4, COLOR_YELLOW, -1);
		init_pair(5, COLOR_GREEN, -1);
		init_pair(6, COLOR_BLUE, -1);
		init_pair(7, COLOR_BLACK, COLOR_WHITE);
	}
	return 0;
}

void
ui_end(void)
{
	if (ui_started && !isendwin()) {
		curs_set(1);
		endwin();
	}
}

int
ui_ascii(void)
{
	return ui_ascii_drawing;
}

int64_t
ui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ui_lines(void)
{
	return LINES;
}

int
ui_cols(void)
{
	return COLS;
}

void
ui_resized(void)
{
	/* KEY_RESIZE has updated LINES and COLS; start from a clean slate. */
	clearok(curscr, TRUE);
}

int
ui_getkey(void)
{
	wint_t	ch;
	int	r;

	r = get_wch(&ch);
	if (r == ERR)
		return UI_NOKEY;
	if (r == KEY_CODE_YES) {
		if (ch == KEY_ENTER)
			return '\n';
		return UI_KEY((int)ch);
	}
	if (ch == '\r')
		return '\n';
	if (ch == 127 || ch == 8)
		return UI_KEY(KEY_BACKSPACE);
	return (int)ch;
}

static attr_t
role_attr(enum ui_role role)
{
	switch (role) {
	case UI_NORMAL:
		return A_NORMAL;
	case UI_TITLE:
		return ui_colour ? (COLOR_PAIR(1) | A_BOLD) : A_BOLD;
	case UI_SELECTED:
		return ui_colour ? COLOR_PAIR(2) : A_REVERSE;
	case UI_ERROR:
		return ui_colour ? (COLOR_PAIR(3) | A_BOLD) : A_BOLD;
	case UI_WARNING:
		return ui_colour ? (COLOR_PAIR(4) | A_BOLD) : A_BOLD;
	case UI_GOOD:
		return ui_colour ? COLOR_PAIR(5) : A_NORMAL;
	case UI_DIM:
		return ui_colour ? COLOR_PAIR(6) : A_NORMAL;
	case UI_HELPLINE:
		return ui_colour ? COLOR_PAIR(7) : A_REVERSE;
	}
	return A_NORMAL;
}

/* Decodes one UTF-8 character of S (LEN bytes left); '?' when invalid. */
static size_t
next_wc(const char *s, size_t len, wchar_t *wc)
{
	mbstate_t	ps;
	size_t		n;

	memset(&ps, 0, sizeof ps);
	n = mbrtowc(wc, s, len, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		return 1;
	}
	return n;
}

char *
ui_error_text(int code, char *cause)
{
	char *msg;

	if (cause != NULL && *cause != '\0') {
		if (asprintf(&msg, "%s: %s", ds_strerror(code), cause) < 0)
			msg = NULL;
	} else
		msg = strdup(ds_strerror(code));
	free(cause);
	return msg;
}

static int
wc_width(wchar_t wc)
{
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

int
ui_width(const char *s)
{
	size_t	len = strlen(s), off = 0;
	wchar_t	wc;
	int	w = 0;

	while (off < len) {
		off += next_wc(s + off, len - off, &wc);
		w += wc_width(wc);
	}
	return w;
}

/* Notes that S was cut when drawn, unless cutting is intended. */
static void
note_clipped(const char *s)
{
	if (ui_clip_ok)
		return;
	if (ui_nclipped++ == 0)
		snprintf(ui_clipped, sizeof ui_clipped, "%s", s);
}

/* Right edge (exclusive) of the area inside the frame. */
static int
inner_right(void)
{
	return COLS - 1;
}

int
ui_print(int y, int x, int w, enum ui_role role, const char *s)
{
	size_t	len = strlen(s), off = 0;
	wchar_t	wc, one[2];
	int	used = 0, cw;

	if (w <= 0)
		w = inner_right() - x;
	if (y < 0 || y >= LINES || w <= 0)
		return 0;
	attron(role_attr(role));
	move(y, x);
	while (off < len) {
		off += next_wc(s + off, len - off, &wc);
		if (wc == L'\n' || wc == L'\t')
			wc = L' ';
		cw = wc_width(wc);
		if (used + cw > w) {
			note_clipped(s);
			break;
		}
		one[0] = wc;
		one[1] = L'\0';
		addnwstr(one, 1);
		used += cw;
	}
	attroff(role_attr(role));
	return used;
}

int
ui_cell(int y, int x, int w, enum ui_role role, int right, const char *s)
{
	int	sw = ui_width(s), used;

	if (w <= 0)
		return x;
	if (sw <= w) {
		ui_print(y, right ? x + w - sw : x, w, role, s);
		return x + w + 1;
	}
	/* A column's cell is cut on purpose, and says so with "…". */
	ui_clip_ok = 1;
	used = ui_print(y, x, w - 1, role, s);
	ui_clip_ok = 0;
	ui_print(y, x + used, 1, role, ui_ascii_drawing ? ">" : "…");
	return x + w + 1;
}

void
ui_row(int y, enum ui_role role, int fill, const int *w,
    const char *const *cell, size_t n)
{
	size_t	i;
	int	x = 3, cw;

	if (fill)
		ui_printf(y, 2, COLS - 4, role, "%*s", COLS - 4, "");
	for (i = 0; i < n; i++) {
		cw = w[i] != 0 ? abs(w[i]) : COLS - 2 - x;
		x = ui_cell(y, x, cw, role, w[i] < 0, cell[i]);
	}
}

int
ui_widest(const char *const *s, size_t n)
{
	size_t	i;
	int	w, max = 0;

	for (i = 0; i < n; i++)
		if (s[i] != NULL && (w = ui_width(s[i])) > max)
			max = w;
	return max;
}

int
ui_printf(int y, int x, int w, enum ui_role role, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	n = ui_print(y, x, w, role, s);
	free(s);
	return n;
}

/*
 * Word-wraps S into W columns; draws from row Y when DRAW is set and
 * counts the rows either way. *REST (if not NULL) gets where it stopped.
 */
static int
wrap(int y, int x, int w, int maxlines, enum ui_role role, const char *s,
    int draw, const char **rest)
{
	const char	*p = s, *line, *brk, *q;
	char		*piece;
	int		 rows = 0, width;
	wchar_t		 wc;

	while (*p != '\0' && (maxlines <= 0 || rows < maxlines)) {
		line = p;
		brk = NULL;
		width = 0;
		q = p;
		while (*q != '\0' && *q != '\n') {
			size_t n = next_wc(q, strlen(q), &wc);
			if (width + wc_width(wc) > w)
				break;
			width += wc_width(wc);
			q += n;
			if (*q == ' ')
				brk = q;
		}
		if (*q != '\0' && *q != '\n' && brk != NULL)
			q = brk;
		if (q == line && *q != '\0' && *q != '\n')
			q += next_wc(q, strlen(q), &wc);
		if (draw) {
			if ((piece = strndup(line, (size_t)(q - line))) == NULL)
				return rows;
			ui_print(y + rows, x, w, role, piece);
			free(piece);
		}
		rows++;
		p = q;
		if (*p == '\n' || *p == ' ')
			p++;
	}
	if (rest != NULL)
		*rest = p;
	return rows;
}

int
ui_wrap(int y, int x, int w, int maxlines, enum ui_role role, const char *s)
{
	const char	*rest;
	const char	*hint = _(" [F3: all of it]");
	int		 rows, hw, used;

	if (maxlines <= 0 || wrap(0, 0, w, 0, role, s, 0, NULL) <= maxlines)
		return wrap(y, x, w, maxlines, role, s, 1, NULL);
	/*
	 * Too long for its place: what fits, then a last row that ends in
	 * a pointer to F3, which shows the whole text (ui_more_text()).
	 */
	rest = s;
	rows = maxlines > 1 ? wrap(y, x, w, maxlines - 1, role, s, 1, &rest) :
	    0;
	hw = ui_width(hint);
	ui_clip_ok = 1;
	used = ui_print(y + rows, x, w - hw - 1, role, rest);
	used += ui_print(y + rows, x + used, 1, role,
	    ui_ascii_drawing ? ">" : "…");
	ui_clip_ok = 0;
	ui_print(y + rows, x + used, hw, UI_DIM, hint);
	free(ui_more);
	ui_more = strdup(s);
	return rows + 1;
}

const char *
ui_more_text(void)
{
	return ui_more;
}

static void
put_box(int y, int x, int piece)
{
	wchar_t one[2];

	one[0] = ui_ascii_drawing ? box_ascii[piece] : box_utf8[piece];
	one[1] = L'\0';
	mvaddnwstr(y, x, one, 1);
}

void
ui_box(int y, int x, int h, int w)
{
	int i;

	if (h < 2 || w < 2)
		return;
	for (i = 1; i < w - 1; i++) {
		put_box(y, x + i, BOX_H);
		put_box(y + h - 1, x + i, BOX_H);
	}
	for (i = 1; i < h - 1; i++) {
		put_box(y + i, x, BOX_V);
		put_box(y + i, x + w - 1, BOX_V);
	}
	put_box(y, x, BOX_TL);
	put_box(y, x + w - 1, BOX_TR);
	put_box(y + h - 1, x, BOX_BL);
	put_box(y + h - 1, x + w - 1, BOX_BR);
}

void
ui_rule(int y)
{
	int i;

	for (i = 1; i < COLS - 1; i++)
		put_box(y, i, BOX_H);
	put_box(y, 0, BOX_LT);
	put_box(y, COLS - 1, BOX_RT);
}

void
ui_frame(const char *title, const char *keys)
{
	int	tw;
	int	i;

	erase();
	ui_cur_y = -1;
	ui_nclipped = 0;
	free(ui_more);
	ui_more = NULL;
	ui_box(0, 0, LINES - 1, COLS);
	tw = ui_width(title) + 2;
	if (tw > COLS - 4)
		tw = COLS - 4;
	ui_print(0, (COLS - tw) / 2, 1, UI_NORMAL, " ");
	ui_print(0, (COLS - tw) / 2 + 1, tw - 2, UI_TITLE, title);
	ui_print(0, (COLS - tw) / 2 + tw - 1, 1, UI_NORMAL, " ");
	attron(role_attr(UI_HELPLINE));
	for (i = 0; i < COLS; i++)
		mvaddch(LINES - 1, i, ' ');
	attroff(role_attr(UI_HELPLINE));
	ui_print(LINES - 1, 1, COLS - 2, UI_HELPLINE, keys);
}

void
ui_bar(int y, int x, int w, uint64_t done, uint64_t total)
{
	int	fill = 0, i;
	wchar_t	one[2];

	if (w < 3)
		return;
	if (total > 0) {
		if (done > total)
			done = total;
		fill = (int)((double)done / (double)total * (w - 2));
	}
	ui_print(y, x, 1, UI_NORMAL, "[");
	one[1] = L'\0';
	for (i = 0; i < w - 2; i++) {
		if (i < fill)
			one[0] = ui_ascii_drawing ? L'#' : L'█';
		else
			one[0] = ui_ascii_drawing ? L'.' : L'░';
		attron(role_attr(i < fill ? UI_GOOD : UI_DIM));
		mvaddnwstr(y, x + 1 + i, one, 1);
		attroff(role_attr(i < fill ? UI_GOOD : UI_DIM));
	}
	ui_print(y, x + w - 1, 1, UI_NORMAL, "]");
}

void
ui_popup(const char *title, const char *text, const char *keys, int *top)
{
	const char	*p = text;
	int		 w, h, y, x, rows, all, i, first = 0;

	w = COLS - 10;
	if (w > 70)
		w = 70;
	all = wrap(0, 0, w - 4, 0, UI_NORMAL, text, 0, NULL);
	rows = all;
	if (rows > LINES - 7)
		rows = LINES - 7;
	if (top != NULL) {
		if (*top > all - rows)
			*top = all - rows;
		if (*top < 0)
			*top = 0;
		first = *top;
	} else if (all > rows)
		note_clipped(text);
	/* Skip the rows scrolled away. */
	if (first > 0)
		wrap(0, 0, w - 4, first, UI_NORMAL, text, 0, &p);
	h = rows + 5;
	y = (LINES - 1 - h) / 2;
	x = (COLS - w) / 2;
	for (i = 0; i < h; i++) {
		move(y + i, x);
		hline(' ', w);
	}
	ui_box(y, x, h, w);
	ui_print(y, x + 1, 1, UI_NORMAL, " ");
	ui_print(y, x + 3 + ui_print(y, x + 2, w - 6, UI_TITLE, title) - 1, 1,
	    UI_NORMAL, " ");
	wrap(y + 2, x + 2, w - 4, rows, UI_NORMAL, p, 1, NULL);
	if (all > rows)
		ui_printf(y + h - 1, x + w - 12, 10, UI_DIM, " %s%s ",
		    first > 0 ? "↑" : " ", first + rows < all ? "↓" : " ");
	ui_print(y + h - 2, x + 2, w - 4, UI_DIM, keys);
	ui_cur_y = -1;
}

void
ui_cursor(int y, int x)
{
	ui_cur_y = y;
	ui_cur_x = x;
}

/* Encodes code point C as UTF-8 into OUT (at least 5 bytes); returns n. */
static size_t
utf8_encode(char *out, unsigned c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

#ifdef DS_TEST_HOOKS
/*
 * Writes what is on the screen now, as text, to the file that
 * DISKSEED_TEST_DUMP names: a header naming the screen, the size and a
 * sequence number, then one line per row. A test hook, only in a build
 * configured with --enable-test-hooks: the keys screen is dumped too.
 */
static void
dump_screen(const char *path, const char *name)
{
	char	*tmp = NULL, buf[8];
	FILE	*f;
	wchar_t	*line;
	int	 y, i, end, oy, ox, fd = -1;
	size_t	 n;

	tmp = NULL;
	if ((line = calloc((size_t)COLS + 1, sizeof *line)) == NULL)
		return;
	/* 0600: the recovery keys screen is dumped too. */
	if (asprintf(&tmp, "%s.tmp", path) < 0 || (fd = open(tmp, O_WRONLY |
	    O_CREAT | O_TRUNC, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		free(tmp);
		free(line);
		return;
	}
	getyx(stdscr, oy, ox);
	fprintf(f, "screen %s\nsize %dx%d\nseq %lu\n", name, COLS, LINES,
	    ++ui_dump_seq);
	if (ui_nclipped > 0)
		fprintf(f, "clipped %d: %s\n", ui_nclipped, ui_clipped);
	fputc('\n', f);
	for (y = 0; y < LINES; y++) {
		memset(line, 0, ((size_t)COLS + 1) * sizeof *line);
		mvinnwstr(y, 0, line, COLS);
		end = (int)wcslen(line);
		while (end > 0 && line[end - 1] == L' ')
			end--;
		for (i = 0; i < end; i++) {
			n = utf8_encode(buf, (unsigned)line[i]);
			fwrite(buf, 1, n, f);
		}
		fputc('\n', f);
	}
	move(oy, ox);
	if (fclose(f) == 0)
		rename(tmp, path);
	free(tmp);
	free(line);
}

#endif

void
ui_refresh(const char *screen_name)
{
#ifdef DS_TEST_HOOKS
	const char *dump = getenv("DISKSEED_TEST_DUMP");
#endif

	if (ui_cur_y >= 0) {
		curs_set(1);
		move(ui_cur_y, ui_cur_x);
	} else
		curs_set(0);
#ifdef DS_TEST_HOOKS
	if (dump != NULL && *dump != '\0')
		dump_screen(dump, screen_name);
#else
	(void)screen_name;
#endif
	refresh();
}

/* Text fields. */

static int
field_reserve(struct ui_field *f, size_t more)
{
	char	*nb;
	size_t	 ncap;

	if (f->len + more + 1 <= f->cap)
		return 0;
	ncap = (f->len + more + 1) * 2;
	if ((nb = realloc(f->buf, ncap)) == NULL)
		return -1;
	f->buf = nb;
	f->cap = ncap;
	return 0;
}

void
ui_field_set(struct ui_field *f, const char *text)
{
	size_t n = text != NULL ? strlen(text) : 0;

	f->len = 0;
	if (field_reserve(f, n) != 0) {
		f->cur = 0;
		return;
	}
	if (n > 0)
		memcpy(f->buf, text, n);
	f->len = n;
	f->buf[n] = '\0';
	f->cur = n;
	free(f->hint);
	f->hint = NULL;
}

void
ui_field_init(struct ui_field *f, const char *text, int path)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	ui_field_set(f, text);
}

void
ui_field_free(struct ui_field *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	free(f->hint);
	memset(f, 0, sizeof *f);
}

static size_t
char_before(const struct ui_field *f, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)f->buf[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t
char_after(const struct ui_field *f, size_t at)
{
	if (at >= f->len)
		return f->len;
	at++;
	while (at < f->len && ((unsigned char)f->buf[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void
field_delete(struct ui_field *f, size_t from, size_t to)
{
	memmove(f->buf + from, f->buf + to, f->len - to + 1);
	f->len -= to - from;
	if (f->cur > to)
		f->cur -= to - from;
	else if (f->cur > from)
		f->cur = from;
}

static int
field_insert(struct ui_field *f, const char *s, size_t n)
{
	if (field_reserve(f, n) != 0)
		return -1;
	memmove(f->buf + f->cur + n, f->buf + f->cur, f->len - f->cur + 1);
	memcpy(f->buf + f->cur, s, n);
	f->len += n;
	f->cur += n;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Completes the file name before the cursor (Tab in a path field). */
static void
field_complete(struct ui_field *f)
{
	char		*text = NULL, *dir = NULL, *slash, **names = NULL;
	const char	*base, *home;
	size_t		 n = 0, i, common, blen, hl;
	DIR		*d = NULL;
	struct dirent	*de;
	char		 hint[256];

	free(f->hint);
	f->hint = NULL;
	if ((text = strndup(f->buf, f->cur)) == NULL)
		return;
	if (text[0] == '~' && (text[1] == '/' || text[1] == '\0') &&
	    (home = getenv("HOME")) != NULL) {
		char *t;
		if (asprintf(&t, "%s%s", home, text + 1) < 0)
			goto out;
		free(text);
		text = t;
	}
	if ((slash = strrchr(text, '/')) != NULL) {
		dir = strndup(text, (size_t)(slash - text) + 1);
		base = slash + 1;
	} else {
		dir = strdup("");
		base = text;
	}
	if (dir == NULL || (d = opendir(*dir != '\0' ? dir : ".")) == NULL)
		goto out;
	blen = strlen(base);
	while ((de = readdir(d)) != NULL) {
		char **nn;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		if ((nn = reallocarray(names, n + 1, sizeof *names)) == NULL)
			goto out;
		names = nn;
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	if (n == 0) {
		f->hint = strdup(_("no match"));
		goto out;
	}
	qsort(names, n, sizeof *names, name_cmp);
	common = strlen(names[0]);
	for (i = 1; i < n; i++) {
		size_t j = 0;
		while (j < common && names[i][j] == names[0][j])
			j++;
		common = j;
	}
	{
		char	*full, *rest;
		size_t	 tail = f->len - f->cur;
		int	 isdir = 0;

		if (asprintf(&full, "%s%.*s", dir, (int)common, names[0]) < 0)
			goto out;
		if (n == 1) {
			char *probe = full;
			DIR *pd = opendir(probe);
			if (pd != NULL) {
				closedir(pd);
				isdir = 1;
			}
		}
		if ((rest = strdup(f->buf + f->cur)) == NULL) {
			free(full);
			goto out;
		}
		ui_field_set(f, full);
		if (isdir)
			field_insert(f, "/", 1);
		field_insert(f, rest, tail);
		f->cur -= tail;
		free(rest);
		free(full);
	}
	if (n > 1) {
		hint[0] = '\0';
		hl = 0;
		for (i = 0; i < n && hl + strlen(names[i]) + 3 < sizeof hint;
		    i++) {
			hl += (size_t)snprintf(hint + hl, sizeof hint - hl,
			    "%s%s", i > 0 ? "  " : "", names[i]);
		}
		if (i < n && hl + 5 < sizeof hint)
			snprintf(hint + hl, sizeof hint - hl, "  ...");
		f->hint = strdup(hint);
	}
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(text);
}

int
ui_field_key(struct ui_field *f, int key)
{
	char	enc[5];
	size_t	n, at;

	if (key >= 32 && key != 127 && (key & UI_KEY(0)) == 0) {
		n = utf8_encode(enc, (unsigned)key);
		field_insert(f, enc, n);
		free(f->hint);
		f->hint = NULL;
		return 1;
	}
	switch (key) {
	case UI_KEY(KEY_BACKSPACE):
		if (f->cur > 0)
			field_delete(f, char_before(f, f->cur), f->cur);
		return 1;
	case UI_KEY(KEY_DC):
	case 4:		/* Ctrl-D */
		if (f->cur < f->len)
			field_delete(f, f->cur, char_after(f, f->cur));
		return 1;
	case UI_KEY(KEY_LEFT):
	case 2:		/* Ctrl-B */
		f->cur = char_before(f, f->cur);
		return 1;
	case UI_KEY(KEY_RIGHT):
	case 6:		/* Ctrl-F */
		f->cur = char_after(f, f->cur);
		return 1;
	case UI_KEY(KEY_HOME):
	case 1:		/* Ctrl-A */
		f->cur = 0;
		return 1;
	case UI_KEY(KEY_END):
	case 5:		/* Ctrl-E */
		f->cur = f->len;
		return 1;
	case 11:	/* Ctrl-K */
		field_delete(f, f->cur, f->len);
		return 1;
	case 21:	/* Ctrl-U */
		field_delete(f, 0, f->cur);
		return 1;
	case 23:	/* Ctrl-W */
		at = f->cur;
		while (at > 0 && f->buf[at - 1] == ' ')
			at--;
		while (at > 0 && f->buf[at - 1] != ' ' &&
		    (!f->path || f->buf[at - 1] != '/'))
			at--;
		field_delete(f, at, f->cur);
		return 1;
	case '\t':
		if (!f->path)
			return 0;
		field_complete(f);
		return 1;
	}
	return 0;
}

void
ui_field_draw(struct ui_field *f, int y, int x, int w, int focused)
{
	size_t	start = 0;
	char	save;
	int	before, i;

	/* Scroll so that the cursor stays inside the field. */
	save = f->buf[f->cur];
	f->buf[f->cur] = '\0';
	while (ui_width(f->buf + start) > w - 1 && start < f->cur)
		start = char_after(f, start);
	before = ui_width(f->buf + start);
	f->buf[f->cur] = save;
	attron(A_UNDERLINE);
	move(y, x);
	for (i = 0; i < w; i++)
		addch(' ');
	attroff(A_UNDERLINE);
	attron(A_UNDERLINE | (focused ? A_BOLD : 0));
	ui_clip_ok = 1;
	ui_print(y, x, w, UI_NORMAL, f->buf + start);
	ui_clip_ok = 0;
	attroff(A_UNDERLINE | A_BOLD);
	if (focused)
		ui_cursor(y, x + before);
}

/* Lists. */

void
ui_list_scroll(struct ui_list *l, int height)
{
	if (height < 1)
		height = 1;
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)height)
		l->top = l->sel - (size_t)height + 1;
}

int
ui_list_key(struct ui_list *l, int key, int height)
{
	size_t page = height > 1 ? (size_t)height - 1 : 1;

	if (l->n == 0)
		return 0;
	switch (key) {
	case UI_KEY(KEY_UP):
		if (l->sel > 0)
			l->sel--;
		break;
	case UI_KEY(KEY_DOWN):
		if (l->sel + 1 < l->n)
			l->sel++;
		break;
	case UI_KEY(KEY_PPAGE):
		l->sel = l->sel > page ? l->sel - page : 0;
		break;
	case UI_KEY(KEY_NPAGE):
		l->sel = l->sel + page < l->n ? l->sel + page : l->n - 1;
		break;
	case UI_KEY(KEY_HOME):
		l->sel = 0;
		break;
	case UI_KEY(KEY_END):
		l->sel = l->n - 1;
		break;
	default:
		return 0;
	}
	ui_list_scroll(l, height);
	return 1;
}
