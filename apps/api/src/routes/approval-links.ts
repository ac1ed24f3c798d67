import formbody from '@fastify/formbody';
import { parseDurationMs } from '@research/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmationPage, decidedPage, sendPage } from '../approval-links/confirmation-page.js';
import { issueLinkToken, readLinkToken } from '../approval-links/link-token.js';
import type { LinkClaims } from '../approval-links/link-token.js';
import { sendProblem } from '../plugins/error-handler.js';
import { problemFor } from '../problems/problem.js';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { workflowParamsSchema } from '../schemas/workflow.js';
import { DraftChangedError, NotAwaitingApprovalError, SelfApprovalForbiddenError } from '../temporal/errors.js';
import type { ResearchGateway } from '../temporal/gateway.js';

export interface ApprovalLinkOptions {
  gateway: ResearchGateway;
  /** `APPROVAL_LINK_SECRET`; unset answers 501 APPROVAL_LINKS_DISABLED on every link route. */
  secret: string | undefined;
  /** `APPROVAL_LINK_TTL`, e.g. `72h`. */
  ttl: string;
  /** `PUBLIC_BASE_URL`; unset builds links from the request's own protocol and Host. */
  publicBaseUrl: string | undefined;
  /** `REQUIRE_DISTINCT_APPROVER`: no link is issued for the submitter. */
  requireDistinctApprover: boolean;
}

const issueBodySchema = z
  .object({
    reviewer: z
      .object({
        id: z.string().trim().min(1, 'must not be empty').max(200),
        name: z.string().trim().max(200).optional(),
      })
      .strict()
      .describe('Who may use the link: recorded as the reviewer on the decision and its receipt'),
  })
  .strict();

const issuedSchema = z.object({
  url: z.string().describe('The link to send to the reviewer; it is the credential, so send it privately'),
  workflowId: z.string(),
  reviewer: z.object({ id: z.string(), name: z.string() }),
  draftSha256: z.string(),
  expiresAt: z.iso.datetime(),
});

const tokenParamsSchema = z.object({ token: z.string().min(1).max(2048).describe('The token of an approval link') });

const decideBodySchema = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
});

const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

/**
 * Signed approval links: `POST /workflows/:id/approval-links` issues one for a named reviewer; `GET
 * /approval-links/:token` shows the draft and a form (a GET never decides: mail scanners fetch links);
 * `POST /approval-links/:token` decides as the link's reviewer with method `link`. The link is bound to the draft
 * (412 once it changed) and usable once, because a pipeline takes one decision (409 after).
 */
