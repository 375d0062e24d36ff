/* Replays a fuzz corpus through a target as an ordinary test, after SQLite's fuzzcheck: every
 * file under the given folders is passed to LLVMFuzzerTestOneInput once. A crash or a sanitizer
 * report fails the test; an input that returns counts as passed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lutetia/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat %s\n", path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);
        if (n < 0) return 1;
        int rc = 0;
        for (int i = 0; i < n; i++) {
            if (names[i]->d_name[0] != '.') {
                char child[4096];
                snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
                rc |= replay_path(child);
            }
            free(names[i]);
        }
        free(names);
        return rc;
    }
    char *data;
    size_t len;
    lt_error err;
    if (lt_file_read(path, &data, &len, &err) != LT_OK) {
        fprintf(stderr, "replay: %s: %s\n", err.where, err.message);
        return 1;
    }
    /* hand the target an exact-size copy so that reads past the end are caught */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        free(data);
        return 1;
    }
    memcpy(copy, data, len);
    free(data);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    replayed++;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) rc |= replay_path(argv[i]);
    printf("%d passed, %d failed\n", replayed, rc ? 1 : 0);
    return rc;
}
