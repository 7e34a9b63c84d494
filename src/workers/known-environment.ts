/**
 * Every CERTROT_* environment variable the code reads, with where it takes effect. The
 * deployment files (docker-compose.yml, deploy/*.env.example) are checked against this list,
 * so a typo there (CERTROT_CODEC_KEY instead of CERTROT_CODEC_KEYS) fails a test instead of
 * silently running an unencrypted worker; a test also checks each name still occurs in the
 * source, so the list cannot outlive the code that reads it.
 *
 * Variables a worker configuration refers to as `${NAME}` are not listed here: they are
 * whatever that file names.
 */
export interface KnownVariable {
  name: string;
  /** Which `certrot` commands read it. */
  readBy: readonly ('worker' | 'codec-server' | 'client' | 'sandbox')[];
  /** Holds key material or a credential: must reach a container through env_file/secrets only. */
  secret: boolean;
  description: string;
}

export const KNOWN_ENVIRONMENT: readonly KnownVariable[] = [
  { name: 'CERTROT_CONFIG', readBy: ['worker'], secret: false, description: 'path of the worker configuration (YAML or JSON), when --config is not given' },
  {
    name: 'CERTROT_TEMPORAL_ADDRESS',
    readBy: ['worker', 'client'],
    secret: false,
    description: 'Temporal frontend host:port; overrides temporal.address of the worker configuration',
  },
  {
    name: 'CERTROT_TEMPORAL_NAMESPACE',
    readBy: ['worker', 'client'],
    secret: false,
    description: 'Temporal namespace; overrides temporal.namespace of the worker configuration',
  },
  { name: 'CERTROT_TASK_QUEUE', readBy: ['worker', 'client'], secret: false, description: 'task queue; overrides temporal.taskQueue of the worker configuration' },
  {
    name: 'CERTROT_CODEC_KEYS',
    readBy: ['worker', 'codec-server', 'client'],
    secret: true,
    description: 'payload encryption key ring, "id:base64key,..." oldest first; unset = payloads are not encrypted',
  },
  {
    name: 'CERTROT_CODEC_CURRENT_KEY',
    readBy: ['worker', 'codec-server', 'client'],
    secret: false,
    description: 'id of the key that encrypts new payloads (default: the last in CERTROT_CODEC_KEYS)',
  },
  {
    name: 'CERTROT_APPROVAL_LINK_KEY',
    readBy: ['worker'],
    secret: true,
    description: 'the approvals link key (>= 32 random bytes, base64 or hex), written as ${CERTROT_APPROVAL_LINK_KEY} in approvals.linkKey; signs and checks approval links',
  },
  { name: 'CERTROT_CODEC_TOKEN', readBy: ['codec-server'], secret: true, description: 'bearer token every codec-server call must carry' },
  {
    name: 'CERTROT_METRICS_ADDRESS',
    readBy: ['worker'],
    secret: false,
    description: 'host:port of the worker\'s Prometheus /metrics endpoint; overrides metrics.prometheus.bindAddress of the worker configuration',
  },
  { name: 'CERTROT_WORKFLOW_BUNDLE', readBy: ['worker'], secret: false, description: 'path of a prebuilt workflow bundle (default: dist/workflow-bundle.js when present)' },
  { name: 'CERTROT_SANDBOX_VENDOR_TOKEN', readBy: ['sandbox'], secret: true, description: 'bearer token the local sandbox vendor requires (tests and demo only)' },
];

export const KNOWN_VARIABLE_NAMES: ReadonlySet<string> = new Set(KNOWN_ENVIRONMENT.map((variable) => variable.name));

/** The known variable of that name, or undefined. */
export function knownVariable(name: string): KnownVariable | undefined {
  return KNOWN_ENVIRONMENT.find((variable) => variable.name === name);
}
