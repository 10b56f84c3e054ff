/*
 * store_ledger: SQL of the fund ledger. Every statement is a static string
 * (the driver caches prepared statements by address) written once for both
 * backends; the only backend branch is entry id reservation (MAX(id) under
 * SQLite's write lock, a sequence on PostgreSQL where writers run at once).
 */
#include "store/store_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_impl.h"

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, id);
    }
}

/* Copies text column col into buf (cut to cap - 1 bytes, NUL-terminated). */
static void col_copy(struct db_stmt *st, int col, char *buf, size_t cap)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
}

static void col_digest(struct db_stmt *st, int col, unsigned char out[STORE_LEDGER_DIGEST_BYTES])
{
    size_t len;
    const void *p = db_col_blob(st, col, &len);
    memset(out, 0, STORE_LEDGER_DIGEST_BYTES);
    memcpy(out, p, len < STORE_LEDGER_DIGEST_BYTES ? len : STORE_LEDGER_DIGEST_BYTES);
}

static char col_side(struct db_stmt *st, int col)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    return len == 1 ? p[0] : '?';
}

/* Runs a bound statement expecting at most one row of one integer. */
static enum err query_one_int(struct db_stmt *st, bool *found, int64_t *out)
{
    bool row;
    enum err e = db_step(st, &row);
    if (e == ERR_OK) {
        *found = row;
        *out = row ? db_col_int64(st, 0) : 0;
    }
    db_reset(st);
    return e;
}

/* --- funds, accounts, rules ------------------------------------------------ */

static const char sql_funds[] =
    "SELECT id, code, name, mgmt_cap_bp, approval_threshold_fen, closed_through"
    " FROM fund ORDER BY id";

enum err store_ledger_funds(struct store_conn *c, struct store_ledger_fund *out, size_t cap,
                            size_t *out_n)
{
    struct db_stmt *st = NULL;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql_funds, &st);
    while (e == ERR_OK && (e = db_step(st, &row)) == ERR_OK && row) {
        if (n == cap) {
            e = ERR_TOO_LARGE;
            break;
        }
        struct store_ledger_fund *f = &out[n++];
        f->id = db_col_int64(st, 0);
        col_copy(st, 1, f->code, sizeof(f->code));
        col_copy(st, 2, f->name, sizeof(f->name));
        f->mgmt_cap_bp = db_col_int64(st, 3);
        f->approval_threshold_fen = db_col_int64(st, 4);
        col_copy(st, 5, f->closed_through, sizeof(f->closed_through));
    }
    if (st != NULL) {
        db_reset(st);
    }
    *out_n = n;
    return e;
}

static const char sql_accounts[] =
    "SELECT a.id, a.fund_id, a.code, c.name, c.type, c.normal_side, c.no_negative, a.balance_fen"
    " FROM ledger_account a JOIN ledger_chart c ON c.code = a.code ORDER BY a.fund_id, a.code";

enum err store_ledger_accounts(struct store_conn *c, struct store_ledger_account *out, size_t cap,
                               size_t *out_n)
{
    struct db_stmt *st = NULL;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql_accounts, &st);
    while (e == ERR_OK && (e = db_step(st, &row)) == ERR_OK && row) {
        if (n == cap) {
            e = ERR_TOO_LARGE;
            break;
        }
        struct store_ledger_account *a = &out[n++];
        a->id = db_col_int64(st, 0);
        a->fund_id = db_col_int64(st, 1);
        col_copy(st, 2, a->code, sizeof(a->code));
        col_copy(st, 3, a->name, sizeof(a->name));
        col_copy(st, 4, a->type, sizeof(a->type));
        a->normal_side = col_side(st, 5);
        a->no_negative = db_col_int64(st, 6) != 0;
        a->balance_fen = db_col_int64(st, 7);
    }
    if (st != NULL) {
        db_reset(st);
    }
    *out_n = n;
    return e;
}

static const char sql_rules[] =
    "SELECT debit_code, credit_code, source_type FROM ledger_rule"
    " ORDER BY debit_code, credit_code, source_type";

enum err store_ledger_rules(struct store_conn *c, struct store_ledger_rule *out, size_t cap,
                            size_t *out_n)
{
    struct db_stmt *st = NULL;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql_rules, &st);
    while (e == ERR_OK && (e = db_step(st, &row)) == ERR_OK && row) {
        if (n == cap) {
            e = ERR_TOO_LARGE;
            break;
        }
        col_copy(st, 0, out[n].debit_code, sizeof(out[n].debit_code));
        col_copy(st, 1, out[n].credit_code, sizeof(out[n].credit_code));
        col_copy(st, 2, out[n].source_type, sizeof(out[n].source_type));
        n++;
    }
    if (st != NULL) {
        db_reset(st);
    }
    *out_n = n;
    return e;
}

static const char sql_fund_insert[] =
    "INSERT INTO fund (code, name, mgmt_cap_bp, approval_threshold_fen)"
    " VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_fund_chart[] =
    "INSERT INTO ledger_account (fund_id, code) SELECT $1, code FROM ledger_chart ORDER BY code";

