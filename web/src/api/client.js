/*
 * The API client: every call to /api/v1 goes through api().
 *
 * - fetch with credentials 'same-origin' (the session is an HttpOnly cookie);
 * - JSON in and out; a state-changing request (not GET/HEAD) carries the
 *   session's CSRF token in X-CSRF-Token;
 * - every failure becomes an ApiError with a stable code: the server's
 *   {"error": {code, message, field}}, or NETWORK_ERROR, TIMEOUT,
 *   BAD_RESPONSE, HTTP_ERROR (a non-JSON error page) from the client;
 * - a 401 on anything but the session endpoints calls the handler set by
 *   onUnauthorized() (the router sends the user to the right login page);
 * - requests in flight drive the global progress bar.
 */
import { progressStart, progressDone } from './progress.js';

export const API_BASE = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30000;

export class ApiError extends Error {
  constructor({ status = 0, code = 'UNKNOWN', message = '', field = null, requestId = null }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.serverMessage = message;
    this.field = field;
    this.requestId = requestId;
  }
}

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

function isSessionPath(path) {
  return path === '/session' || path.startsWith('/session?') || path.startsWith('/session/');
}

async function readJson(resp) {
  const type = resp.headers.get('Content-Type') || '';
  if (!type.includes('application/json')) {
    return undefined;
  }
  try {
    return await resp.json();
  } catch {
    return undefined;
  }
}

/*
 * api(method, path, body?, options?) -> parsed JSON (null for 204).
 * path is relative to /api/v1 ("/health"). options: timeoutMs, signal,
 * progress (false to keep the bar hidden, e.g. for background polling),
 * authRedirect (false: a 401 is the caller's business, no trip to login),
 * rawType (send body as is with this Content-Type: a CSV, a photo).
 * Throws ApiError.
 */
export async function api(method, path, body, options = {}) {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, signal, progress = true, authRedirect = true } = options;
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    if (options.rawType) {
      headers['Content-Type'] = options.rawType;
      init.body = body;
    } else {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = window.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  if (signal) {
    signal.addEventListener('abort', onAbort, { once: true });
  }
  init.signal = controller.signal;
  if (progress) {
    progressStart();
  }
  try {
    let resp;
    try {
      resp = await fetch(API_BASE + path, init);
    } catch (e) {
      if (timedOut) {
        throw new ApiError({ code: 'TIMEOUT' });
      }
      if (signal && signal.aborted) {
        throw e; /* the caller cancelled: not an error to show */
      }
      throw new ApiError({ code: 'NETWORK_ERROR', message: String(e && e.message) });
    }
    const requestId = resp.headers.get('X-Request-Id');
    if (resp.status === 204) {
      return null;
    }
    const data = await readJson(resp);
    if (resp.ok) {
      if (data === undefined) {
        throw new ApiError({ status: resp.status, code: 'BAD_RESPONSE', requestId });
      }
      return data;
    }
    const e = data && data.error;
    const err = e && typeof e.code === 'string'
      ? new ApiError({
        status: resp.status,
        code: e.code,
        message: e.message || '',
        field: e.field || null,
        requestId,
      })
      : new ApiError({ status: resp.status, code: 'HTTP_ERROR', requestId });
    if (resp.status === 401 && authRedirect && !isSessionPath(path) && unauthorizedHandler) {
      unauthorizedHandler(err);
    }
    throw err;
  } finally {
    window.clearTimeout(timer);
    if (signal) {
      signal.removeEventListener('abort', onAbort);
    }
    if (progress) {
      progressDone();
    }
  }
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body, options);
export const put = (path, body, options) => api('PUT', path, body, options);
export const patch = (path, body, options) => api('PATCH', path, body, options);
export const del = (path, options) => api('DELETE', path, undefined, options);

/* The rows of a list answer: a bare array or {items: [...]}. */
export function listItems(data) {
  if (Array.isArray(data)) {
    return data;
  }
  return data && Array.isArray(data.items) ? data.items : [];
}

/* True when the error says the endpoint itself does not exist (yet). */
export function isNotAvailable(err) {
  return err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501);
}

/* POST a file or text as the raw body (CSV import, claim document). */
export const upload = (path, body, contentType, options = {}) =>
  api('POST', path, body, { timeoutMs: 120000, ...options, rawType: contentType || 'application/octet-stream' });

/* The rows of a named list answer ({members: [...], next_after}); falls back to listItems. */
export function listOf(data, key) {
  if (data && Array.isArray(data[key])) {
    return data[key];
  }
  return listItems(data);
}

/* A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
