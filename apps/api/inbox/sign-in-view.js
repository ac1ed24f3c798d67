// Asks for an API key (or an OIDC access token: both are Bearer credentials) when the API answers 401.
import { credentials } from './api.js';
import { h, replaceChildren } from './dom.js';

/** Renders the sign-in form into `main`; `onSignedIn()` runs once a key is stored. */
export function showSignIn(main, { onSignedIn }) {
  const key = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const form = h(
    'form',
    { class: 'sign-in' },
    h('p', {}, h('label', { for: 'api-key' }, 'API key'), h('br'), key),
    h('p', {}, h('button', { type: 'submit' }, 'Sign in')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = key.value.trim();
    if (value === '') return;
    credentials.set(value);
    onSignedIn();
  });
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, 'Sign in'),
    h(
      'p',
      {},
      'This API requires credentials. Enter your API key or an access token. It is kept in this browser tab only ',
      '(session storage) and sent to this API with each request.',
    ),
    form,
  );
  key.focus();
}
