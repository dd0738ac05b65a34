/* `versa replay --progress`: the progress line on standard error. */
#include "replay_progress.h"

#include <stdio.h>

void replay_progress_draw(void *ctx, const ct_replay_progress_t *p)
{
    replay_progress_t *pg = ctx;
    char line[256];
    int n;
    if (p->total != 0) {
        double frac = p->done >= p->total ? 1.0 : (double)p->done / (double)p->total;
        char bar[26];
        int fill = (int)(frac * 24);
        for (int i = 0; i < 24; i++)
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[24] = '\0';
        double eta = p->rate > 0
                         ? (double)(p->total - (p->done < p->total ? p->done : p->total)) / p->rate
                         : 0;
        n = snprintf(line, sizeof(line),
                     "[%s] %llu/%llu %3.0f%%  %.0f/s  %llu differing  %llu errors  ETA %d:%02d",
                     bar, (unsigned long long)p->done, (unsigned long long)p->total, frac * 100,
                     p->rate, (unsigned long long)p->differing, (unsigned long long)p->errors,
                     (int)(eta / 60), (int)eta % 60);
    } else {
        n = snprintf(line, sizeof(line), "%llu done  %.0f/s  %llu differing  %llu errors",
                     (unsigned long long)p->done, p->rate, (unsigned long long)p->differing,
                     (unsigned long long)p->errors);
    }
    if (n > 0)
        fprintf(stderr, "\r%s\033[K", line);
    pg->drawn = 1;
}
