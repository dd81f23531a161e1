// Form state shared by every editing dialog: the saving flag and the server's field errors,
// which appear under the matching input (error.details[].path) until the person edits it.
import { reactive, ref } from 'vue';
import { Notify } from 'quasar';
import { ApiError } from '../api/http';
import { i18n } from '../i18n';
import { notifyError } from '../utils/notify';

export function useForm() {
  const errors = reactive<Record<string, string>>({});
  const saving = ref(false);

  function clearErrors(): void {
    for (const path of Object.keys(errors)) delete errors[path];
  }

  /** Props for a Quasar field bound to `path`; spread with v-bind next to v-model. */
  function field(path: string) {
    return {
      error: errors[path] ? true : undefined,
      errorMessage: errors[path],
      'onUpdate:modelValue': () => delete errors[path],
    };
  }

  /** Runs the save; answers whether it went through. Field errors stay on the form. */
  async function submit(action: () => Promise<unknown>): Promise<boolean> {
    clearErrors();
    saving.value = true;
    try {
      await action();
      return true;
    } catch (error) {
      const details = error instanceof ApiError ? error.details : [];
      details.forEach((detail) => (errors[detail.path] = detail.message));
      if (details.length === 0) notifyError(error);
      else Notify.create({ type: 'warning', message: i18n.global.t('validation.checkFields') });
      return false;
    } finally {
      saving.value = false;
    }
  }

  return { errors, saving, field, submit, clearErrors };
}
