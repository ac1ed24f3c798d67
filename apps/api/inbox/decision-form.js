// The decision form of a pipeline awaiting approval. The decision names the draft the reviewer read (If-Match with
// its ETag), so a draft that changed meanwhile is refused (412) instead of being approved unseen.
import { ApiError, api, workflowPath } from './api.js';
import { h } from './dom.js';

/** Why a decision was refused, in words; null for answers the page handles otherwise (401). */
export function refusalMessage(error) {
  if (!(error instanceof ApiError)) return 'The decision could not be sent: the API cannot be reached. Try again.';
  switch (error.code) {
    case 'NOT_AWAITING_APPROVAL':
      return 'Someone else decided this pipeline first, or it stopped waiting for approval. Your decision was not recorded; the page now shows the pipeline as it is.';
    case 'DRAFT_CHANGED':
      return 'The draft changed since you opened it. Your decision was not recorded; read the current draft and decide again.';
    case 'SELF_APPROVAL_FORBIDDEN':
      return 'You submitted this pipeline, so another reviewer must decide it.';
    case 'INSUFFICIENT_SCOPE':
      return 'Your key may read pipelines but not decide them (it lacks the research:approve scope).';
    case 'REVISIONS_EXHAUSTED':
      return 'The draft was already sent back for revision as often as this pipeline allows. Approve or reject it.';
    case 'WORKFLOW_TIMEOUT':
      return 'The workflow did not answer in time, so it is not known whether your decision was taken. Reload the page before deciding again.';
    default:
      return error.status === 401 ? null : `The decision was refused: ${error.message}`;
  }
}

/**
 * A form with a "Comment" box (and, in open mode, an optional reviewer name) and "Approve", "Reject" and, when
 * `canRevise`, "Send back for revision" buttons. `onDecided(decision)` gets the accepted decision (`revise: true` for
 * a draft sent back), `onRefused(error)` any failure, `say(message)` what the reviewer must fix before sending.
 */
export function decisionForm({ workflowId, etag, askReviewerName, canRevise, onDecided, onRefused, say }) {
  const comment = h('textarea', { id: 'decision-comment', name: 'comment', rows: 4, maxlength: 2000 });
  const reviewer = askReviewerName
    ? h('input', { id: 'decision-reviewer', name: 'reviewer', autocomplete: 'name', maxlength: 200 })
    : null;
  const approve = h('button', { type: 'submit', value: 'approve', class: 'approve' }, 'Approve');
  const reject = h('button', { type: 'submit', value: 'reject', class: 'reject' }, 'Reject');
  const revise = canRevise ? h('button', { type: 'submit', value: 'revise' }, 'Send back for revision') : null;
  const buttons = [approve, reject, revise].filter(Boolean);
  const form = h(
    'form',
    { class: 'decision' },
    h('p', {}, h('label', { for: 'decision-comment' }, 'Comment'), h('br'), comment),
    reviewer && h('p', {}, h('label', { for: 'decision-reviewer' }, 'Your name (optional)'), h('br'), reviewer),
    h('p', { class: 'actions' }, approve, ' ', reject, revise && ' ', revise),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const approved = event.submitter === approve;
    const revising = revise !== null && event.submitter === revise;
    if (revising && comment.value.trim() === '') {
      say('Write in the Comment what the LLM should change, then send the draft back.');
      comment.focus();
      return;
    }
    const body = {
      approved,
      ...(revising ? { revise: true } : {}),
      ...(comment.value.trim() === '' ? {} : { comment: comment.value }),
      ...(reviewer && reviewer.value.trim() !== '' ? { reviewer: reviewer.value.trim() } : {}),
    };
    form.setAttribute('aria-busy', 'true');
    for (const button of buttons) button.disabled = true;
    try {
      const { body: decision } = await api(workflowPath(workflowId, '/approve'), {
        method: 'POST',
        body,
        headers: etag ? { 'if-match': etag } : {},
      });
      onDecided(decision);
    } catch (error) {
      for (const button of buttons) button.disabled = false;
      onRefused(error);
    } finally {
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}
