// The console's entry: language, who is signed in, and the routes (URL fragments) to the views.

import { api, ApiError, session } from './api.js';
import { h, replace } from './dom.js';
import { chooseLanguage, setLanguage, t } from './i18n.js';
import * as signIn from './sign-in.js';
import * as summary from './summary.js';
import * as trail from './trail.js';
import { followHead } from './live.js';
import * as visit from './visit.js';
import * as disbursement from './disbursement.js';
import * as ledgers from './ledgers.js';
import * as importPage from './import.js';
import { mayAppend, mayReadTrails } from './roles.js';

const main = document.getElementById('main');
const nav = document.querySelector('[data-nav]');
const who = document.querySelector('[data-who]');
const signOut = document.querySelector('[data-action="sign-out"]');

/** `{principal, role}` of the token in the session, once asked. */
let me = null;
/** A message key to show on the sign-in view (why the user is there). */
let notice = null;
/** The route asked for before signing in, to return to after. */
let wanted = null;
/** The live feed the shown view follows, if any. */
let following = null;

/** The route in the fragment: its path and query. */
function currentRoute() {
  const fragment = location.hash.replace(/^#/, '') || '/summary';
  const [path, queryText = ''] = fragment.split('?');
  return { path, params: new URLSearchParams(queryText) };
}

/** The header's parts that depend on who is signed in. */
function drawHeader(path) {
  const signedIn = me !== null;
  nav.hidden = !signedIn;
  who.hidden = !signedIn;
  signOut.hidden = !signedIn;
  if (!signedIn) return;
  nav.setAttribute('aria-label', t('nav.label'));
  const link = (route, key) =>
    h('a', { href: `#${route}`, 'aria-current': path === route ? 'page' : undefined }, t(key));
  const ledgerLinks = mayReadTrails(me.role) ? [link('/concerns', 'nav.concerns'), link('/pairings', 'nav.pairings')] : [];
  const recording = mayAppend(me.role)
    ? [link('/visits/new', 'nav.visit'), link('/disbursements/new', 'nav.request'), link('/import', 'nav.import')]
    : [];
  replace(nav, link('/summary', 'nav.summary'), ...ledgerLinks, ...recording);
  who.textContent = t('who.label', { principal: me.principal, role: t(`role.${me.role}`) });
}

/** Signs the session out (the token is forgotten) and shows the sign-in view. */
function endSession(reason) {
  session.forget();
  me = null;
  notice = reason;
  if (location.hash.startsWith('#/sign-in')) route();
  else location.hash = '#/sign-in';
}

/** Draws the view of the current fragment. */
async function route() {
  following?.stop();
  following = null;
  const { path, params } = currentRoute();
  if (!session.token()) {
    me = null;
    if (path !== '/sign-in') {
      wanted = location.hash || null;
      location.hash = '#/sign-in';
      return;
    }
  } else if (me === null) {
    try {
      me = await api('/v1/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return endSession('sign_in.expired');
      replace(main, h('p', { class: 'error', role: 'alert' }, t('sign_in.error.unreachable')));
      return;
    }
  }
  drawHeader(path);
  if (path === '/sign-in') {
    if (me !== null) {
      location.hash = wanted || summary.summaryRoute(summary.defaultPeriod());
      return;
    }
    signIn.render(main, {
      notice,
      signedIn(answer) {
        me = answer;
        notice = null;
        const next = wanted || summary.summaryRoute(summary.defaultPeriod());
        wanted = null;
        location.hash = next;
      },
    });
    return;
  }
  if (path === '/summary') {
    const shown = location.hash;
    const redraw = await summary.render(main, { params, me, expired: () => endSession('sign_in.expired') });
    // The figures follow the log: a new head redraws them, one redraw at a time, and heads that
    // come while one is waiting to start share it.
    if (redraw && !following && location.hash === shown) {
      let drawing = Promise.resolve();
      let waiting = false;
      following = followHead(() => {
        if (waiting) return;
        waiting = true;
        drawing = drawing.then(() => {
          waiting = false;
          return redraw();
        });
      });
    }
    return;
  }
  const expired = () => endSession('sign_in.expired');
  if (path === '/concerns' && mayReadTrails(me.role)) {
    await ledgers.renderConcerns(main, { params, expired });
    return;
  }
  if (path === '/pairings' && mayReadTrails(me.role)) {
    await ledgers.renderPairings(main, { expired });
    return;
  }
  if (path === '/visits/new' && mayAppend(me.role)) {
    visit.render(main, { params, me });
    return;
  }
  if (path === '/import' && mayAppend(me.role)) {
    importPage.render(main, { me });
    return;
  }
  if (path === '/disbursements/new' && mayAppend(me.role)) {
    disbursement.renderRequest(main, { params });
    return;
  }
  const disbursementId = disbursement.matchRoute(path);
  if (disbursementId && mayReadTrails(me.role)) {
    await disbursement.renderOne(main, { id: disbursementId, me, expired });
    return;
  }
  const trailRoute = trail.matchRoute(path);
  if (trailRoute && mayReadTrails(me.role)) {
    await trail.render(main, { ...trailRoute, expired: () => endSession('sign_in.expired') });
    return;
  }
  replace(
    main,
    h(
      'section',
      { class: 'card' },
      h('p', {}, t('error.unknown_route')),
      h('a', { href: summary.summaryRoute(summary.defaultPeriod()) }, t('error.back_to_summary')),
    ),
  );
}

for (const button of document.querySelectorAll('[data-language]')) {
  button.addEventListener('click', () => {
    setLanguage(button.dataset.language);
    route();
  });
}
signOut.addEventListener('click', () => endSession(null));
window.addEventListener('hashchange', route);

chooseLanguage();
route();
