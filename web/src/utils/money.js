/*
 * Money on the page: the API speaks integer fen (分); people read and type
 * yuan (元). Both directions are string work on the digits, never float
 * arithmetic, so 0.1 + 0.2 never happens to a payout.
 *
 *   formatFen(123456)      -> "1,234.56"   (integer or BigInt or digit string)
 *   formatFen(-5)          -> "-0.05"
 *   parseYuan("1,234.5")   -> 123450        (null when not an amount)
 *   formatBp(5000)         -> "50%"         (basis points, 1/100 of a percent)
 *   formatScaled(v, 6)     -> v / 10^6 as a decimal string (e.g. fen x bp -> yuan)
 */

/* Largest fen amount parseYuan accepts: 10^15 fen (safe integer range). */
export const MAX_FEN = 1000000000000000;

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/* The decimal digits of an integer value, and its sign; null when not an integer. */
function integerDigits(value) {
  let s;
  if (typeof value === 'bigint') {
    s = value.toString();
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      return null;
    }
    s = String(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    s = value;
  } else {
    return null;
  }
  const negative = s.startsWith('-');
  const digits = (negative ? s.slice(1) : s).replace(/^0+(?=\d)/, '');
  return { negative: negative && /[1-9]/.test(digits), digits };
}

/*
 * value / 10^scale as a decimal string with `decimals` places (truncated,
 * never rounded: callers show what the server computed), thousands grouped.
 */
export function formatScaled(value, scale, decimals = scale, group = true) {
  const v = integerDigits(value);
  if (v === null) {
    return '—';
  }
  const padded = v.digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale);
  let frac = padded.slice(padded.length - scale);
  frac = decimals <= frac.length ? frac.slice(0, decimals) : frac.padEnd(decimals, '0');
  const sign = v.negative ? '-' : '';
  const w = group ? groupThousands(whole) : whole;
  return decimals > 0 ? `${sign}${w}.${frac}` : `${sign}${w}`;
}

/* Integer fen -> "1,234.56"; anything else -> "—". */
export function formatFen(fen) {
  return formatScaled(fen, 2, 2, true);
}

/* Integer fen -> "1234.56" (no grouping: for input fields). */
export function fenToYuanInput(fen) {
  return formatScaled(fen, 2, 2, false);
}

/*
 * "1234.56" / "1,234.5" / "12" / " 0.05 " -> integer fen; null when the text
 * is not a non-negative amount with at most two decimals, or is too large.
 * Split on '.', never multiply a float.
 */
export function parseYuan(text) {
  if (typeof text !== 'string') {
    return null;
  }
  let s = text.trim().replace(/[,，\s]/g, '');
  if (s.startsWith('¥') || s.startsWith('￥')) {
    s = s.slice(1);
  }
  if (!/^\d+(\.\d{0,2})?$/.test(s) && !/^\.\d{1,2}$/.test(s)) {
    return null;
  }
  const [whole, frac = ''] = s.split('.');
  const w = (whole || '0').replace(/^0+(?=\d)/, '');
  if (w.length > 13) {
    return null;
  }
  const fen = Number(w) * 100 + Number(frac.padEnd(2, '0'));
  return Number.isSafeInteger(fen) && fen <= MAX_FEN ? fen : null;
}

/* Basis points -> "50%", "12.5%", "0.01%". */
export function formatBp(bp) {
  const s = formatScaled(bp, 2, 2, false);
  if (s === '—') {
    return s;
  }
  return `${s.replace(/\.?0+$/, '')}%`;
}