enum err store_ledger_fund_insert(struct store_conn *c, const char *code, const char *name,
                                  int64_t mgmt_cap_bp, int64_t approval_threshold_fen,
                                  int64_t *out_id)
{
    struct db_stmt *st;
    bool found;
    enum err e = db_prepare(c->db, sql_fund_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, code);
    db_bind_str(st, 2, name);
    db_bind_int64(st, 3, mgmt_cap_bp);
    db_bind_int64(st, 4, approval_threshold_fen);
    if ((e = query_one_int(st, &found, out_id)) != ERR_OK) {
        return e;
    }
    if (!found) {
        return ERR_DB;
    }
    if ((e = db_prepare(c->db, sql_fund_chart, &st)) != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, *out_id);
    return db_step_done(st);
}

static const char sql_fund_close[] = "UPDATE fund SET closed_through = $1 WHERE id = $2";

enum err store_ledger_fund_close(struct store_conn *c, int64_t fund_id, const char *period)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_fund_close, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, period);
    db_bind_int64(st, 2, fund_id);
    return db_step_done(st);
}

/* --- entries ----------------------------------------------------------------- */

static const char sql_max_entry_id[] = "SELECT COALESCE(MAX(id), 0) FROM ledger_entry";
static const char sql_next_entry_ids[] =
    "SELECT nextval('ledger_entry_seq') FROM generate_series(1, $1) ORDER BY 1";

enum err store_ledger_reserve_ids(struct store_conn *c, size_t n, int64_t *ids)
{
    struct db_stmt *st;
    bool row;
    enum err e;
    if (db_backend(c->db) == STORE_SQLITE) {
        /* BEGIN IMMEDIATE holds the write lock: nobody else can take these. */
        int64_t max = 0;
        bool found;
        if ((e = db_prepare(c->db, sql_max_entry_id, &st)) != ERR_OK ||
            (e = query_one_int(st, &found, &max)) != ERR_OK) {
            return e;
        }
        for (size_t i = 0; i < n; i++) {
            ids[i] = max + 1 + (int64_t)i;
        }
        return ERR_OK;
    }
    if ((e = db_prepare(c->db, sql_next_entry_ids, &st)) != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, (int64_t)n);
    size_t got = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row && got < n) {
        ids[got++] = db_col_int64(st, 0);
    }
    db_reset(st);
    if (e == ERR_OK && got != n) {
        e = ERR_DB;
    }
    return e;
}

/* Each line carries the running debit and credit totals through itself
 * and names its predecessor's (see 0004_ledger.sql). */
static const char sql_line_insert[] =
    "INSERT INTO ledger_line (entry_id, line_count, line_no, account_id, side, amount_fen,"
    " debit_through_fen, credit_through_fen, prev_line_no, prev_debit_fen, prev_credit_fen)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static enum err line_row(struct store_conn *c, int64_t entry_id, int64_t line_count,
                         int64_t line_no, const struct store_ledger_line *l, int64_t prev_d,
                         int64_t prev_c, int64_t *d, int64_t *cr)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_line_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    /* running totals: the database recomputes and compares them */
    if (__builtin_add_overflow(prev_d, l->side == 'D' ? l->amount_fen : 0, d) ||
        __builtin_add_overflow(prev_c, l->side == 'C' ? l->amount_fen : 0, cr)) {
        db_reset(st);
        return ERR_OVERFLOW;
    }
    char side[1] = {l->side};
    db_bind_int64(st, 1, entry_id);
    db_bind_int64(st, 2, line_count);
    db_bind_int64(st, 3, line_no);
    db_bind_int64(st, 4, l->account_id);
    db_bind_text(st, 5, side, 1);
    db_bind_int64(st, 6, l->amount_fen);
    db_bind_int64(st, 7, *d);
    db_bind_int64(st, 8, *cr);
    if (line_no == 1) {
        db_bind_null(st, 9);
        db_bind_null(st, 10);
        db_bind_null(st, 11);
    } else {
        db_bind_int64(st, 9, line_no - 1);
        db_bind_int64(st, 10, prev_d);
        db_bind_int64(st, 11, prev_c);
    }
    return db_step_done(st);
}

enum err store_ledger_line_insert(struct store_conn *c, int64_t entry_id, int64_t line_count,
                                  int64_t line_no, const struct store_ledger_line *l,
                                  int64_t prev_debit_fen, int64_t prev_credit_fen)
{
    int64_t d, cr;
    return line_row(c, entry_id, line_count, line_no, l, prev_debit_fen, prev_credit_fen, &d,
                    &cr);
}

/* Most entries have two lines: one statement writes both. */
static const char sql_line_pair_insert[] =
    "INSERT INTO ledger_line (entry_id, line_count, line_no, account_id, side, amount_fen,"
    " debit_through_fen, credit_through_fen, prev_line_no, prev_debit_fen, prev_credit_fen)"
    " VALUES ($1, 2, 1, $2, $3, $4, $5, $6, NULL, NULL, NULL),"
    " ($1, 2, 2, $7, $8, $9, $10, $11, 1, $5, $6)";

