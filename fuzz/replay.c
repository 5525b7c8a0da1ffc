/*
 * Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over every file
 * named on the command line, or found directly inside a directory named there,
 * so that the checked-in corpus is a regression test without libFuzzer.
 *
 * Each input is copied into a heap block of exactly its size, so that reading
 * past it is caught by AddressSanitizer or valgrind. An empty or unreadable
 * directory is an error: a corpus that silently vanished must not pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fuzz_input.h"

static int run_file(const char *path, size_t *count)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        return -1;
    }
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (len < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2u);
        if (!bigger) {
            free(buf);
            fclose(fp);
            return -1;
        }
        buf = bigger;
        cap *= 2u;
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* an exact-size copy: the target must not read beyond the input */
    uint8_t *exact = malloc(len ? len : 1u);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The regular files directly inside dir, in name order so runs are repeatable. */
static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(de->d_name) + 2u;
        char *path = malloc(len);
        if (!path) {
            rc = -1;
            break;
        }
        snprintf(path, len, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2u : 64u;
            char **bigger = realloc(names, ncap * sizeof(*names));
            if (!bigger) {
                free(path);
                rc = -1;
                break;
            }
            names = bigger;
            cap = ncap;
        }
        names[n++] = path;
    }
    closedir(d);
    if (rc == 0 && n == 0) {
        fprintf(stderr, "replay: directory %s holds no input\n", dir);
        rc = -1;
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && run_file(names[i], count) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i], &count);
        if (rc != 0)
            return 1;
    }
    printf("replay: %zu inputs ran without a broken invariant\n", count);
    return 0;
}
