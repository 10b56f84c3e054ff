// Checks that need no browser: both languages carry the same keys, every
// error code of src/core/err.h has a message in both, the build has no
// inline script and no eval, and the client's identifier checks agree with
// the server's on the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, apiPost, importWeb } from './lib.mjs';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

test('zh-CN and en have the same message keys, none empty', async () => {
  const zh = (await importWeb('src/i18n/zh-CN.js')).default;
  const en = (await importWeb('src/i18n/en.js')).default;
  assert.deepEqual(keys(en).sort(), keys(zh).sort());
  for (const k of keys(zh)) {
    const get = (o) => k.split('.').reduce((a, p) => a[p], o);
    assert.ok(get(zh).length > 0 && get(en).length > 0, `empty message ${k}`);
    for (const text of [get(zh), get(en)]) {
      assert.doesNotMatch(text, /[@|]/, `${k}: @ and | are vue-i18n syntax`);
    }
  }
});

test('every API error code in src/core/err.h has a message in both languages', async () => {
  const zh = (await importWeb('src/i18n/zh-CN.js')).default;
  const en = (await importWeb('src/i18n/en.js')).default;
  const header = fs.readFileSync(path.join(ROOT, 'src/core/err.h'), 'utf8');
  const codes = [...header.matchAll(/X\(\w+,\s*"([A-Z_]+)"\)/g)].map((m) => m[1]).filter((c) => c !== 'OK');
  assert.ok(codes.length > 30, `found ${codes.length} codes`);
  const missing = codes.filter((c) => !zh.errors[c] || !en.errors[c]);
  assert.deepEqual(missing, [], 'codes without a message');
});

test('the build runs under a strict CSP: no inline script, no eval', () => {
  const dist = path.join(ROOT, 'web/dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc=/, 'every script is a file');
    assert.equal(body.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  const js = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  for (const f of js) {
    const text = fs.readFileSync(path.join(dist, 'assets', f), 'utf8');
    assert.doesNotMatch(text, /new Function\(|\beval\(/, `${f} uses eval`);
  }
});

test('client identifier checks agree with the server (POST /api/v1/tools/check-ids)', async () => {
  const ids = await importWeb('src/utils/ids.js');
  const cases = [
    ['id_number', ids.idNumber, ['11010519491231002X', '11010519491231002x', '110105491231002', '110105194912310021',
      '1.10105E+17', '01010519491231002X', '11010520991231002X', '1101051949123100', ' 11010519491231002X ', '１１０１０５１９４９１２３１００２Ｘ']],
    ['uscc', ids.uscc, ['91350100M000100Y43', '91350100m000100y43', '91350100M000100Y44', 'I1350100M000100Y43', '9135010']],
    ['phone', ids.phone, ['13812345678', '+86 138-1234-5678', '8613812345678', '12812345678', '1381234567']],
    ['bank_card', ids.bankCard, ['6222020200112345678', '4111 1111 1111 1111', '4111111111111112', '411111111111111']],
  ];
  for (const [field, check, values] of cases) {
    for (const v of values) {
      const { status, body } = await apiPost('/api/v1/tools/check-ids', { [field]: v });
      assert.equal(status, 200, `${field} ${v}`);
      const server = body[field];
      const client = check(v);
      assert.equal(client.ok, server.valid, `${field} "${v}": client ${client.ok}, server ${server.valid}`);
      if (server.valid) {
        assert.equal(client.value, server.normalized, `${field} "${v}" canonical form`);
      } else {
        assert.equal(client.code, server.error.code, `${field} "${v}" code`);
      }
    }
  }
});
