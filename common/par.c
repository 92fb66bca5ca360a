/* par.c - see par.h. */
#include <pthread.h>
#include <stdlib.h>

#include "par.h"
#include "xalloc.h"

struct par {
	size_t n, next, failed;     /* failed: smallest i + 1 that failed, or 0 */
	int (*fn)(void *arg, size_t i, unsigned worker);
	void *arg;
	pthread_mutex_t mu;
};

struct par_worker {
	struct par *p;
	unsigned id;
	pthread_t th;
};

static void *
par_work(void *arg)
{
	struct par_worker *w = arg;
	struct par *p = w->p;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		if (p->next >= p->n || (p->failed && p->next >= p->failed)) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (p->fn(p->arg, i, w->id) != 0) {
			pthread_mutex_lock(&p->mu);
			if (!p->failed || i + 1 < p->failed)
				p->failed = i + 1;
			pthread_mutex_unlock(&p->mu);
		}
	}
}

size_t
par_for(unsigned jobs, size_t n, int (*fn)(void *arg, size_t i, unsigned worker), void *arg)
{
	struct par p = { n, 0, 0, fn, arg, PTHREAD_MUTEX_INITIALIZER };
	struct par_worker *w;
	unsigned k, started = 0;

	if (jobs > n)
		jobs = (unsigned)n;
	if (jobs <= 1) {
		for (size_t i = 0; i < n; i++)
			if (fn(arg, i, 0) != 0)
				return i + 1;
		return 0;
	}
	w = xcalloc(jobs, sizeof *w);
	for (k = 0; k < jobs; k++) {
		w[k].p = &p;
		w[k].id = k;
		if (k > 0 && pthread_create(&w[k].th, NULL, par_work, &w[k]) != 0)
			break;
		started = k + 1;
	}
	par_work(&w[0]);   /* this thread is worker 0 */
	for (k = 1; k < started; k++)
		pthread_join(w[k].th, NULL);
	free(w);
	pthread_mutex_destroy(&p.mu);
	return p.failed;
}
