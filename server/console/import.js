// Importing past records (`#/import`): `form[data-form="import"]` takes a spreadsheet's CSV (or a
// JSONL file), the event type its rows are and the file's encoding; "Check" sends it as a dry run
// and shows every bad row (`table[data-import-bad]`, a `tr[data-bad-row="N"]` a row, N as the
// spreadsheet numbers it), "Import" appends it once it is clean (`[data-import-done]`).

import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { field, ruleText, select } from './forms.js';
import { t } from './i18n.js';
import { mayAppendType } from './roles.js';

/** The event types a file may hold (not BeneficiaryForgotten, which only the forget endpoint appends). */
const TYPES = [
  'BeneficiaryRegistered', 'BeneficiaryDetailsCorrected', 'HardshipAssessed', 'PairingAssigned',
  'VisitRecorded', 'ConcernRaised', 'ConcernResolved', 'DisbursementRequested', 'DisbursementApproved',
  'DisbursementRejected', 'DisbursementPaid', 'DisbursementReversed', 'FundOpened', 'FundBudgetAdjusted',
  'VolunteerEnrolled', 'VolunteerHoursLogged', 'VolunteerHoursVerified', 'VolunteerHoursVoided',
  'ActivityHeld', 'SuggestionSubmitted', 'SuggestionForwarded', 'SuggestionAdopted', 'SuggestionDeclined',
];

/** The types `role` may import: those it may append. */
function typesFor(role) {
  return TYPES.filter((type) => mayAppendType(role, type));
}

/** The column a pointer names (`/data/materials/brochures` → `materials.brochures`). */
function columnOf(pointer) {
  const parts = String(pointer).split('/').slice(1);
  if (parts[0] === 'data') parts.shift();
  return parts.join('.');
}

/** Draws the import page into `main` for `me`. */
export function render(main, { me }) {
  const types = typesFor(me.role);
  const file = h('input', { type: 'file', accept: '.csv,.jsonl,.ndjson,text/csv,application/x-ndjson' });
  const encoding = select(['utf-8', 'gb18030'], 'import.encoding.', 'utf-8');
  const summary = h('div', { class: 'error-summary', role: 'alert', 'data-error-summary': '', hidden: true });
  const result = h('div', { 'data-import-result': '' });
  const check = h('button', { type: 'submit', class: 'primary', 'data-action': 'check' }, t('import.check'));
  const confirm = h('button', { type: 'button', 'data-action': 'import', hidden: true }, t('import.confirm'));
  const form = h(
    'form',
    { 'data-form': 'import', method: 'post', action: '#', novalidate: true },
    summary,
    field('type', t('import.type'), select(types, 'event.', types[0])),
    field('file', t('import.file'), file, t('import.file.hint')),
    field('encoding', t('import.encoding'), encoding, t('import.encoding.hint')),
    h('div', { class: 'actions' }, check, confirm),
  );

  function problemAtTop(message) {
    summary.replaceChildren(h('strong', {}, t('form.problem')), h('p', {}, message));
    summary.hidden = false;
  }

  /** The chosen file as the request's body, with its content type and charset. */
  async function upload(dryRun) {
    const chosen = file.files?.[0];
    if (!chosen) {
      problemAtTop(t('import.error.no_file'));
      return null;
    }
    const jsonl = /\.(jsonl|ndjson)$/i.test(chosen.name);
    const contentType = `${jsonl ? 'application/x-ndjson' : 'text/csv'}; charset=${encoding.value}`;
    const type = form.elements.type.value;
    const path = `/v1/import?type=${encodeURIComponent(type)}${dryRun ? '&dry_run=true' : ''}`;
    return api(path, { method: 'POST', raw: await chosen.arrayBuffer(), contentType });
  }

  function badRows(problem) {
    const rows = problem.bad.map((bad) => {
      const problems = bad.errors?.length
        ? bad.errors.map((error) => [columnOf(error.pointer), error.detail])
        : [['', bad.rule ? ruleText(bad.rule, bad.detail) : bad.detail]];
      return problems.map(([column, detail], index) =>
        h('tr', { 'data-bad-row': index === 0 ? bad.row : undefined },
          h('td', {}, index === 0 ? String(bad.row) : ''),
          h('td', {}, column),
          h('td', {}, detail)),
      );
    });
    const header = h('tr', {}, h('th', {}, t('import.column.row')), h('th', {}, t('import.column.field')), h('th', {}, t('import.column.problem')));
    return h(
      'section',
      { class: 'card ledger' },
      h('p', { role: 'alert' }, t('import.bad', { bad: problem.bad_rows ?? problem.bad.length, rows: problem.rows })),
      h('div', { class: 'table-wrap' }, h('table', { class: 'import-bad', 'data-import-bad': '' }, h('thead', {}, header), h('tbody', {}, ...rows.flat()))),
    );
  }

  async function send(dryRun) {
    summary.hidden = true;
    replace(result);
    check.disabled = confirm.disabled = true;
    try {
      const answer = await upload(dryRun);
      if (!answer) return;
      if (dryRun) {
        replace(result, h('p', { class: 'notice', role: 'status', 'data-import-checked': answer.rows }, t('import.checked', { rows: answer.rows })));
        confirm.hidden = false;
      } else {
        const made = answer.appended.filter((row) => !row.replayed).length;
        replace(result, h('p', { class: 'notice', role: 'status', 'data-import-done': made }, t('import.done', { appended: made, rows: answer.rows })));
        confirm.hidden = true;
      }
    } catch (error) {
      confirm.hidden = true;
      if (error instanceof ApiError && error.problem?.bad) replace(result, badRows(error.problem));
      else if (error instanceof ApiError && error.status === 403) problemAtTop(t('form.forbidden'));
      else problemAtTop(error?.problem?.detail || t('form.unreachable'));
    } finally {
      check.disabled = confirm.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(true);
  });
  confirm.addEventListener('click', () => send(false));
  file.addEventListener('change', () => {
    confirm.hidden = true;
    replace(result);
  });
  replace(main, h('section', { class: 'card', 'aria-labelledby': 'import-title' }, h('h1', { id: 'import-title' }, t('import.title')), h('p', { class: 'hint' }, t('import.intro')), form), result);
}
