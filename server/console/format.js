// Numbers for people: counts with grouping, money from minor units (fen) to yuan with two
// decimals (exactly: integer arithmetic, never a float of the amount), minutes as hours.

import { language, t } from './i18n.js';

/** `n` with the language's digit grouping. */
export function count(n) {
  return new Intl.NumberFormat(language()).format(n);
}

/** `n` briefly (1.2K, 1.2万) for chart labels. */
export function compact(n) {
  return new Intl.NumberFormat(language(), { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** The decimal text of `minor` units with two decimals: -12345 → "-123.45". */
export function minorToDecimal(minor) {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `minor` units of `currency` (default CNY: yuan) for people: ¥1,234.56. */
export function money(minor, currency = 'CNY') {
  const format = new Intl.NumberFormat(language(), {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  // A decimal string is formatted exactly (no rounding through a float).
  return format.format(minorToDecimal(minor));
}

/** `minutes` as hours and minutes. */
export function duration(minutes) {
  const hours = Math.trunc(minutes / 60);
  const rest = Math.abs(minutes % 60);
  if (rest === 0) return t('unit.hours', { hours: count(hours) });
  return t('unit.hours_minutes', { hours: count(hours), minutes: rest });
}

/** A `Date` as `YYYY-MM-DD` in local time. */
export function isoDate(date) {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** Whether `text` is a `YYYY-MM-DD` date of the calendar. */
export function isDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text || '')) return false;
  const [year, month, day] = text.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The months `YYYY-MM` from the month of `from` to the month of the day before `to` (exclusive),
 * or `null` when there are more than `max`.
 */
export function monthsBetween(from, to, max = 36) {
  const months = [];
  let [year, month] = from.split('-').map(Number);
  const last = to.slice(0, 7);
  const lastIncluded = to.slice(8) !== '01';
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > last || (key === last && !lastIncluded)) return months;
    if (months.length === max) return null;
    months.push(key);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}
