// Aid: requesting it (`#/disbursements/new`, `form[data-form="disbursement-request"]`) and deciding
// and paying it (`#/disbursements/{id}`: `disbursement-approve`, `disbursement-reject`,
// `disbursement-pay`), each offered only to the roles the API allows — a supervisor decides, never
// on their own request; staff and supervisors pay what was approved.

import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { appendEvent, eventForm, fenFromYuan, field, isUuid, newId, select, withoutBlanks } from './forms.js';
import { money } from './format.js';
import { t } from './i18n.js';
import { mayAppendType } from './roles.js';

const FORMS = ['cash', 'in_kind'];
const METHODS = ['bank_transfer', 'cash', 'goods_delivered'];
const REASON_CODES = ['', 'ineligible', 'duplicate', 'withdrawn', 'payment_failed', 'recorded_in_error', 'beneficiary_forgotten', 'other'];

/** Whether `path` is a disbursement's page; answers its id. */
export function matchRoute(path) {
  return /^\/disbursements\/([0-9a-f-]{36})$/.exec(path)?.[1] ?? null;
}

/** Draws the request form into `main`. */
export function renderRequest(main, { params }) {
  const text = (value = '') => h('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false' });
  const form = eventForm(
    'disbursement-request',
    [
      field('beneficiary_id', t('form.beneficiary_id'), text(params.get('beneficiary_id') ?? ''), t('form.beneficiary_id.hint')),
      field('fund_id', t('disbursement.fund_id'), text(params.get('fund_id') ?? ''), t('form.uuid.hint')),
      field('form', t('disbursement.form'), select(FORMS, 'disbursement.form.', 'cash')),
      field('amount_minor', t('disbursement.amount'), h('input', { type: 'text', inputmode: 'decimal' }), t('disbursement.amount.hint')),
      field('currency', t('disbursement.currency'), text('CNY')),
      field('reason', t('disbursement.reason'), h('textarea', { rows: 3 })),
    ],
    t('disbursement.request'),
    async (values, { beside }) => {
      const amount = fenFromYuan(values.amount_minor);
      if (amount === null) return beside('amount_minor', t('form.error.yuan'));
      for (const name of ['beneficiary_id', 'fund_id']) {
        if (!isUuid(values[name].trim())) return beside(name, t('form.error.uuid'));
      }
      const id = newId();
      const data = withoutBlanks({ ...values, beneficiary_id: values.beneficiary_id.trim(), fund_id: values.fund_id.trim() });
      await appendEvent(`disbursement-${id}`, 'DisbursementRequested', { ...data, amount_minor: amount });
      location.hash = `#/disbursements/${id}`;
      return null;
    },
  );
  replace(main, h('section', { class: 'card', 'aria-labelledby': 'request-title' }, h('h1', { id: 'request-title' }, t('disbursement.request.title')), form));
}

/** The actions `me` may take on a disbursement that stands at `status`, requested by `requester`. */
function actions(id, status, requester, me, reload) {
  const stream = `disbursement-${id}`;
  const after = async (type, data) => {
    await appendEvent(stream, type, data);
    reload();
    return null;
  };
  const forms = [];
  const decides = mayAppendType(me.role, 'DisbursementApproved') && me.principal !== requester;
  if (status === 'requested' && decides) {
    forms.push(eventForm('disbursement-approve', [], t('disbursement.approve'), () => after('DisbursementApproved', {})));
    forms.push(
      eventForm(
        'disbursement-reject',
        [
          field('reason', t('disbursement.reason'), h('textarea', { rows: 2 })),
          field('reason_code', t('disbursement.reason_code'), select(REASON_CODES, 'disbursement.reason_code.', '')),
        ],
        t('disbursement.reject'),
        (values) => after('DisbursementRejected', withoutBlanks(values)),
      ),
    );
  }
  if (status === 'approved' && mayAppendType(me.role, 'DisbursementPaid')) {
    forms.push(
      eventForm(
        'disbursement-pay',
        [
          field('method', t('disbursement.method'), select(METHODS, 'disbursement.method.', 'bank_transfer')),
          field('reference', t('disbursement.reference'), h('input', { type: 'text', autocomplete: 'off' })),
        ],
        t('disbursement.pay'),
        (values) => after('DisbursementPaid', withoutBlanks(values)),
      ),
    );
  }
  if (status === 'requested' && me.role === 'supervisor' && me.principal === requester) {
    forms.push(h('p', { class: 'note' }, t('disbursement.own_request')));
  }
  return forms;
}

/** Draws disbursement `id`'s standing and the actions `me` may take into `main`. */
export async function renderOne(main, { id, me, expired }) {
  const reload = () => renderOne(main, { id, me, expired });
  let trail;
  try {
    trail = await api(`/v1/audit/disbursements/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expired();
    replace(main, h('p', { class: 'error', role: 'alert' }, error.status === 404 ? t('trail.not_found') : error.message));
    return;
  }
  const standing = trail.disbursement ?? {};
  const requester = trail.records?.[0]?.actor ?? '';
  const status = standing.status ?? 'requested';
  replace(
    main,
    h(
      'section',
      { class: 'card disbursement', 'data-disbursement': id, 'data-status': status },
      h('h1', {}, t('disbursement.title')),
      h(
        'dl',
        { class: 'standing' },
        h('dt', {}, t('disbursement.status')),
        h('dd', { 'data-status-text': '' }, t(`disbursement.status.${status}`)),
        h('dt', {}, t('disbursement.amount')),
        h('dd', {}, standing.amount_minor === undefined ? '' : `${money(standing.amount_minor, standing.currency)}`),
        h('dt', {}, t('disbursement.requested_by')),
        h('dd', {}, requester),
      ),
      ...actions(id, status, requester, me, reload),
      h('p', {}, h('a', { href: `#/audit/disbursements/${id}` }, t('disbursement.trail'))),
    ),
  );
}
