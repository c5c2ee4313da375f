/* SPDX-License-Identifier: MIT */
/* What is on a drive now: partition table, partitions, filesystems. */
#include "config.h"

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drives.h"
#include "error.h"

/* A probed value, allocated, or NULL when the probe has none. */
static char *
value(blkid_probe pr, const char *name)
{
	const char *v;

	if (blkid_probe_lookup_value(pr, name, &v, NULL) != 0 || *v == '\0')
		return NULL;
	return strdup(v);
}

/* Probes the filesystem of one partition of FD. */
static void
probe_part(int fd, struct ds_drive_part *p)
{
	blkid_probe pr;

	if ((pr = blkid_new_probe()) == NULL)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)p->start,
	    (blkid_loff_t)p->size) == 0) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
		    BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
		blkid_probe_enable_partitions(pr, 0);
		if (blkid_do_safeprobe(pr) == 0) {
			p->fstype = value(pr, "TYPE");
			p->label = value(pr, "LABEL");
			p->uuid = value(pr, "UUID");
		}
	}
	blkid_free_probe(pr);
}

static int
read_parts(int fd, blkid_probe pr, struct ds_drive_contents *c)
{
	blkid_partlist		 ls;
	blkid_partition		 par;
	struct ds_drive_part	*p;
	const char		*s;
	char			 hex[8];
	int			 i, n;

	if ((ls = blkid_probe_get_partitions(pr)) == NULL ||
	    (n = blkid_partlist_numof_partitions(ls)) <= 0)
		return 0;
	if ((c->parts = calloc((size_t)n, sizeof *c->parts)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((par = blkid_partlist_get_partition(ls, i)) == NULL)
			continue;
		p = &c->parts[c->nparts++];
		p->number = (unsigned)blkid_partition_get_partno(par);
		p->start = (uint64_t)blkid_partition_get_start(par) * 512;
		p->size = (uint64_t)blkid_partition_get_size(par) * 512;
		if ((s = blkid_partition_get_type_string(par)) != NULL)
			p->type = strdup(s);
		else {
			snprintf(hex, sizeof hex, "0x%02x",
			    (unsigned)blkid_partition_get_type(par));
			p->type = strdup(hex);
		}
		if ((s = blkid_partition_get_name(par)) != NULL && *s != '\0')
			p->name = strdup(s);
		probe_part(fd, p);
	}
	return 0;
}

int
ds_drive_contents(const char *path, struct ds_drive_contents **out,
    char **cause)
{
	struct ds_drive_contents	*c;
	blkid_probe			 pr = NULL;
	int				 fd, rc, error;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return ds_cause(cause, errno == ENOENT ? DS_E_NOTFOUND :
		    DS_E_IO, "%s: %s", path, strerror(errno));
	if ((c = calloc(1, sizeof *c)) == NULL) {
		close(fd);
		return ds_cause(cause, DS_E_NOMEM, "%s", path);
	}
	if ((pr = blkid_new_probe()) == NULL ||
	    blkid_probe_set_device(pr, fd, 0, 0) != 0) {
		error = ds_cause(cause, DS_E_IO, _("%s: cannot probe the "
		    "contents"), path);
		goto fail;
	}
	c->size = (uint64_t)blkid_probe_get_size(pr);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
	    BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	rc = blkid_do_safeprobe(pr);
	if (rc == -1) {
		error = ds_cause(cause, DS_E_IO, _("%s: cannot probe the "
		    "contents"), path);
		goto fail;
	}
	if (rc == 0) {
		c->pttype = value(pr, "PTTYPE");
		c->ptuuid = value(pr, "PTUUID");
		c->fstype = value(pr, "TYPE");
		c->label = value(pr, "LABEL");
		c->uuid = value(pr, "UUID");
	} else if (rc == -2) {
		/* Two signatures that disagree: say so rather than guess. */
		c->fstype = strdup(_("ambiguous"));
	}
	if (read_parts(fd, pr, c) == -1) {
		error = ds_cause(cause, DS_E_NOMEM, "%s", path);
		goto fail;
	}
	blkid_free_probe(pr);
	close(fd);
	ds_gate_seed_read(path, &c->seed, NULL);
	*out = c;
	return DS_E_OK;

fail:
	if (pr != NULL)
		blkid_free_probe(pr);
	close(fd);
	ds_drive_contents_free(c);
	return error;
}

void
ds_drive_contents_free(struct ds_drive_contents *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nparts; i++) {
		free(c->parts[i].type);
		free(c->parts[i].name);
		free(c->parts[i].fstype);
		free(c->parts[i].label);
		free(c->parts[i].uuid);
	}
	free(c->parts);
	ds_gate_seed_clear(&c->seed);
	free(c->pttype);
	free(c->ptuuid);
	free(c->fstype);
	free(c->label);
	free(c->uuid);
	free(c);
}
