/* src/media/file.c - reading a whole file into memory, with a size cap.
 *
 * The cap is enforced while reading, not only from fstat, so a file that
 * grows under us (or a pipe, which has no size) cannot exceed it.
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int media_file_read(const char *path, size_t max_bytes, uint8_t **out,
                    size_t *n, struct lc_diag *d)
{
    *out = NULL;
    *n = 0;
    if (max_bytes > SIZE_MAX / 2) /* keeps max_bytes + 1 and cap * 2 exact */
        max_bytes = SIZE_MAX / 2;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lc_diag_set(d, LC_EIO, "%s: %s", path, strerror(errno));

    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lc_diag_set(d, LC_EIO, "%s: %s", path, strerror(e));
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_bytes) {
        close(fd);
        return lc_diag_set(d, LC_ETOOBIG, "%s: %jd bytes, limit %zu", path,
                           (intmax_t)st.st_size, max_bytes);
    }

    /* Start from the stat size (+1 to see EOF without a regrow). */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    size_t len = 0;
    uint8_t *p = lc_malloc(cap);
    for (;;) {
        if (len == cap) {
            if (len > max_bytes)
                break;
            cap = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
            p = lc_realloc(p, cap);
        }
        ssize_t r = read(fd, p + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(p);
            close(fd);
            return lc_diag_set(d, LC_EIO, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (len > max_bytes) {
        free(p);
        return lc_diag_set(d, LC_ETOOBIG, "%s: more than %zu bytes", path,
                           max_bytes);
    }
    *out = p;
    *n = len;
    return 0;
}