enum err store_ledger_lines_insert(struct store_conn *c, int64_t entry_id,
                                   const struct store_ledger_line *lines, size_t n)
{
    enum err e = ERR_OK;
    int64_t d = 0, cr = 0;
    if (n != 2) {
        for (size_t i = 0; i < n && e == ERR_OK; i++) {
            e = line_row(c, entry_id, (int64_t)n, (int64_t)i + 1, &lines[i], d, cr, &d, &cr);
        }
        return e;
    }
    struct db_stmt *st;
    if ((e = db_prepare(c->db, sql_line_pair_insert, &st)) != ERR_OK) {
        return e;
    }
    int64_t d1 = lines[0].side == 'D' ? lines[0].amount_fen : 0;
    int64_t c1 = lines[0].side == 'C' ? lines[0].amount_fen : 0;
    int64_t d2, c2;
    if (__builtin_add_overflow(d1, lines[1].side == 'D' ? lines[1].amount_fen : 0, &d2) ||
        __builtin_add_overflow(c1, lines[1].side == 'C' ? lines[1].amount_fen : 0, &c2)) {
        db_reset(st);
        return ERR_OVERFLOW;
    }
    char sides[2] = {lines[0].side, lines[1].side};
    db_bind_int64(st, 1, entry_id);
    db_bind_int64(st, 2, lines[0].account_id);
    db_bind_text(st, 3, &sides[0], 1);
    db_bind_int64(st, 4, lines[0].amount_fen);
    db_bind_int64(st, 5, d1);
    db_bind_int64(st, 6, c1);
    db_bind_int64(st, 7, lines[1].account_id);
    db_bind_text(st, 8, &sides[1], 1);
    db_bind_int64(st, 9, lines[1].amount_fen);
    db_bind_int64(st, 10, d2);
    db_bind_int64(st, 11, c2);
    return db_step_done(st);
}

static const char sql_entry_insert[] =
    "INSERT INTO ledger_entry (id, fund_id, entry_date, period, source_type, source_id, memo,"
    " created_by, approved_by, idem_key, digest, reversal_of, line_count, total_debit_fen,"
    " total_credit_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)";

enum err store_ledger_entry_insert(struct store_conn *c, const struct store_ledger_entry_row *r)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_entry_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, r->fund_id);
    db_bind_str(st, 3, r->entry_date);
    db_bind_str(st, 4, r->period);
    db_bind_str(st, 5, r->source_type);
    db_bind_str(st, 6, r->source_id);
    db_bind_str(st, 7, r->memo);
    bind_id(st, 8, r->created_by);
    bind_id(st, 9, r->approved_by);
    db_bind_str(st, 10, r->idem_key);
    db_bind_blob(st, 11, r->digest, STORE_LEDGER_DIGEST_BYTES);
    bind_id(st, 12, r->reversal_of);
    db_bind_int64(st, 13, r->line_count);
    db_bind_int64(st, 14, r->total_fen);
    return db_step_done(st);
}

static const char sql_entry_by_key[] = "SELECT id, digest FROM ledger_entry WHERE idem_key = $1";

enum err store_ledger_entry_by_key(struct store_conn *c, const char *idem_key, bool *found,
                                   int64_t *out_id, unsigned char digest[STORE_LEDGER_DIGEST_BYTES])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_entry_by_key, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, idem_key);
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    if (*found) {
        *out_id = db_col_int64(st, 0);
        col_digest(st, 1, digest);
    }
    db_reset(st);
    return e;
}

#define ENTRY_COLS                                                                               \
    "e.id, e.fund_id, e.entry_date, e.period, e.source_type, e.source_id, e.memo,"              \
    " e.created_by, e.approved_by, e.created_at, e.idem_key, e.digest, e.reversal_of,"          \
    " e.line_count, e.total_debit_fen, e.total_credit_fen"

static void read_entry(struct db_stmt *st, struct store_ledger_entry *o)
{
    o->id = db_col_int64(st, 0);
    o->fund_id = db_col_int64(st, 1);
    col_copy(st, 2, o->entry_date, sizeof(o->entry_date));
    col_copy(st, 3, o->period, sizeof(o->period));
    col_copy(st, 4, o->source_type, sizeof(o->source_type));
    col_copy(st, 5, o->source_id, sizeof(o->source_id));
    col_copy(st, 6, o->memo, sizeof(o->memo));
    o->created_by = db_col_int64(st, 7);
    o->approved_by = db_col_int64(st, 8);
    col_copy(st, 9, o->created_at, sizeof(o->created_at));
    col_copy(st, 10, o->idem_key, sizeof(o->idem_key));
    col_digest(st, 11, o->digest);
    o->reversal_of = db_col_int64(st, 12);
    o->line_count = db_col_int64(st, 13);
    o->total_debit_fen = db_col_int64(st, 14);
    o->total_credit_fen = db_col_int64(st, 15);
}

static const char sql_entry_get[] = "SELECT " ENTRY_COLS " FROM ledger_entry e WHERE e.id = $1";
static const char sql_entry_lines[] =
    "SELECT account_id, side, amount_fen FROM ledger_line WHERE entry_id = $1 ORDER BY line_no";
static const char sql_pending_lines[] =
    "SELECT account_id, side, amount_fen FROM ledger_pending_line WHERE pending_id = $1"
    " ORDER BY line_no";

static enum err read_lines(struct store_conn *c, const char *sql, int64_t id,
                           struct store_ledger_line *lines, size_t cap, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        if (n < cap) {
            lines[n].account_id = db_col_int64(st, 0);
            lines[n].side = col_side(st, 1);
            lines[n].amount_fen = db_col_int64(st, 2);
            n++;
        }
    }
    db_reset(st);
    *out_n = n;
    return e;
}

