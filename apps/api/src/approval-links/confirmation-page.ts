import type { FastifyReply } from 'fastify';

/**
 * Headers of every link page: nothing runs or loads (no script, style or image), the form posts only back here,
 * the page is never framed, cached or sent as a referrer (the URL holds the token).
 */
export const LINK_PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export interface ConfirmationPageContent {
  topic: string;
  sourceUrl: string;
  summary: string;
  reviewerName: string;
  expiresAt: Date;
}

/** The page `GET /approval-links/:token` serves: the draft as text and a plain form that posts the decision. */
export function confirmationPage(content: ConfirmationPageContent): string {
  return page(
    'Review a research draft',
    `<p>Reviewer: ${escapeHtml(content.reviewerName)}. This link works once, until ${escapeHtml(
      content.expiresAt.toISOString(),
    )}.</p>
<p>Topic: ${escapeHtml(content.topic)}</p>
<p>Source: ${escapeHtml(content.sourceUrl)}</p>
<h2>Draft</h2>
<pre>${escapeHtml(content.summary)}</pre>
<form method="post">
<p><label>Comment (optional)<br><textarea name="comment" rows="4" cols="60" maxlength="2000"></textarea></label></p>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="reject">Reject</button></p>
</form>`,
  );
}

/** The page answering a decision posted through a link. */
export function decidedPage(approved: boolean): string {
  return page(approved ? 'Approved' : 'Rejected', '<p>Your decision was recorded. You can close this page.</p>');
}

/** Sends `html` with the link page headers. */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(LINK_PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}
