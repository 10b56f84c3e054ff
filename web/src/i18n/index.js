// Language: Chinese by default, English on request; the choice is kept in
// localStorage under STORAGE_KEY. Element Plus follows through elementLocale().
import { createI18n } from 'vue-i18n';
import { computed } from 'vue';
import zhCnEl from 'element-plus/es/locale/lang/zh-cn.mjs';
import enEl from 'element-plus/es/locale/lang/en.mjs';
import zhCN from './zh-CN.js';
import en from './en.js';

export const STORAGE_KEY = 'huzhu.lang';
export const LANGUAGES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

function savedLanguage() {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.some((l) => l.code === v) ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLanguage(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});

const elementLocales = { 'zh-CN': zhCnEl, en: enEl };

export const elementLocale = computed(() => elementLocales[i18n.global.locale.value] || zhCnEl);

function applyDocumentLanguage(code) {
  document.documentElement.lang = code;
}

export function setLanguage(code) {
  if (!LANGUAGES.some((l) => l.code === code)) {
    return;
  }
  i18n.global.locale.value = code;
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyDocumentLanguage(code);
}

applyDocumentLanguage(i18n.global.locale.value);

/*
 * Text for an error thrown by the API client (an ApiError) or anything else.
 * A known code gets its message in the current language; an unknown one shows
 * the server's own message and the code, so nothing is ever silently lost.
 */
export function errorText(err) {
  const { t, te } = i18n.global;
  if (!err) {
    return t('errors.UNKNOWN');
  }
  const code = err.code || 'UNKNOWN';
  if (code === 'HTTP_ERROR') {
    return t('errors.HTTP_ERROR', { status: err.status });
  }
  if (te(`errors.${code}`)) {
    return t(`errors.${code}`);
  }
  const message = err.serverMessage || err.message || t('errors.UNKNOWN');
  return `${message} (${code})`;
}
