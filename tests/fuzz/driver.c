/* SPDX-License-Identifier: MIT */
/*
 * The standalone driver of the fuzz targets when they are built without
 * libFuzzer: runs each file named on the command line, and each file of
 * each folder named, once through LLVMFuzzerTestOneInput(). The input
 * is given in a buffer of exactly its size, so that the sanitizers of
 * the ASan+UBSan build see any read past its end.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Reads PATH into an allocated buffer of its exact size. */
static int
slurp(const char *path, uint8_t **out, size_t *len)
{
	FILE	*f;
	uint8_t	*buf = NULL, *nb;
	size_t	 n = 0, cap = 0, got;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL)
				abort();
			buf = nb;
		}
		if ((got = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	fclose(f);
	/* An exact copy: one byte more would hide an overread. */
	if ((*out = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(*out, buf, n);
	free(buf);
	*len = n;
	return 0;
}

static int
run_file(const char *path)
{
	uint8_t	*data;
	size_t	 len;

	if (slurp(path, &data, &len) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(stderr, "running %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of folder DIR, in name order; the count or -1. */
static int
run_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nv, *path;
	size_t		 n = 0, i;
	int		 count = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nv = realloc(names, (n + 1) * sizeof *nv)) == NULL ||
		    (nv[n] = strdup(de->d_name)) == NULL)
			abort();
		names = nv;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			abort();
		if (run_file(path) == -1)
			count = -1;
		else if (count >= 0)
			count++;
		free(path);
		free(names[i]);
	}
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat	st;
	int		i, n, total = 0, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|folder ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			status = 1;
		else
			total += n;
	}
	fprintf(stderr, "%s: %d inputs run\n", argv[0], total);
	return status;
}
