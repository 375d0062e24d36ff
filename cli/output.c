/* Every byte the command line writes, checked: stdout (a full disk or a closed pipe is an
 * error, not exit 0). Files named by --ics, --plot, --to and the like go through lt_file_write
 * (base): a temporary file beside the target renamed over it, a symlink or a device node
 * refused. */
#include <errno.h>
#include <string.h>
#include "cli.h"

int lt_cli_print_buf(const lt_buf *b)
{
    if (lt_buf_failed(b)) {
        fprintf(stderr, "lutetia: out of memory while writing the output\n");
        return lt_cli_exit_code(LT_ENOMEM);
    }
    /* glibc writes a large buffer straight through: a failed write shows in fwrite's count
     * and the error flag, not in the fflush that follows (seen: `audit log --json >
     * /dev/full` exited 0) */
    size_t put = fwrite(lt_buf_str(b), 1, b->n, stdout);
    if (put != b->n || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lutetia: writing the output: %s\n", strerror(errno ? errno : EIO));
        return lt_cli_exit_code(LT_EIO);
    }
    return 0;
}

int lt_cli_finish_stdout(int rc)
{
    /* the verbs that print with printf: the error of a buffered write appears here */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lutetia: writing the output: %s\n", strerror(errno ? errno : EIO));
        return rc ? rc : lt_cli_exit_code(LT_EIO);
    }
    return rc;
}
