import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { Dialog, Notify, Quasar } from 'quasar';
import quasarPtBr from 'quasar/lang/pt-BR.js';
import '@quasar/extras/roboto-font/roboto-font.css';
import '@quasar/extras/material-icons/material-icons.css';
import 'quasar/src/css/index.sass';
import './styles/app.css';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';

createApp(App)
  .use(Quasar, {
    plugins: { Dialog, Notify },
    lang: quasarPtBr,
    config: {
      notify: { position: 'top-right', timeout: 4000 },
    },
  })
  .use(createPinia())
  .use(i18n)
  .use(router)
  .mount('#app');
