/* Fuzz target: the capture readers (contract-tests/ct_capture_read.c, ct_har.c): JSON Lines
 * captures and HAR archives, whichever the input looks like. Every record and bad line is read
 * to the end. The input is a memory file so the reader opens it by path, as `versa replay` does. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ct_capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("capture", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ct_capture_reader_config_t cfg;
    ct_capture_reader_config_init(&cfg);
    cfg.max_line_bytes = 1 << 20;
    cfg.max_har_bytes = 4 << 20;
    ct_error_t err;
    ct_capture_reader_t *r = ct_capture_reader_open(path, &cfg, &err);
    if (r != NULL) {
        ct_exchange_t x;
        ct_capture_bad_t bad;
        for (int i = 0; i < 10000; ++i) {
            ct_capture_status_t s = ct_capture_reader_next(r, &x, &bad, &err);
            if (s == CT_CAPTURE_EOF || s == CT_CAPTURE_ERROR)
                break;
        }
        ct_capture_reader_close(r);
    }
    close(fd);
    return 0;
}
