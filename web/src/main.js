import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/theme-chalk/base.css';
import 'element-plus/es/components/message/style/css';
import './styles/theme.css';
import './styles/app.css';
import './styles/pages.css';
import App from './App.vue';
import { i18n } from './i18n/index.js';
import { router } from './router/index.js';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(router);
app.mount('#app');
