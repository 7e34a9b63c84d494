/**
 * The worker's configuration: a YAML or JSON file plus the environment. Secrets (org JWT
 * keys, vendor tokens, SMTP passwords) live only here — never in workflow inputs — and may
 * be written as `${ENV_VAR}` so the file itself holds none. Validated once at start-up;
 * the first problem is reported with the offending key named.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RotationError } from '../domain/errors';
import { inventoryConfigSchema } from '../domain/inventory-config';
import { ROTATION_TASK_QUEUE } from '../domain/rotation';
import { emailChannelConfigSchema, webhookChannelConfigSchema } from '../notifications';
import { salesforceAuthSchema } from '../salesforce/auth';
import { vendorConfigSchema } from '../vendors/vendor-config';
import { approvalsConfigSchema } from '../approvals/approvals-config';

const temporalSchema = z
  .object({
    address: z.string().min(1).default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default(ROTATION_TASK_QUEUE),
    /** TLS to Temporal Cloud or a secured cluster: client certificate files, optional CA. */
    tls: z
      .object({
        clientCertificateFile: z.string().min(1),
        clientKeyFile: z.string().min(1),
        serverRootCaFile: z.string().min(1).optional(),
        serverName: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    apiKey: z.string().min(1).optional(),
  })
  .strict();

const CONCURRENT_CALLS = 'a whole number from 1 to 25 (Salesforce runs at most 25 long-running requests per org at once; default 8)';

const orgSchema = z
  .object({
    /** The id the vendor knows this org by; usually its Salesforce organization id. */
    vendorOrgId: z.string().min(1),
    apiVersion: z.string().regex(/^\d+\.\d$/, 'a Salesforce API version such as "62.0"').optional(),
    auth: salesforceAuthSchema,
    retry: z
      .object({ maxAttempts: z.number().int().min(1).max(20), baseDelayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) })
      .partial()
      .strict()
      .optional(),
    /** Salesforce calls this worker has in flight at once for the org (see salesforce/call-limiter.ts). */
    maxConcurrentCalls: z
      .number(CONCURRENT_CALLS)
      .int(CONCURRENT_CALLS)
      .min(1, CONCURRENT_CALLS)
      .max(25, CONCURRENT_CALLS)
      .default(8),
  })
  .strict();

const caSchema = z
  .object({
    certificateFile: z.string().min(1),
    privateKeyFile: z.string().min(1),
    validityDays: z.number().int().min(1).max(825).default(365),
  })
  .strict();

export const workerConfigSchema = z
  .object({
    temporal: temporalSchema.default({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: ROTATION_TASK_QUEUE }),
    orgs: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'org aliases use letters, digits, - and _'), orgSchema),
    vendors: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'vendor ids use letters, digits, - and _'), vendorConfigSchema),
    ca: caSchema.optional(),
    /** Prometheus endpoint for the SDK runtime's metrics and certrot's product metrics. */
    metrics: z
      .object({
        prometheus: z
          .object({
            bindAddress: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port to listen on, such as "0.0.0.0:9464"'),
          })
          .strict(),
      })
      .strict()
      .optional(),
    /**
     * The approval service (`certrot approvals`): the provisioning team's signed links. The
     * worker mints links with `linkKey` for the notices it sends; the service checks them with
     * the same key. Without this section notices carry no link (approval by CLI/UI only).
     */
    approvals: approvalsConfigSchema.optional(),
    /** Automatic renewals: which certificates the sweep renews, and where drift alerts go. */
    inventory: inventoryConfigSchema
      .extend({ alerts: z.object({ webhook: webhookChannelConfigSchema.optional(), email: emailChannelConfigSchema.optional() }).strict().optional() })
      .optional(),
  })
  .strict();

export type WorkerConfig = z.output<typeof workerConfigSchema>;

/** Replaces `${NAME}` in every string with the environment's value; unset -> an error naming both. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new RotationError('CONFIG_INVALID', `${path}: refers to \${${name}}, but the environment variable ${name} is not set.`, {
          details: { key: path },
        });
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, path ? `${path}.${key}` : key)]));
  }
  return value;
}

/** Relative file paths in the config are relative to the config file. */
function resolvePaths(config: WorkerConfig, baseDir: string): WorkerConfig {
  const at = (file: string): string => (isAbsolute(file) ? file : resolve(baseDir, file));
  for (const org of Object.values(config.orgs)) {
    if (org.auth.kind === 'jwt' && org.auth.privateKeyPath) org.auth.privateKeyPath = at(org.auth.privateKeyPath);
  }
  if (config.ca) {
    config.ca.certificateFile = at(config.ca.certificateFile);
    config.ca.privateKeyFile = at(config.ca.privateKeyFile);
  }
  const tls = config.temporal.tls;
  if (tls) {
    tls.clientCertificateFile = at(tls.clientCertificateFile);
    tls.clientKeyFile = at(tls.clientKeyFile);
    if (tls.serverRootCaFile) tls.serverRootCaFile = at(tls.serverRootCaFile);
  }
  return config;
}

export function parseWorkerConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): WorkerConfig {
  const withEnv = interpolate(raw, env, '');
  const parsed = workerConfigSchema.safeParse(withEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new RotationError('CONFIG_INVALID', `Worker configuration: ${key}: ${issue?.message ?? 'invalid'}`, { details: { key } });
  }
  const config = resolvePaths(parsed.data, baseDir);
  // Environment overrides for the deployment, so one file serves several environments.
  if (env.CERTROT_TEMPORAL_ADDRESS) config.temporal.address = env.CERTROT_TEMPORAL_ADDRESS;
  if (env.CERTROT_TEMPORAL_NAMESPACE) config.temporal.namespace = env.CERTROT_TEMPORAL_NAMESPACE;
  if (env.CERTROT_TASK_QUEUE) config.temporal.taskQueue = env.CERTROT_TASK_QUEUE;
  if (env.CERTROT_METRICS_ADDRESS) {
    const address = workerConfigSchema.shape.metrics.unwrap().shape.prometheus.shape.bindAddress.safeParse(env.CERTROT_METRICS_ADDRESS);
    if (!address.success) {
      throw new RotationError('CONFIG_INVALID', `CERTROT_METRICS_ADDRESS: "${env.CERTROT_METRICS_ADDRESS}" is not host:port, such as 0.0.0.0:9464`, {
        details: { key: 'CERTROT_METRICS_ADDRESS' },
      });
    }
    config.metrics = { prometheus: { bindAddress: address.data } };
  }
  return config;
}

export function loadWorkerConfig(file: string, env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `Cannot read the worker configuration "${file}": ${(error as Error).message}. Pass --config FILE or set CERTROT_CONFIG.`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `The worker configuration "${file}" is not valid YAML/JSON: ${(error as Error).message}`);
  }
  return parseWorkerConfig(raw, env, dirname(resolve(file)));
}
