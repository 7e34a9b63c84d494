/**
 * The request side of api/vendor-key-registry.openapi.yaml, as the sandbox vendor enforces
 * it: which paths and methods exist (else 404 NOT_FOUND, or 405 METHOD_NOT_ALLOWED with the
 * `Allow` list), and what an operation's path parameters, `Idempotency-Key` and body must be
 * (else 400). What passes is a typed `RegistryRequest`; nothing after this reads raw input.
 *
 *   const match = matchRoute('POST', '/v1/orgs/acme/keys/ab12...:activate');
 *   if (match.kind === 'operation') parseRegistryRequest(match.route, body, idempotencyKey);
 *
 * Every pattern and length here is written in the document too, and
 * test/vendors/openapi-contract.test.ts holds the two together (it compares the patterns and
 * runs schemathesis against the sandbox). Change both or neither.
 */
import { normalizeFingerprint } from '../../certificates';
import type { SandboxOperation } from './fault-injector';
import { RegistryRefusal } from './sandbox-key-registry';

export const ORG_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** In paths: 64 hex digits, any case, no colons (the colon starts the custom method). */
export const PATH_FINGERPRINT_PATTERN = /^[0-9A-Fa-f]{64}$/;
/** In a path without a custom method (`.../keys/{fingerprint}/approval`): colons allowed too. */
export const KEY_PATH_FINGERPRINT_PATTERN = /^(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})$/;
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** Syntax only: whether the block parses, is unexpired and long enough is KEY_REJECTED (422). */
export const CERTIFICATE_PEM_PATTERN = /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;
export const CERTIFICATE_PEM_MAX_LENGTH = 65_536;
export const NONCE_LENGTH = { min: 1, max: 1024 } as const;
/** Standard base64 with padding. */
export const SIGNATURE_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const SIGNATURE_LENGTH = { min: 4, max: 2048 } as const;
export const SIGNATURE_ALGORITHMS = ['RSA-SHA256'] as const;

type RegistryOperation = Exclude<SandboxOperation, 'mtls'>;

/** A path of the document, its operation chosen by method; parameters not yet checked. */
export interface Route {
  operation: RegistryOperation;
  orgId: string;
  fingerprint?: string;
}

export type RouteMatch =
  | { kind: 'operation'; route: Route }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Write {
  orgId: string;
  idempotencyKey: string;
}

export type RegistryRequest =
  | { operation: 'capabilities' | 'listKeys'; orgId: string }
  | { operation: 'verifySignature'; orgId: string; nonce: string; signature: string }
  | (Write & { operation: 'stageKey'; certificatePem: string })
  | (Write & { operation: 'activateKey' | 'restoreKey'; fingerprint: string; replace: boolean })
  | (Write & { operation: 'retireKey'; fingerprint: string })
  | { operation: 'approvalState'; orgId: string; fingerprint: string }
  | (Write & { operation: 'submitContinuity'; fingerprint: string; statement: string; oldSignature: string; newSignature: string });

/** The continuity statement's length in the document (code points); the domain checks the rest. */
export const STATEMENT_LENGTH = { min: 1, max: 2048 } as const;

const KEY_ACTIONS: Record<string, RegistryOperation> = { activate: 'activateKey', retire: 'retireKey', restore: 'restoreKey', continuity: 'submitContinuity' };

/**
 * The document's paths, with `{orgId}` and `{fingerprint}` matching any one segment: a value
 * that breaks the parameter's pattern is a bad request (400) on a path that exists, not a
 * missing path.
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  let segments: string[];
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return { kind: 'not-found' }; // malformed percent-encoding
  }
  const [version, orgs, orgId, ...rest] = segments;
  if (version !== 'v1' || orgs !== 'orgs' || orgId === undefined) return { kind: 'not-found' };
  const methods = methodsOf(rest);
  if (!methods) return { kind: 'not-found' };
  const operation = methods.operations[method];
  if (!operation) return { kind: 'method-not-allowed', allow: Object.keys(methods.operations) };
  return { kind: 'operation', route: { operation, orgId, ...(methods.fingerprint !== undefined ? { fingerprint: methods.fingerprint } : {}) } };
}

function methodsOf(rest: string[]): { operations: Record<string, RegistryOperation>; fingerprint?: string } | undefined {
  if (rest.length === 1 && rest[0] === 'capabilities') return { operations: { GET: 'capabilities' } };
  if (rest.length === 1 && rest[0] === 'keys') return { operations: { GET: 'listKeys', POST: 'stageKey' } };
  if (rest.length === 1 && rest[0] === 'signatures:verify') return { operations: { POST: 'verifySignature' } };
  if (rest.length === 3 && rest[0] === 'keys' && rest[2] === 'approval') return { operations: { GET: 'approvalState' }, fingerprint: rest[1] ?? '' };
  const action = rest.length === 2 && rest[0] === 'keys' ? /^(.*):(activate|retire|restore|continuity)$/.exec(rest[1] ?? '') : null;
  const operation = action?.[2] !== undefined ? KEY_ACTIONS[action[2]] : undefined;
  if (action?.[1] !== undefined && operation) return { operations: { POST: operation }, fingerprint: action[1] };
  return undefined;
}

/** Checks what the document says of this operation's request; throws a 400 RegistryRefusal. */
export function parseRegistryRequest(route: Route, body: Record<string, unknown>, idempotencyKey: string | undefined): RegistryRequest {
  const orgId = route.orgId;
  if (!ORG_ID_PATTERN.test(orgId)) invalid(`The org id "${shown(orgId)}" must be 1-64 characters of letters, digits, "_", "." or "-".`);
  switch (route.operation) {
    case 'capabilities':
    case 'listKeys':
      return { operation: route.operation, orgId };
    case 'verifySignature':
      return { operation: 'verifySignature', orgId, ...signatureFields(body) };
    case 'stageKey':
      return { operation: 'stageKey', orgId, certificatePem: certificatePemField(body), idempotencyKey: idempotencyKeyOf(idempotencyKey) };
    case 'activateKey':
    case 'restoreKey': {
      const fingerprint = pathFingerprint(route.fingerprint);
      return { operation: route.operation, orgId, fingerprint, replace: replaceField(body), idempotencyKey: idempotencyKeyOf(idempotencyKey) };
    }
    case 'retireKey':
      return { operation: 'retireKey', orgId, fingerprint: pathFingerprint(route.fingerprint), idempotencyKey: idempotencyKeyOf(idempotencyKey) };
    case 'approvalState':
      return { operation: 'approvalState', orgId, fingerprint: pathFingerprint(route.fingerprint, KEY_PATH_FINGERPRINT_PATTERN) };
    case 'submitContinuity': {
      const fingerprint = pathFingerprint(route.fingerprint);
      return { operation: 'submitContinuity', orgId, fingerprint, ...continuityFields(body), idempotencyKey: idempotencyKeyOf(idempotencyKey) };
    }
  }
}