enum err store_ledger_entry_get(struct store_conn *c, int64_t id, struct store_ledger_entry *out,
                                struct store_ledger_line *lines, size_t cap, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_entry_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && row) {
        read_entry(st, out);
    } else if (e == ERR_OK) {
        e = ERR_NOT_FOUND;
    }
    db_reset(st);
    if (e != ERR_OK) {
        return e;
    }
    return read_lines(c, sql_entry_lines, id, lines, cap, out_n);
}

static const char sql_reversal_for[] = "SELECT id FROM ledger_entry WHERE reversal_of = $1";

enum err store_ledger_reversal_for(struct store_conn *c, int64_t id, int64_t *out_id)
{
    struct db_stmt *st;
    bool found;
    enum err e = db_prepare(c->db, sql_reversal_for, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    return query_one_int(st, &found, out_id);
}

/* Entries and their lines in one pass: the join is ordered by entry then
 * line, and a new entry id starts a new group. */
static const char sql_entry_each[] =
    "SELECT " ENTRY_COLS ", l.account_id, l.side, l.amount_fen"
    " FROM (SELECT * FROM ledger_entry WHERE id > $1"
    "   AND ($2 = 0 OR fund_id = $2)"
    "   AND ($3 = '' OR source_type = $3)"
    "   AND ($4 = '' OR source_id = $4)"
    "   AND ($5 = '' OR entry_date >= $5)"
    "   AND ($6 = '' OR entry_date <= $6)"
    "   AND ($7 = '' OR EXISTS (SELECT 1 FROM ledger_line l2"
    "        JOIN ledger_account a ON a.id = l2.account_id"
    "        WHERE l2.entry_id = ledger_entry.id AND a.code = $7))"
    "   ORDER BY id LIMIT $8) e"
    " JOIN ledger_line l ON l.entry_id = e.id ORDER BY e.id, l.line_no";

#define STORE_LEDGER_EACH_LINES 64 /* lines passed per entry; more are counted only */

enum err store_ledger_entry_each(struct store_conn *c, const struct store_ledger_entry_filter *f,
                                 enum err (*fn)(void *ctx, const struct store_ledger_entry *e,
                                                const struct store_ledger_line *lines,
                                                size_t nlines),
                                 void *ctx, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    size_t n = 0, nlines = 0;
    struct store_ledger_entry cur;
    struct store_ledger_line lines[STORE_LEDGER_EACH_LINES];
    bool have = false;
    enum err e = db_prepare(c->db, sql_entry_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, f->after_id);
    db_bind_int64(st, 2, f->fund_id);
    db_bind_str(st, 3, f->source_type ? f->source_type : "");
    db_bind_str(st, 4, f->source_id ? f->source_id : "");
    db_bind_str(st, 5, f->from_date ? f->from_date : "");
    db_bind_str(st, 6, f->to_date ? f->to_date : "");
    db_bind_str(st, 7, f->account_code ? f->account_code : "");
    db_bind_int64(st, 8, f->limit ? (int64_t)f->limit : INT64_MAX);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        int64_t id = db_col_int64(st, 0);
        if (!have || id != cur.id) {
            if (have && (e = fn(ctx, &cur, lines, nlines)) != ERR_OK) {
                break;
            }
            read_entry(st, &cur);
            have = true;
            nlines = 0;
            n++;
        }
        if (nlines < STORE_LEDGER_EACH_LINES) {
            lines[nlines].account_id = db_col_int64(st, 16);
            lines[nlines].side = col_side(st, 17);
            lines[nlines].amount_fen = db_col_int64(st, 18);
            nlines++;
        }
    }
    db_reset(st);
    if (e == ERR_OK && have) {
        e = fn(ctx, &cur, lines, nlines);
    }
    if (out_n != NULL) {
        *out_n = n;
    }
    return e;
}

/* --- aggregates ---------------------------------------------------------------- */

static const char sql_account_add[] =
    "UPDATE ledger_account SET balance_fen = balance_fen + $1 WHERE id = $2";

enum err store_ledger_account_add(struct store_conn *c, int64_t account_id, int64_t delta_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_account_add, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, delta_fen);
    db_bind_int64(st, 2, account_id);
    return db_step_done(st);
}

static const char sql_day_add[] =
    "INSERT INTO ledger_account_day (account_id, day, debit_fen, credit_fen)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, day) DO UPDATE SET"
    " debit_fen = ledger_account_day.debit_fen + excluded.debit_fen,"
    " credit_fen = ledger_account_day.credit_fen + excluded.credit_fen";

enum err store_ledger_day_add(struct store_conn *c, int64_t account_id, const char *day,
                              int64_t debit_fen, int64_t credit_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_day_add, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, account_id);
    db_bind_str(st, 2, day);
    db_bind_int64(st, 3, debit_fen);
    db_bind_int64(st, 4, credit_fen);
    return db_step_done(st);
}

static const char sql_day_after[] =
    "SELECT day, debit_fen - credit_fen FROM ledger_account_day"
    " WHERE account_id = $1 AND day > $2 ORDER BY day";

