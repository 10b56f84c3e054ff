/*
 * Helpers shared by the ledger tabs (views/console/Ledger.vue and the
 * components next to this file): the entry sources the journal knows, the
 * longest memo or reason the server takes, and how a user id and a source
 * are shown. No API calls here.
 */
import { useI18n } from 'vue-i18n';
import { ApiError } from '../../api/client.js';

export const SOURCES = ['invoice', 'receipt', 'claim', 'payout_batch', 'manual', 'earning', 'refund', 'reversal'];
export const MEMO_MAX = 170;

/* An ApiError is shown; anything else is a bug and is thrown on. */
export function fail(e) {
  if (!(e instanceof ApiError)) {
    throw e;
  }
  return e;
}

/* userText(id) and sourceText(source) in the current language. */
export function useLedgerText() {
  const { t } = useI18n();
  function userText(id) {
    return id === null || id === undefined ? '—' : t('ledger.userId', { id });
  }
  function sourceText(s) {
    return SOURCES.includes(s) ? t(`ledger.src_${s}`) : s;
  }
  return { userText, sourceText };
}
