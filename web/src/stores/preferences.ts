// Per-browser choices of the person at the keyboard: language, theme and how to be alerted.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type Locale = 'pt-BR' | 'en-US';
export type Theme = 'light' | 'dark' | 'auto';

const storageKey = 'tiktickets.preferences';

interface Stored {
  locale: Locale;
  theme: Theme;
  sound: boolean;
  desktopNotifications: boolean;
}

function load(): Stored {
  const defaults: Stored = {
    locale: 'pt-BR',
    theme: 'auto',
    sound: true,
    desktopNotifications: false,
  };
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(storageKey) ?? '{}') };
  } catch {
    return defaults;
  }
}

export const usePreferencesStore = defineStore('preferences', () => {
  const stored = load();
  const locale = ref<Locale>(stored.locale);
  const theme = ref<Theme>(stored.theme);
  const sound = ref(stored.sound);
  const desktopNotifications = ref(stored.desktopNotifications);

  watch([locale, theme, sound, desktopNotifications], () => {
    const next: Stored = {
      locale: locale.value,
      theme: theme.value,
      sound: sound.value,
      desktopNotifications: desktopNotifications.value,
    };
    localStorage.setItem(storageKey, JSON.stringify(next));
  });

  /** Desktop alerts need the browser's permission; asking happens only when the agent opts in. */
  async function enableDesktopNotifications(enabled: boolean): Promise<boolean> {
    if (!enabled || !('Notification' in window)) {
      desktopNotifications.value = false;
      return !enabled;
    }
    const permission = await Notification.requestPermission();
    desktopNotifications.value = permission === 'granted';
    return desktopNotifications.value;
  }

  return { locale, theme, sound, desktopNotifications, enableDesktopNotifications };
});
