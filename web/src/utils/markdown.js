/*
 * Markdown of the union's articles (宣传专栏) to HTML, safely.
 *
 * Article bodies are written by staff but read by every worker, so they are
 * untrusted text: the renderer never passes raw HTML through (html: false
 * escapes "<script>" and "<img onerror=...>" as text) and keeps only links
 * and images whose address is http:, https: or mailto: (or a relative path);
 * anything else ("javascript:", "data:", "vbscript:") stays plain text.
 * Links open in a new tab without the opener or a referrer. Only what
 * renderMarkdown() returns may be given to v-html.
 */
import MarkdownIt from 'markdown-it';

const SAFE_URL = /^(https?:|mailto:)/i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/* True for the addresses a link may carry: http, https, mailto, or a path
 * without a scheme (the portal's own pages). */
export function isSafeUrl(url) {
  const u = String(url || '').trim();
  // control characters and white space inside a scheme can smuggle one past a test
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(u)) {
    return false;
  }
  return SAFE_URL.test(u) || (!HAS_SCHEME.test(u) && !u.startsWith('//'));
}

const md = new MarkdownIt({
  html: false, // raw HTML is shown as text, never parsed
  linkify: true,
  typographer: false,
  breaks: true,
});
md.validateLink = isSafeUrl;

const defaultLinkOpen = md.renderer.rules.link_open
  || ((tokens, idx, options, env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/* HTML for Markdown text; '' for nothing. */
export function renderMarkdown(text) {
  return md.render(String(text || ''));
}
