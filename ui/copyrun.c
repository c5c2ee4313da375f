/* SPDX-License-Identifier: MIT */
/* copyrun.c: the copy in a detached process, and its status file. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copyrun.h"
#include "error.h"
#include "jobrec.h"
#include "prep.h"
#include "prepared.h"
#include "restore.h"
#include "state.h"

#define WRITE_EVERY_MS	200

static const char *const state_names[] = {
	"running", "verifying", "need-drive", "done", "damaged", "stopped",
	"failed", "copied",
};
#define NSTATES (sizeof state_names / sizeof state_names[0])

/* The status file's word for each phase. */
static const char *const phase_names[] = {
#define DS_PHASE(name, word, brief, long) word,
#include "phases.def"
#undef DS_PHASE
};
#define NPHASES (sizeof phase_names / sizeof phase_names[0])

/* What a copy that publishes its progress keeps while it runs. */
struct copyrun_pub {
	char			*job;
	char			*path;		/* the status file */
	struct copyrun_status	 st;
	char			*cur;		/* st.p.current, owned */
	int64_t			 last_write;
	long			 delay_ms;	/* test hook */
};

static volatile sig_atomic_t child_stop;

static void
on_stop(int sig)
{
	(void)sig;
	child_stop = 1;
}

static int64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wizard's name of each phase, in the order of enum ds_phase. */
static const char *const phase_long[] = {
#define DS_PHASE(name, word, brief, long) long,
#include "phases.def"
#undef DS_PHASE
};

const char *
copyrun_phase_name(enum ds_phase phase)
{
	if ((unsigned)phase >= DS_PHASE__COUNT)
		return "";
	return _(phase_long[phase]);
}

static char *
status_path(const char *job, char **cause)
{
	char	*name, *path;

	if (asprintf(&name, "jobs/%s/copy.status", job) < 0) {
		ds_cause(cause, DS_E_NOMEM, "status");
		return NULL;
	}
	path = ds_state_path(name, cause);
	free(name);
	return path;
}

/* Writes one line's value with newlines made harmless. */
static void
put_text(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s ", key);
	for (; v != NULL && *v != '\0'; v++)
		fputc(*v == '\n' || *v == '\r' ? '?' : *v, f);
	fputc('\n', f);
}

/*
 * Replaces the status file (temporary, then rename; no fsync: it is
 * rewritten several times a second and only describes the moment).
 */
static void
write_status(struct copyrun_pub *c)
{
	const struct copyrun_status	*st = &c->st;
	char				*tmp;
	FILE				*f;
	int				 fd;

	if (asprintf(&tmp, "%s.tmp", c->path) < 0)
		return;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		free(tmp);
		return;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		free(tmp);
		return;
	}
	fprintf(f, "pid %ld\nstate %s\nphase %s\n", (long)st->pid,
	    state_names[st->state], phase_names[st->p.phase]);
	fprintf(f, "bytes %llu %llu\nfiles %llu %llu\n",
	    (unsigned long long)st->p.done, (unsigned long long)st->p.total,
	    (unsigned long long)st->p.files_done,
	    (unsigned long long)st->p.files_total);
	fprintf(f, "drive %d %llu %llu\ndrives %d\n", st->p.drive_index,
	    (unsigned long long)st->p.drive_used,
	    (unsigned long long)st->p.drive_size, st->drives);
	fprintf(f, "started %lld\nupdated %lld\n", (long long)st->started,
	    (long long)real_ms());
	put_text(f, "current", st->p.current);
	put_text(f, "message", st->message);
	if (fclose(f) == 0)
		rename(tmp, c->path);
	else
		unlink(tmp);
	free(tmp);
}