export const approvalLinkRoutes: FastifyPluginAsyncZod<ApprovalLinkOptions> = async (app, options) => {
  const { gateway, secret } = options;
  const ttlMs = parseDurationMs(options.ttl) ?? 72 * 3_600_000;

  const disabled = (request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      reply,
      problemFor('APPROVAL_LINKS_DISABLED', request, 'Set APPROVAL_LINK_SECRET on the API to use approval links.'),
    );

  app.post(
    '/workflows/:id/approval-links',
    {
      schema: {
        tags: ['research'],
        summary: 'Issue a signed, single-use approval link for a named reviewer',
        description:
          'The link is bound to the pipeline, its current draft and the reviewer, and expires after ' +
          'APPROVAL_LINK_TTL. Not for the submitter while four-eyes is on (403). Needs research:approve.',
        security: securedBy('research:approve'),
        params: workflowParamsSchema,
        body: issueBodySchema,
        response: {
          201: issuedSchema,
          ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429, 500, 501, 503),
        },
      },
      config: { scope: 'research:approve' },
    },
    async (request, reply) => {
      if (secret === undefined) return disabled(request, reply);
      const workflowId = request.params.id;
      const view = await gateway.getWorkflow(workflowId);
      if (view.status !== 'RUNNING' || view.stage !== 'awaiting_approval' || view.decision !== null) {
        throw new NotAwaitingApprovalError(workflowId, `The pipeline is not awaiting approval (stage ${view.stage}).`);
      }
      const draftSha256 = view.draft?.sha256;
      if (draftSha256 === undefined) {
        throw new DraftChangedError(workflowId, 'This pipeline’s draft has no hash, so no link can be bound to it.');
      }
      const reviewer = { id: request.body.reviewer.id, name: request.body.reviewer.name || request.body.reviewer.id };
      if (options.requireDistinctApprover && view.submittedBy?.id === reviewer.id) {
        throw new SelfApprovalForbiddenError(workflowId);
      }
      const expiresAt = Math.floor((Date.now() + ttlMs) / 1000);
      const { token } = issueLinkToken(secret, { workflowId, draftSha256, reviewer, expiresAt });
      const base = options.publicBaseUrl ?? `${request.protocol}://${request.host}`;
      request.log.info({ workflowId, reviewer: reviewer.id, expiresAt }, 'approval link issued');
      return reply.code(201).send({
        url: `${base}/approval-links/${token}`,
        workflowId,
        reviewer,
        draftSha256,
        expiresAt: new Date(expiresAt * 1000).toISOString(),
      });
    },
  );

  /** The link's claims, or a problem sent: 404 (not ours), 410 (expired). */
  function claimsOf(request: FastifyRequest, reply: FastifyReply, token: string): LinkClaims | undefined {
    const check = readLinkToken(secret ?? '', token);
    if (check.ok) return check.claims;
    if (check.reason === 'expired') {
      void sendProblem(
        reply,
        problemFor('APPROVAL_LINK_EXPIRED', request, 'This link has expired; ask for a new one.'),
      );
    } else {
      void sendProblem(reply, problemFor('APPROVAL_LINK_INVALID', request, 'This is not a valid approval link.'));
    }
    return undefined;
  }

  // The form parser only where the link pages are: every other route keeps taking JSON alone.
  await app.register(async (instance) => {
    await instance.register(formbody);
    const pages = instance.withTypeProvider<ZodTypeProvider>();

    pages.get(
      '/approval-links/:token',
      {
        schema: {
          tags: ['approval links'],
          summary: 'Show the draft an approval link is for, with a form to approve or reject it',
          description: 'Public: the token is the credential. Decides nothing.',
          security: [],
          params: tokenParamsSchema,
          response: {
            200: htmlPage('The confirmation page'),
            ...problemResponses(404, 409, 410, 412, 429, 500, 501, 503),
          },
        },
        config: { public: true },
      },
      async (request, reply) => {
        if (secret === undefined) return disabled(request, reply);
        const claims = claimsOf(request, reply, request.params.token);
        if (claims === undefined) return reply;
        const view = await gateway.getWorkflow(claims.workflowId);
        if (view.status !== 'RUNNING' || view.stage !== 'awaiting_approval' || view.decision !== null) {
          throw new NotAwaitingApprovalError(
            claims.workflowId,
            'This link was used, or the pipeline was decided or closed: it takes no decision.',
          );
        }
        if (view.draft?.sha256 !== claims.draftSha256) {
          throw new DraftChangedError(claims.workflowId, 'The draft changed since this link was issued.');
        }
        return sendPage(
          reply,
          200,
          confirmationPage({
            topic: view.topic ?? '',
            sourceUrl: view.sourceUrl ?? '',
            summary: view.draft.summary,
            reviewerName: claims.reviewer.name,
            expiresAt: new Date(claims.expiresAt * 1000),
          }),
        );
      },
    );

    pages.post(
      '/approval-links/:token',
      {
        schema: {
          tags: ['approval links'],
          summary: 'Approve or reject through an approval link, as its reviewer',
          description:
            'Public: the token is the credential. A form post (application/x-www-form-urlencoded) or JSON. ' +
            'Used link or decided pipeline 409, expired 410, draft changed 412.',
          security: [],
          params: tokenParamsSchema,
          body: decideBodySchema,
          response: {
            200: htmlPage('The decision was recorded'),
            ...problemResponses(400, 403, 404, 409, 410, 412, 413, 415, 429, 500, 501, 503, 504),
          },
        },
        config: { public: true },
      },
      async (request, reply) => {
        if (secret === undefined) return disabled(request, reply);
        const claims = claimsOf(request, reply, request.params.token);
        if (claims === undefined) return reply;
        request.log = reply.log = request.log.child({ workflowId: claims.workflowId });
        const comment = request.body.comment?.trim();
        const decision = await gateway.approve(
          claims.workflowId,
          {
            approved: request.body.decision === 'approve',
            ...(comment ? { comment } : {}),
            draftSha256: claims.draftSha256,
          },
          { decidedBy: claims.reviewer, via: { method: 'link', requestId: request.id } },
        );
        request.log.info({ approved: decision.approved, reviewer: decision.reviewer }, 'decision accepted by link');
        return sendPage(reply, 200, decidedPage(decision.approved));
      },
    );
  });
};
