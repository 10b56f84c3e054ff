/*
 * documents: the documents a claim needs (理赔材料) and their storage.
 *
 * Upload: PDF, JPEG or PNG only, decided by the content's first bytes
 * ("%PDF-", FF D8 FF, 89 "PNG" 0D 0A 1A 0A), never by a file name or a
 * client's content type; 1..LIMIT_DOCUMENT_BYTES bytes. Each content is
 * stored once, keyed by its SHA-256 (document_blob, in the database, so a
 * backup holds the documents with the claims); attaching the same bytes to
 * several claims stores them once. Downloads give back the stored bytes
 * with the sniffed type (the HTTP layer adds Content-Disposition:
 * attachment and X-Content-Type-Options: nosniff).
 *
 * Required documents, by the plans a claim names (the union over them):
 *   inpatient          invoice, settlement_statement (医保结算单), discharge_summary
 *   daily_allowance    discharge_summary (proves the days in hospital)
 *   critical_illness   diagnosis_report (diagnosis or pathology report)
 *   accident           accident_certificate, and by outcome:
 *                        medical     invoice, settlement_statement
 *                        disability  disability_appraisal
 *                        death       death_certificate
 * A no-application claim (channel auto) requires none: its settlement and
 * invoice numbers come from the medical insurance system itself.
 * A required kind is satisfied by one attached document of that kind or by
 * a waiver: an officer (claims officer, approver, admin) waives one kind
 * with a reason (1..500 bytes), audited as "claim.document_waive".
 * "other" documents may be attached but are never required.
 */
#ifndef HUZHU_DOMAIN_DOCUMENTS_H
#define HUZHU_DOMAIN_DOCUMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "store/store.h"

#define DOC_FILE_NAME_MAX 200 /* bytes of the display name kept */

enum doc_kind {
    DOC_INVOICE,
    DOC_SETTLEMENT_STATEMENT,
    DOC_DISCHARGE_SUMMARY,
    DOC_DIAGNOSIS_REPORT,
    DOC_ACCIDENT_CERTIFICATE,
    DOC_DISABILITY_APPRAISAL,
    DOC_DEATH_CERTIFICATE,
    DOC_OTHER,
    DOC_KIND__COUNT
};

#define DOC_BIT(k) (1u << (unsigned)(k))

/* "invoice", "settlement_statement", ...; parse: false for anything else. */
const char *doc_kind_str(enum doc_kind k);
bool doc_kind_parse(const char *text, enum doc_kind *out);

/* The content type of (data, len) by its magic bytes: "application/pdf",
 * "image/jpeg" or "image/png". ERR_INVALID when empty, ERR_TOO_LARGE above
 * LIMIT_DOCUMENT_BYTES, ERR_UNSUPPORTED_MEDIA otherwise. */
enum err doc_sniff(const void *data, size_t len, const char **content_type) WARN_UNUSED;

/* Lower-case hex SHA-256 of (data, len). */
void doc_sha256_hex(const void *data, size_t len, char out[65]);

/* The DOC_BIT set a claim requires (see the table above); kinds[i] are
 * the plan kinds the claim names. */
unsigned doc_required(const enum plan_kind *kinds, size_t n, const struct adj_event *ev,
                      enum claim_channel channel);

/* Attaches a document under kind. Allowed while the claim is draft,
 * submitted, documents_complete, assessed or appealed (CLAIM_STATE else),
 * to whoever may submit the claim and to officers. Moves a submitted claim
 * to documents_complete when nothing required is missing any more.
 * Audited as "claim.document_add" (kind, sha256, size). */
enum err claim_document_add(struct store_conn *c, const struct claims_ctx *ctx,
                            const struct auth_user *actor, int64_t claim_id, enum doc_kind kind,
                            const void *data, size_t len, const char *file_name,
                            int64_t *out_doc_id) WARN_UNUSED;

/* Waives a required kind with a reason (EXISTS when waived already; INVALID
 * "kind" when the claim does not require it). */
enum err claim_document_waive(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t claim_id, enum doc_kind kind,
                              const char *reason) WARN_UNUSED;

/* A document's bytes for download (malloc'd, caller frees) and its type;
 * NOT_FOUND when the claim has no such document. The read is audited
 * ("claim.document_read") in its own transaction. */
enum err claim_document_fetch(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t claim_id, int64_t doc_id,
                              char content_type[24], void **data, size_t *len) WARN_UNUSED;

/* The claim's documents (id, kind, sha256, content type, size, file
 * name), waivers (kind, reason, by), the kinds it requires and those
 * neither attached nor waived, as {"documents": [...], "waivers": [...],
 * "required": [...], "missing": [...]}; *out is a new object. For whoever
 * may see the claim (claims_load_for). */
enum err claim_documents_json(struct store_conn *c, const struct auth_user *actor,
                              int64_t claim_id, json_t **out) WARN_UNUSED;

/* Inside a transaction: the required kinds of the stored claim neither
 * attached nor waived (DOC_BIT set), for claims.c. */
enum err documents_missing_in_tx(struct store_conn *c, const struct store_claim *claim,
                                 unsigned *missing) WARN_UNUSED;

#endif