enum err store_ledger_day_after(struct store_conn *c, int64_t account_id, const char *after_day,
                                enum err (*fn)(void *ctx, const char *day, int64_t net_fen),
                                void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_day_after, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, account_id);
    db_bind_str(st, 2, after_day);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        char day[11];
        col_copy(st, 0, day, sizeof(day));
        if ((e = fn(ctx, day, db_col_int64(st, 1))) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_day_sum[] =
    "SELECT COALESCE(SUM(debit_fen), 0), COALESCE(SUM(credit_fen), 0) FROM ledger_account_day"
    " WHERE account_id = $1 AND day >= $2 AND day <= $3";

enum err store_ledger_day_sum(struct store_conn *c, int64_t account_id, const char *from_day,
                              const char *to_day, int64_t *out_debit_fen, int64_t *out_credit_fen)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_day_sum, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, account_id);
    db_bind_str(st, 2, from_day ? from_day : "");
    db_bind_str(st, 3, to_day ? to_day : "9999-99-99");
    e = db_step(st, &row);
    *out_debit_fen = (e == ERR_OK && row) ? db_col_int64(st, 0) : 0;
    *out_credit_fen = (e == ERR_OK && row) ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}

static const char sql_day_each[] =
    "SELECT account_id, day, debit_fen, credit_fen FROM ledger_account_day"
    " ORDER BY account_id, day";

enum err store_ledger_day_each(struct store_conn *c,
                               enum err (*fn)(void *ctx, int64_t account_id, const char *day,
                                              int64_t debit_fen, int64_t credit_fen),
                               void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_day_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        char day[11];
        col_copy(st, 1, day, sizeof(day));
        e = fn(ctx, db_col_int64(st, 0), day, db_col_int64(st, 2), db_col_int64(st, 3));
        if (e != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* --- pending payments ------------------------------------------------------------ */

static const char sql_pending_insert[] =
    "INSERT INTO ledger_pending (fund_id, entry_date, source_type, source_id, memo, idem_key,"
    " digest, amount_fen, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
static const char sql_pending_line_insert[] =
    "INSERT INTO ledger_pending_line (pending_id, line_no, account_id, side, amount_fen)"
    " VALUES ($1, $2, $3, $4, $5)";

enum err store_ledger_pending_insert(struct store_conn *c, const struct store_ledger_pending *p,
                                     int64_t *out_id)
{
    struct db_stmt *st;
    bool found;
    enum err e = db_prepare(c->db, sql_pending_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, p->fund_id);
    db_bind_str(st, 2, p->entry_date);
    db_bind_str(st, 3, p->source_type);
    db_bind_str(st, 4, p->source_id);
    db_bind_str(st, 5, p->memo);
    db_bind_str(st, 6, p->idem_key);
    db_bind_blob(st, 7, p->digest, STORE_LEDGER_DIGEST_BYTES);
    db_bind_int64(st, 8, p->amount_fen);
    bind_id(st, 9, p->created_by);
    if ((e = query_one_int(st, &found, out_id)) == ERR_OK && !found) {
        e = ERR_DB;
    }
    return e;
}

enum err store_ledger_pending_line_insert(struct store_conn *c, int64_t pending_id,
                                          int64_t line_no, const struct store_ledger_line *l)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_pending_line_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    char side[1] = {l->side};
    db_bind_int64(st, 1, pending_id);
    db_bind_int64(st, 2, line_no);
    db_bind_int64(st, 3, l->account_id);
    db_bind_text(st, 4, side, 1);
    db_bind_int64(st, 5, l->amount_fen);
    return db_step_done(st);
}

#define PENDING_COLS                                                                             \
    "id, fund_id, entry_date, source_type, source_id, memo, idem_key, digest, amount_fen,"      \
    " created_by, status, decided_by, reason, entry_id"

static void read_pending(struct db_stmt *st, struct store_ledger_pending *p)
{
    p->id = db_col_int64(st, 0);
    p->fund_id = db_col_int64(st, 1);
    col_copy(st, 2, p->entry_date, sizeof(p->entry_date));
    col_copy(st, 3, p->source_type, sizeof(p->source_type));
    col_copy(st, 4, p->source_id, sizeof(p->source_id));
    col_copy(st, 5, p->memo, sizeof(p->memo));
    col_copy(st, 6, p->idem_key, sizeof(p->idem_key));
    col_digest(st, 7, p->digest);
    p->amount_fen = db_col_int64(st, 8);
    p->created_by = db_col_int64(st, 9);
    col_copy(st, 10, p->status, sizeof(p->status));
    p->decided_by = db_col_int64(st, 11);
    col_copy(st, 12, p->reason, sizeof(p->reason));
    p->entry_id = db_col_int64(st, 13);
}

static const char sql_pending_get[] = "SELECT " PENDING_COLS " FROM ledger_pending WHERE id = $1";
static const char sql_pending_by_key[] =
    "SELECT " PENDING_COLS " FROM ledger_pending WHERE idem_key = $1";

enum err store_ledger_pending_get(struct store_conn *c, int64_t id,
                                  struct store_ledger_pending *out,
                                  struct store_ledger_line *lines, size_t cap, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_pending_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && row) {
        read_pending(st, out);
    } else if (e == ERR_OK) {
        e = ERR_NOT_FOUND;
    }
    db_reset(st);
    if (e != ERR_OK) {
        return e;
    }
    *out_n = 0;
    return cap == 0 ? ERR_OK : read_lines(c, sql_pending_lines, id, lines, cap, out_n);
}