struct copyrun_pub *
copyrun_pub_open(const char *job, char **cause)
{
	struct copyrun_pub	*c;

	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->job = strdup(job)) == NULL) {
		free(c);
		ds_cause(cause, DS_E_NOMEM, "status");
		return NULL;
	}
	if ((c->path = status_path(job, cause)) == NULL) {
		free(c->job);
		free(c);
		return NULL;
	}
	c->st.pid = getpid();
	c->st.state = COPYRUN_RUNNING;
	c->st.started = (int64_t)time(NULL);
	c->st.p.drive_index = -1;
#ifdef DS_TEST_HOOKS
	/* Test hook: slows every copy down so a test can act mid-copy. */
	if (getenv("DISKSEED_TEST_COPY_DELAY_MS") != NULL)
		c->delay_ms = strtol(getenv("DISKSEED_TEST_COPY_DELAY_MS"),
		    NULL, 10);
#endif
	write_status(c);
	return c;
}

void
copyrun_pub_progress(struct copyrun_pub *c, const struct ds_progress *p)
{
	int64_t now = real_ms();

	if (c == NULL)
		return;
	c->st.p = *p;
	c->st.p.current = c->cur;
	if (p->drive_index + 1 > c->st.drives)
		c->st.drives = p->drive_index + 1;
	if (now - c->last_write >= WRITE_EVERY_MS || child_stop) {
		free(c->cur);
		c->cur = p->current != NULL ? strdup(p->current) : NULL;
		c->st.p.current = c->cur;
		write_status(c);
		c->last_write = now;
	}
	if (c->delay_ms > 0)
		usleep((useconds_t)c->delay_ms * 1000);
}

void
copyrun_pub_warn(struct copyrun_pub *c, const char *message)
{
	if (c == NULL)
		return;
	free(c->st.message);
	c->st.message = strdup(message);
}

static void
finish(struct copyrun_pub *c, enum copyrun_state state, int code,
    char *cause)
{
	c->st.state = state;
	if (code != DS_E_OK) {
		free(c->st.message);
		if (cause != NULL && *cause != '\0') {
			if (asprintf(&c->st.message, "%s: %s",
			    ds_strerror(code), cause) < 0)
				c->st.message = NULL;
		} else
			c->st.message = strdup(ds_strerror(code));
	}
	free(cause);
	write_status(c);
}

void
copyrun_pub_done(struct copyrun_pub *c, int code, const char *cause)
{
	if (c == NULL)
		return;
	switch (code) {
	case DS_E_OK:
		finish(c, COPYRUN_COPIED, DS_E_OK, NULL);
		break;
	case DS_E_NEED_DRIVE:
		finish(c, COPYRUN_NEED_DRIVE, DS_E_OK, NULL);
		break;
	case DS_E_CANCELED:
		finish(c, COPYRUN_STOPPED, DS_E_OK, NULL);
		break;
	default:
		finish(c, COPYRUN_FAILED, code, cause != NULL ?
		    strdup(cause) : NULL);
		break;
	}
}

void
copyrun_pub_free(struct copyrun_pub *c)
{
	if (c == NULL)
		return;
	free(c->st.message);
	free(c->cur);
	free(c->path);
	free(c->job);
	free(c);
}

static int
child_progress(void *arg, const struct ds_progress *p)
{
	struct copyrun_pub *c = arg;

	copyrun_pub_progress(c, p);
	return child_stop ? 1 : 0;
}

static void
child_warn(void *arg, const char *message)
{
	copyrun_pub_warn(arg, message);
}

