// Languages: the message catalogues, the choice between them (the browser's language unless the
// user picked one with the switch), and `t`, which every view uses for its text.

import en from './messages/en.js';
import zhCN from './messages/zh-CN.js';

/** Every catalogue, by the language tag `<html lang>` takes. */
export const CATALOGUES = { 'zh-CN': zhCN, en };

const PREFERENCE_KEY = 'aidledger.language';
let current = 'en';

/** The language the browser asks for, when we have it (Chinese of any region reads zh-CN). */
function fromBrowser() {
  const asked = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const tag of asked) {
    const lower = String(tag || '').toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Chooses the language at start: the user's earlier pick, else the browser's. */
export function chooseLanguage() {
  let picked = null;
  try {
    picked = localStorage.getItem(PREFERENCE_KEY);
  } catch {
    // Storage may be off; the browser's language then decides.
  }
  setLanguage(picked in CATALOGUES ? picked : fromBrowser(), false);
}

/** Shows the console in `language` (remembered when `remember`). */
export function setLanguage(language, remember = true) {
  current = language in CATALOGUES ? language : 'en';
  document.documentElement.lang = current;
  if (remember) {
    try {
      localStorage.setItem(PREFERENCE_KEY, current);
    } catch {
      // Not remembered: the switch still works for this page.
    }
  }
  translateStatic();
}

/** The language shown. */
export function language() {
  return current;
}

/** The message `key` in the language shown, with `{name}` filled from `values`. */
export function t(key, values = {}) {
  const text = CATALOGUES[current][key] ?? CATALOGUES.en[key];
  if (text === undefined) {
    console.warn(`no message "${key}"`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Translates the page's fixed parts (`data-i18n`: text; `data-i18n-label`: aria-label). */
function translateStatic() {
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel));
  }
  for (const button of document.querySelectorAll('[data-language]')) {
    button.setAttribute('aria-pressed', String(button.dataset.language === current));
  }
  document.title = t('app.title');
}
