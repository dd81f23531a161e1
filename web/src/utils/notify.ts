// Toasts for outcomes the person should know about, worded for them rather than for developers.
import { Notify } from 'quasar';
import { ApiError } from '../api/http';
import { i18n } from '../i18n';

const { t, te } = i18n.global;

export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.network');
  if (error.code === 'invalid_transition') {
    const status = error.details.find((detail) => detail.path === 'status')?.message ?? '';
    const key = `status.${status}`;
    return t('errors.invalidTransition', { status: te(key) ? t(key) : status });
  }
  if (error.status === 403) return t('errors.forbidden');
  if (error.status === 404) return t('errors.notFound');
  if (error.status >= 500) return t('errors.generic');
  return error.message || t('errors.generic');
}

export function notifyError(error: unknown): void {
  Notify.create({ type: 'negative', message: describeError(error) });
}

export function notifyDone(message: string): void {
  Notify.create({ type: 'positive', message });
}
