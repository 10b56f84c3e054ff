// Requests in flight, for the global progress bar. A bar appears only for work
// that takes longer than SHOW_AFTER_MS, so quick requests do not flicker.
import { reactive } from 'vue';

export const SHOW_AFTER_MS = 250;

export const progress = reactive({ active: 0, visible: false });

let timer = null;

export function progressStart() {
  progress.active += 1;
  if (progress.active === 1 && timer === null) {
    timer = window.setTimeout(() => {
      timer = null;
      progress.visible = progress.active > 0;
    }, SHOW_AFTER_MS);
  }
}

export function progressDone() {
  progress.active = Math.max(0, progress.active - 1);
  if (progress.active === 0) {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    progress.visible = false;
  }
}
