// Field rules for Quasar inputs: each returns true or the sentence to show under the field.
import { i18n } from '../i18n';

const { t } = i18n.global;

type Rule = (value: unknown) => true | string;

export const required: Rule = (value) =>
  (Array.isArray(value)
    ? value.length > 0
    : value !== null && value !== undefined && `${value}`.trim() !== '') ||
  t('validation.required');

export const email: Rule = (value) =>
  !value || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(`${value}`) || t('validation.email');

export function minLength(length: number): Rule {
  return (value) => !value || `${value}`.length >= length || t('validation.minLength', { length });
}

/** Empty is allowed: the numeric settings treat "no value" as "no limit". */
export const wholeNumber: Rule = (value) =>
  value === null ||
  value === undefined ||
  value === '' ||
  (Number.isInteger(Number(value)) && Number(value) >= 0) ||
  t('validation.wholeNumber');

export const positive: Rule = (value) =>
  value === null ||
  value === undefined ||
  value === '' ||
  Number(value) >= 1 ||
  t('validation.positive');

/** The API takes ASCII letters, digits, `_` and `-`, so the field says so before it does. */
export const shortcut: Rule = (value) =>
  !value || /^[\w-]+$/.test(`${value}`) || t('validation.shortcut');

export const colour: Rule = (value) =>
  !value || /^#[0-9a-f]{6}$/i.test(`${value}`) || t('validation.colour');

/** Number inputs hand back '' when emptied; the API wants null for "no limit". */
export function numberOrNull(value: unknown): number | null {
  return value === '' || value === null || value === undefined ? null : Number(value);
}