/* Reads every drive of the set back; the drives are in JOB's record. */
static void
child_verify(struct copyrun_pub *c, const struct ds_ui_ops *ops)
{
	struct ds_prepared	*p = NULL;
	struct ds_read_report	*r = NULL;
	struct ds_read_opts	 o;
	const char		**paths = NULL;
	char			*cause = NULL, *msg = NULL;
	size_t			 i;
	int			 rc;

	c->st.state = COPYRUN_VERIFYING;
	write_status(c);
	if ((rc = ds_prepared_load(c->job, &p, &cause)) != 0) {
		finish(c, COPYRUN_FAILED, rc, cause);
		return;
	}
	if ((paths = calloc(p->ndrives + 1, sizeof *paths)) == NULL) {
		ds_prepared_free(p);
		finish(c, COPYRUN_FAILED, DS_E_NOMEM, NULL);
		return;
	}
	for (i = 0; i < p->ndrives; i++)
		paths[i] = p->drives[i].path;
	memset(&o, 0, sizeof o);
	o.drives = paths;
	o.ndrives = p->ndrives;
	o.ops = ops;
	rc = ds_verify(&o, &r, &cause);
	/* Intact drives are not enough: they must be this job's set. */
	if (rc == DS_E_OK) {
		free(cause);
		cause = NULL;
		rc = ds_jobrec_check_set(c->job, &cause);
	}
	if (rc == DS_E_OK)
		finish(c, COPYRUN_DONE, DS_E_OK, cause);
	else if (rc == DS_E_DAMAGED && r != NULL && r->nproblems > 0) {
		if (asprintf(&msg, "%s (%zu): %s", ds_strerror(rc),
		    r->nproblems, r->problems[0].reason) < 0)
			msg = NULL;
		free(cause);
		finish(c, COPYRUN_DAMAGED, DS_E_INVAL, msg);
	} else
		finish(c, rc == DS_E_DAMAGED ? COPYRUN_DAMAGED :
		    COPYRUN_FAILED, rc, cause);
	ds_read_report_free(r);
	free(paths);
	ds_prepared_free(p);
}

/* The detached process: prep, then verify; the status file says how. */
static void
child_main(const struct copyrun_args *a)
{
	struct copyrun_pub	*c;
	struct ds_prep_opts	 o;
	struct ds_prep_result	*r = NULL;
	struct ds_ui_ops	 ops;
	struct sigaction	 sa;
	sigset_t		 none;
	const char		*drives[1];
	char			*cause = NULL;
	int			 rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGWINCH, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if ((c = copyrun_pub_open(a->job, &cause)) == NULL) {
		free(cause);
		return;
	}
	memset(&ops, 0, sizeof ops);
	ops.arg = c;
	ops.progress = child_progress;
	ops.warn = child_warn;
	if (a->verify_only) {
		child_verify(c, &ops);
		copyrun_pub_free(c);
		return;
	}
	memset(&o, 0, sizeof o);
	drives[0] = a->drive;
	o.staging = a->staging;
	o.job = a->job;
	o.drives = drives;
	o.ndrives = a->drive != NULL ? 1 : 0;
	o.confirm = a->confirm;
	o.overwrite_job = a->overwrite_job;
	o.resume = a->resume;
	o.skip_unreadable = a->skip_unreadable;
	o.ops = &ops;
	rc = ds_prep(&o, &r, &cause);
	ds_prep_result_free(r);
	switch (rc) {
	case DS_E_OK:
		free(cause);
		child_verify(c, &ops);
		break;
	case DS_E_NEED_DRIVE:
		finish(c, COPYRUN_NEED_DRIVE, DS_E_OK, cause);
		break;
	case DS_E_CANCELED:
		finish(c, COPYRUN_STOPPED, DS_E_OK, cause);
		break;
	default:
		finish(c, child_stop ? COPYRUN_STOPPED : COPYRUN_FAILED, rc,
		    cause);
		break;
	}
	copyrun_pub_free(c);
}

