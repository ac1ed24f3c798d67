// Browser: the reviewer inbox in Debian's Chromium (playwright-core, never a downloaded browser), served by the real
// API in front of the real embedded Temporal server and worker, with the fake LLM and content site. Elements are
// found by role and label only, as a reviewer with a screen reader would find them.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { WorkflowView } from '@research/api';
import { findFreePort } from '@research/testkit';
import type { FakeLlm } from '@research/testkit';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const UI_TIMEOUT_MS = 60_000;
// Fetch attempts 2 s apart, so the page can be seen following a failing step while it is retried.
const FETCH_ATTEMPTS = 3;
const RETRY_OVERRIDES = {
  fetchSource: { initialInterval: '2s', backoffCoefficient: 1, maximumAttempts: FETCH_ATTEMPTS },
};
/** Set to a directory (e.g. `docs`) to write the README's screenshots of the list and of a pipeline there. */
const SCREENSHOTS = process.env.INBOX_SCREENSHOTS;

// Markup in an LLM answer a careless page would turn into elements (and run): the inbox must show it as the text it is.
const HOSTILE_MARKUP = '<img src="/inbox/x.png" onerror="document.title=1"><b>Bold claim</b>';
const HOSTILE_SUMMARY = `Tidal summary. ${HOSTILE_MARKUP}`;
const HOSTILE_POINT = `Tidal point. ${HOSTILE_MARKUP}`;

const TOPICS = {
  hostile: 'Tidal energy storage',
  approve: 'Durable execution in practice',
  reject: 'Solid-state batteries',
  conflict: 'Heat pumps in cold climates',
  stale: 'Grid-scale flywheels',
  keyed: 'Offshore wind forecasting',
} as const;
type Name = keyof typeof TOPICS;

/** What a pipeline's source article says, sentence by sentence, and the draft the fake LLM writes from it. */
interface Story {
  sentences: string[];
  summary: string;
  /** Each point quotes the sentence at `quote` (verbatim, so its citation is verified), or `quote` itself. */
  points: { text: string; quote: number | string }[];
}

