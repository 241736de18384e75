// What case workers follow up (not for analysts): the concern ledger (`#/concerns?status=open|resolved`,
// `table[data-ledger="concerns"]`) and the overdue pairings (`#/pairings`,
// `table[data-ledger="pairings"]`), each row linking to the beneficiary's trail and to recording a
// visit.

import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

/** A table of `rows` with one column per `[key, messageKey]` of `columns`; `cell(row, key)` draws one. */
function table(ledger, columns, rows, cell, rowAttributes) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-ledger': ledger },
      h('thead', {}, h('tr', {}, ...columns.map(([, label]) => h('th', { scope: 'col' }, t(label))))),
      h('tbody', {}, ...rows.map((row) => h('tr', rowAttributes(row), ...columns.map(([key]) => h('td', {}, cell(row, key)))))),
    ),
  );
}

/** The links every row offers for its beneficiary. */
function beneficiaryLinks(id) {
  return h(
    'span',
    { class: 'links' },
    h('a', { href: `#/audit/beneficiaries/${id}` }, t('ledger.trail')),
    ' · ',
    h('a', { href: `#/visits/new?beneficiary_id=${id}` }, t('ledger.visit')),
  );
}

async function load(main, path, expired) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) expired();
    else replace(main, h('p', { class: 'error', role: 'alert' }, error.message));
    return null;
  }
}

/** Draws the concern ledger of `status` (default open) into `main`. */
export async function renderConcerns(main, { params, expired }) {
  const status = params.get('status') === 'resolved' ? 'resolved' : 'open';
  const answer = await load(main, `/v1/concerns?status=${status}`, expired);
  if (!answer) return;
  const rows = answer.concerns ?? [];
  const columns = [
    ['category', 'ledger.category'],
    ['district', 'ledger.district'],
    ['raised_on', 'ledger.raised_on'],
    ...(status === 'resolved' ? [['resolved_on', 'ledger.resolved_on']] : []),
    ['beneficiary_id', 'ledger.beneficiary'],
  ];
  const cell = (row, key) => (key === 'beneficiary_id' ? beneficiaryLinks(row.beneficiary_id) : row[key] ?? '');
  const other = status === 'open' ? 'resolved' : 'open';
  replace(
    main,
    h(
      'section',
      { class: 'card ledger', 'data-view': 'concerns', 'data-status': status },
      h('h1', {}, t(`ledger.concerns.${status}`)),
      h('p', {}, h('a', { href: `#/concerns?status=${other}` }, t(`ledger.concerns.show_${other}`))),
      rows.length
        ? table('concerns', columns, rows, cell, (row) => ({ 'data-concern-id': row.concern_id }))
        : h('p', { class: 'note' }, t('ledger.none')),
    ),
  );
}

/** Draws the overdue pairings into `main`. */
export async function renderPairings(main, { expired }) {
  const answer = await load(main, '/v1/pairings/overdue', expired);
  if (!answer) return;
  const rows = answer.pairings ?? [];
  const columns = [
    ['staff', 'ledger.staff'],
    ['district', 'ledger.district'],
    ['last_contact_on', 'ledger.last_contact_on'],
    ['call_due_on', 'ledger.call_due_on'],
    ['visit_due_on', 'ledger.visit_due_on'],
    ['beneficiary_id', 'ledger.beneficiary'],
  ];
  const cell = (row, key) => {
    if (key === 'beneficiary_id') return beneficiaryLinks(row.beneficiary_id);
    const late = (key === 'call_due_on' && row.call_overdue) || (key === 'visit_due_on' && row.visit_overdue);
    return late ? h('strong', { class: 'late' }, row[key]) : row[key] ?? t('ledger.never');
  };
  replace(
    main,
    h(
      'section',
      { class: 'card ledger', 'data-view': 'pairings' },
      h('h1', {}, t('ledger.pairings')),
      h('p', { class: 'note' }, t('ledger.pairings.as_of', { day: answer.as_of })),
      rows.length
        ? table('pairings', columns, rows, cell, (row) => ({ 'data-pairing': row.beneficiary_id }))
        : h('p', { class: 'note' }, t('ledger.none')),
    ),
  );
}
