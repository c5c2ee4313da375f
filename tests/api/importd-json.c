/* SPDX-License-Identifier: MIT */
/*
 * A small JSON tool for the importd tests (no jq needed):
 *   importd-json get FILE POINTER      print the value at POINTER
 *                                       ("/a/0/b"; strings raw)
 *   importd-json shape EXPECTED ACTUAL [IGNORE...]
 *                                       same keys and types, recursively
 * "shape" compares objects both ways (a key in one and not the other is
 * a difference), JSON types (integer and real are both numbers), and
 * array elements pairwise up to the shorter length. IGNORE are paths
 * ("/value/1/properties/systemData", "*" matching any one part) left out.
 * Exit 0 when equal in shape, 1 with the differences on stderr, 2 on
 * bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static char	**ignores;
static int	  nignores;
static int	  differences;

static const char *
type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* Whether PATH matches PATTERN part by part ("*" = any part). */
static int
path_match(const char *pattern, const char *path)
{
	const char	*pe, *qe;
	size_t		 pl, ql;

	for (;;) {
		if (*pattern == '\0' || *path == '\0')
			return *pattern == '\0' && *path == '\0';
		pattern++;
		path++;
		pe = strchr(pattern, '/');
		qe = strchr(path, '/');
		pl = pe != NULL ? (size_t)(pe - pattern) : strlen(pattern);
		ql = qe != NULL ? (size_t)(qe - path) : strlen(path);
		if (!(pl == 1 && *pattern == '*') &&
		    (pl != ql || strncmp(pattern, path, pl) != 0))
			return 0;
		pattern += pl;
		path += ql;
	}
}

static int
ignored(const char *path)
{
	int	i;

	for (i = 0; i < nignores; i++) {
		if (path_match(ignores[i], path))
			return 1;
	}
	return 0;
}

static void
shape(json_t *e, json_t *a, const char *path)
{
	const char	*k;
	json_t		*v;
	char		 sub[1024];
	size_t		 i;

	if (ignored(path))
		return;
	if (strcmp(type_name(e), type_name(a)) != 0) {
		fprintf(stderr, "%s: expected %s, got %s\n", *path ? path : "/",
		    type_name(e), type_name(a));
		differences++;
		return;
	}
	if (json_is_object(e)) {
		json_object_foreach(e, k, v) {
			snprintf(sub, sizeof sub, "%s/%s", path, k);
			if (json_object_get(a, k) == NULL) {
				if (!ignored(sub)) {
					fprintf(stderr, "%s: missing\n", sub);
					differences++;
				}
			} else
				shape(v, json_object_get(a, k), sub);
		}
		json_object_foreach(a, k, v) {
			snprintf(sub, sizeof sub, "%s/%s", path, k);
			if (json_object_get(e, k) == NULL && !ignored(sub)) {
				fprintf(stderr, "%s: not in the example\n",
				    sub);
				differences++;
			}
		}
	} else if (json_is_array(e)) {
		for (i = 0; i < json_array_size(e) &&
		    i < json_array_size(a); i++) {
			snprintf(sub, sizeof sub, "%s/%zu", path, i);
			shape(json_array_get(e, i), json_array_get(a, i), sub);
		}
		if (json_array_size(e) > 0 && json_array_size(a) == 0) {
			fprintf(stderr, "%s: empty, the example is not\n",
			    *path ? path : "/");
			differences++;
		}
	}
}

static json_t *
load(const char *file)
{
	json_error_t	 je;
	json_t		*v;

	v = json_load_file(file, JSON_DECODE_ANY, &je);
	if (v == NULL) {
		fprintf(stderr, "%s:%d: %s\n", file, je.line, je.text);
		exit(2);
	}
	return v;
}

static json_t *
pointer(json_t *v, const char *p)
{
	char	*copy = strdup(p), *part, *save = NULL, *end;
	long	 n;

	for (part = strtok_r(copy, "/", &save); v != NULL && part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (json_is_array(v)) {
			n = strtol(part, &end, 10);
			v = *end == '\0' ? json_array_get(v, n) : NULL;
		} else
			v = json_object_get(v, part);
	}
	free(copy);
	return v;
}

int
main(int argc, char **argv)
{
	json_t	*e, *a, *v;
	int	 rc;

	if (argc == 4 && strcmp(argv[1], "get") == 0) {
		e = load(argv[2]);
		if ((v = pointer(e, argv[3])) == NULL) {
			fprintf(stderr, "%s: no %s\n", argv[2], argv[3]);
			json_decref(e);
			return 1;
		}
		if (json_is_string(v))
			puts(json_string_value(v));
		else {
			json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
			putchar('\n');
		}
		json_decref(e);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "shape") == 0) {
		e = load(argv[2]);
		a = load(argv[3]);
		ignores = argv + 4;
		nignores = argc - 4;
		shape(e, a, "");
		rc = differences == 0 ? 0 : 1;
		json_decref(a);
		json_decref(e);
		return rc;
	}
	fprintf(stderr, "usage: importd-json get FILE POINTER\n"
	    "       importd-json shape EXPECTED ACTUAL [IGNORE...]\n");
	return 2;
}