// Plausible drafts, since the list and the approve pipeline are what the README's screenshots show.
const STORIES: Record<Name, Story> = {
  hostile: {
    sentences: [
      'Tidal lagoons store water at high tide.',
      'Turbines release it at low tide.',
      'Output is predictable.',
    ],
    summary: HOSTILE_SUMMARY,
    points: [
      { text: HOSTILE_POINT, quote: 0 },
      { text: 'Power is generated on the ebb.', quote: 1 },
      { text: 'Tides are known years ahead.', quote: 2 },
    ],
  },
  approve: {
    sentences: [
      'Durable execution persists every step of a workflow in an event history.',
      'After a crash the workflow resumes where it stopped instead of starting over.',
      'Activities are retried with backoff until they succeed or a non-retryable failure occurs.',
      'A workflow can wait for days for a human to approve a step.',
    ],
    summary:
      'Durable execution persists each step of a workflow, so a crashed process resumes where it stopped instead ' +
      'of starting over. The article walks through retries, timers and human approval steps built on it.',
    points: [
      { text: 'Each step is recorded, so a crash loses no work.', quote: 1 },
      { text: 'Failed activities are retried with backoff.', quote: 2 },
      { text: 'Human approval fits in a workflow, even when it takes days.', quote: 3 },
      { text: 'Timers survive restarts.', quote: 'Timers are stored with the workflow and survive restarts.' },
    ],
  },
  reject: {
    sentences: [
      'Solid-state batteries replace the liquid electrolyte with a solid one.',
      'We expect twice the energy density of lithium-ion cells by 2027.',
      'No test data has been published yet.',
    ],
    summary:
      'Solid-state batteries replace the liquid electrolyte with a solid one. The source claims twice the energy ' +
      'density of lithium-ion cells by 2027 but gives no test data.',
    points: [
      { text: 'The electrolyte is solid.', quote: 0 },
      { text: 'The source promises twice the energy density by 2027.', quote: 1 },
      { text: 'There is no test data.', quote: 2 },
    ],
  },
  conflict: {
    sentences: [
      'Modern air-source heat pumps keep most of their efficiency down to -15 °C.',
      'We compared three field trials in Norway and Canada.',
      'Defrost cycles cost a few percent of output.',
    ],
    summary:
      'Modern air-source heat pumps keep most of their efficiency down to -15 °C. The source compares three ' +
      'field trials in Norway and Canada.',
    points: [
      { text: 'Efficiency holds down to -15 °C.', quote: 0 },
      { text: 'Three field trials are compared.', quote: 1 },
      { text: 'Defrosting costs little.', quote: 2 },
    ],
  },
  stale: {
    sentences: [
      'Flywheels store energy as rotation.',
      'They answer within milliseconds.',
      'They suit frequency regulation more than long-duration storage.',
    ],
    summary:
      'Flywheels store energy as rotation and answer within milliseconds, which suits frequency regulation more ' +
      'than long-duration storage.',
    points: [
      { text: 'Energy is stored as rotation.', quote: 0 },
      { text: 'The response is fast.', quote: 1 },
      { text: 'Best for frequency regulation.', quote: 2 },
    ],
  },
  keyed: {
    sentences: [
      'Combining turbine data with weather models improves forecasts of offshore wind output.',
      'The error a day ahead was 20% lower.',
      'The study covered two wind farms in the North Sea.',
    ],
    summary:
      'Forecasts of offshore wind output improve when turbine data is combined with weather models; the source ' +
      'reports a 20% lower error a day ahead.',
    points: [
      { text: 'Turbine data improves weather-model forecasts.', quote: 0 },
      { text: 'Day-ahead error drops by a fifth.', quote: 1 },
      { text: 'Two North Sea farms were studied.', quote: 2 },
    ],
  },
};

