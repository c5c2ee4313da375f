/* cmd-ship.c: placeholder until its area lands; says so at run time. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "error.h"

int
cmd_ship(int argc, char **argv)
{
	ds_err_code(DS_E_NOTIMPL, strdup(argv[0]));
	return DS_EXIT_FAILURE;
}
