import { MAX_WEBHOOK_URLS, parseApprovalReminders } from '@research/contracts';
import { z } from 'zod';

/**
 * The API's webhook variables: where to send (`WEBHOOK_URLS`) and when to remind (`APPROVAL_REMINDERS`). The API
 * passes both to each workflow it starts (see `NotificationSettings`); the worker, which sends, holds the secret.
 * A plain `z.object` for the API to extend.
 */
export const webhookTargetsEnvSchema = z.object({
  WEBHOOK_URLS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const urls = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      for (const url of urls) {
        if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) {
          ctx.addIssue({ code: 'custom', message: `"${url}" is not an absolute http(s) URL` });
          return z.NEVER;
        }
      }
      if (new Set(urls).size !== urls.length) {
        ctx.addIssue({ code: 'custom', message: 'lists a URL twice' });
        return z.NEVER;
      }
      if (urls.length > MAX_WEBHOOK_URLS) {
        ctx.addIssue({ code: 'custom', message: `must list at most ${MAX_WEBHOOK_URLS} URLs` });
        return z.NEVER;
      }
      return urls;
    }),
  APPROVAL_REMINDERS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const parsed = parseApprovalReminders(value);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: `must be percentages such as "50%,90%": ${parsed.error}` });
        return z.NEVER;
      }
      return parsed.fractions;
    }),
});
export type WebhookTargetsEnv = z.infer<typeof webhookTargetsEnvSchema>;

/** Standard Webhooks secrets are 24 to 64 random bytes, base64, conventionally prefixed `whsec_`. */
const SECRET_SHAPE = /^(?:whsec_)?([A-Za-z0-9+/]+={0,2})$/;

/** The worker's webhook variable: the signing secret (`WEBHOOK_SECRET`). A plain `z.object` to extend. */
export const webhookSecretEnvSchema = z.object({
  WEBHOOK_SECRET: z
    .string()
    .refine((value) => {
      const base64 = SECRET_SHAPE.exec(value)?.[1];
      if (base64 === undefined || base64.length % 4 !== 0) return false;
      const bytes = Buffer.from(base64, 'base64').length;
      return bytes >= 24 && bytes <= 64;
    }, 'must be whsec_ followed by 24 to 64 random bytes in base64 (e.g. "whsec_$(openssl rand -base64 32)")')
    .optional(),
});
export type WebhookSecretEnv = z.infer<typeof webhookSecretEnvSchema>;
