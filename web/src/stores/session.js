/*
 * Who is signed in. The session itself is an HttpOnly cookie the page cannot
 * read; this store keeps the user from GET/POST /api/v1/session and the CSRF
 * token for state-changing requests. HINT_KEY in localStorage only remembers
 * that a sign-in happened in this browser, so a first visit does not ask the
 * server (and log a 401) for a session that cannot exist.
 */
import { defineStore } from 'pinia';
import { ApiError, del, get, post, setCsrfToken } from '../api/client.js';

const HINT_KEY = 'huzhu.session';
const CSRF_KEY = 'huzhu.csrf';

function storageGet(store, key) {
  try {
    return window[store].getItem(key);
  } catch {
    return null;
  }
}

function storageSet(store, key, value) {
  try {
    if (value === null) {
      window[store].removeItem(key);
    } else {
      window[store].setItem(key, value);
    }
  } catch {
    /* storage unavailable: the session still works for this page */
  }
}

export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null, // {login, role, org: {code, name}}
    checked: false,
  }),
  getters: {
    loggedIn: (s) => s.user !== null,
    role: (s) => (s.user ? s.user.role : null),
    isMember: (s) => s.user !== null && s.user.role === 'member',
    isStaff: (s) => s.user !== null && s.user.role !== 'member',
  },
  actions: {
    apply(data) {
      this.user = data && data.user ? data.user : null;
      const token = (data && data.csrf_token) || (this.user ? storageGet('sessionStorage', CSRF_KEY) : null);
      setCsrfToken(token);
      storageSet('sessionStorage', CSRF_KEY, this.user ? token : null);
      storageSet('localStorage', HINT_KEY, this.user ? '1' : null);
      this.checked = true;
    },
    // Asks the server once per page load; afterwards answers from memory.
    async ensure() {
      if (this.checked) {
        return this.user;
      }
      if (storageGet('localStorage', HINT_KEY) !== '1') {
        this.apply(null);
        return null;
      }
      try {
        this.apply(await get('/session', { progress: false }));
      } catch (e) {
        if (!(e instanceof ApiError)) {
          throw e;
        }
        // 401 (no session), 404 (no session API yet), network trouble: signed out.
        this.apply(null);
      }
      return this.user;
    },
    async login(login, password) {
      const data = await post('/session', { login, password });
      this.apply(data);
      return this.user;
    },
    async logout() {
      try {
        await del('/session');
      } catch (e) {
        if (!(e instanceof ApiError)) {
          throw e;
        }
        // already gone on the server: signed out either way
      }
      this.apply(null);
    },
    // The server said 401: forget the user without asking again.
    expire() {
      this.apply(null);
    },
  },
});
