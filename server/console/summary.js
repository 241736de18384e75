// The summary view (`#/summary?from=YYYY-MM-DD&to=YYYY-MM-DD[&district=]`): every figure of
// `GET /v1/reports/summary` as `[data-figure]` with the API's integer in `data-value`, and four
// charts from the tallies and the concern ledger. The period lives in the URL fragment, so a view
// can be bookmarked and shared.

import { api, ApiError } from './api.js';
import { columns, rows } from './charts.js';
import { h, replace } from './dom.js';
import { compact, count, duration, isDate, money, monthsBetween } from './format.js';
import { t } from './i18n.js';
import { mayReadTrails } from './roles.js';

/** The figures, in the groups a work report reads them in; any other figure goes last. */
const GROUPS = [
  ['visits', ['visits_home', 'visits_phone', 'visits_total', 'beneficiaries_visited']],
  ['concerns', ['concerns_raised', 'concerns_resolved_on_site', 'concerns_resolved_later', 'concerns_open']],
  ['aid', ['hardship_cases', 'disbursements_paid', 'cash_paid_minor', 'in_kind_paid_minor']],
  ['volunteers', ['volunteer_entries', 'volunteer_minutes']],
  ['activities', ['activities', 'activity_attendees', 'brochures', 'books']],
  ['suggestions', ['suggestions_submitted', 'suggestions_forwarded', 'suggestions_adopted']],
];

/** The open concerns' categories shown (the rest are summed into the last bar). */
const CATEGORIES_SHOWN = 8;

/** The current year: from its first day up to the next year's first day. */
export function defaultPeriod() {
  const year = new Date().getFullYear();
  return { from: `${year}-01-01`, to: `${year + 1}-01-01` };
}

/** The fragment of the summary of `period`. */
export function summaryRoute({ from, to, district }) {
  const query = new URLSearchParams({ from, to });
  if (district) query.set('district', district);
  return `#/summary?${query}`;
}

