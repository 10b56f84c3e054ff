/*
 * demo_data: a realistic, living synthetic scheme for `huzhu demo`.
 *
 * The registry: a provincial union federation (ZJ) with cities, districts,
 * grassroots unions and an industry union for gig workers (ZJ-KD); a few
 * hundred employers of every ownership and size; N members (standard and
 * new forms of employment, some hardship-flagged), all with valid,
 * check-digit-correct identifiers.
 *
 * With the sample plans (plans_dir), the scheme around it, made through the
 * domain APIs so every rule, ledger entry and audit event is the real one:
 *   - enrolment: most employers group-enrolled in ZY with mixed funding by
 *     ownership and size, a subset in JT and DB, women in NZ; gig workers
 *     individually in YW and ZY; gifted cover from the province (hardship)
 *     and the courier industry union (gig workers); some employers not
 *     enrolled at all (the outreach list); invoices mostly paid, some
 *     partly paid or unpaid, a few lapsed, a few enrolments cancelled;
 *   - demo accounts for every role (demo_logins) and portal accounts for
 *     the workers who claim online;
 *   - claims over the last ten months in every state and channel: the
 *     monthly no-application feed, online and offline claims, approvals,
 *     rejections with reasons, an appeal, risk flags, payments through the
 *     ledger (and one awaiting a second finance user);
 *   - the ledger earned month by month and its first periods closed.
 * Dates are relative to `today`, never after it; the term starts on the
 * first day of the month ten months before. Deterministic for a seed and a
 * date. Many short transactions: the caller removes the database when this
 * fails, so no half-made demo is left.
 */
#ifndef HUZHU_CLI_DEMO_DATA_H
#define HUZHU_CLI_DEMO_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/err.h"

struct store;
struct fieldcrypt;

/* The password of every demo account: a demo, so it is printed on start. */
#define DEMO_PASSWORD "Huzhu-Demo-2026"
/* The demo administrator's login: its presence marks a demo database. */
#define DEMO_ADMIN_LOGIN "demo.admin"

/* One demo account, as printed on start. */
struct demo_login {
    const char *role;  /* role name */
    const char *login;
    const char *org;   /* organisation code, or "" for the member (their union) */
    const char *try_this; /* what to look at with it, short English */
};

extern const struct demo_login demo_logins[];
extern const size_t demo_logins_count;

/* Prints the demo accounts as a small table to out. */
void demo_print_logins(FILE *out);

struct demo_options {
    unsigned members;      /* members to generate */
    uint64_t seed;         /* 0: a fixed default */
    const char *plans_dir; /* the sample plans (data/plans); NULL: registry only */
    struct date today;     /* the demo's "today": nothing is dated after it */
};

struct demo_summary {
    int64_t orgs;
    int64_t employers;
    int64_t members;
    int64_t plans;              /* sample plans published */
    int64_t employers_enrolled; /* employers with a group enrolment */
    int64_t batches;            /* enrolment batches */
    int64_t enrolments;
    int64_t enrol_active;
    int64_t enrol_pending;
    int64_t enrol_lapsed;
    int64_t enrol_cancelled;
    int64_t enrol_gifted;
    int64_t invoices_paid;
    int64_t invoices_partial; /* open with a part paid */
    int64_t invoices_unpaid;  /* open with nothing paid */
    int64_t invoices_lapsed;
    int64_t receipts;
    int64_t accounts;          /* staff demo accounts and portal accounts */
    int64_t claims;
    int64_t claims_online, claims_offline, claims_auto;
    int64_t claims_paid;       /* paid or closed after payment */
    int64_t claims_rejected;
    int64_t claims_open;       /* anything still in the workflow */
    int64_t claims_flagged;
    int64_t paid_fen;          /* benefits paid through the ledger */
    int64_t periods_closed;    /* ledger periods closed (per the whole scheme) */
};

/*
 * Generates the demo into s (migrated, empty). fc seals identifiers as the
 * registry does. Returns the first error; the database is then half-made
 * and the caller deletes it. *out gets the counts.
 */
enum err demo_generate(struct store *s, const struct fieldcrypt *fc,
                       const struct demo_options *opt, struct demo_summary *out) WARN_UNUSED;

#endif
