/**
 * Every failure certrot reports carries a stable code. Activities convert a RotationError
 * into an ApplicationFailure whose `type` is the code, so workflows (and operators reading
 * the Temporal UI) can tell failures apart without parsing messages.
 *
 * This file is workflow-safe: no Node APIs.
 */

export const ERROR_CODES = {
  // input and configuration
  INVALID_INPUT: 'INVALID_INPUT',
  CONFIG_INVALID: 'CONFIG_INVALID',
  // certificates and keys
  PEM_INVALID: 'PEM_INVALID',
  PEM_WRONG_TYPE: 'PEM_WRONG_TYPE',
  CERT_PARSE_FAILED: 'CERT_PARSE_FAILED',
  CSR_PARSE_FAILED: 'CSR_PARSE_FAILED',
  CSR_SIGNATURE_INVALID: 'CSR_SIGNATURE_INVALID',
  KEY_PARSE_FAILED: 'KEY_PARSE_FAILED',
  KEY_MISMATCH: 'KEY_MISMATCH',
  CERT_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  CHAIN_INVALID: 'CHAIN_INVALID',
  UNSUPPORTED_KEY: 'UNSUPPORTED_KEY',
  PKCS12_FAILED: 'PKCS12_FAILED',
  // Salesforce
  CERT_NOT_FOUND: 'CERT_NOT_FOUND',
  CERT_ALREADY_EXISTS: 'CERT_ALREADY_EXISTS',
  LABEL_NOT_UNIQUE_NAME: 'LABEL_NOT_UNIQUE_NAME',
  CERT_IN_USE: 'CERT_IN_USE',
  CERT_UNUSABLE: 'CERT_UNUSABLE',
  AUTH_FAILED: 'AUTH_FAILED',
  API_LIMIT: 'API_LIMIT',
  CONFLICT: 'CONFLICT',
  SALESFORCE_ERROR: 'SALESFORCE_ERROR',
  APEX_FAILED: 'APEX_FAILED',
  // vendor
  KEY_REJECTED: 'KEY_REJECTED',
  KEY_LIMIT: 'KEY_LIMIT',
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  VENDOR_UNAVAILABLE: 'VENDOR_UNAVAILABLE',
  VENDOR_AUTH_FAILED: 'VENDOR_AUTH_FAILED',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  NOTIFICATION_FAILED: 'NOTIFICATION_FAILED',
  // infrastructure
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The activity was cancelled (or its heartbeat timed out) and stopped between calls. */
  CANCELLED: 'CANCELLED',
  TEMPORAL_BINARY_UNAVAILABLE: 'TEMPORAL_BINARY_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Codes for which trying the same call again later can succeed. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'API_LIMIT',
  'VENDOR_UNAVAILABLE',
  'NETWORK_ERROR',
]);

export class RotationError extends Error {
  override readonly name = 'RotationError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Plain, serialisable facts that help an operator (never secrets). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      details?: Record<string, string | number | boolean | null>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isRotationError(value: unknown, code?: ErrorCode): value is RotationError {
  return value instanceof RotationError && (code === undefined || value.code === code);
}
