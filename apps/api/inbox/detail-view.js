// One pipeline: topic, source, stage (updated live from its event stream), retries and failures, the draft as
// text (summary, points with their citations, failed sources), and the decision form while it awaits approval.
import { api, workflowPath } from './api.js';
import { decisionForm, refusalMessage } from './decision-form.js';
import { h, replaceChildren, safeHttpUrl } from './dom.js';
import { followEvents } from './event-stream.js';
import { age, deadline, timeElement } from './time.js';

const STAGE_NAMES = {
  queued: 'queued',
  fetching: 'fetching the source',
  summarizing: 'summarizing',
  awaiting_approval: 'awaiting approval',
  saving: 'saving the result',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const STAGE_ORDER = Object.keys(STAGE_NAMES);

const OUTCOME_NAMES = { approved: 'Approved', rejected: 'Rejected', expired: 'Expired', cancelled: 'Cancelled' };

const section = (id, title, ...children) =>
  h('section', { 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);

function sourceLink(url) {
  const href = url && safeHttpUrl(url);
  return href ? h('a', { href, rel: 'noopener noreferrer' }, href) : 'unknown';
}

function failures({ retry, error }) {
  const lines = [];
  if (retry) {
    const of = retry.maximumAttempts === null ? '' : ` of ${retry.maximumAttempts}`;
    const line = h('p', {}, `Step ${retry.activity} is being retried: attempt ${retry.attempt}${of}.`);
    if (retry.lastFailure) line.append(` Last failure: ${retry.lastFailure.message}`);
    if (retry.nextAttemptAt) line.append(' Next attempt ', timeElement(retry.nextAttemptAt, 'soon'), '.');
    lines.push(line);
  }
  if (error) lines.push(h('p', { class: 'failure' }, `Failed (${error.code}): ${error.message}`));
  return lines.length > 0 ? lines : [h('p', {}, 'None so far.')];
}

/** Dollars as the API's messages write them: at least two decimals, at most six. */
function usd(amount) {
  const [whole, fraction = ''] = amount.toFixed(6).replace(/0+$/, '').split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

function citationItem({ source, quote, verified }, sources) {
  const outcome = sources?.find((s) => s.index === source);
  const href = outcome && safeHttpUrl(outcome.finalUrl ?? outcome.url);
  const name = `Source ${source}`;
  // The mark is in words, so it does not depend on seeing the colour.
  return h(
    'li',
    { class: verified ? 'citation verified' : 'citation unverified' },
    href ? h('a', { href, rel: 'noopener noreferrer' }, name) : name,
    ': ',
    h('q', {}, quote),
    ' ',
    h('span', { class: 'mark' }, verified ? '(verified)' : '(not found in the source)'),
  );
}

function pointList(points, sources) {
  return [
    h('h3', { id: 'points-title' }, 'Points'),
    h(
      'ol',
      { class: 'points', 'aria-labelledby': 'points-title' },
      ...points.map((point) =>
        h(
          'li',
          {},
          h('p', {}, point.text),
          point.citations.length > 0
            ? h('ul', { class: 'citations' }, ...point.citations.map((c) => citationItem(c, sources)))
            : h('p', { class: 'meta' }, 'No quote backs this point.'),
        ),
      ),
    ),
  ];
}

function failedSources(sources) {
  const failed = (sources ?? []).filter((s) => s.failure);
  if (failed.length === 0) return [];
  return [
    h('h3', {}, 'Sources not used'),
    h('ul', {}, ...failed.map((s) => h('li', {}, `Source ${s.index}, ${s.url}: ${s.failure.message}`))),
  ];
}

function draftMeta(draft, cost) {
  const parts = [`Written by ${draft.model}`];
  if (draft.usage) parts.push(`${draft.usage.totalTokens} tokens`);
  if (typeof draft.cost === 'number') parts.push(`cost ${usd(draft.cost)}`);
  if (typeof cost?.totalUsd === 'number') {
    const budget = typeof cost.budgetUsd === 'number' ? ` of a ${usd(cost.budgetUsd)} budget` : '';
    parts.push(`pipeline cost so far ${usd(cost.totalUsd)}${budget}`);
  }
  return h('p', { class: 'meta' }, `${parts.join(', ')}.`);
}

/** Drafts of pipelines started before structured drafts have only a summary: points, grounding and sources are absent. */
function draftBlock(draft, cost) {
  if (!draft) return [h('p', {}, 'No draft yet: the LLM has not summarised the source.')];
  const { grounding, points, sources } = draft;
  const quotes = grounding ? grounding.verified + grounding.unverified : 0;
  return [
    draft.version > 1 && h('p', { class: 'meta' }, `Version ${draft.version}, written again from the comment:`),
    draft.version > 1 && draft.feedback && h('blockquote', {}, draft.feedback),
    grounding?.warning && h('p', { role: 'note', class: 'warning' }, `Warning: ${grounding.warning}`),
    // textContent only: the LLM wrote this, and it is shown exactly as written, never interpreted as HTML.
    h('div', { class: 'draft' }, draft.summary),
    ...(points ? pointList(points, sources) : []),
    grounding &&
      h(
        'p',
        { class: 'meta' },
        `${grounding.verified} of ${quotes} ${quotes === 1 ? 'quote was' : 'quotes were'} found in their sources` +
          `${grounding.regenerated ? ' (the draft was written a second time to find more)' : ''}.`,
      ),
    ...failedSources(sources),
    draftMeta(draft, cost),
  ];
}

function decisionSummary(workflow) {
  const { decision, result } = workflow;
  if (decision) {
    const who = decision.reviewer ? ` by ${decision.reviewer}` : '';
    const line = h(
      'p',
      {},
      `${decision.approved ? 'Approved' : 'Rejected'}${who} `,
      timeElement(decision.decidedAt, 'at ' + new Date(decision.decidedAt).toLocaleString()),
      '.',
    );
    return [line, decision.comment && h('blockquote', {}, decision.comment)];
  }
  if (result) return [h('p', {}, `${OUTCOME_NAMES[result.outcome] ?? result.outcome}: nobody decided.`)];
  return [
    h('p', {}, `No decision can be taken while the pipeline is ${STAGE_NAMES[workflow.stage] ?? workflow.stage}.`),
  ];
}

/**
 * Renders pipeline `id` into `main` and follows its events until `context.signal` aborts.
 *
 * @throws {ApiError} when the first read is refused (404, 401, ...).
 */
export async function showDetail(main, id, context) {
  const { signal } = context;
  const load = async () => {
    const { body, headers } = await api(workflowPath(id), { signal });
    return { workflow: body, etag: headers.get('etag') };
  };
  let { workflow, etag } = await load();

  const stage = h('p', { role: 'status', class: 'stage' });
  const connection = h('p', { class: 'meta' });
  const problems = h('div');
  const draft = h('div');
  const decision = h('div');
  let formShown = false;

  // The sha256 of a draft sent back for revision until its next version arrives (the draft event reloads the page).
  let sentBack = null;

  const renderDecision = () => {
    if (sentBack !== null && workflow.draft?.sha256 === sentBack) {
      formShown = false;
      return replaceChildren(
        decision,
        h('p', {}, 'Sent back for revision. The next version of the draft appears here when the LLM has written it.'),
      );
    }
    sentBack = null;
    const awaiting = workflow.stage === 'awaiting_approval' && workflow.decision === null && workflow.draft !== null;
    if (awaiting && formShown) return; // keep what the reviewer is typing
    formShown = awaiting;
    if (!awaiting) return replaceChildren(decision, ...decisionSummary(workflow));
    replaceChildren(
      decision,
      decisionForm({
        workflowId: id,
        etag,
        askReviewerName: context.openMode(),
        // Only structured drafts can be revised (the API refuses it for pipelines started before them).
        canRevise: workflow.draft.points !== undefined && workflow.draft.sha256 !== undefined,
        say: context.say,
        onDecided: (accepted) => {
          if (accepted.revise === true) sentBack = workflow.draft.sha256;
          else workflow = { ...workflow, decision: accepted };
          renderDecision();
        },
        onRefused: async (error) => {
          const message = refusalMessage(error);
          if (message === null) return context.fail(error);
          context.say(message);
          // Show the pipeline as it is now: the other reviewer's decision, or the new draft.
          if (error.status === 409 || error.status === 412) await reload();
        },
      }),
    );
  };
  const render = () => {
    stage.textContent = `Stage: ${STAGE_NAMES[workflow.stage] ?? workflow.stage}`;
    replaceChildren(problems, ...failures(workflow));
    replaceChildren(draft, ...draftBlock(workflow.draft, workflow.cost));
    renderDecision();
  };
  const reload = async () => {
    try {
      ({ workflow, etag } = await load());
      formShown = false;
      render();
    } catch (error) {
      if (!signal.aborted) context.fail(error);
    }
  };

  const summary = context.summaries.get(id);
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Source'),
    h('dd', {}, sourceLink(workflow.sourceUrl)),
    h('dt', {}, 'Submitted by'),
    h('dd', {}, workflow.submittedBy?.name ?? 'not recorded'),
    h('dt', {}, 'Started'),
    h('dd', {}, timeElement(workflow.startedAt, new Date(workflow.startedAt).toLocaleString())),
    summary?.awaitingSince && h('dt', {}, 'Waiting'),
    summary?.awaitingSince && h('dd', {}, age(summary.awaitingSince)),
    summary?.approvalDeadline && h('dt', {}, 'Deadline'),
    summary?.approvalDeadline && h('dd', {}, deadline(summary.approvalDeadline)),
  );
  replaceChildren(
    main,
    h('p', {}, h('a', { href: '#/' }, 'Back to the inbox')),
    h('h1', { tabindex: '-1' }, workflow.topic ?? id),
    stage,
    connection,
    facts,
    section('failures', 'Retries and failures', problems),
    section('draft', 'Draft', draft),
    section('decision', 'Decision', decision),
  );
  render();

  if (workflow.status !== 'RUNNING') return;
  const apply = ({ type, data }) => {
    // The first connection replays the run from its start: a stage behind the one already shown is old news.
    if (type === 'stage' && sentBack !== null) {
      // A draft sent back goes through summarizing to awaiting approval again. The stream sends a draft event for
      // the first draft only, so the stage is what says that the next version is written.
      workflow = { ...workflow, stage: data.stage, retry: null };
      if (data.stage === 'awaiting_approval') void reload();
      else render();
      return;
    }
    if (type === 'stage') {
      if (STAGE_ORDER.indexOf(data.stage) <= STAGE_ORDER.indexOf(workflow.stage)) return;
      // The step that was being retried has finished.
      workflow = { ...workflow, stage: data.stage, retry: null };
    } else if (type === 'retry') {
      workflow = { ...workflow, retry: data };
    } else if (type === 'decision') {
      workflow = { ...workflow, decision: data };
    } else if (type === 'draft') {
      // A draft this page has not shown (the first one, or a new version): read it with its ETag.
      if (workflow.draft === null || workflow.draft.sha256 !== data.sha256) void reload();
      return;
    } else {
      const { status, stage: closedStage, result = workflow.result, error = null } = data;
      workflow = { ...workflow, status, stage: closedStage, result, error, retry: null };
      connection.textContent = 'The pipeline is closed.';
    }
    render();
  };
  followEvents(workflowPath(id, '/events'), {
    signal,
    onEvent: apply,
    onConnection: (up) => {
      connection.textContent = up
        ? 'Live: stage updates appear here as they happen.'
        : 'Live updates lost; reconnecting…';
    },
  }).catch((error) => {
    if (!signal.aborted) context.fail(error);
  });
}
