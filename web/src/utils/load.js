/*
 * useLoad(fn): the loading / error / data triple every list and card needs.
 * run() calls fn, keeps its answer in data, an ApiError in error (anything
 * else is a bug and is thrown on). Used with StateView.
 */
import { ref } from 'vue';
import { ApiError } from '../api/client.js';

export function useLoad(fn, initial = null) {
  const data = ref(initial);
  const loading = ref(false);
  const error = ref(null);
  async function run(...args) {
    loading.value = true;
    error.value = null;
    try {
      data.value = await fn(...args);
    } catch (e) {
      if (!(e instanceof ApiError)) {
        throw e;
      }
      error.value = e;
    } finally {
      loading.value = false;
    }
    return data.value;
  }
  return { data, loading, error, run };
}

/* Milliseconds since the epoch -> "2026-11-25 14:06" in local time. */
export function formatMs(ms) {
  if (typeof ms !== 'number') {
    return '';
  }
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/* Field errors from an ApiError with a field: {field: message}. */
export function fieldErrorOf(err, text) {
  return err && err.field ? { [err.field]: text } : {};
}
