/* SPDX-License-Identifier: MIT */
/*
 * test-gate-open PATH CONFIRM [--write | --hold]: a helper of the shell
 * tests. Opens PATH through the format gate, prints the result code's name
 * and cause, and with --write puts a marker in the first 4 KiB; with
 * --hold keeps it open until stdin ends. Exits 0 when the gate opened it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gate.h"

int
main(int argc, char **argv)
{
	struct ds_gate	 g;
	char		*cause = NULL, buf[4096];
	int		 rc;

	if (argc < 3) {
		fprintf(stderr, "usage: test-gate-open PATH CONFIRM "
		    "[--write | --hold]\n");
		return 2;
	}
	rc = ds_gate_open(argv[1], argv[2], &g, &cause);
	printf("%s %s\n", ds_errname(rc), cause != NULL ? cause : "");
	free(cause);
	if (rc != DS_E_OK)
		return 1;
	printf("size %llu sector %u block %d id %s\n",
	    (unsigned long long)g.size, g.sector_size, g.is_block, g.drive_id);
	if (argc > 3 && strcmp(argv[3], "--write") == 0) {
		memset(buf, 0, sizeof buf);
		snprintf(buf, sizeof buf, "DISKSEED-GATE-TEST");
		if (pwrite(g.fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf ||
		    fsync(g.fd) == -1) {
			perror("write");
			ds_gate_close(&g);
			return 1;
		}
	}
	if (argc > 3 && strcmp(argv[3], "--hold") == 0) {
		fflush(stdout);
		while (read(0, buf, sizeof buf) > 0)
			;
	}
	ds_gate_close(&g);
	return 0;
}
