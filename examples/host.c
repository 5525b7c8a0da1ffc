/*
 * The host layer of the example programs (see host.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", ex_prog ? ex_prog : "example");
    exit(1);
}

/* ------------------------------------------------------------------------- */
/* Keys */

void ex_key_init(ex_key_t *k)
{
    k->n = 0;
    k->overflow = false;
}

static void key_bytes(ex_key_t *k, const char *p, size_t n)
{
    if (k->overflow || n + 1u > EX_KEY_MAX - k->n) {
        k->overflow = true;
        return;
    }
    memcpy(k->b + k->n, p, n);
    k->n += n;
    k->b[k->n++] = '\0';
}

void ex_key_add(ex_key_t *k, sip_str_t s)
{
    key_bytes(k, s.p, s.n);
}

void ex_key_addc(ex_key_t *k, const char *s)
{
    key_bytes(k, s, strlen(s));
}

void ex_key_addu(ex_key_t *k, unsigned long v)
{
    char d[24];
    int n = snprintf(d, sizeof(d), "%lu", v);
    key_bytes(k, d, n > 0 ? (size_t)n : 0u);
}

bool ex_dialog_key(ex_key_t *k, sip_str_t call_id, sip_str_t local_tag, sip_str_t remote_tag)
{
    ex_key_init(k);
    ex_key_add(k, call_id);
    ex_key_add(k, local_tag);
    ex_key_add(k, remote_tag);
    return !k->overflow;
}

bool ex_ctx_key(ex_key_t *k, sip_str_t branch, sip_str_t method)
{
    ex_key_init(k);
    ex_key_add(k, branch);
    ex_key_add(k, method);
    return !k->overflow;
}

static bool stx_key(ex_key_t *k, const sip_msg_t *m, sip_str_t method)
{
    ex_key_init(k);
    ex_key_add(k, m->branch);
    ex_key_add(k, m->via_host);
    ex_key_addu(k, m->via_port);
    ex_key_add(k, method);
    if (m->branch.n < 7 || memcmp(m->branch.p, "z9hG4bK", 7) != 0) {
        /* RFC 2543 clients: the branch alone identifies nothing */
        ex_key_add(k, m->call_id);
        ex_key_add(k, m->from_tag);
        ex_key_addu(k, m->cseq);
    }
    return !k->overflow;
}

bool ex_stx_key(ex_key_t *k, const sip_msg_t *m, const char *method)
{
    return stx_key(k, m, sip_str_c(method));
}

/* ------------------------------------------------------------------------- */
/* Hash table */

/* FNV-1a: short keys, no adversary worth more than this in an example. */
static uint32_t key_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 16777619u;
    }
    return h;
}

void ex_htab_init(ex_htab_t *t, size_t expected)
{
    size_t n = 16;
    while (n < expected && n < ((size_t)1 << 30))
        n <<= 1;
    t->bucket = calloc(n, sizeof(*t->bucket));
    if (!t->bucket)
        out_of_memory();
    t->mask = n - 1u;
    t->count = 0;
}

void ex_htab_free(ex_htab_t *t)
{
    free(t->bucket);
    t->bucket = NULL;
    t->mask = 0;
    t->count = 0;
}

bool ex_htab_add(ex_htab_t *t, ex_hnode_t *n, const ex_key_t *k)
{
    if (k->overflow || k->n > UINT32_MAX)
        return false;
    n->key = malloc(k->n);
    if (!n->key)
        return false;
    memcpy(n->key, k->b, k->n);
    n->klen = (uint32_t)k->n;
    n->hash = key_hash(k->b, k->n);
    ex_hnode_t **b = &t->bucket[n->hash & t->mask];
    n->next = *b;
    *b = n;
    t->count++;
    return true;
}

bool ex_htab_linked(const ex_hnode_t *n)
{
    return n->key != NULL;
}

void ex_htab_del(ex_htab_t *t, ex_hnode_t *n)
{
    if (!n->key)
        return;
    for (ex_hnode_t **p = &t->bucket[n->hash & t->mask]; *p; p = &(*p)->next) {
        if (*p == n) {
            *p = n->next;
            t->count--;
            break;
        }
    }
    free(n->key);
    n->key = NULL;
    n->next = NULL;
}