enum err store_ledger_pending_by_key(struct store_conn *c, const char *idem_key, bool *found,
                                     struct store_ledger_pending *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_pending_by_key, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, idem_key);
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    if (*found) {
        read_pending(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_pending_decide[] =
    "UPDATE ledger_pending SET status = $1, decided_by = $2, reason = $3, entry_id = $4,"
    " decided_at = $5 WHERE id = $6 AND status = 'pending' RETURNING id";

enum err store_ledger_pending_decide(struct store_conn *c, int64_t id, const char *status,
                                     int64_t decided_by, const char *reason, int64_t entry_id)
{
    struct db_stmt *st;
    bool found;
    int64_t got;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
    enum err e = db_prepare(c->db, sql_pending_decide, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, status);
    bind_id(st, 2, decided_by);
    db_bind_str(st, 3, reason ? reason : "");
    bind_id(st, 4, entry_id);
    db_bind_str(st, 5, now);
    db_bind_int64(st, 6, id);
    if ((e = query_one_int(st, &found, &got)) == ERR_OK && !found) {
        e = ERR_CONFLICT;
    }
    return e;
}

static const char sql_pending_each[] =
    "SELECT " PENDING_COLS " FROM ledger_pending WHERE status = 'pending' ORDER BY id";

enum err store_ledger_pending_each(struct store_conn *c,
                                   enum err (*fn)(void *ctx, const struct store_ledger_pending *p),
                                   void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_pending_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_ledger_pending p;
        read_pending(st, &p);
        if ((e = fn(ctx, &p)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* --- schedules and earning -------------------------------------------------------- */

static const char sql_schedule_insert[] =
    "INSERT INTO contribution_schedule (fund_id, entry_id, amount_fen, cover_start, cover_end)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

enum err store_ledger_schedule_insert(struct store_conn *c, int64_t fund_id, int64_t entry_id,
                                      int64_t amount_fen, const char *cover_start,
                                      const char *cover_end, int64_t *out_id)
{
    struct db_stmt *st;
    bool found;
    enum err e = db_prepare(c->db, sql_schedule_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, fund_id);
    db_bind_int64(st, 2, entry_id);
    db_bind_int64(st, 3, amount_fen);
    db_bind_str(st, 4, cover_start);
    db_bind_str(st, 5, cover_end);
    if ((e = query_one_int(st, &found, out_id)) == ERR_OK && !found) {
        e = ERR_DB;
    }
    return e;
}

#define SCHEDULE_COLS                                                                            \
    "id, fund_id, entry_id, amount_fen, cover_start, cover_end, earned_fen, earned_through,"    \
    " cancelled, (SELECT CAST(COALESCE(SUM(r.total_debit_fen), 0) AS BIGINT) FROM ledger_entry r" \
    "  WHERE r.source_type = 'refund' AND r.source_id ="                                      \
    "  CAST(contribution_schedule.id AS TEXT) || '" STORE_LEDGER_PARTIAL_SUFFIX "')"

static void read_schedule(struct db_stmt *st, struct store_ledger_schedule *s)
{
    s->id = db_col_int64(st, 0);
    s->fund_id = db_col_int64(st, 1);
    s->entry_id = db_col_int64(st, 2);
    s->amount_fen = db_col_int64(st, 3);
    col_copy(st, 4, s->cover_start, sizeof(s->cover_start));
    col_copy(st, 5, s->cover_end, sizeof(s->cover_end));
    s->earned_fen = db_col_int64(st, 6);
    col_copy(st, 7, s->earned_through, sizeof(s->earned_through));
    s->cancelled = db_col_int64(st, 8) != 0;
    s->refunded_fen = db_col_int64(st, 9);
}

static const char sql_schedule_get[] =
    "SELECT " SCHEDULE_COLS " FROM contribution_schedule WHERE id = $1";
static const char sql_schedule_by_entry[] =
    "SELECT " SCHEDULE_COLS " FROM contribution_schedule WHERE entry_id = $1";

static enum err schedule_one(struct store_conn *c, const char *sql, int64_t key, bool *found,
                             struct store_ledger_schedule *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, key);
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    if (*found) {
        read_schedule(st, out);
    }
    db_reset(st);
    return e;
}

enum err store_ledger_schedule_get(struct store_conn *c, int64_t id,
                                   struct store_ledger_schedule *out)
{
    bool found;
    enum err e = schedule_one(c, sql_schedule_get, id, &found, out);
    return e == ERR_OK && !found ? ERR_NOT_FOUND : e;
}

enum err store_ledger_schedule_by_entry(struct store_conn *c, int64_t entry_id, bool *found,
                                        struct store_ledger_schedule *out)
{
    return schedule_one(c, sql_schedule_by_entry, entry_id, found, out);
}

static const char sql_schedule_open[] =
    "SELECT " SCHEDULE_COLS " FROM contribution_schedule WHERE fund_id = $1 AND cancelled = 0"
    " AND earned_fen < amount_fen AND cover_start <= $2 ORDER BY id";

enum err store_ledger_schedule_open_each(struct store_conn *c, int64_t fund_id,
                                         const char *last_day,
                                         enum err (*fn)(void *ctx,
                                                        const struct store_ledger_schedule *s),
                                         void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_schedule_open, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, fund_id);
    db_bind_str(st, 2, last_day);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_ledger_schedule s;
        read_schedule(st, &s);
        if ((e = fn(ctx, &s)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_schedule_set_earned[] =
    "UPDATE contribution_schedule SET earned_fen = $1, earned_through = $2 WHERE id = $3";

enum err store_ledger_schedule_set_earned(struct store_conn *c, int64_t id, int64_t earned_fen,
                                          const char *earned_through)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_schedule_set_earned, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, earned_fen);
    db_bind_str(st, 2, earned_through);
    db_bind_int64(st, 3, id);
    return db_step_done(st);
}

static const char sql_schedule_cancel[] =
    "UPDATE contribution_schedule SET cancelled = 1 WHERE id = $1";

enum err store_ledger_schedule_cancel(struct store_conn *c, int64_t id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_schedule_cancel, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    return db_step_done(st);
}

static const char sql_earning_insert[] =
    "INSERT INTO ledger_earning (schedule_id, month, entry_id, amount_fen) VALUES ($1, $2, $3, $4)";

enum err store_ledger_earning_insert(struct store_conn *c, int64_t schedule_id, const char *month,
                                     int64_t entry_id, int64_t amount_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_earning_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, schedule_id);
    db_bind_str(st, 2, month);
    db_bind_int64(st, 3, entry_id);
    db_bind_int64(st, 4, amount_fen);
    return db_step_done(st);
}

/* --- periods ---------------------------------------------------------------------- */

static const char sql_period_insert[] =
    "INSERT INTO ledger_period (fund_id, period, closed_by, report, digest)"
    " VALUES ($1, $2, $3, $4, $5)";

enum err store_ledger_period_insert(struct store_conn *c, int64_t fund_id, const char *period,
                                    int64_t closed_by, const char *report,
                                    const unsigned char digest[STORE_LEDGER_DIGEST_BYTES])
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_period_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, fund_id);
    db_bind_str(st, 2, period);
    bind_id(st, 3, closed_by);
    db_bind_str(st, 4, report);
    db_bind_blob(st, 5, digest, STORE_LEDGER_DIGEST_BYTES);
    return db_step_done(st);
}

static const char sql_period_get[] =
    "SELECT report, digest FROM ledger_period WHERE fund_id = $1 AND period = $2";

enum err store_ledger_period_get(struct store_conn *c, int64_t fund_id, const char *period,
                                 bool *found, char **out_report,
                                 unsigned char digest[STORE_LEDGER_DIGEST_BYTES])
{
    struct db_stmt *st;
    bool row;
    *out_report = NULL;
    enum err e = db_prepare(c->db, sql_period_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, fund_id);
    db_bind_str(st, 2, period);
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    if (*found) {
        size_t len;
        const char *p = db_col_text(st, 0, &len);
        *out_report = malloc(len + 1);
        if (*out_report == NULL) {
            e = ERR_NOMEM;
        } else {
            memcpy(*out_report, p, len);
            (*out_report)[len] = '\0';
            col_digest(st, 1, digest);
        }
    }
    db_reset(st);
    return e;
}

/* --- verification ------------------------------------------------------------------ */

static enum err first_id(struct store_conn *c, const char *sql, int64_t *out)
{
    struct db_stmt *st;
    bool found;
    enum err e = db_prepare(c->db, sql, &st);
    if (e != ERR_OK) {
        return e;
    }
    return query_one_int(st, &found, out);
}

static const char sql_check_entries[] =
    "SELECT e.id FROM ledger_entry e LEFT JOIN ("
    "  SELECT l.entry_id, COUNT(*) AS n,"
    "   SUM(CASE WHEN l.side = 'D' THEN l.amount_fen ELSE 0 END) AS d,"
    "   SUM(CASE WHEN l.side = 'C' THEN l.amount_fen ELSE 0 END) AS c,"
    "   SUM(CASE WHEN a.fund_id <> e2.fund_id THEN 1 ELSE 0 END) AS foreign_lines"
    "  FROM ledger_line l JOIN ledger_account a ON a.id = l.account_id"
    "  JOIN ledger_entry e2 ON e2.id = l.entry_id GROUP BY l.entry_id) t ON t.entry_id = e.id"
    " WHERE t.entry_id IS NULL OR t.n <> e.line_count OR t.n < 2"
    "  OR t.d <> e.total_debit_fen OR t.c <> e.total_credit_fen"
    "  OR e.total_debit_fen <> e.total_credit_fen OR t.foreign_lines <> 0"
    " ORDER BY e.id LIMIT 1";

enum err store_ledger_check_entries(struct store_conn *c, int64_t *out_bad_id)
{
    return first_id(c, sql_check_entries, out_bad_id);
}

static const char sql_check_orphans[] =
    "SELECT l.entry_id FROM ledger_line l LEFT JOIN ledger_entry e ON e.id = l.entry_id"
    " WHERE e.id IS NULL ORDER BY l.entry_id LIMIT 1";

enum err store_ledger_check_orphans(struct store_conn *c, int64_t *out_bad_id)
{
    return first_id(c, sql_check_orphans, out_bad_id);
}

static const char sql_check_balances[] =
    "SELECT a.id FROM ledger_account a LEFT JOIN ("
    "  SELECT account_id,"
    "   SUM(CASE WHEN side = 'D' THEN amount_fen ELSE -amount_fen END) AS net"
    "  FROM ledger_line GROUP BY account_id) t ON t.account_id = a.id"
    " WHERE a.balance_fen <> COALESCE(t.net, 0) ORDER BY a.id LIMIT 1";

enum err store_ledger_check_balances(struct store_conn *c, int64_t *out_bad_account)
{
    return first_id(c, sql_check_balances, out_bad_account);
}

/* Lines summed per (account, date) against the day rows, both ways. */
static const char sql_check_days[] =
    "WITH t AS (SELECT l.account_id, e.entry_date AS day,"
    "   SUM(CASE WHEN l.side = 'D' THEN l.amount_fen ELSE 0 END) AS d,"
    "   SUM(CASE WHEN l.side = 'C' THEN l.amount_fen ELSE 0 END) AS c"
    "  FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id"
    "  GROUP BY l.account_id, e.entry_date)"
    " SELECT account_id, day FROM ("
    "  SELECT t.account_id, t.day FROM t LEFT JOIN ledger_account_day a"
    "   ON a.account_id = t.account_id AND a.day = t.day"
    "   WHERE a.account_id IS NULL OR a.debit_fen <> t.d OR a.credit_fen <> t.c"
    "  UNION ALL"
    "  SELECT a.account_id, a.day FROM ledger_account_day a LEFT JOIN t"
    "   ON t.account_id = a.account_id AND t.day = a.day"
    "   WHERE t.account_id IS NULL AND (a.debit_fen <> 0 OR a.credit_fen <> 0)"
    " ) x ORDER BY account_id, day LIMIT 1";

enum err store_ledger_check_days(struct store_conn *c, int64_t *out_bad_account, char out_day[11])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_check_days, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    *out_bad_account = 0;
    out_day[0] = '\0';
    if (e == ERR_OK && row) {
        *out_bad_account = db_col_int64(st, 0);
        col_copy(st, 1, out_day, 11);
    }
    db_reset(st);
    return e;
}

