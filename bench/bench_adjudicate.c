/*
 * bench_adjudicate: throughput of the adjudication engine alone, on one
 * core, over in-memory data. Run by bench/adjudicate.
 *
 * Data: the plans of the public case file's first case; NMEMBERS members with
 * two yearly terms in each plan code (some with a gap past the renewal grace,
 * some cancelled); NCLAIMS claims drawn with a fixed seed across the event
 * kinds (illness stays, accident stays, diagnoses, disability and death),
 * naming 1-3 plans each, most with an invoice number (a few reused). Claims
 * are generated in batches; only the adjudicate_claim calls are timed.
 *
 * usage: bench_adjudicate CASES.json [NCLAIMS [NMEMBERS]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/adjudicate.h"
#include "domain/casefile.h"

#define BATCH 65536
#define TERMS_PER_CODE 2

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static struct date date_of(const char *text)
{
    struct date d = {0};
    if (date_parse(text, strlen(text), &d) != ERR_OK) {
        abort();
    }
    return d;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { ZY, JT, DB, NZ, YW, NCODES };

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASES.json [NCLAIMS [NMEMBERS]]\n", argv[0]);
        return 2;
    }
    size_t nclaims = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    size_t nmembers = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
    if (nclaims == 0 || nmembers == 0) {
        fprintf(stderr, "bench: NCLAIMS and NMEMBERS must be positive\n");
        return 2;
    }

    struct casefile cf;
    char msg[CASEFILE_ERROR_MAX];
    if (casefile_load(argv[1], &cf, msg, sizeof(msg)) != ERR_OK || cf.ncases == 0) {
        fprintf(stderr, "bench: %s\n", msg);
        return 1;
    }
    static const char *const names[NCODES] = {"ZY", "JT", "DB", "NZ", "YW"};
    struct adj_code codes[NCODES];
    const struct plan *plans[NCODES];
    for (size_t i = 0; i < NCODES; i++) {
        int k = casefile_code_find(&cf.cases[0], names[i]);
        if (k < 0) {
            fprintf(stderr, "bench: the first case has no plan %s\n", names[i]);
            return 1;
        }
        plans[i] = cf.cases[0].codes[k].plan;
        codes[i].plan = plans[i];
        adj_invoice_set_init(&codes[i].invoices);
    }
    struct adj_state state = {codes, NCODES};

    /* Members: two consecutive terms per code from 2024, start jittered. */
    struct adj_member *members = calloc(nmembers, sizeof(*members));
    struct adj_enrolment *enr = calloc(nmembers * NCODES * TERMS_PER_CODE, sizeof(*enr));
    if (members == NULL || enr == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    struct date base = date_of("2024-01-01");
    for (size_t m = 0; m < nmembers; m++) {
        members[m].id = "M";
        members[m].enrolments = &enr[m * NCODES * TERMS_PER_CODE];
        for (uint32_t c = 0; c < NCODES; c++) {
            struct date start = date_add_days(base, (int32_t)below(120));
            for (int t = 0; t < TERMS_PER_CODE; t++) {
                struct adj_enrolment *e = &members[m].enrolments[members[m].nenrolments++];
                int64_t shares = 1 + below((uint32_t)plans[c]->max_shares);
                struct date cancelled = date_add_days(start, (int32_t)(30 + below(300)));
                adj_enrolment_init(e, "E", plans[c], c, start, shares,
                                   below(20) == 0 ? &cancelled : NULL);
                /* next term: usually continuous, sometimes after a long gap */
                start = date_add_days(e->term_end, below(8) == 0 ? (int32_t)(40 + below(60)) : 1);
            }
        }
    }

    struct adj_claim *claims = calloc(BATCH, sizeof(*claims));
    struct adj_invoice *invoices = calloc(BATCH, sizeof(*invoices));
    char *numbers = calloc(BATCH, 16);
    size_t *who = calloc(BATCH, sizeof(*who));
    if (claims == NULL || invoices == NULL || numbers == NULL || who == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    static const char *const diseases[] = {"S01", "S02", "M01", "M02", "F01", "F05", "FM1", "X99"};
    uint64_t pairs = 0, by_reason[8] = {0}, approved = 0;
    int64_t paid_fen = 0;
    double busy_s = 0;
    uint32_t serial = 0;
    for (size_t done = 0; done < nclaims;) {
        size_t n = nclaims - done < BATCH ? nclaims - done : BATCH;
        for (size_t i = 0; i < n; i++) {
            struct adj_claim *c = &claims[i];
            struct adj_event *ev = &c->event;
            memset(c, 0, sizeof(*c));
            who[i] = below((uint32_t)nmembers);
            c->id = "C";
            struct date event = date_add_days(base, (int32_t)below(900));
            uint32_t kind = below(10);
            if (kind < 6) { /* a stay: illness or accident, with a settlement */
                ev->present =
                    ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
                ev->cause = kind < 4 ? ADJ_CAUSE_ILLNESS : ADJ_CAUSE_ACCIDENT;
                ev->admission_date = event;
                ev->discharge_date = date_add_days(event, (int32_t)below(30));
                int64_t in = (int64_t)below(5000000), out = (int64_t)below(500000);
                int64_t fund = (int64_t)below(8000000);
                ev->settlement = (struct adj_settlement){in + out + fund, fund, 0, 0, 0, in, out};
                c->code_ids[c->nplans++] = ZY;
                if (below(2) == 0) {
                    c->code_ids[c->nplans++] = JT;
                }
                if (ev->cause == ADJ_CAUSE_ACCIDENT) {
                    ev->present |= ADJ_HAS_ACCIDENT_DATE | ADJ_HAS_ACCIDENT_ID | ADJ_HAS_OUTCOME;
                    ev->accident_date = event;
                    ev->outcome = ADJ_OUTCOME_MEDICAL;
                    snprintf(ev->accident_id, sizeof(ev->accident_id), "A%u", serial);
                    c->code_ids[c->nplans++] = YW;
                } else if (below(4) == 0) {
                    ev->present |= ADJ_HAS_DIAGNOSIS | ADJ_HAS_DISEASE;
                    ev->diagnosis_date = event;
                    strcpy(ev->disease_code, diseases[below(8)]);
                    c->code_ids[c->nplans++] = DB;
                }
            } else if (kind < 8) { /* a diagnosis */
                ev->present = ADJ_HAS_CAUSE | ADJ_HAS_DIAGNOSIS | ADJ_HAS_DISEASE;
                ev->cause = ADJ_CAUSE_ILLNESS;
                ev->diagnosis_date = event;
                strcpy(ev->disease_code, diseases[below(8)]);
                c->code_ids[c->nplans++] = below(2) ? DB : NZ;
            } else { /* disability or death, a few per accident */
                ev->present = ADJ_HAS_CAUSE | ADJ_HAS_ACCIDENT_DATE | ADJ_HAS_ACCIDENT_ID |
                              ADJ_HAS_OUTCOME | ADJ_HAS_GRADE;
                ev->cause = ADJ_CAUSE_ACCIDENT;
                ev->accident_date = event;
                ev->outcome = below(5) == 0 ? ADJ_OUTCOME_DEATH : ADJ_OUTCOME_DISABILITY;
                ev->grade = 1 + (int32_t)below(10);
                snprintf(ev->accident_id, sizeof(ev->accident_id), "A%u", below(4));
                c->code_ids[c->nplans++] = YW;
            }
            c->submitted = date_add_days(event, (int32_t)below(800));
            if (below(10) < 7) { /* an invoice; one in 50 reuses an earlier number */
                char *num = &numbers[i * 16];
                uint32_t k = below(50) == 0 && serial > 0 ? below(serial) : serial;
                int len = snprintf(num, 16, "H%09u", k);
                invoices[i] =
                    (struct adj_invoice){num, (size_t)len, adj_invoice_hash(num, (size_t)len)};
                c->invoices = &invoices[i];
                c->ninvoices = 1;
            }
            serial++;
        }
        struct adj_result results[ADJ_CLAIM_PLANS_MAX];
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) {
            const char *field;
            enum err e = adjudicate_claim(&state, &members[who[i]], &claims[i], results, &field);
            if (e) {
                fprintf(stderr, "bench: claim %zu: %s: %s\n", done + i, field, err_str(e));
                return 1;
            }
            for (size_t k = 0; k < claims[i].nplans; k++) {
                by_reason[results[k].reason]++;
                approved += results[k].decision == ADJ_APPROVE;
                paid_fen += results[k].payout_fen;
            }
            pairs += claims[i].nplans;
        }
        busy_s += now_s() - t0;
        done += n;
    }

    printf("claims %zu, members %zu, pairs %" PRIu64 ", approved %" PRIu64 ", paid %" PRId64
           " fen, %.3f s\n",
           nclaims, nmembers, pairs, approved, paid_fen, busy_s);
    for (int r = 0; r < 8; r++) {
        const char *name = adj_reason_str((enum adj_reason)r);
        printf("  %-18s %" PRIu64 "\n", name ? name : "(approved)", by_reason[r]);
    }
    printf("adjudicate engine: %.0f claim-plan pairs/s (target 1000000)\n", (double)pairs / busy_s);

    for (size_t m = 0; m < nmembers; m++) {
        adj_member_release(&members[m]);
    }
    for (size_t i = 0; i < NCODES; i++) {
        adj_invoice_set_release(&codes[i].invoices);
    }
    free(members);
    free(enr);
    free(claims);
    free(invoices);
    free(numbers);
    free(who);
    casefile_release(&cf);
    return 0;
}