ex_hnode_t *ex_htab_find(const ex_htab_t *t, const ex_key_t *k, const ex_hnode_t *after)
{
    if (k->overflow)
        return NULL;
    uint32_t h = key_hash(k->b, k->n);
    ex_hnode_t *n = after ? after->next : t->bucket[h & t->mask];
    for (; n; n = n->next)
        if (n->hash == h && n->klen == k->n && memcmp(n->key, k->b, k->n) == 0)
            return n;
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Lists */

void ex_list_append(ex_list_t *l, ex_link_t *n)
{
    n->prev = l->tail;
    n->next = NULL;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

void ex_list_unlink(ex_list_t *l, ex_link_t *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    n->prev = n->next = NULL;
}

/* ------------------------------------------------------------------------- */
/* Timer heap */

void ex_heap_init(ex_heap_t *h, size_t cap)
{
    h->cap = cap < 16 ? 16 : cap;
    h->n = 0;
    h->v = malloc(h->cap * sizeof(*h->v));
    if (!h->v)
        out_of_memory();
}

void ex_heap_free(ex_heap_t *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

static void heap_place(ex_heap_t *h, size_t i, ex_heap_entry_t e)
{
    h->v[i] = e;
    e.t->slot = i + 1u;
}

static void sift_up(ex_heap_t *h, size_t i)
{
    ex_heap_entry_t e = h->v[i];
    while (i > 0) {
        size_t p = (i - 1u) / 2u;
        if (h->v[p].at <= e.at)
            break;
        heap_place(h, i, h->v[p]);
        i = p;
    }
    heap_place(h, i, e);
}

static void sift_down(ex_heap_t *h, size_t i)
{
    ex_heap_entry_t e = h->v[i];
    for (;;) {
        size_t c = 2u * i + 1u;
        if (c >= h->n)
            break;
        if (c + 1u < h->n && h->v[c + 1u].at < h->v[c].at)
            c++;
        if (e.at <= h->v[c].at)
            break;
        heap_place(h, i, h->v[c]);
        i = c;
    }
    heap_place(h, i, e);
}

static void heap_remove(ex_heap_t *h, ex_timer_t *t)
{
    size_t i = t->slot - 1u;
    t->slot = 0;
    h->n--;
    if (i == h->n)
        return;
    ex_heap_entry_t moved = h->v[h->n];
    heap_place(h, i, moved);
    sift_down(h, i);
    sift_up(h, moved.t->slot - 1u);
}

void ex_timer_set(ex_heap_t *h, ex_timer_t *t, prack_time_t at)
{
    if (at == PRACK_TIME_NONE) {
        if (t->slot)
            heap_remove(h, t);
        t->at = PRACK_TIME_NONE;
        return;
    }
    if (t->slot) {
        size_t i = t->slot - 1u;
        prack_time_t old = h->v[i].at;
        t->at = at;
        h->v[i].at = at;
        if (at < old)
            sift_up(h, i);
        else if (at > old)
            sift_down(h, i);
        return;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap * 2u;
        ex_heap_entry_t *v = realloc(h->v, cap * sizeof(*v));
        if (!v)
            out_of_memory();
        h->v = v;
        h->cap = cap;
    }
    t->at = at;
    heap_place(h, h->n, (ex_heap_entry_t){ at, t });
    h->n++;
    sift_up(h, h->n - 1u);
}

prack_time_t ex_heap_next(const ex_heap_t *h)
{
    return h->n ? h->v[0].at : PRACK_TIME_NONE;
}

size_t ex_heap_run(ex_heap_t *h, prack_time_t now)
{
    /* bounded by the count at entry, so that a callback re-arming for `now`
     * cannot keep this loop going */
    size_t budget = h->n, ran = 0;
    while (ran < budget && h->n && h->v[0].at <= now) {
        ex_timer_t *t = h->v[0].t;
        heap_remove(h, t);
        t->at = PRACK_TIME_NONE;
        ran++;
        if (t->fn)
            t->fn(t, now);
    }
    return ran;
}

/* ------------------------------------------------------------------------- */
/* The host */

static ex_host_t *the_host; /* for the callbacks of the timers the host owns */

void ex_host_init(ex_host_t *h, bool uas, unsigned long max_calls, uint32_t t1)
{
    memset(h, 0, sizeof(*h));
    h->sock = -1;
    h->uas = uas;
    h->t1 = t1;
    h->max_calls = max_calls;
    /* a call has a timer, and up to a few stored transactions at once */
    ex_heap_init(&h->timers, 1024);
    ex_htab_init(&h->stx, (size_t)max_calls * 2u);
    ex_htab_init(&h->ctx, (size_t)max_calls);
    the_host = h;
}

void ex_host_free(ex_host_t *h)
{
    ex_heap_free(&h->timers);
    ex_htab_free(&h->stx);
    ex_htab_free(&h->ctx);
}

bool ex_host_opt(int argc, char **argv, int *i, unsigned long *max_calls)
{
    const char *v = ex_opt(argc, argv, i, "--max-calls");
    if (!v)
        return false;
    if (!ex_parse_uint(v, 1, 10000000, max_calls))
        ex_usage_error(ex_prog, "--max-calls: 1..10000000");
    return true;
}

void ex_host_send(ex_host_t *h, const ex_addr_t *to, const char *msg, size_t len)
{
    ex_udp_send(h->sock, to, msg, len);
}

void ex_reply_addr(const sip_msg_t *m, const ex_addr_t *src, ex_addr_t *out)
{
    *out = *src;
    if (m->via_rport || m->via_host.n == 0)
        return; /* rport, or a Via too broken to read: the source port */
    ex_addr_set_port(out, m->via_port ? m->via_port : 5060u);
}

size_t ex_host_respond(ex_host_t *h, const sip_msg_t *req, const ex_addr_t *src, unsigned status,
                       const char *reason, const char *to_tag, const char *extra, unsigned call_no,
                       ex_stx_t *save)
{
    char buf[EX_MSG_MAX];
    sip_buf_t b;
    ex_addr_t to;
    sb_init(&b, buf, sizeof(buf));
    sip_response_start(&b, req, status, reason, to_tag);
    if (extra)
        sb_printf(&b, "%s", extra);
    if (h->server)
        sb_printf(&b, "Server: %s\r\n", h->server);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        ex_warn("response %u too large for the buffer", status);
        return 0;
    }
    ex_reply_addr(req, src, &to);
    ex_host_send(h, &to, buf, b.len);
    ex_ladder_msg(call_no, !h->uas, buf, b.len, NULL, NULL);
    if (save) {
        save->peer = to;
        ex_stx_store(save, buf, b.len);
    }
    return b.len;
}

bool ex_host_read(ex_host_t *h, char *buf, size_t len, const ex_addr_t *src, sip_msg_t *m,
                  char *raw)
{
    memcpy(raw, buf, len); /* the parser joins folded lines in place */
    sip_err_t err = sip_parse(buf, len, m);
    if (err == SIP_E_EMPTY)
        return false;
    if (err == SIP_OK)
        return true;
    ex_ladder_msg(0, h->uas, raw, len, NULL, NULL);
    /* RFC 3261 21.4.1: 400 when an answer can still be addressed; never to an ACK */
    if (m->request && !sip_str_eq_exact(m->method, "ACK") && sip_find(m, SIP_H_VIA, NULL) &&
        sip_find(m, SIP_H_FROM, NULL) && sip_find(m, SIP_H_TO, NULL) &&
        sip_find(m, SIP_H_CALL_ID, NULL) && sip_find(m, SIP_H_CSEQ, NULL)) {
        char tag[24];
        ex_random_hex(tag, 16);
        if (err == SIP_E_VERSION)
            ex_host_respond(h, m, src, 505, NULL, h->uas ? tag : NULL, NULL, 0, NULL);
        else
            ex_host_respond(h, m, src, 400, sip_strerror(err), h->uas ? tag : NULL, NULL, 0, NULL);
    } else {
        ex_note(0, "dropped: %s", sip_strerror(err));
    }
    return false;
}

prack_time_t ex_host_timers(ex_host_t *h)
{
    prack_time_t now = ex_now();
    ex_heap_run(&h->timers, now);
    return now;
}

int ex_host_poll(ex_host_t *h, prack_time_t now, prack_time_t also, ex_datagram_fn fn)
{
    static char buf[SIP_MAX_DGRAM + 1];
    return ex_poll_receive(h->sock, now, ex_min(ex_heap_next(&h->timers), also), buf, fn);
}

int ex_host_turn(ex_host_t *h, prack_time_t also, ex_datagram_fn fn)
{
    prack_time_t now = ex_host_timers(h);
    return ex_host_poll(h, now, also, fn);
}

/* ------------------------------------------------------------------------- */
/* Server transactions */

bool ex_stx_add(ex_host_t *h, ex_stx_t *t, const sip_msg_t *m, const char *method)
{
    ex_key_t k;
    ex_stx_remove(h, t);
    return ex_stx_key(&k, m, method) && ex_htab_add(&h->stx, &t->node, &k);
}

void ex_stx_remove(ex_host_t *h, ex_stx_t *t)
{
    ex_htab_del(&h->stx, &t->node);
    free(t->rsp);
    t->rsp = NULL;
    t->len = 0;
}

ex_stx_t *ex_stx_find(ex_host_t *h, const sip_msg_t *m, const char *method)
{
    ex_key_t k;
    if (!ex_stx_key(&k, m, method))
        return NULL;
    ex_hnode_t *n = ex_htab_find(&h->stx, &k, NULL);
    return n ? EX_OWNER(n, ex_stx_t, node) : NULL;
}

bool ex_keep(char **dst, size_t *dst_len, const char *p, size_t n)
{
    char *c = realloc(*dst, n + 1u);
    if (!c)
        return false;
    memcpy(c, p, n);
    c[n] = '\0';
    *dst = c;
    if (dst_len)
        *dst_len = n;
    return true;
}

char *ex_strdup_str(sip_str_t s)
{
    char *c = malloc(s.n + 1u);
    if (!c)
        return NULL;
    memcpy(c, s.p, s.n);
    c[s.n] = '\0';
    return c;
}

void ex_stx_store(ex_stx_t *t, const char *rsp, size_t len)
{
    if (!ex_keep(&t->rsp, &t->len, rsp, len)) {
        free(t->rsp);
        t->rsp = NULL;
        t->len = 0;
    }
}

static void nist_expire(ex_timer_t *tm, prack_time_t now)
{
    (void)now;
    ex_stx_t *t = EX_OWNER(tm, ex_stx_t, timer);
    ex_stx_remove(the_host, t);
    the_host->nist--;
    free(t);
}

ex_stx_t *ex_nist_open(ex_host_t *h, const sip_msg_t *m, const ex_addr_t *src, unsigned call_no,
                       prack_time_t now)
{
    ex_key_t k;
    if (!stx_key(&k, m, m->method) || ex_htab_find(&h->stx, &k, NULL))
        return NULL;
    ex_stx_t *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (!ex_htab_add(&h->stx, &t->node, &k)) {
        free(t);
        return NULL;
    }
    t->call_no = call_no;
    ex_reply_addr(m, src, &t->peer);
    t->timer.fn = nist_expire;
    /* Timer J (RFC 3261 17.2.2): 64*T1 over UDP; the response follows at once */
    ex_timer_set(&h->timers, &t->timer, now + 64u * (prack_time_t)h->t1);
    h->nist++;
    return t;
}

bool ex_nist_absorb(ex_host_t *h, const sip_msg_t *m, const char *raw, size_t rawlen)
{
    ex_key_t k;
    if (!stx_key(&k, m, m->method))
        return false;
    ex_hnode_t *n = ex_htab_find(&h->stx, &k, NULL);
    if (!n)
        return false;
    ex_stx_t *t = EX_OWNER(n, ex_stx_t, node);
    if (t->owner)
        return false; /* a program's INVITE transaction: the program answers */
    ex_ladder_msg(t->call_no, h->uas, raw, rawlen, NULL, "retransmission");
    if (t->len) {
        ex_host_send(h, &t->peer, t->rsp, t->len);
        ex_ladder_msg(t->call_no, !h->uas, t->rsp, t->len, NULL, "retransmission");
    }
    return true;
}

size_t ex_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;
    if (!f)
        return 0;
    int n = fscanf(f, "%lu %lu", &size, &rss);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? (size_t)rss * (size_t)page : 0u;
}