/* A reversal mirrors its original: same number of lines, and line i of the
 * reversal has line i's account and amount on the other side; the original
 * is of the same fund and is not itself a reversal. */
static const char sql_check_reversals[] =
    "SELECT r.id FROM ledger_entry r JOIN ledger_entry o ON o.id = r.reversal_of"
    " WHERE o.fund_id <> r.fund_id OR o.reversal_of IS NOT NULL"
    "  OR o.line_count <> r.line_count OR o.total_debit_fen <> r.total_debit_fen"
    "  OR EXISTS (SELECT 1 FROM ledger_line rl LEFT JOIN ledger_line ol"
    "    ON ol.entry_id = o.id AND ol.line_no = rl.line_no"
    "    WHERE rl.entry_id = r.id AND (ol.entry_id IS NULL OR ol.account_id <> rl.account_id"
    "     OR ol.amount_fen <> rl.amount_fen OR ol.side = rl.side))"
    " ORDER BY r.id LIMIT 1";

enum err store_ledger_check_reversals(struct store_conn *c, int64_t *out_bad_id)
{
    return first_id(c, sql_check_reversals, out_bad_id);
}

static const char sql_check_schedules[] =
    "SELECT s.id FROM contribution_schedule s LEFT JOIN ("
    "  SELECT schedule_id, SUM(amount_fen) AS earned FROM ledger_earning GROUP BY schedule_id) t"
    " ON t.schedule_id = s.id LEFT JOIN ("
    "  SELECT source_id, SUM(total_debit_fen) AS refunded FROM ledger_entry"
    "  WHERE source_type = 'refund' GROUP BY source_id) f"
    " ON f.source_id = CAST(s.id AS TEXT) || '" STORE_LEDGER_PARTIAL_SUFFIX "'"
    " WHERE s.earned_fen <> COALESCE(t.earned, 0)"
    "  OR s.earned_fen + COALESCE(f.refunded, 0) > s.amount_fen ORDER BY s.id LIMIT 1";

enum err store_ledger_check_schedules(struct store_conn *c, int64_t *out_bad_id)
{
    return first_id(c, sql_check_schedules, out_bad_id);
}

static const char sql_line_totals[] =
    "SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount_fen ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN side = 'C' THEN amount_fen ELSE 0 END), 0) FROM ledger_line";

enum err store_ledger_line_totals(struct store_conn *c, int64_t *out_debit_fen,
                                  int64_t *out_credit_fen)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_line_totals, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    *out_debit_fen = (e == ERR_OK && row) ? db_col_int64(st, 0) : 0;
    *out_credit_fen = (e == ERR_OK && row) ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}

static const char sql_pending_any[] = "SELECT COUNT(*) FROM (SELECT 1 FROM ledger_pending LIMIT 1) t";

enum err store_ledger_pending_any(struct store_conn *c, bool *out)
{
    struct db_stmt *st;
    bool found;
    int64_t n = 0;
    enum err e = db_prepare(c->db, sql_pending_any, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = query_one_int(st, &found, &n);
    *out = n > 0;
    return e;
}
