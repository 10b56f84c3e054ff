/*
 * Fixed chart geometry, so a category's band on the canvas is known in
 * advance (the browser tests click a region's bar by its band): the grid's
 * margins in CSS pixels. Horizontal bar charts keep the categories on the
 * y axis, first one on top.
 */
export const GRID = { left: 160, right: 48, top: 40, bottom: 32 };
export const CHART_HEIGHT = 300;
/* Height of a horizontal bar chart with n categories. */
export function barChartHeight(n) {
  return Math.max(CHART_HEIGHT, GRID.top + GRID.bottom + 36 * n);
}
