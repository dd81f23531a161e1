// Dates, durations and names as agents read them, in the language they picked.
import type { ChannelType } from '../api/types';
import { biInstagram, biMessenger, biTelegram, biWhatsapp } from '@quasar/extras/bootstrap-icons';

export function formatTime(iso: string, locale: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

export function formatDateTime(iso: string, locale: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' });
}

/** Today shows the time, this week the weekday, anything older the date. */
export function formatListTime(iso: string, locale: string): string {
  const date = new Date(iso);
  const ageDays = (Date.now() - date.getTime()) / 86_400_000;
  if (date.toDateString() === new Date().toDateString()) return formatTime(iso, locale);
  if (ageDays < 6) return date.toLocaleDateString(locale, { weekday: 'short' });
  return date.toLocaleDateString(locale, { day: '2-digit', month: '2-digit', year: '2-digit' });
}

export function formatDay(iso: string, locale: string): string {
  return new Date(iso).toLocaleDateString(locale, { dateStyle: 'full' });
}

export function formatDuration(seconds: number | null, locale: string): string {
  if (seconds === null) return '—';
  const units: [Intl.NumberFormatOptions['unit'], number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ];
  const [unit, size] = units.find(([, size]) => seconds >= size) ?? units[3];
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(seconds / size);
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (
    (words[0]?.[0] ?? '?') + (words.length > 1 ? words[words.length - 1][0] : '')
  ).toUpperCase();
}

export const channelIcons: Record<ChannelType, string> = {
  whatsapp: biWhatsapp,
  telegram: biTelegram,
  messenger: biMessenger,
  instagram: biInstagram,
  webchat: 'chat',
};

export const channelColors: Record<ChannelType, string> = {
  whatsapp: '#1b8a4b',
  telegram: '#1f7ab8',
  messenger: '#6a3fd6',
  instagram: '#c2185b',
  webchat: '#546e7a',
};
