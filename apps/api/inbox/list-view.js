// The pipelines awaiting approval, newest first, a page at a time: topic (the link to the pipeline), how long it
// has waited, its approval deadline, who submitted it and the start of the draft.
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { age, deadline } from './time.js';

const PAGE_SIZE = 20;

function pipelineItem(summary) {
  const facts = [
    summary.awaitingSince && age(summary.awaitingSince),
    summary.approvalDeadline && deadline(summary.approvalDeadline),
    summary.submittedBy && `submitted by ${summary.submittedBy.name}`,
  ].filter(Boolean);
  const meta = h('p', { class: 'meta' });
  facts.forEach((fact, i) => meta.append(...(i === 0 ? [fact] : [' · ', fact])));
  return h(
    'li',
    {},
    h('a', { href: `#/workflows/${encodeURIComponent(summary.workflowId)}` }, summary.topic ?? summary.workflowId),
    meta,
    summary.draftExcerpt && h('p', { class: 'excerpt' }, summary.draftExcerpt),
  );
}

/**
 * Renders the list into `main`; `context.summaries` keeps each summary so the pipeline's page can show its wait and
 * deadline (GET /workflows/:id does not carry them).
 *
 * @throws {ApiError} as `api` does, for the first page.
 */
export async function showList(main, context) {
  const query = (cursor) =>
    `/workflows?stage=awaiting_approval&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const { body: first } = await api(query(null), { signal: context.signal });

  const list = h('ul', { class: 'pipelines' });
  const more = h('button', { type: 'button' }, 'Show more');
  let cursor = first.nextCursor;
  const add = (page) => {
    for (const summary of page.items) {
      context.summaries.set(summary.workflowId, summary);
      list.append(pipelineItem(summary));
    }
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      add((await api(query(cursor), { signal: context.signal })).body);
    } catch (error) {
      context.fail(error);
    } finally {
      more.disabled = false;
    }
  });
  const refresh = h('button', { type: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => context.reload());

  const total = first.total ?? first.items.length;
  replaceChildren(
    main,
    h('h1', { tabindex: '-1' }, 'Awaiting approval'),
    h(
      'p',
      { role: 'status' },
      total === 0
        ? 'Nothing is waiting for a decision.'
        : `${total} ${total === 1 ? 'pipeline is' : 'pipelines are'} waiting for a decision.`,
    ),
    h('p', {}, refresh),
    list,
    more,
  );
  add(first);
}
