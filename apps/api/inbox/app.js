// Entry point: picks the view from the URL's hash (#/ the list, #/workflows/<id> a pipeline), signs in when the API
// answers 401, and reports what went wrong in the page's alert region.
import { ApiError, credentials } from './api.js';
import { showDetail } from './detail-view.js';
import { h, replaceChildren } from './dom.js';
import { showList } from './list-view.js';
import { showSignIn } from './sign-in-view.js';

const main = document.getElementById('main');
const notice = document.getElementById('notice');
const session = document.getElementById('session');
const summaries = new Map();

/** Whether the API answered without credentials: then a reviewer may type a name with a decision. */
let open = credentials.get() === null;
let current = new AbortController();

const say = (message) => {
  notice.textContent = message;
};

function renderSession() {
  if (credentials.get() === null) return replaceChildren(session);
  const signOut = h('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    credentials.clear();
    say('');
    void show();
  });
  replaceChildren(session, h('span', {}, 'Signed in with a key. '), signOut);
}

function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    const refused = credentials.get() !== null;
    credentials.clear();
    open = false;
    current.abort();
    renderSession();
    if (refused) say('The API did not accept that key. Check it and sign in again.');
    showSignIn(main, {
      onSignedIn: () => {
        say('');
        void show({ moveFocus: true });
      },
    });
    return;
  }
  if (error instanceof ApiError && error.code === 'WORKFLOW_NOT_FOUND') {
    say('There is no pipeline with this id.');
  } else if (error instanceof ApiError && error.code === 'INSUFFICIENT_SCOPE') {
    say('Your key may not read pipelines (it lacks the research:read scope).');
  } else if (error instanceof ApiError) {
    say(`The API refused the request: ${error.message}`);
  } else {
    say('The API cannot be reached. Check that it is running, then reload the page.');
  }
}

async function show({ moveFocus = false } = {}) {
  current.abort();
  current = new AbortController();
  const { signal } = current;
  renderSession();
  const context = { signal, summaries, say, fail, openMode: () => open, reload: () => show({ moveFocus: true }) };
  const match = /^#\/workflows\/(.+)$/.exec(location.hash);
  try {
    if (match) await showDetail(main, decodeURIComponent(match[1]), context);
    else await showList(main, context);
    if (credentials.get() !== null) open = false;
    // After a navigation, start reading at the new view's heading, as a page load would.
    if (moveFocus) main.querySelector('h1')?.focus();
  } catch (error) {
    if (!signal.aborted) fail(error);
  }
}

window.addEventListener('hashchange', () => {
  say('');
  void show({ moveFocus: true });
});
void show();
