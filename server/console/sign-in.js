// The sign-in view (`#/sign-in`): the token is checked against `GET /v1/me` before it is kept, so
// a mistyped or revoked one is refused here, in words, beside the field.

import { api, ApiError, session } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

/** The message for a failed check of the token. */
function refusal(error) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return t('sign_in.error.rejected');
  if (error instanceof ApiError && error.status === 0) return t('sign_in.error.unreachable');
  return error.message;
}

/**
 * Draws the sign-in form into `main`. `notice` (a message key) is shown above it; `signedIn(me)`
 * is called with `{principal, role}` once the token is accepted and kept.
 */
export function render(main, { notice, signedIn }) {
  const error = h('p', { class: 'field-error', id: 'token-error', 'data-error-for': 'token', hidden: true });
  const summary = h('div', { class: 'error-summary', role: 'alert', 'data-error-summary': '', hidden: true });
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-error',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('sign_in.submit'));
  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
    summary.replaceChildren(h('strong', {}, t('sign_in.error.summary')), h('p', {}, message));
    summary.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  // POST, never GET: even if this script failed, the browser would not put the token in a URL.
  const form = h(
    'form',
    { 'data-form': 'sign-in', method: 'post', action: '#', novalidate: true },
    summary,
    h('label', { for: 'token' }, t('sign_in.token')),
    error,
    input,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      showError(t('sign_in.error.empty'));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('sign_in.checking');
    try {
      const me = await api('/v1/me', { token });
      session.keep(token);
      signedIn(me);
    } catch (failure) {
      submit.disabled = false;
      submit.textContent = t('sign_in.submit');
      showError(refusal(failure));
    }
  });
  replace(
    main,
    h(
      'section',
      { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
      h('h1', { id: 'sign-in-title' }, t('sign_in.title')),
      notice ? h('p', { class: 'notice', role: 'status' }, t(notice)) : null,
      h('p', { class: 'intro' }, t('sign_in.intro')),
      form,
    ),
  );
  input.focus();
}
