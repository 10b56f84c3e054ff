/*
 * ledger_impl: the posting context shared by ledger.c and ledger_report.c.
 * Private to the ledger module.
 */
#ifndef HUZHU_DOMAIN_LEDGER_IMPL_H
#define HUZHU_DOMAIN_LEDGER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "domain/ledger.h"

#define LEDGER_COVER_MONTHS_MAX 121 /* a cover term of ten years touches at most 121 months */

struct day_net {
    int32_t day; /* struct date .day */
    int64_t net_fen;
};

/* A (account, day) movement of the current batch, not yet written. */
struct day_delta {
    size_t acct; /* index into ctx accts */
    int32_t day;
    int64_t debit_fen;
    int64_t credit_fen;
};

struct acct {
    struct store_ledger_account a; /* balance_fen: as in the database */
    size_t fund;                   /* index into ctx funds */
    int64_t batch_delta_fen;       /* unflushed debit - credit of this batch */
    bool suffix_loaded;            /* suffix holds the database's days after suffix_after */
    int32_t suffix_after;
    struct day_net *suffix;
    size_t nsuffix, capsuffix;
};

struct ledger_ctx {
    struct store_conn *c;
    struct store_ledger_fund funds[LEDGER_FUNDS_MAX];
    size_t fund_first[LEDGER_FUNDS_MAX]; /* first account of each fund */
    size_t fund_count[LEDGER_FUNDS_MAX];
    size_t nfunds;
    struct acct *accts;
    size_t naccts;
    struct store_ledger_rule rules[LEDGER_RULES_MAX];
    size_t nrules;
    bool pending_exist; /* ledger_pending has rows: idempotency must look there too */
    struct day_delta *deltas;
    size_t ndeltas, capdeltas;
    int64_t *ids; /* reserved entry ids */
    size_t nids, next_id;
    struct day_net *scratch;
    size_t capscratch;
};

struct nline {
    size_t acct;
    char side; /* 'D' or 'C' */
    int64_t amount_fen;
};

/* An entry validated against a context. */
struct nentry {
    size_t fund;
    struct date date;
    char date_text[DATE_TEXT_LEN + 1];
    char period[8];
    enum ledger_source source;
    const char *source_id;
    const char *memo;
    const char *idem_key;
    int64_t reversal_of;
    int64_t total_fen;
    bool has_cover;
    char cover_start[DATE_TEXT_LEN + 1];
    char cover_end[DATE_TEXT_LEN + 1];
    int64_t cover_amount_fen;
    unsigned char digest[LEDGER_DIGEST_BYTES];
    size_t nlines;
    struct nline lines[LEDGER_LINES_MAX];
};

struct post_opts {
    bool approving;      /* a checker is posting a pending payment */
    int64_t created_by;  /* maker */
    int64_t approved_by; /* checker, or 0 */
};

enum err ledger_ctx_load(struct store_conn *c, struct ledger_ctx **out) WARN_UNUSED;
void ledger_ctx_free(struct ledger_ctx *x);
/* Writes the batch's per-account and per-day effects. */
enum err ledger_ctx_flush(struct ledger_ctx *x) WARN_UNUSED;
int ledger_ctx_fund(const struct ledger_ctx *x, const char *code);
int ledger_ctx_fund_by_id(const struct ledger_ctx *x, int64_t id);
int ledger_ctx_acct(const struct ledger_ctx *x, size_t fund, const char *code);
int ledger_ctx_acct_by_id(const struct ledger_ctx *x, int64_t id);

enum err ledger_normalize(const struct ledger_ctx *x, const struct ledger_entry_in *in,
                          int64_t reversal_of, struct nentry *ne,
                          struct ledger_result *out) WARN_UNUSED;
/* Posts a normalised entry. A database error is returned (roll back);
 * the entry's own fate is out->err. */
enum err ledger_post_normalized(struct ledger_ctx *x, const struct audit_actor *actor,
                                const struct nentry *ne, const struct post_opts *o,
                                struct ledger_result *out) WARN_UNUSED;

bool ledger_text_ok(const char *s, size_t max);
enum err ledger_parse_date(const char *s, struct date *out) WARN_UNUSED;
bool ledger_within_cap(int64_t mgmt_fen, int64_t income_fen, int64_t cap_bp);
int64_t ledger_now_ms(void);
enum err ledger_audit(struct store_conn *c, const struct audit_actor *actor, const char *action,
                      const char *object_type, int64_t object_id, const char *const *pairs,
                      size_t npairs) WARN_UNUSED;

#endif