function continuityFields(body: Record<string, unknown>): { statement: string; oldSignature: string; newSignature: string } {
  const { statement, oldSignature, newSignature } = body;
  if (typeof statement !== 'string' || codePoints(statement) < STATEMENT_LENGTH.min || codePoints(statement) > STATEMENT_LENGTH.max) {
    invalid(`Body field "statement" must be a string of ${STATEMENT_LENGTH.min}-${STATEMENT_LENGTH.max} characters (the exact text both certificates signed).`);
  }
  for (const [field, value] of [['oldSignature', oldSignature], ['newSignature', newSignature]] as const) {
    if (typeof value !== 'string' || value.length < SIGNATURE_LENGTH.min || value.length > SIGNATURE_LENGTH.max || !SIGNATURE_PATTERN.test(value)) {
      invalid(`Body field "${field}" must be standard base64 (with padding) of ${SIGNATURE_LENGTH.min}-${SIGNATURE_LENGTH.max} characters.`);
    }
  }
  return { statement, oldSignature: oldSignature as string, newSignature: newSignature as string };
}

function pathFingerprint(value: string | undefined, pattern: RegExp = PATH_FINGERPRINT_PATTERN): string {
  if (value === undefined || !pattern.test(value)) {
    const form = pattern === PATH_FINGERPRINT_PATTERN ? '64 hex digits, no colons' : '64 hex digits, with or without colons between the 32 bytes';
    invalid(`"${shown(value ?? '')}" is not a SHA-256 fingerprint as this path carries it: ${form}.`);
  }
  return normalizeFingerprint(value);
}

function idempotencyKeyOf(value: string | undefined): string {
  if (value === undefined || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new RegistryRefusal(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Writes need an "Idempotency-Key" header of 8-128 characters [A-Za-z0-9_.:-].');
  }
  return value;
}

function certificatePemField(body: Record<string, unknown>): string {
  const pem = body.certificatePem;
  if (typeof pem !== 'string' || codePoints(pem) > CERTIFICATE_PEM_MAX_LENGTH || !CERTIFICATE_PEM_PATTERN.test(pem)) {
    invalid(`Body field "certificatePem" must be one PEM CERTIFICATE block (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), at most ${CERTIFICATE_PEM_MAX_LENGTH} characters.`);
  }
  return pem;
}

function replaceField(body: Record<string, unknown>): boolean {
  if (body.replace !== undefined && typeof body.replace !== 'boolean') invalid('Body field "replace" must be true or false.');
  return body.replace === true;
}

function signatureFields(body: Record<string, unknown>): { nonce: string; signature: string } {
  const { nonce, signature, algorithm } = body;
  if (typeof nonce !== 'string' || codePoints(nonce) < NONCE_LENGTH.min || codePoints(nonce) > NONCE_LENGTH.max) {
    invalid(`Body field "nonce" must be a string of ${NONCE_LENGTH.min}-${NONCE_LENGTH.max} characters.`);
  }
  if (typeof signature !== 'string' || signature.length < SIGNATURE_LENGTH.min || signature.length > SIGNATURE_LENGTH.max || !SIGNATURE_PATTERN.test(signature)) {
    invalid(`Body field "signature" must be standard base64 (with padding) of ${SIGNATURE_LENGTH.min}-${SIGNATURE_LENGTH.max} characters.`);
  }
  if (algorithm !== undefined && !(SIGNATURE_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
    invalid(`Unsupported algorithm ${shown(JSON.stringify(algorithm))}; only ${SIGNATURE_ALGORITHMS.join(', ')}.`);
  }
  return { nonce, signature };
}

/** JSON Schema lengths count code points, not UTF-16 units. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function invalid(message: string): never {
  throw new RegistryRefusal(400, 'INVALID_REQUEST', message);
}
