// The trail views (`#/audit/disbursements/{id}`, `#/audit/beneficiaries/{id}`): every record of the
// stream with who recorded it and when, the opened personal fields for the roles that may read them,
// and the browser's own verdict on the records (verify.js): `[data-trail]` and each
// `[data-record-position]` carry `data-verified` = "pending", then "true" or "false", and a failure
// says which record and why.

import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { verifyTrail } from './verify.js';

/** The kinds of trail, by the route's segment. */
const KINDS = {
  disbursements: { path: 'disbursements', title: 'trail.title.disbursement' },
  beneficiaries: { path: 'beneficiaries', title: 'trail.title.beneficiary' },
};

/** Whether `path` is a trail route; answers its kind and id. */
export function matchRoute(path) {
  const match = /^\/audit\/(disbursements|beneficiaries)\/([0-9a-f-]{36})$/.exec(path);
  return match ? { kind: KINDS[match[1]], id: match[2] } : null;
}

/** The verifier key, as text (the API answers it as text/plain, open without a token). */
async function verifierKey() {
  const response = await fetch('/v1/checkpoint/key', { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw new ApiError(response.status, null);
  return (await response.text()).trim();
}

/** One personal field, opened, or marked erased. */
function personalRows(entry) {
  if (!entry.personal) return [];
  return Object.entries(entry.personal).map(([field, value]) =>
    h(
      'div',
      { class: 'field' },
      h('dt', {}, t(`field.${field}`)),
      h('dd', {}, entry.erased || value === null ? t('trail.erased') : String(value)),
    ),
  );
}

/** Fetches the record's receipt (a C2SP tlog-proof, GET /v1/proofs/receipt) and saves it as a file. */
async function downloadReceipt(button, position) {
  button.disabled = true;
  try {
    const receipt = await api(`/v1/proofs/receipt?position=${position}`, { asText: true });
    const url = URL.createObjectURL(new Blob([receipt], { type: 'text/plain' }));
    const link = h('a', { href: url, download: `record-${position}.tlog-proof`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
    button.textContent = t('trail.receipt');
  } catch (error) {
    button.textContent = t('trail.receipt_failed', { reason: error.message });
  } finally {
    button.disabled = false;
  }
}

/** The button that downloads the record's receipt. */
function receiptButton(position) {
  const button = h('button', { type: 'button', class: 'receipt', 'data-receipt': position }, t('trail.receipt'));
  button.addEventListener('click', () => downloadReceipt(button, position));
  return button;
}

function recordItem(entry) {
  const record = entry.record ?? {};
  return h(
    'li',
    { class: 'record', 'data-record-position': entry.position, 'data-verified': 'pending' },
    h(
      'header',
      {},
      h('strong', {}, `#${entry.position} ${t(`event.${entry.type}`)}`),
      h('span', { class: 'verdict', 'aria-live': 'polite' }, t('trail.pending')),
      receiptButton(entry.position),
    ),
    h(
      'dl',
      {},
      h('div', { class: 'field' }, h('dt', {}, t('trail.actor')), h('dd', {}, entry.actor)),
      h('div', { class: 'field' }, h('dt', {}, t('trail.occurred_at')), h('dd', {}, entry.occurred_at)),
      h('div', { class: 'field' }, h('dt', {}, t('trail.recorded_at')), h('dd', {}, entry.recorded_at)),
      ...personalRows(entry),
      h('div', { class: 'field hash' }, h('dt', {}, t('trail.hash')), h('dd', {}, h('code', {}, record.hash ?? ''))),
    ),
  );
}

/** Why `result` (a record's failed check) failed, in the language shown. */
function why(result) {
  return t(`verify.${result.code}`, { ...result.values, reason: result.values?.reason ?? result.reason, message: result.reason });
}

/** Shows the verdict on the trail and on each record. */
function showVerdict(section, verdict) {
  section.dataset.verified = String(verdict.ok);
  const summary = section.querySelector('[data-verdict]');
  const failed = verdict.records.find((r) => !r.ok);
  const reason = failed ? t('trail.failed_record', { position: failed.position, why: why(failed) }) : verdict.reason ?? '';
  summary.textContent = verdict.ok ? t('trail.verified') : t('trail.not_verified', { reason });
  summary.className = verdict.ok ? 'verdict ok' : 'verdict bad';
  for (const result of verdict.records) {
    const item = section.querySelector(`[data-record-position="${result.position}"]`);
    if (!item) continue;
    item.dataset.verified = String(result.ok);
    const label = item.querySelector('.verdict');
    label.textContent = result.ok ? t('trail.record_verified') : t('trail.record_not_verified', { reason: why(result) });
    label.className = result.ok ? 'verdict ok' : 'verdict bad';
  }
}

/** Draws the trail of `kind` `id` into `main`, then verifies it. */
export async function render(main, { kind, id, expired }) {
  replace(main, h('p', { 'aria-busy': 'true' }, t('trail.loading')));
  let trail;
  let key;
  try {
    [trail, key] = await Promise.all([api(`/v1/audit/${kind.path}/${id}?proofs=true`), verifierKey()]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return expired();
    const why = error instanceof ApiError && error.status === 404 ? t('trail.not_found') : error.message;
    replace(main, h('p', { class: 'error', role: 'alert' }, why));
    return;
  }
  const section = h(
    'section',
    { class: 'card trail', 'data-trail': id, 'data-verified': 'pending' },
    h('h1', {}, t(kind.title)),
    h('p', { class: 'verdict', 'data-verdict': '', role: 'status' }, t('trail.pending')),
    h('ol', { class: 'records' }, ...(trail.records ?? []).map(recordItem)),
  );
  replace(main, section);
  let verdict;
  try {
    verdict = await verifyTrail(trail, key);
  } catch (error) {
    verdict = { ok: false, reason: error.message, records: [] };
  }
  showVerdict(section, verdict);
}
