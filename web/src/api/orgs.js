/*
 * Every organisation the signed-in user may see (their subtree), read page
 * by page from GET /api/v1/orgs for pickers and the tree. Throws the
 * ApiError of a failed page; a province has a few thousand nodes at most,
 * PAGES_MAX bounds the loop against a server that never ends its pages.
 */
import { get, listOf, query } from './client.js';

const PAGE = 500;
const PAGES_MAX = 200;

export async function fetchAllOrgs({ progress = true } = {}) {
  const all = [];
  let after;
  for (let i = 0; i < PAGES_MAX; i++) {
    const data = await get(`/orgs${query({ after_id: after, limit: PAGE })}`, { progress });
    all.push(...listOf(data, 'orgs'));
    if (data.next_after_id === null || data.next_after_id === undefined) {
      break;
    }
    after = data.next_after_id;
  }
  return all;
}
