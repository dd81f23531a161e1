import { createI18n } from 'vue-i18n';
import enUS from './en-US';
import ptBR from './pt-BR';

export type MessageSchema = typeof ptBR;

export const i18n = createI18n<[MessageSchema], 'pt-BR' | 'en-US', false>({
  legacy: false,
  locale: 'pt-BR',
  fallbackLocale: 'pt-BR',
  messages: { 'pt-BR': ptBR, 'en-US': enUS },
});
