// Messages of the articles pages, both languages side by side: zh is merged into
// zh-CN.js, en into en.js; the two must carry the same keys (tests compare).
// Top-level keys here must not clash with other files' top-level keys.
export const zh = {};

export const en = {};
