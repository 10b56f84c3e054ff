/*
 * cmd_adjudicate: `huzhu adjudicate [--no-explain] CASES.json` runs the
 * engine over a case file (spec/benefit-rules.md, "Case files") and prints
 * every decision, in claim order, as one JSON document on stdout:
 *   {"cases": [{"name": ..., "results": [{"claim", "plan", "decision",
 *    "reason", "payout_fen", "explanation"}, ...]}, ...]}
 * Nothing is printed on stdout unless every claim of every case was judged.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "domain/adjudicate.h"
#include "domain/casefile.h"

static const char *const usage_text =
    "usage: huzhu adjudicate [--no-explain] CASES.json\n"
    "\n"
    "Judges the claims of a case file (shared/spec/benefit-rules.md) and prints\n"
    "one result per claim and plan, in claim order, as JSON on stdout.\n"
    "\n"
    "  --no-explain   leave out the step-by-step explanation of each payout\n"
    "  --help         print this help\n"
    "\n"
    "Exit status: 0 judged, 1 the file is unreadable or invalid, 2 bad arguments.\n";

static json_t *result_json(const struct adj_claim *claim, const struct adj_result *r, bool explain)
{
    json_t *row = json_object();
    const char *reason = adj_reason_str(r->reason);
    if (row == NULL || json_object_set_new(row, "claim", json_string(claim->id)) != 0 ||
        json_object_set_new(row, "plan", json_string(r->plan->code)) != 0 ||
        json_object_set_new(row, "decision", json_string(adj_decision_str(r->decision))) != 0 ||
        json_object_set_new(row, "reason", reason ? json_string(reason) : json_null()) != 0 ||
        json_object_set_new(row, "payout_fen", json_integer(r->payout_fen)) != 0 ||
        (explain && json_object_set_new(row, "explanation", adj_explanation_to_json(r)) != 0)) {
        json_decref(row);
        return NULL;
    }
    return row;
}

/* Judges every claim of case c into a new {"name", "results"} object. On
 * error prints a message naming the case, claim and field, returns NULL. */
static json_t *run_case(size_t index, struct case_def *c, bool explain)
{
    json_t *out = json_object(), *results = json_array();
    if (out == NULL || results == NULL ||
        json_object_set_new(out, "name", json_string(c->name)) != 0 ||
        json_object_set(out, "results", results) != 0) {
        goto nomem;
    }
    for (size_t i = 0; i < c->nclaims; i++) {
        struct case_claim *cc = &c->claims[i];
        struct adj_result res[ADJ_CLAIM_PLANS_MAX];
        const char *field = "";
        enum err e = adjudicate_claim(&c->state, &c->members[cc->member], &cc->claim, res, &field);
        if (e) {
            fprintf(stderr, "huzhu adjudicate: case %zu \"%s\": claims[%zu] (%s): %s: %s\n", index,
                    c->name, i, cc->claim.id, field, err_str(e));
            json_decref(results);
            json_decref(out);
            return NULL;
        }
        for (size_t k = 0; k < cc->claim.nplans; k++) {
            json_t *row = result_json(&cc->claim, &res[k], explain);
            if (row == NULL || json_array_append_new(results, row) != 0) {
                goto nomem;
            }
        }
    }
    json_decref(results);
    return out;
nomem:
    fprintf(stderr, "huzhu adjudicate: out of memory\n");
    json_decref(results);
    json_decref(out);
    return NULL;
}

int cmd_adjudicate(int argc, char **argv)
{
    bool help = false, no_explain = false;
    const struct arg_opt opts[] = {
        {"no-explain", true, NULL, &no_explain},
    };
    const char *files[1];
    int nfiles = 0;
    if (args_parse("adjudicate", argc, argv, opts, 1, files, 1, &nfiles, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (nfiles != 1) {
        fprintf(stderr, "huzhu adjudicate: expected one case file (see --help)\n");
        return 2;
    }

    struct casefile cf;
    char msg[CASEFILE_ERROR_MAX];
    enum err e = casefile_load(files[0], &cf, msg, sizeof(msg));
    if (e) {
        fprintf(stderr, "huzhu adjudicate: %s\n", msg);
        return 1;
    }
    int rc = 1;
    json_t *doc = json_object(), *cases = json_array();
    if (doc == NULL || cases == NULL || json_object_set(doc, "cases", cases) != 0) {
        fprintf(stderr, "huzhu adjudicate: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < cf.ncases; i++) {
        json_t *one = run_case(i, &cf.cases[i], !no_explain);
        if (one == NULL || json_array_append_new(cases, one) != 0) {
            goto done;
        }
    }
    if (json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
        fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "huzhu adjudicate: cannot write the results\n");
        goto done;
    }
    rc = 0;
done:
    json_decref(cases);
    json_decref(doc);
    casefile_release(&cf);
    return rc;
}