// Escapes the article text for HTML (the heat pump article has no markup, but "<" must never become a tag).
const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const articleHtml = (title: string, { sentences }: Story) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body><h1>${escapeHtml(title)}</h1>${sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('')}</body></html>`;

/** The fake LLM's answer for a story: JSON in the draft schema, citing source 1. */
const draftAnswer = ({ sentences, summary, points }: Story) =>
  JSON.stringify({
    summary,
    points: points.map(({ text, quote }) => ({
      text,
      citations: [{ source: 1, quote: typeof quote === 'number' ? sentences[quote] : quote }],
    })),
  });

const articlePath = (name: Name | 'revise') => `/articles/${name}`;

// A pipeline sent back for revision: its first draft, and the one the LLM writes from the reviewer's comment.
const REVISION_TOPIC = 'Pumped hydro storage';
const FIRST_DRAFT: Story = {
  sentences: [
    'Pumped hydro moves water uphill when power is cheap.',
    'It runs the water back through turbines when power is dear.',
    'A full reservoir lasts about eight hours.',
  ],
  summary: 'Pumped hydro stores energy by moving water between two reservoirs.',
  points: [
    { text: 'Water is pumped up when power is cheap.', quote: 0 },
    { text: 'It generates when power is dear.', quote: 1 },
    { text: 'It is the oldest storage technology.', quote: 1 },
  ],
};
const REVISED_DRAFT: Story = {
  ...FIRST_DRAFT,
  summary: 'Pumped hydro stores energy by moving water between two reservoirs, for about eight hours at full power.',
  points: [...FIRST_DRAFT.points.slice(0, 2), { text: 'A full reservoir lasts about eight hours.', quote: 2 }],
};

let fixture: StackWithFakes | undefined;
let stack: Stack;
let llm: FakeLlm;
let browser: Browser | undefined;
const ids: Partial<Record<Name, string>> = {};

async function startPipeline(
  topic: string,
  sources: string | string[],
  options: { maxRevisions?: number } = {},
): Promise<string> {
  const source = typeof sources === 'string' ? { sourceUrl: sources } : { sources };
  const response = await request(stack.apiUrl, 'POST', '/research', {
    body: { topic, ...source, approvalTimeout: '2h', ...options },
  });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.workflowId as string;
}

const awaitingApproval = (id: string) =>
  waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval', { timeoutMs: 120_000 });

// CI (`.ci/run`) installs the browser, so there a missing one fails the suite; elsewhere it is skipped, saying why.
const browserMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';
const skip = browserMissing ? `${CHROMIUM} is missing: apt-get install -y chromium` : false;

before(
  async () => {
    if (browserMissing) return;
    // Open, as the quick start runs; the last suite below starts an API that requires keys.
    fixture = await startStackWithFakes({
      open: true,
      env: { api: { ACTIVITY_RETRY_OVERRIDES: JSON.stringify(RETRY_OVERRIDES), EVENTS_RETRY_CHECK_MS: '200' } },
    });
    ({ stack, llm } = fixture);
    // One at a time, so that each pipeline gets its own draft (the hostile one first of all).
    for (const [index, name] of (Object.keys(TOPICS) as Name[]).entries()) {
      const { site } = fixture;
      site.route(articlePath(name), {
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: articleHtml(TOPICS[name], STORIES[name]),
      });
      llm.script({ kind: 'answer', content: draftAnswer(STORIES[name]) });
      const article = `${site.url}${articlePath(name)}`;
      // The pipeline of the screenshot also names a source that cannot be fetched, to show how that looks.
      ids[name] = await startPipeline(TOPICS[name], name === 'approve' ? [article, `${site.url}/not-found`] : article);
      await llm.waitForCalls(index + 1, 120_000);
    }
    await Promise.all(Object.values(ids).map((id) => awaitingApproval(id)));
    // Root has no user namespaces for Chromium's sandbox; the processes here are the test's own pages.
    const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No name resolves: the pages load from 127.0.0.1 only, and nothing else can leave the machine.
      args: [...sandbox, '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
    });
  },
  { timeout: 300_000 },
);

after(async () => {
  await browser?.close();
  await fixture?.close();
});

/**
 * A fresh browser context (its own sessionStorage) on `url`; closed when the test ends. Fails the test on an
 * uncaught error in the page and on any Content-Security-Policy or Trusted Types violation.
 */
async function openInbox(t: TestContext, url = `${stack.apiUrl}/`): Promise<Page> {
  assert.ok(browser, 'the browser did not start');
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const violations: string[] = [];
  page.on('pageerror', (error) => violations.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type/i.test(message.text())) violations.push(message.text());
  });
  t.after(() => assert.deepEqual(violations, []));
  await page.goto(url);
  return page;
}

const stageShown = (page: Page, stage: string) =>
  page
    .getByRole('status')
    .filter({ hasText: `Stage: ${stage}` })
    .waitFor();

/** What these checks read of an element in the page (the tests compile without the DOM library). */
interface PageElement {
  ownerDocument: {
    activeElement: unknown;
    defaultView: { getComputedStyle(element: unknown): { outlineStyle: string } } | null;
  };
}

// Runs in the page: the focus ring a keyboard user sees on the element.
const outlineStyle = (element: PageElement) =>
  element.ownerDocument.defaultView?.getComputedStyle(element).outlineStyle;
const hasFocus = (element: PageElement) => element.ownerDocument.activeElement === element;

/** Presses Tab until `target` has the focus, as a keyboard user would reach it. */
async function tabTo(page: Page, target: Locator, maxPresses = 40): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < maxPresses; i += 1) {
    if (await target.evaluate(hasFocus)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`${maxPresses} presses of Tab did not reach ${String(target)}`);
}

const textOf = async (page: Page, region: string) =>
  (await page.getByRole('region', { name: region }).textContent()) ?? '';

describe('reviewer inbox in Chromium', { timeout: 300_000, skip }, () => {
  test("shows the LLM's draft as text: markup in it is neither rendered nor run", async (t) => {
    const page = await openInbox(t);
    await page.getByRole('link', { name: TOPICS.hostile }).click();
    await stageShown(page, 'awaiting approval');
    const shown = await textOf(page, 'Draft');
    assert.ok(shown.includes(HOSTILE_SUMMARY), shown);
    assert.ok(shown.includes(HOSTILE_POINT), shown);
    assert.equal(await page.getByRole('region', { name: 'Draft' }).getByRole('img').count(), 0);
    assert.notEqual(await page.title(), '1');
    // Decided, so that the list below (and its screenshot) shows only ordinary drafts.
    const decided = await request(stack.apiUrl, 'POST', `/workflows/${ids.hostile}/approve`, {
      body: { approved: false },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    await waitForWorkflow<WorkflowView>(stack.apiUrl, ids.hostile!, (w) => w.status === 'COMPLETED');
  });

  test('lists the pipelines awaiting approval, each a link named by its topic', async (t) => {
    const page = await openInbox(t);
    const waiting = (['approve', 'reject', 'conflict', 'stale', 'keyed'] as const).map((name) => TOPICS[name]);
    for (const topic of waiting) await page.getByRole('link', { name: topic }).waitFor();
    await page.getByRole('status').filter({ hasText: '5 pipelines are waiting for a decision' }).waitFor();
    assert.equal(await page.getByRole('link', { name: TOPICS.hostile }).count(), 0);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'inbox.png'), fullPage: true });
  });

  test('a reviewer approves with a comment and watches the pipeline complete', async (t) => {
    const page = await openInbox(t);
    await page.getByRole('link', { name: TOPICS.approve }).click();
    await stageShown(page, 'awaiting approval');
    const article = `${fixture!.site.url}${articlePath('approve')}`;
    const source = page.getByRole('link', { name: article }).first();
    assert.equal(await source.getAttribute('href'), article);
    // Each point with the quote that backs it, its source linked by number, and whether the quote was found there.
    const points = page.getByRole('list', { name: 'Points' });
    const point = points.getByRole('listitem').filter({ hasText: STORIES.approve.points[1]!.text });
    await point.filter({ hasText: STORIES.approve.sentences[2]! }).filter({ hasText: 'verified' }).waitFor();
    assert.equal(await point.getByRole('link', { name: 'Source 1' }).getAttribute('href'), article);
    const unfound = points.getByRole('listitem').filter({ hasText: STORIES.approve.points[3]!.text });
    await unfound.filter({ hasText: 'not found in the source' }).waitFor();
    // The source that could not be fetched, with the reason.
    const missing = page.getByRole('region', { name: 'Draft' }).getByRole('listitem').filter({ hasText: '/not-found' });
    assert.match((await missing.textContent()) ?? '', /404/);
    await page.getByLabel('Comment').fill('Checked against the source.');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'inbox-pipeline.png'), fullPage: true });
    await page.getByRole('button', { name: 'Approve' }).click();
    await stageShown(page, 'completed');
    assert.match(await textOf(page, 'Decision'), /Approved/);
    const done = await waitForWorkflow<WorkflowView>(stack.apiUrl, ids.approve!, (w) => w.status === 'COMPLETED');
    assert.equal(done.result?.outcome, 'approved');
    assert.equal(done.result?.comment, 'Checked against the source.');
  });

  test('a reviewer rejects another pipeline with the keyboard alone, seeing where the focus is', async (t) => {
    const page = await openInbox(t);
    const link = page.getByRole('link', { name: TOPICS.reject });
    await tabTo(page, link);
    assert.equal(await link.evaluate(outlineStyle), 'solid');
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByLabel('Comment'));
    await page.keyboard.type('The source does not say this.');
    const reject = page.getByRole('button', { name: 'Reject' });
    await tabTo(page, reject);
    assert.equal(await reject.evaluate(outlineStyle), 'solid');
    await page.keyboard.press('Enter');
    await stageShown(page, 'completed');
    assert.match(await textOf(page, 'Decision'), /Rejected/);
    const done = await waitForWorkflow<WorkflowView>(stack.apiUrl, ids.reject!, (w) => w.status === 'COMPLETED');
    assert.equal(done.result?.outcome, 'rejected');
    // Back in the list, a decided pipeline is no longer waiting.
    await page.getByRole('link', { name: 'Back to the inbox' }).click();
    await page.getByRole('link', { name: TOPICS.conflict }).waitFor();
    assert.equal(await page.getByRole('link', { name: TOPICS.reject }).count(), 0);
  });

  test('says in words that someone else decided first when the decision is refused with 409', async (t) => {
    const page = await openInbox(t);
    // Hold the live stream back, so the page still offers the form when the other decision has been taken.
    await page.route('**/workflows/*/events', (route) => route.abort());
    await page.getByRole('link', { name: TOPICS.conflict }).click();
    const approve = page.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    const elsewhere = await request(stack.apiUrl, 'POST', `/workflows/${ids.conflict}/approve`, {
      body: { approved: false, reviewer: 'someone-else' },
    });
    assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
    await approve.click();
    await page.getByRole('alert').filter({ hasText: 'Someone else decided this pipeline first' }).waitFor();
    // The page then shows the decision that won.
    await page.getByRole('region', { name: 'Decision' }).filter({ hasText: 'Rejected by someone-else' }).waitFor();
  });

  test('says in words that the draft changed when the decision is refused with 412', async (t) => {
    const page = await openInbox(t);
    // The page is told another draft's ETag, as if the draft had changed after it was read; the API refuses it.
    await page.route(`**/workflows/${ids.stale}`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), etag: `"${'0'.repeat(64)}"` } });
    });
    await page.getByRole('link', { name: TOPICS.stale }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('alert').filter({ hasText: 'The draft changed since you opened it' }).waitFor();
    const still = await request(stack.apiUrl, 'GET', `/workflows/${ids.stale}`);
    assert.equal(still.body.decision, null);
  });
  test('a reviewer sends the draft back with a comment, reads version 2, and is told when no revision is left', async (t) => {
    fixture!.site.route(articlePath('revise'), {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: articleHtml(REVISION_TOPIC, FIRST_DRAFT),
    });
    llm.script(
      { kind: 'answer', content: draftAnswer(FIRST_DRAFT) },
      { kind: 'answer', content: draftAnswer(REVISED_DRAFT) },
    );
    const id = await startPipeline(REVISION_TOPIC, `${fixture!.site.url}${articlePath('revise')}`, { maxRevisions: 1 });
    await awaitingApproval(id);
    const page = await openInbox(t, `${stack.apiUrl}/#/workflows/${encodeURIComponent(id)}`);
    const sendBack = page.getByRole('button', { name: 'Send back for revision' });
    // The comment is what the LLM gets, so the page asks for one first.
    await sendBack.click();
    await page.getByRole('alert').filter({ hasText: 'Write in the Comment what the LLM should change' }).waitFor();
    const comment = 'Say how long the storage lasts.';
    await page.getByLabel('Comment').fill(comment);
    await sendBack.click();
    const draft = page.getByRole('region', { name: 'Draft' });
    await draft.filter({ hasText: 'Version 2' }).filter({ hasText: REVISED_DRAFT.points[2]!.text }).waitFor();
    assert.ok((await textOf(page, 'Draft')).includes(comment), await textOf(page, 'Draft'));
    // maxRevisions 1: a second revision is refused with 409 REVISIONS_EXHAUSTED, said in words.
    await page.getByLabel('Comment').fill('Once more.');
    await sendBack.click();
    await page.getByRole('alert').filter({ hasText: 'as often as this pipeline allows' }).waitFor();
    const still = await request(stack.apiUrl, 'GET', `/workflows/${id}`);
    assert.equal((still.body as WorkflowView).draft?.version, 2);
    assert.equal(still.body.decision, null);
  });

  test('warns the reviewer when most quotes of the draft are not found in the source', async (t) => {
    const path = `${articlePath('revise')}-ungrounded`;
    fixture!.site.route(path, {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: articleHtml('Compressed air storage', FIRST_DRAFT),
    });
    // Quotes the article does not hold, in the draft and in the one written again because of them.
    const ungrounded: Story = {
      ...FIRST_DRAFT,
      points: FIRST_DRAFT.points.map(({ text }) => ({ text, quote: 'Compressed air is stored in salt caverns.' })),
    };
    llm.script(
      { kind: 'answer', content: draftAnswer(ungrounded) },
      { kind: 'answer', content: draftAnswer(ungrounded) },
    );
    const id = await startPipeline('Compressed air storage', `${fixture!.site.url}${path}`);
    await awaitingApproval(id);
    const page = await openInbox(t, `${stack.apiUrl}/#/workflows/${encodeURIComponent(id)}`);
    const draft = page.getByRole('region', { name: 'Draft' });
    await draft.getByRole('note').filter({ hasText: 'Warning:' }).waitFor();
    const mark = draft.getByRole('listitem').filter({ hasText: 'not found in the source' });
    assert.equal(await mark.count(), FIRST_DRAFT.points.length * 2); // each point and its one citation
    assert.match(
      await textOf(page, 'Draft'),
      /0 of 3 quotes were found in their sources \(the draft was written a second time/,
    );
  });

  test('follows a failing step live: each retry with its reason, then the failure', async (t) => {
    fixture!.site.route('/source-down', { status: 503, body: 'down for maintenance' });
    const id = await startPipeline('Source down', `${fixture!.site.url}/source-down`);
    const page = await openInbox(t, `${stack.apiUrl}/#/workflows/${encodeURIComponent(id)}`);
    const failures = page.getByRole('region', { name: 'Retries and failures' });
    await failures
      .filter({ hasText: new RegExp(`Step fetchSource is being retried: attempt \\d of ${FETCH_ATTEMPTS}`) })
      .waitFor();
    assert.match((await failures.textContent()) ?? '', /Last failure: Source answered 503 Service Unavailable/);
    await stageShown(page, 'failed');
    await failures.filter({ hasText: 'Failed (SourceUnavailable)' }).waitFor();
  });
});

describe('reviewer inbox in Chromium with API keys required', { timeout: 300_000, skip }, () => {
  test('asks for an API key, refuses a wrong one, signs in and decides with the key', async (t) => {
    const key = `inbox-${randomBytes(24).toString('hex')}`;
    const entry = {
      id: 'reviewer',
      name: 'Rita Reviewer',
      keySha256: createHash('sha256').update(key).digest('hex'),
      scopes: ['research:read', 'research:approve'],
    };
    const port = await findFreePort();
    await stack.startApi(port, { API_KEYS: JSON.stringify([entry]) });
    const page = await openInbox(t, `http://127.0.0.1:${port}/`);

    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept that key' }).waitFor();

    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: TOPICS.keyed }).click();
    // The stage below arrives over the event stream, which the page reads with the key (EventSource could not).
    await page.getByRole('button', { name: 'Approve' }).click();
    await stageShown(page, 'completed');
    assert.match(await textOf(page, 'Decision'), /Approved by reviewer/);
    const receipts = await request(`http://127.0.0.1:${port}`, 'GET', `/workflows/${ids.keyed}/audit`, { token: key });
    assert.equal(receipts.body.receipts[0]?.decidedBy?.method, 'api-key');
  });
});
