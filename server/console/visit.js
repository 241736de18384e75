// Recording a visit (`#/visits/new[?beneficiary_id=]`): `form[data-form="visit"]` appends
// `VisitRecorded` to the beneficiary's stream; the API's errors are shown beside their fields.

import { h, replace } from './dom.js';
import { appendEvent, eventForm, field, integerOr, isUuid, noonOf, select, withoutBlanks } from './forms.js';
import { t } from './i18n.js';

const VISIT_KINDS = ['home', 'phone', 'hospital', 'group'];

/** Draws the visit form into `main` for `me`. */
export function render(main, { params, me }) {
  const beneficiary = h('input', { type: 'text', value: params.get('beneficiary_id') ?? '', autocomplete: 'off', spellcheck: 'false' });
  const form = eventForm(
    'visit',
    [
      field('beneficiary_id', t('form.beneficiary_id'), beneficiary, t('form.beneficiary_id.hint')),
      field('visit_kind', t('visit.visit_kind'), select(VISIT_KINDS, 'visit.kind.', 'home')),
      field('staff', t('visit.staff'), h('input', { type: 'text', value: me.principal, autocomplete: 'off' })),
      field('duration_minutes', t('visit.duration_minutes'), h('input', { type: 'text', inputmode: 'numeric', value: '30' })),
      field('summary', t('visit.summary'), h('textarea', { rows: 4 })),
      field('occurred_at', t('visit.occurred_at'), h('input', { type: 'date' }), t('visit.occurred_at.hint')),
    ],
    t('visit.submit'),
    async (values, { beside }) => {
      const id = values.beneficiary_id.trim();
      if (!isUuid(id)) return beside('beneficiary_id', t('form.error.uuid'));
      const { beneficiary_id: _stream, occurred_at: day, ...data } = withoutBlanks(values);
      if (day && !/^\d{4}-\d{2}-\d{2}$/.test(day)) return beside('occurred_at', t('visit.occurred_at.hint'));
      const occurredAt = day ? noonOf(day) : undefined;
      await appendEvent(`beneficiary-${id}`, 'VisitRecorded', { ...data, duration_minutes: integerOr(values.duration_minutes) }, occurredAt);
      return t('visit.done');
    },
  );
  replace(main, h('section', { class: 'card', 'aria-labelledby': 'visit-title' }, h('h1', { id: 'visit-title' }, t('visit.title')), form));
}
