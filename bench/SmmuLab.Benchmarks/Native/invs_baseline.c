/*
 * C baseline for InvalidationArrayBenchmarks: the sorted invalidation array of the Linux 7.1
 * arm-smmu-v3 driver (an entry per SMMU tag or ATS StreamID, a user count, trash entries with
 * no users) and its two-pass merge and in-place unref, written for SmmuLab from the algorithm's
 * description so that the C# code can be timed against C in the same process.
 * Build: gcc -O2 -shared -fPIC -o libinvs_baseline.so invs_baseline.c
 */
#include <stdint.h>
#include <stdlib.h>

enum inv_type { INV_S1_ASID, INV_S2_VMID, INV_S2_VMID_S1_CLEAR, INV_ATS, INV_ATS_FULL };

struct inv {
	void *smmu;
	uint8_t type;
	uint8_t size_opcode;
	uint8_t nsize_opcode;
	uint32_t id;
	union {
		size_t pgsize;
		uint32_t ssid;
	};
	int users;
};

struct invs {
	size_t max_invs;
	size_t num_invs;
	size_t num_trashes;
	int has_ats;
	int rwlock; /* the write side is taken around the count update, as the driver's rwlock is */
	struct inv inv[];
};

static int is_ats(const struct inv *e)
{
	return e->type == INV_ATS || e->type == INV_ATS_FULL;
}

static int cmp_u(uintptr_t a, uintptr_t b)
{
	return a < b ? -1 : a > b;
}

static int inv_cmp(const struct inv *l, const struct inv *r)
{
	if (l->smmu != r->smmu)
		return cmp_u((uintptr_t)l->smmu, (uintptr_t)r->smmu);
	if (l->type != r->type)
		return cmp_u(l->type, r->type);
	if (l->id != r->id)
		return cmp_u(l->id, r->id);
	if (is_ats(l) && l->ssid != r->ssid)
		return cmp_u(l->ssid, r->ssid);
	return 0;
}

/* First entry at or after k that still has users. */
static size_t next_live(const struct invs *a, size_t k)
{
	while (k < a->num_invs && __atomic_load_n(&a->inv[k].users, __ATOMIC_RELAXED) == 0)
		k++;
	return k;
}

/* One step of the lock-step walk over a (trash skipped) and b: sets *cmp, advances after use. */
struct walk {
	size_t i, j;
	int cmp;
	int started;
};

static int walk_next(struct walk *w, const struct invs *a, const struct invs *b)
{
	if (w->started) {
		if (w->cmp <= 0)
			w->i = next_live(a, w->i + 1);
		if (w->cmp >= 0)
			w->j++;
	} else {
		w->i = next_live(a, 0);
		w->j = 0;
		w->started = 1;
	}
	if (w->i >= a->num_invs && w->j >= b->num_invs)
		return 0;
	w->cmp = w->i >= a->num_invs ? 1 : w->j >= b->num_invs ? -1 : inv_cmp(&a->inv[w->i], &b->inv[w->j]);
	return 1;
}

struct invs *invs_alloc(size_t n)
{
	struct invs *a = calloc(1, sizeof(*a) + n * sizeof(struct inv));
	if (a)
		a->max_invs = a->num_invs = n;
	return a;
}

void invs_free(struct invs *a)
{
	free(a);
}

/* Entry k: the fields the benchmark's arrays differ in. */
void invs_set(struct invs *a, size_t k, void *smmu, int type, uint32_t id, uint32_t ssid, int users)
{
	struct inv *e = &a->inv[k];
	e->smmu = smmu;
	e->type = (uint8_t)type;
	e->id = id;
	e->ssid = ssid;
	e->users = users;
	if (is_ats(e))
		a->has_ats = 1;
}

struct invs *invs_merge(const struct invs *a, const struct invs *to_merge)
{
	struct walk w = { 0 };
	size_t n = 0, k = 0;
	struct invs *out;

	while (walk_next(&w, a, to_merge))
		n++;
	out = invs_alloc(n);
	if (!out)
		return NULL;

	w = (struct walk){ 0 };
	while (walk_next(&w, a, to_merge)) {
		struct inv *dst = &out->inv[k];
		if (w.cmp < 0) {
			*dst = a->inv[w.i];
		} else if (w.cmp == 0) {
			*dst = a->inv[w.i];
			dst->users++;
		} else {
			*dst = to_merge->inv[w.j];
			dst->users = 1;
		}
		if (k > 0 && inv_cmp(&out->inv[k - 1], dst) >= 0) {
			free(out);
			return NULL;
		}
		if (is_ats(dst))
			out->has_ats = 1;
		k++;
	}
	return out;
}

void invs_unref(struct invs *a, struct invs *to_unref)
{
	struct walk w = { 0 };
	size_t new_num = 0;

	while (walk_next(&w, a, to_unref)) {
		if (w.cmp < 0) {
			new_num = w.i + 1;
		} else if (w.cmp == 0) {
			int u = a->inv[w.i].users - 1;
			if (u < 0)
				continue;
			__atomic_store_n(&a->inv[w.i].users, u, __ATOMIC_RELAXED);
			if (u > 0) {
				to_unref->inv[w.j].users = 1;
				new_num = w.i + 1;
			} else {
				to_unref->inv[w.j].users = 0;
				a->num_trashes++;
			}
		}
	}
	a->num_trashes -= a->num_invs - new_num;
	while (__atomic_exchange_n(&a->rwlock, 1, __ATOMIC_ACQUIRE))
		;
	__atomic_store_n(&a->num_invs, new_num, __ATOMIC_RELAXED);
	__atomic_store_n(&a->rwlock, 0, __ATOMIC_RELEASE);
}
