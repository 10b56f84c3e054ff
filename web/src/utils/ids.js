/*
 * Identifier checks, the same rules as the server's src/core/ids.c, for
 * instant feedback in forms. Each returns {ok: true, value} with the
 * canonical form, or {ok: false, code} with the API's error code.
 *   idNumber  GB 11643 -> INVALID_ID / ID_EXCEL_MANGLED
 *   uscc      GB 32100 (+ GB 11714 organisation code) -> INVALID_EMPLOYER
 *   phone     mainland mobile -> INVALID_PHONE
 *   bankCard  16-19 digits, Luhn -> INVALID_BANK_ACCOUNT
 * Keep in step with ids.c; tests/web compares both on the same values.
 */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function trimBlanks(s) {
  return s.replace(/^[ \t\u3000]+|[ \t\u3000]+$/g, '');
}

export function idCheckChar(digits17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += (digits17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  }
  return '10X98765432'[sum % 11];
}

function realDate(y, m, d) {
  if (y < 1900 || m < 1 || m > 12 || d < 1) {
    return false;
  }
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

export function idNumber(text, today = new Date()) {
  const s = trimBlanks(String(text))
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/[\uFF38\uFF58x]/g, 'X');
  if (/^[0-9.]*[0-9][0-9.]*[Ee][+-]?[0-9]+$/.test(s)) {
    return { ok: false, code: 'ID_EXCEL_MANGLED' };
  }
  let num;
  if (/^[0-9]{15}$/.test(s)) {
    num = `${s.slice(0, 6)}19${s.slice(6)}`;
    num += idCheckChar(num);
  } else if (/^[0-9]{17}[0-9X]$/.test(s)) {
    if (s[17] !== idCheckChar(s)) {
      return { ok: false, code: 'INVALID_ID' };
    }
    num = s;
  } else {
    return { ok: false, code: 'INVALID_ID' };
  }
  if (num[0] === '0') {
    return { ok: false, code: 'INVALID_ID' };
  }
  const y = Number(num.slice(6, 10));
  const m = Number(num.slice(10, 12));
  const d = Number(num.slice(12, 14));
  const todayKey = today.getFullYear() * 10000 + (today.getMonth() + 1) * 100 + today.getDate();
  if (!realDate(y, m, d) || y * 10000 + m * 100 + d > todayKey) {
    return { ok: false, code: 'INVALID_ID' };
  }
  return {
    ok: true,
    value: num,
    birthDate: `${num.slice(6, 10)}-${num.slice(10, 12)}-${num.slice(12, 14)}`,
    gender: Number(num[16]) % 2 === 1 ? 'M' : 'F',
  };
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function orgCheckChar(body8) {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i];
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65 + 10;
    sum += v * w[i];
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

export function uscc(text) {
  const bad = { ok: false, code: 'INVALID_EMPLOYER' };
  const s = trimBlanks(String(text)).replace(/[a-z]/g, (c) => c.toUpperCase());
  if (s.length !== 18) {
    return bad;
  }
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const v = USCC_ALPHABET.indexOf(s[i]);
    if (v < 0) {
      return bad;
    }
    if (i < 17) {
      sum += v * USCC_WEIGHTS[i];
    }
  }
  if (!/^[1-9ANY][1-9][0-9]{6}$/.test(s.slice(0, 8))) {
    return bad;
  }
  if (orgCheckChar(s.slice(8, 16)) !== s[16]) {
    return bad;
  }
  if (USCC_ALPHABET[(31 - (sum % 31)) % 31] !== s[17]) {
    return bad;
  }
  return { ok: true, value: s };
}

export function phone(text) {
  let s = String(text).replace(/[ \t-]/g, '');
  if (s.startsWith('+86')) {
    s = s.slice(3);
  } else if (s.length === 13 && s.startsWith('86')) {
    s = s.slice(2);
  }
  return /^1[3-9][0-9]{9}$/.test(s) ? { ok: true, value: s } : { ok: false, code: 'INVALID_PHONE' };
}

export function bankCard(text) {
  const s = String(text).replace(/[ \t]/g, '');
  if (!/^[0-9]{16,19}$/.test(s)) {
    return { ok: false, code: 'INVALID_BANK_ACCOUNT' };
  }
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = s.charCodeAt(s.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
  }
  return sum % 10 === 0 ? { ok: true, value: s } : { ok: false, code: 'INVALID_BANK_ACCOUNT' };
}
