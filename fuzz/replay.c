/* fuzz/replay.c - run a fuzz target over a corpus without libFuzzer.
 *
 * Linked with one fuzz/fuzz_*.c, it calls LLVMFuzzerTestOneInput on every
 * regular file in the directories (or files) named on the command line, so
 * the corpus replays as an ordinary test under any compiler, ASan or
 * valgrind (the idea of SQLite's fuzzcheck). Exits non-zero if an argument
 * cannot be read or no input was found; a bug in the target crashes it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fprintf(stderr, "replay: out of memory\n");
            exit(2);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so ASan sees reads past the input's end. */
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += run_file(argv[i]) != 0;
            files++;
            continue;
        }
        DIR *dir = opendir(argv[i]);
        if (dir == NULL) {
            perror(argv[i]);
            bad++;
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            bad += run_file(path) != 0;
            files++;
        }
        closedir(dir);
    }
    printf("replay: %d inputs, %d unreadable\n", files, bad);
    return bad || files == 0 ? 1 : 0;
}
