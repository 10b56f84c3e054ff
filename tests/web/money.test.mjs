// The fen <-> yuan helpers of web/src/utils/money.js: string work, no floats.
// Pure functions: no browser, no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

const ROOT = process.env.HUZHU_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { formatFen, parseYuan, formatBp, formatScaled, fenToYuanInput } = await import(path.join(ROOT, 'web/src/utils/money.js'));

test('formatFen: grouping, cents, zero, negatives, BigInt and digit strings', () => {
  assert.equal(formatFen(0), '0.00');
  assert.equal(formatFen(5), '0.05');
  assert.equal(formatFen(-5), '-0.05');
  assert.equal(formatFen(100), '1.00');
  assert.equal(formatFen(123456), '1,234.56');
  assert.equal(formatFen(-123456789), '-1,234,567.89');
  assert.equal(formatFen(7391006), '73,910.06');
  assert.equal(formatFen(100000000000000000n), '1,000,000,000,000,000.00');
  assert.equal(formatFen('40370'), '403.70');
  assert.equal(formatFen('-0'), '0.00');
});

test('formatFen: non-integers are shown as a dash, never rounded', () => {
  assert.equal(formatFen(1.5), '—');
  assert.equal(formatFen(null), '—');
  assert.equal(formatFen(undefined), '—');
  assert.equal(formatFen('12.3'), '—');
  assert.equal(formatFen(Number.MAX_SAFE_INTEGER + 2), '—');
});

test('parseYuan: decimal strings become integer fen exactly', () => {
  assert.equal(parseYuan('0'), 0);
  assert.equal(parseYuan('0.01'), 1);
  assert.equal(parseYuan('0.1'), 10);
  assert.equal(parseYuan('.5'), 50);
  assert.equal(parseYuan('12'), 1200);
  assert.equal(parseYuan('12.'), 1200);
  assert.equal(parseYuan('1234.56'), 123456);
  assert.equal(parseYuan(' 1,234.5 '), 123450);
  assert.equal(parseYuan('￥8.07'), 807);
  assert.equal(parseYuan('0.29'), 29); // 0.29 * 100 is 28.999999999999996 in floats
  assert.equal(parseYuan('1.15'), 115); // and 1.15 * 100 is 114.99999999999999
  assert.equal(parseYuan('9999999999999.99'), 999999999999999);
});

test('parseYuan: anything else is refused', () => {
  for (const bad of ['', ' ', '.', '-1', '1.234', '1e3', 'abc', '1.2.3', '12a', '10000000000000.00', '+5']) {
    assert.equal(parseYuan(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseYuan(12), null);
  assert.equal(parseYuan(null), null);
});

test('round trip: parseYuan(fenToYuanInput(x)) === x', () => {
  for (const fen of [0, 1, 9, 10, 99, 100, 101, 123456, 999999999999999]) {
    assert.equal(parseYuan(fenToYuanInput(fen)), fen);
  }
});

test('formatBp and formatScaled', () => {
  assert.equal(formatBp(5000), '50%');
  assert.equal(formatBp(10000), '100%');
  assert.equal(formatBp(1250), '12.5%');
  assert.equal(formatBp(1), '0.01%');
  assert.equal(formatBp(0), '0%');
  assert.equal(formatScaled(403700000, 6, 2), '403.70'); // fen x bp -> yuan
  assert.equal(formatScaled(1, 6, 6), '0.000001');
});
