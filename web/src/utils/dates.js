/*
 * Calendar dates as the server sees them: "YYYY-MM-DD" strings, and "today"
 * in China time (the server decides what is due, visible or in the future by
 * Asia/Shanghai, whatever the browser's own zone).
 */

/* Today in China time, "YYYY-MM-DD". */
export function todayChina(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}

/* True for a real calendar date written "YYYY-MM-DD" (not 2026-02-30). */
export function isDate(s) {
  if (!/^\d{4}-\d\d-\d\d$/.test(s || '')) {
    return false;
  }
  const [y, m, d] = s.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}