/** The text of a message key for a kind of activity, or the kind itself. */
function kindName(kind) {
  const key = `kind.${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

function label(name) {
  if (name.startsWith('activities.')) return t('figure.activities.kind', { kind: kindName(name.slice(11)) });
  const key = `figure.${name}`;
  const text = t(key);
  return text === key ? name : text;
}

/**
 * How a closed period's report stands beside its current figures: `reported(name)` is the value the
 * report gave a figure (undefined when none was closed), `late(name)` what late records changed.
 */
function closedView(answer) {
  const closed = answer.closed;
  const late = answer.late || {};
  return {
    reported(name) {
      if (!closed) return undefined;
      const [whole, part] = name.split('.');
      const value = closed.figures[whole];
      if (part !== undefined) return value !== null && typeof value === 'object' ? (value[part] ?? 0) : undefined;
      return typeof value === 'number' ? value : undefined;
    },
    late: (name) => late[name],
  };
}

/** The signed change `delta` of the figure `name`, for people. */
function signed(name, delta) {
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return `${sign}${display(name, Math.abs(delta))}`;
}

/**
 * One figure: its name, and the API's integer as `data-value` beside the text for people; in a
 * closed period, also the value reported as `data-closed-value` and, when late records moved it,
 * `data-late-delta` and a line saying so.
 */
function figure(name, value, text, caption = label(name), closed = undefined) {
  const wide = name.includes('_minor') || name.endsWith('_minutes');
  const reported = closed?.reported(name);
  const late = closed?.late(name);
  const attributes = { 'data-figure': name, 'data-value': value };
  if (reported !== undefined) attributes['data-closed-value'] = reported;
  if (late) attributes['data-late-delta'] = late.delta;
  const lateNote = late
    ? h(
        'dd',
        { class: 'late', 'data-late-for': name },
        t('summary.closed.late', {
          reported: display(name, reported ?? 0),
          delta: signed(name, late.delta),
          count: late.positions.length,
        }),
      )
    : null;
  return h('div', { class: wide ? 'figure wide' : 'figure' }, h('dt', {}, caption), h('dd', attributes, text), lateNote);
}

function display(name, value) {
  if (name.endsWith('_minor')) return money(value);
  if (name.endsWith('_minutes')) return duration(value);
  return count(value);
}

/** The `<dl>` items of one figure (`activities` is one per kind). */
function items(name, value, closed) {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([kind, n]) => {
      const part = `${name}.${kind}`;
      return figure(part, n, count(n), label(part), closed);
    });
  }
  return [figure(name, value, display(name, value), label(name), closed)];
}

/** The note that the period was closed, and how many figures late records moved since. */
function closedNote(answer) {
  if (!answer.closed) return null;
  const moved = Object.values(answer.late || {}).filter((late) => late.delta !== 0).length;
  const key = moved > 0 ? 'summary.closed.moved' : 'summary.closed.unchanged';
  return h(
    'p',
    { class: 'note closed', 'data-closed-report': answer.closed.report_id, 'data-closed-tree-size': answer.closed.tree_size },
    t(key, { tree_size: count(answer.closed.tree_size), moved: count(moved) }),
  );
}

/** The money figures per currency, when the ledger pays in several. */
function currencyItems(byCurrency) {
  return Object.entries(byCurrency).flatMap(([currency, figures]) =>
    Object.entries(figures).map(([name, value]) =>
      figure(`${name}.${currency}`, value, money(value, currency), t(`figure.${name}.currency`, { currency })),
    ),
  );
}

function figureGroups(answer) {
  const figures = answer.figures || {};
  const closed = closedView(answer);
  const placed = new Set();
  const sections = GROUPS.map(([group, names]) => {
    const list = names.filter((name) => name in figures).flatMap((name) => {
      placed.add(name);
      return items(name, figures[name], closed);
    });
    if (group === 'aid' && answer.by_currency) list.push(...currencyItems(answer.by_currency));
    return [group, list];
  });
  const others = Object.keys(figures).filter((name) => !placed.has(name));
  sections.push(['other', others.flatMap((name) => items(name, figures[name], closed))]);
  return sections
    .filter(([, list]) => list.length > 0)
    .map(([group, list]) =>
      h(
        'section',
        { class: 'group', 'aria-labelledby': `group-${group}` },
        h('h2', { id: `group-${group}` }, t(`group.${group}`)),
        group === 'aid' && answer.by_currency ? h('p', { class: 'note' }, t('summary.currency_note')) : null,
        h('dl', { class: 'figures' }, list),
      ),
    );
}

function query(path, params) {
  return `${path}?${new URLSearchParams(params)}`;
}

/** Bars for the months of the period, from tally rows keyed by `month`. */
function monthBars(period, tally, measure, text, short) {
  const values = new Map(tally.rows.map((row) => [row.month, row[measure]]));
  // A long period shows only the months that have something.
  const months = monthsBetween(period.from, period.to) ?? [...values.keys()].sort();
  return months.map((month, index) => {
    const [year, number] = month.split('-');
    const value = values.get(month) ?? 0;
    return {
      label: String(Number(number)),
      sublabel: index === 0 || number === '01' ? year : undefined,
      fullLabel: month,
      value,
      text: text(value),
      short: short(value),
    };
  });
}

function openConcernBars(concerns) {
  const byCategory = new Map();
  for (const concern of concerns) byCategory.set(concern.category, (byCategory.get(concern.category) ?? 0) + 1);
  const sorted = [...byCategory.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (sorted.length > CATEGORIES_SHOWN) {
    const rest = sorted.splice(CATEGORIES_SHOWN - 1);
    sorted.push([t('kind.other'), rest.reduce((sum, [, n]) => sum + n, 0)]);
  }
  return sorted.map(([category, n]) => ({ label: category, value: n, text: count(n) }));
}

/** The four charts' loaders: each answers the chart's figure element. */
function chartLoaders(period, me, summary) {
  const range = { from: period.from, to: period.to };
  const tally = (name, groupBy) => api(query(`/v1/tallies/${name}`, { group_by: groupBy, ...range }));
  const openConcerns = mayReadTrails(me.role)
    ? async () => {
        const answer = await api(query('/v1/concerns', { status: 'open' }));
        return rows('open-concerns', t('chart.open-concerns'), openConcernBars(answer.concerns));
      }
    : async () => {
        const figures = (await summary).figures;
        const names = ['concerns_raised', 'concerns_resolved_on_site', 'concerns_resolved_later', 'concerns_open'];
        const bars = names.map((name) => ({ label: label(name), value: figures[name], text: count(figures[name]) }));
        const chart = rows('open-concerns', t('chart.open-concerns.figures'), bars);
        chart.append(h('p', { class: 'note' }, t('chart.open-concerns.figures.note')));
        return chart;
      };
  return [
    async () => {
      const answer = await tally('visits', 'month');
      return columns('visits-by-month', t('chart.visits-by-month'), monthBars(period, answer, 'visits', count, compact));
    },
    async () => {
      const answer = await tally('disbursements', 'month');
      const bars = monthBars(period, answer, 'amount_minor', (v) => money(v), (v) => compact(Math.round(v / 100)));
      return columns('aid-by-month', t('chart.aid-by-month'), bars);
    },
    async () => {
      const answer = await tally('volunteer-hours', 'activity_kind');
      const bars = answer.rows.map((row) => ({
        label: kindName(row.activity_kind),
        value: row.minutes,
        text: duration(row.minutes),
      }));
      return rows('hours-by-activity', t('chart.hours-by-activity'), bars);
    },
    openConcerns,
  ];
}

/** Why a request failed, in words. */
function reason(error) {
  if (error instanceof ApiError && error.status === 0) return t('error.network');
  return error.message;
}

/** The period form; its answer changes the fragment (so the view is bookmarkable). */
function periodForm(period, errors) {
  const field = (name, type, caption, extra = {}) => {
    const errorId = `${name}-error`;
    return h(
      'div',
      { class: 'field' },
      h('label', { for: `period-${name}` }, caption),
      h('p', { class: 'field-error', id: errorId, 'data-error-for': name, hidden: !errors[name] }, errors[name] || ''),
      h('input', {
        id: `period-${name}`,
        name,
        type,
        value: period[name] || '',
        'aria-invalid': errors[name] ? 'true' : undefined,
        'aria-describedby': errorId,
        ...extra,
      }),
    );
  };
  const form = h(
    'form',
    { class: 'period', 'data-form': 'period', novalidate: true },
    h(
      'fieldset',
      {},
      h('legend', {}, t('summary.period')),
      field('from', 'date', t('summary.from'), { required: true }),
      field('to', 'date', t('summary.to'), { required: true }),
      field('district', 'text', t('summary.district'), { placeholder: t('summary.district.hint'), autocomplete: 'off' }),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, t('summary.show')),
        h('a', { href: summaryRoute(defaultPeriod()), class: 'button quiet' }, t('summary.this_year')),
      ),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = { from: data.get('from'), to: data.get('to'), district: String(data.get('district') || '').trim() };
    location.hash = summaryRoute(next);
  });
  return form;
}

/** What is wrong with `period`, by field. */
function check(period) {
  const errors = {};
  if (!isDate(period.from)) errors.from = t('summary.error.from');
  if (!isDate(period.to) || (isDate(period.from) && period.to <= period.from)) errors.to = t('summary.error.to');
  return errors;
}

/**
 * Draws the summary of the period in `params` (default: this year) into `main` for `me`; answers a
 * function that fetches and draws its figures and charts again (none when the period is wrong).
 */
export async function render(main, { params, me, expired }) {
  const defaults = defaultPeriod();
  const period = {
    from: params.get('from') || defaults.from,
    to: params.get('to') || defaults.to,
    district: params.get('district') || '',
  };
  const errors = check(period);
  const section = h('section', {
    class: 'summary',
    'data-view': 'summary',
    'data-from': period.from,
    'data-to': period.to,
    'aria-labelledby': 'summary-title',
  });
  const status = h('p', { class: 'status', role: 'status' });
  replace(main, section);
  section.append(h('h1', { id: 'summary-title' }, t('summary.title')), periodForm(period, errors), status);
  if (Object.keys(errors).length > 0) return;

  const captionKey = period.district ? 'summary.caption.district' : 'summary.caption';
  status.textContent = t('summary.loading');
  const figures = h('div', { class: 'groups', 'data-summary-figures': '' });
  const charts = h('div', { class: 'charts' });
  section.append(
    figures,
    h('h2', { class: 'charts-title' }, t('summary.charts')),
    charts,
  );
  if (period.district) charts.before(h('p', { class: 'note' }, t('summary.charts.all_districts')));
  const summaryParams = { from: period.from, to: period.to };
  if (period.district) summaryParams.district = period.district;

  /** Fetches the figures and charts and draws them (again, when the log has grown). */
  async function load() {
    const summary = api(query('/v1/reports/summary', summaryParams));
    const loaders = chartLoaders(period, me, summary);
    const slots = loaders.map(() => h('div', { class: 'chart-slot' }));
    const drawFigures = summary.then(
      (answer) => {
        status.textContent = t(captionKey, period);
        status.classList.remove('error');
        figures.replaceChildren(...[closedNote(answer), ...figureGroups(answer)].filter(Boolean));
      },
      (error) => {
        if (error instanceof ApiError && error.status === 401) return expired();
        status.textContent = t('summary.error.load', { detail: reason(error) });
        status.classList.add('error');
      },
    );
    const drawCharts = loaders.map((load, index) =>
      load().then(
        (chart) => slots[index].replaceChildren(chart),
        (error) => slots[index].replaceChildren(h('p', { class: 'error' }, t('chart.error', { detail: reason(error) }))),
      ),
    );
    await Promise.all([drawFigures, ...drawCharts]);
    charts.replaceChildren(...slots);
  }

  await load();
  section.dataset.loaded = 'true';
  return load;
}
