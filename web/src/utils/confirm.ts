// One confirmation shape for destructive actions, so every "are you sure" reads and behaves alike.
import { Dialog } from 'quasar';
import { i18n } from '../i18n';
import { notifyError } from './notify';

export function confirmDanger(
  text: { title: string; message: string; ok: string },
  action: () => Promise<unknown>,
): void {
  const { t } = i18n.global;
  Dialog.create({
    title: text.title,
    message: text.message,
    cancel: { flat: true, label: t('common.cancel') },
    ok: { unelevated: true, color: 'negative', label: text.ok },
  }).onOk(() => action().catch(notifyError));
}

export function confirmDelete(name: string, action: () => Promise<unknown>): void {
  const { t } = i18n.global;
  confirmDanger(
    {
      title: t('common.confirmDeleteTitle'),
      message: t('common.confirmDelete', { name }),
      ok: t('common.delete'),
    },
    action,
  );
}