int
copyrun_start(const struct copyrun_args *a, char **cause)
{
	char	*path;
	pid_t	 pid, got;
	int	 status, fd;

	/* The state folder must be there before the copy goes its way. */
	if ((path = status_path(a->job, cause)) == NULL)
		return DS_E_STATEDIR;
	free(path);
	fflush(NULL);
	if ((pid = fork()) == -1)
		return ds_cause(cause, DS_E_IO, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* A session of its own, then a grandchild init adopts. */
		setsid();
		if (fork() != 0)
			_exit(0);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		child_main(a);
		_exit(0);
	}
	while ((got = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	return 0;
}

static int
parse_state(const char *s)
{
	size_t i;

	for (i = 0; i < NSTATES; i++) {
		if (strcmp(s, state_names[i]) == 0)
			return (int)i;
	}
	return COPYRUN_FAILED;
}

static int
parse_phase(const char *s)
{
	size_t i;

	for (i = 0; i < NPHASES; i++) {
		if (strcmp(s, phase_names[i]) == 0)
			return (int)i;
	}
	return DS_PHASE_COPY;
}

int
copyrun_read(const char *job, struct copyrun_status *st, char **cause)
{
	char			*path, *line = NULL, *v;
	size_t			 cap = 0;
	ssize_t			 n;
	FILE			*f;
	unsigned long long	 a, b;
	long long		 t;

	memset(st, 0, sizeof *st);
	st->p.drive_index = -1;
	if ((path = status_path(job, cause)) == NULL)
		return DS_E_STATEDIR;
	if ((f = fopen(path, "r")) == NULL) {
		free(path);
		return ds_cause(cause, DS_E_NOTFOUND, "%s", job);
	}
	free(path);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "pid") == 0)
			st->pid = (pid_t)strtol(v, NULL, 10);
		else if (strcmp(line, "state") == 0)
			st->state = parse_state(v);
		else if (strcmp(line, "phase") == 0)
			st->p.phase = parse_phase(v);
		else if (strcmp(line, "bytes") == 0 &&
		    sscanf(v, "%llu %llu", &a, &b) == 2) {
			st->p.done = a;
			st->p.total = b;
		} else if (strcmp(line, "files") == 0 &&
		    sscanf(v, "%llu %llu", &a, &b) == 2) {
			st->p.files_done = a;
			st->p.files_total = b;
		} else if (strcmp(line, "drive") == 0 &&
		    sscanf(v, "%lld %llu %llu", &t, &a, &b) == 3) {
			st->p.drive_index = (int)t;
			st->p.drive_used = a;
			st->p.drive_size = b;
		} else if (strcmp(line, "drives") == 0)
			st->drives = (int)strtol(v, NULL, 10);
		else if (strcmp(line, "started") == 0)
			st->started = strtoll(v, NULL, 10);
		else if (strcmp(line, "updated") == 0)
			st->updated = strtoll(v, NULL, 10);
		else if (strcmp(line, "current") == 0 && *v != '\0')
			st->p.current = strdup(v);
		else if (strcmp(line, "message") == 0 && *v != '\0')
			st->message = strdup(v);
	}
	free(line);
	fclose(f);
	return 0;
}

void
copyrun_status_clear(struct copyrun_status *st)
{
	free((char *)st->p.current);
	free(st->message);
	memset(st, 0, sizeof *st);
}

int
copyrun_alive(const struct copyrun_status *st)
{
	if (st->state != COPYRUN_RUNNING && st->state != COPYRUN_VERIFYING)
		return 0;
	return st->pid > 0 && (kill(st->pid, 0) == 0 || errno == EPERM);
}

int
copyrun_stop(const struct copyrun_status *st)
{
	if (!copyrun_alive(st))
		return -1;
	return kill(st->pid, SIGTERM);
}

char *
copyrun_find(void)
{
	struct copyrun_status	 st;
	struct dirent		*de;
	DIR			*d;
	char			*jobs, *found = NULL, *cause = NULL;

	if ((jobs = ds_state_path("jobs", &cause)) == NULL) {
		free(cause);
		return NULL;
	}
	if ((d = opendir(jobs)) == NULL) {
		free(jobs);
		return NULL;
	}
	while (found == NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (copyrun_read(de->d_name, &st, &cause) != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		if (copyrun_alive(&st))
			found = strdup(de->d_name);
		copyrun_status_clear(&st);
	}
	closedir(d);
	free(jobs);
	return found;
}
