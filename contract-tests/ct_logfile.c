/* Size-rotated line log files: open, write whole lines, rotate (logrotate's numbered scheme). */
#include "ct_logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_alloc.h"

static void note_error(ct_logfile_t *lf, const char *what, int errnum)
{
    snprintf(lf->last_error, sizeof(lf->last_error), "%s %s: %s", what, lf->path, strerror(errnum));
    lf->stats.write_errors++;
}

static int open_file(ct_logfile_t *lf, int truncate)
{
    int fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0),
                  lf->mode);
    if (fd < 0)
        return -1;
    struct stat st;
    lf->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    lf->fd = fd;
    return 0;
}

int ct_logfile_init(ct_logfile_t *lf, const char *path, uint64_t max_bytes, unsigned keep,
                    mode_t mode, ct_error_t *err)
{
    memset(lf, 0, sizeof(*lf));
    lf->fd = -1;
    if (keep > CT_LOGFILE_MAX_KEEP) {
        snprintf(err->message, sizeof(err->message), "keep must be at most %d",
                 CT_LOGFILE_MAX_KEEP);
        return -1;
    }
    lf->path = ct__xstrndup(path, strlen(path));
    lf->max_bytes = max_bytes;
    lf->keep = keep;
    lf->mode = mode;
    if (open_file(lf, 0) != 0) {
        int e = errno;
        snprintf(err->message, sizeof(err->message), "cannot open %.150s: %s", path, strerror(e));
        free(lf->path);
        lf->path = NULL;
        errno = e;
        return -1;
    }
    return 0;
}

void ct_logfile_dispose(ct_logfile_t *lf)
{
    if (lf->fd >= 0)
        close(lf->fd);
    lf->fd = -1;
    free(lf->path);
    lf->path = NULL;
}

/* FILE.(keep-1) -> FILE.keep ... FILE -> FILE.1, then a new FILE. On failure the current file
 * stays open and grows: losing lines would be worse than a large file. */
static void rotate(ct_logfile_t *lf)
{
    size_t n = strlen(lf->path) + 16;
    char *from = ct__xmalloc(n), *to = ct__xmalloc(n);
    int ok = 1;
    for (unsigned i = lf->keep; ok && i > 1; i--) {
        snprintf(from, n, "%s.%u", lf->path, i - 1);
        snprintf(to, n, "%s.%u", lf->path, i);
        if (rename(from, to) != 0 && errno != ENOENT) { /* ENOENT: not reached yet */
            note_error(lf, "cannot rotate", errno);
            ok = 0;
        }
    }
    if (ok && lf->keep > 0) {
        snprintf(to, n, "%s.1", lf->path);
        if (rename(lf->path, to) != 0) {
            note_error(lf, "cannot rotate", errno);
            ok = 0;
        }
    }
    free(from);
    free(to);
    if (!ok)
        return;
    int old = lf->fd;
    if (open_file(lf, lf->keep == 0) != 0) {
        note_error(lf, "cannot open", errno);
        lf->fd = old; /* keep writing to the renamed file rather than losing lines */
        return;
    }
    close(old);
    lf->stats.rotations++;
}

static uint64_t count_lines(const char *p, size_t len)
{
    uint64_t n = 0;
    for (const char *end = p + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

static int write_chunk(ct_logfile_t *lf, const char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(lf->fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* the rest is lost; a line cut short here reads back as a bad line */
            uint64_t lost = count_lines(p + done, len - done);
            note_error(lf, "cannot write", n < 0 ? errno : EIO);
            lf->stats.lost += lost;
            lf->stats.written += count_lines(p, len) - lost;
            lf->size += done;
            return -1;
        }
        done += (size_t)n;
    }
    lf->size += len;
    lf->stats.written += count_lines(p, len);
    lf->stats.bytes_written += len;
    return 0;
}

int ct_logfile_write(ct_logfile_t *lf, const char *p, size_t len)
{
    if (lf->fd < 0 && open_file(lf, 0) != 0) { /* a reopen failed earlier: retry */
        note_error(lf, "cannot open", errno);
        lf->stats.lost += count_lines(p, len);
        return -1;
    }
    int ret = 0;
    while (len > 0) {
        size_t take = len;
        if (lf->max_bytes != 0 && lf->size + len > lf->max_bytes) {
            uint64_t room = lf->size < lf->max_bytes ? lf->max_bytes - lf->size : 0;
            const char *last = room != 0 ? memrchr(p, '\n', room < len ? (size_t)room : len) : NULL;
            if (last != NULL) {
                take = (size_t)(last - p) + 1;
            } else if (lf->size != 0) {
                rotate(lf);
                if (lf->size != 0) /* rotation failed: keep appending */
                    return write_chunk(lf, p, len);
                continue;
            } else { /* a line longer than max_bytes, alone in its file */
                const char *nl = memchr(p, '\n', len);
                take = nl != NULL ? (size_t)(nl - p) + 1 : len;
            }
        }
        if (write_chunk(lf, p, take) != 0)
            ret = -1;
        p += take;
        len -= take;
    }
    return ret;
}
