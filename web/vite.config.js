// Vite build of the Huzhu web app (staff console at /, worker portal at /portal).
// The production build must run under the server's CSP: no inline scripts, no
// eval. vue-i18n therefore compiles messages with its JIT (AST) compiler,
// which needs no `new Function`, and the Vue and vue-i18n feature flags are
// fixed at build time.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components are imported where templates use them, with their CSS.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    reportCompressedSize: false,
    // No manualChunks: a function-form manualChunks made Rollup keep all of
    // Element Plus. Vite's default split keeps ECharts in the dashboard's
    // lazy chunk and the portal free of console-only components.
  },
  server: {
    // `npm run dev` talks to a local `huzhu serve` for the API.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
