/**
 * The `approvals` section of the worker configuration, shared by the worker (which mints
 * links for its notices) and `certrot approvals` (which serves them).
 */
import { z } from 'zod';
import { decodeLinkKey } from './link-token';

const loopback = (host: string): boolean => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

export const approvalsConfigSchema = z
  .object({
    /** Where the provisioning team reaches the service (behind the customer's ingress), e.g. https://approvals.example.com. */
    publicUrl: z
      .string()
      .url('an absolute URL such as "https://approvals.example.com"')
      .refine((value) => {
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && loopback(url.hostname));
      }, 'must be https:// (plain http:// only on loopback, for local runs)')
      .refine((value) => !new URL(value).search && !new URL(value).hash, 'no query or fragment'),
    /** At least 32 random bytes, base64 or hex; write it as `${CERTROT_APPROVAL_LINK_KEY}`. */
    linkKey: z.string().min(1).transform((value, ctx) => {
      try {
        return decodeLinkKey(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^approvals\.linkKey: /, '') });
        return z.NEVER;
      }
    }),
    /** Where `certrot approvals` listens (host:port); default 127.0.0.1:8787. */
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port to listen on, such as "0.0.0.0:8787"')
      .default('127.0.0.1:8787'),
  })
  .strict();

export type ApprovalsConfig = z.output<typeof approvalsConfigSchema>;
