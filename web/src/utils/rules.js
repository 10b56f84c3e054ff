/*
 * Client-side checks that mirror the server's rules, so a form can show a
 * field error in place before the request is sent. The server stays the
 * authority; these only save a round trip.
 *   login: 2-64 bytes of [A-Za-z0-9._@-] (auth_login_normalize)
 *   password at sign-in: present, at most 128 bytes (AUTH_PASSWORD_MAX_BYTES)
 */
export const LOGIN_MIN = 2;
export const LOGIN_MAX = 64;
export const PASSWORD_MAX_BYTES = 128;

const LOGIN_RE = /^[A-Za-z0-9._@-]+$/;

export function utf8Bytes(s) {
  return new TextEncoder().encode(s).length;
}

/* null when fine, else the i18n key of the problem. */
export function checkLogin(value) {
  const v = (value || '').trim();
  if (v === '') {
    return 'login.loginRequired';
  }
  if (v.length < LOGIN_MIN || v.length > LOGIN_MAX || !LOGIN_RE.test(v)) {
    return 'login.loginFormat';
  }
  return null;
}

export function checkPassword(value) {
  if (!value) {
    return 'login.passwordRequired';
  }
  if (utf8Bytes(value) > PASSWORD_MAX_BYTES) {
    return 'login.passwordTooLong';
  }
  return null;
}
