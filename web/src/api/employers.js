/*
 * The employer picker's remote search (name prefix or credit code), shared by
 * every page that filters or enrols by unit: { employers, employersLoading,
 * findEmployers(q) }. A failed search empties the list; the picker then
 * shows "no data" and the page goes on.
 */
import { ref } from 'vue';
import { ApiError, get, listOf, query } from './client.js';

const PICKER_LIMIT = 30;

export function useEmployerSearch() {
  const employers = ref([]);
  const employersLoading = ref(false);
  async function findEmployers(q) {
    employersLoading.value = true;
    try {
      const data = await get(`/employers${query({ q: (q || '').trim(), limit: PICKER_LIMIT })}`, { progress: false });
      employers.value = listOf(data, 'employers');
    } catch (e) {
      if (!(e instanceof ApiError)) {
        throw e;
      }
      employers.value = [];
    } finally {
      employersLoading.value = false;
    }
  }
  return { employers, employersLoading, findEmployers };
}
