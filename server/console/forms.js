// Forms that record events: inputs named after the event's data fields, and the API's answer shown
// where a case worker looks for it — a schema error beside the field its JSON pointer names
// (`[data-error-for="<field>"]`, holding the API's `detail`), a broken rule at the top of the form in
// words, with the rule's own detail beneath.

import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { CATALOGUES, language, t } from './i18n.js';

/** A new event id (v4), also where `crypto.randomUUID` is missing (pages that are not secure contexts). */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `text` is a UUID as the API spells it (lowercase, hyphenated). */
export function isUuid(text) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
}

/** The integer `text` spells, or the text itself (so that the API names what is wrong with it). */
export function integerOr(text) {
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** Fen from yuan written with at most two decimals (`12.3` → 1230), or `null`. */
export function fenFromYuan(text) {
  const match = /^(\d{1,12})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** The words for a broken rule: the catalogue's, else the API's own detail. */
export function ruleText(rule, detail) {
  const key = `rule.${rule}`;
  return key in CATALOGUES[language()] || key in CATALOGUES.en ? t(key) : detail;
}

/** One labelled field: `control` (an input, select or textarea named `name`) and its error slot. */
export function field(name, label, control, hint) {
  control.id = control.id || `field-${name}`;
  control.name = name;
  control.setAttribute('aria-describedby', `${control.id}-error`);
  return h(
    'div',
    { class: 'form-field' },
    h('label', { for: control.id }, label),
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('p', { class: 'field-error', id: `${control.id}-error`, 'data-error-for': name, hidden: true }),
    control,
  );
}

/** A `<select>` of `values`, each shown as `t(prefix + value)`. */
export function select(values, prefix, selected) {
  return h('select', {}, ...values.map((value) => h('option', { value, selected: value === selected }, t(`${prefix}${value}`))));
}

/**
 * A form `form[data-form="<name>"]` of `fields` with a submit button `submitLabel`; `submit(values)`
 * sends it and answers what to show when it succeeds. Problems are shown as the API gives them.
 */
export function eventForm(name, fields, submitLabel, submit) {
  const summary = h('div', { class: 'error-summary', role: 'alert', 'data-error-summary': '', hidden: true });
  const done = h('p', { class: 'notice', role: 'status', 'data-form-done': '', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h('form', { 'data-form': name, method: 'post', action: '#', novalidate: true }, summary, ...fields, button, done);

  function clear() {
    summary.hidden = true;
    done.hidden = true;
    for (const slot of form.querySelectorAll('[data-error-for]')) slot.hidden = true;
    for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  }

  /** Shows `message` at the top, `detail` beneath it. */
  function atTop(message, detail) {
    const parts = [h('strong', {}, t('form.problem')), h('p', {}, message)];
    if (detail && detail !== message) parts.push(h('p', { class: 'hint' }, detail));
    summary.replaceChildren(...parts);
    summary.hidden = false;
    summary.focus?.();
  }

  /** Shows `detail` beside `fieldName`, or at the top when the form has no such field. */
  function beside(fieldName, detail) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(fieldName)}"]`);
    if (!slot) return atTop(detail);
    slot.textContent = detail;
    slot.hidden = false;
    form.elements[fieldName]?.setAttribute('aria-invalid', 'true');
  }

  function show(problem, status) {
    if (problem?.errors?.length) {
      for (const { pointer, detail } of problem.errors) {
        const parts = String(pointer).split('/');
        beside(parts[parts.length - 1] || '', detail);
      }
      atTop(t('form.fix_fields'));
    } else if (problem?.rule) {
      atTop(ruleText(problem.rule, problem.detail), problem.detail);
    } else if (status === 403) {
      atTop(t('form.forbidden'), problem?.detail);
    } else {
      atTop(problem?.detail || problem?.title || t('form.unreachable'));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    button.disabled = true;
    try {
      const message = await submit(Object.fromEntries(new FormData(form)), { beside, atTop });
      if (message) {
        done.textContent = message;
        done.hidden = false;
      }
    } catch (error) {
      if (error instanceof ApiError) show(error.problem, error.status);
      else if (error?.message) atTop(error.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * Appends one event of `type` with `data` to `stream` (with an id of its own, so a retry records it
 * once), dated `occurredAt` when given.
 */
export function appendEvent(stream, type, data, occurredAt) {
  const event = { type, id: newId(), data, ...(occurredAt ? { occurred_at: occurredAt } : {}) };
  return api(`/v1/streams/${stream}/events`, { method: 'POST', body: { events: [event] } });
}

/** Noon of `day` (`YYYY-MM-DD`) in the browser's own time zone, as RFC 3339 with its offset. */
export function noonOf(day) {
  const minutes = -new Date(`${day}T12:00:00`).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const size = Math.abs(minutes);
  const offset = `${sign}${String(Math.floor(size / 60)).padStart(2, '0')}:${String(size % 60).padStart(2, '0')}`;
  return `${day}T12:00:00${offset}`;
}

/** Drops the empty strings of `data` (optional fields left blank). */
export function withoutBlanks(data) {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== ''));
}
