/*
 * plans_admin: the plan registry: versions of plan documents and their
 * states (draft -> published -> closed, only forward).
 *
 * A version is loaded as a draft (validated strictly by plan_from_json,
 * stored as its canonical JSON), published to open it for enrolment, and
 * closed to stop new enrolments. A published document never changes (the
 * database refuses it too), and enrolments hold the id of the version they
 * were made on, so a new version never changes an earlier one's enrolments.
 * Each function runs one transaction of its own unless named *_in_tx.
 */
#ifndef HUZHU_DOMAIN_PLANS_ADMIN_H
#define HUZHU_DOMAIN_PLANS_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/audit.h"
#include "domain/plan.h"
#include "store/store.h"

enum plan_state {
    PLAN_STATE_DRAFT,
    PLAN_STATE_PUBLISHED,
    PLAN_STATE_CLOSED,
};

/* "draft" / "published" / "closed". */
const char *plan_state_str(enum plan_state s);

/*
 * Validates doc and stores it as a draft. ERR_EXISTS when (code, version)
 * is already stored; the plan_from_json errors with *err_field (cap bytes,
 * PLAN_FIELD_PATH_MAX suffices) naming the field. *out_id may be NULL.
 */
enum err plans_load(struct store_conn *c, const json_t *doc, int64_t *out_id, char *err_field,
                    size_t err_cap) WARN_UNUSED;

/* draft -> published; creates the plan code's ledger fund (code = plan code) if it
 * does not exist yet. ERR_NOT_FOUND, or ERR_CONFLICT when not a draft. */
enum err plans_publish(struct store_conn *c, const char *code, int64_t version) WARN_UNUSED;

/* published -> closed. ERR_NOT_FOUND, or ERR_CONFLICT when not published. */
enum err plans_close(struct store_conn *c, const char *code, int64_t version) WARN_UNUSED;

/* The same three, audited as actor ("plan.load", "plan.publish",
 * "plan.close", in the transaction of the change); the plain ones above
 * act as the command line. */
enum err plans_load_as(struct store_conn *c, const struct audit_actor *actor, const json_t *doc,
                       int64_t *out_id, char *err_field, size_t err_cap) WARN_UNUSED;
enum err plans_publish_as(struct store_conn *c, const struct audit_actor *actor, const char *code,
                          int64_t version) WARN_UNUSED;
enum err plans_close_as(struct store_conn *c, const struct audit_actor *actor, const char *code,
                        int64_t version) WARN_UNUSED;

/* A stored version, parsed. */
struct plan_version {
    int64_t id;
    enum plan_state state;
    struct plan plan; /* large (~30 KiB): allocate plan_version on the heap */
};

/* Inside the caller's transaction: by id (> 0), else (code, version), with
 * version 0 = the latest published. ERR_NOT_FOUND; ERR_INVALID_PLAN if the
 * stored document no longer parses (written by a newer binary). */
enum err plans_get_in_tx(struct store_conn *c, int64_t id, const char *code, int64_t version,
                         struct plan_version *out) WARN_UNUSED;

/* One row of plans_list. */
struct plan_summary {
    int64_t id;
    const char *code;
    int64_t version;
    const char *name;
    const char *kind;
    enum plan_state state;
};

/* Calls fn for every stored version, by code then version. */
enum err plans_list(struct store_conn *c,
                    enum err (*fn)(void *ctx, const struct plan_summary *p),
                    void *ctx) WARN_UNUSED;

/*
 * Loads and publishes the sample plans dir/{ZY,JT,DB,NZ,YW}.json (the
 * demo's real plans, as data/plans in the repository). Idempotent: a
 * version already stored is left as it is. *loaded (may be NULL) gets how
 * many were new. ERR_IO when a file cannot be read, ERR_BAD_JSON when it is
 * not JSON, plan_from_json's errors when it is not a valid plan.
 */
enum err plans_load_samples(struct store_conn *c, const char *dir, size_t *loaded) WARN_UNUSED;

#endif
