/**
 * Tooling `executeAnonymous` for the sandbox org: a tiny Apex interpreter that knows just
 * the statements certrot's proof snippets use — signing with a certificate's private key
 * (Crypto.signWithCertificate) and a GET callout presenting a certificate as TLS client
 * certificate (HttpRequest.setClientCertificateName) — and ends, as those snippets do, by
 * throwing an exception whose message carries the result. Anything else does not compile.
 *
 * The callout is a real HTTPS request. It trusts only the CA certificates configured for
 * the sandbox (options or fixture) — certificate checking is never switched off.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { signRsaSha256 } from '../../certificates';
import { liveCertificate, type OrgState } from './org-state';

export interface ExecuteAnonymousResult {
  line: number;
  column: number;
  compiled: boolean;
  success: boolean;
  compileProblem: string | null;
  exceptionStackTrace: string | null;
  exceptionMessage: string | null;
}

const STRING = String.raw`'(?:[^'\\]|\\.)*'`;
const NAME = '[A-Za-z_][A-Za-z0-9_]*';

function unescapeApex(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' })[c] ?? c);
}

class ApexCompileError extends Error {}
class ApexException extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type Value = { kind: 'blob'; bytes: Buffer } | { kind: 'string'; text: string } | { kind: 'request'; endpoint: string; method: string; certificate: string | null; timeoutMs: number } | { kind: 'response'; statusCode: number; body: string };

interface Context {
  state: OrgState;
  trustedCaPems: string[];
  exceptionClasses: Set<string>;
  vars: Map<string, Value>;
  line: number;
}

function variable<K extends Value['kind']>(ctx: Context, name: string, kind: K): Extract<Value, { kind: K }> {
  const value = ctx.vars.get(name);
  if (!value) throw new ApexCompileError(`Variable does not exist: ${name}`);
  if (value.kind !== kind) throw new ApexCompileError(`Variable ${name} is not a ${kind}`);
  return value as Extract<Value, { kind: K }>;
}

function certificateFor(ctx: Context, uniqueName: string) {
  const cert = liveCertificate(ctx.state, uniqueName);
  if (!cert) throw new ApexException('System.InvalidParameterValueException', `Invalid certificate name: ${uniqueName}`, ctx.line);
  if (!cert.certificatePem) throw new ApexException('System.SecurityException', `Certificate ${uniqueName} is not usable: it waits for its signed certificate chain`, ctx.line);
  return cert;
}

function callout(ctx: Context, req: Extract<Value, { kind: 'request' }>): Promise<Extract<Value, { kind: 'response' }>> {
  const url = new URL(req.endpoint);
  const cert = req.certificate ? certificateFor(ctx, req.certificate) : null;
  return new Promise((resolve, reject) => {
    const options = {
      method: req.method,
      timeout: req.timeoutMs,
      ...(url.protocol === 'https:'
        ? {
            ...(ctx.trustedCaPems.length > 0 ? { ca: ctx.trustedCaPems } : {}),
            ...(cert ? { cert: cert.chainPem ?? cert.certificatePem ?? undefined, key: cert.privateKeyPem } : {}),
          }
        : {}),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ kind: 'response', statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => reject(new ApexException('System.CalloutException', error.message, ctx.line)));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('Read timed out')));
    outgoing.on('error', (error) => reject(new ApexException('System.CalloutException', error.message, ctx.line)));
    outgoing.end();
  });
}

/** Runs one statement; returns normally or throws ApexException / ApexCompileError. */
async function run(ctx: Context, statement: string): Promise<void> {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^class (${NAME}) extends Exception \\{\\s*\\}$`).exec(statement))) {
    ctx.exceptionClasses.add(m[1] ?? '');
    return;
  }
  if ((m = new RegExp(`^Blob (${NAME}) = Crypto\\.signWithCertificate\\('RSA-SHA256', Blob\\.valueOf\\((${STRING})\\), (${STRING})\\);$`).exec(statement))) {
    const cert = certificateFor(ctx, unescapeApex(m[3] ?? "''"));
    const signature = signRsaSha256(cert.privateKeyPem, Buffer.from(unescapeApex(m[2] ?? "''"), 'utf8'));
    ctx.vars.set(m[1] ?? '', { kind: 'blob', bytes: Buffer.from(signature, 'base64') });
    return;
  }
  if ((m = new RegExp(`^HttpRequest (${NAME}) = new HttpRequest\\(\\);$`).exec(statement))) {
    ctx.vars.set(m[1] ?? '', { kind: 'request', endpoint: '', method: 'GET', certificate: null, timeoutMs: 10_000 });
    return;
  }
  if ((m = new RegExp(`^(${NAME})\\.(setEndpoint|setMethod|setClientCertificateName)\\((${STRING})\\);$`).exec(statement))) {
    const req = variable(ctx, m[1] ?? '', 'request');
    const value = unescapeApex(m[3] ?? "''");
    if (m[2] === 'setEndpoint') req.endpoint = value;
    else if (m[2] === 'setMethod') req.method = value;
    else req.certificate = value;
    return;
  }
  if ((m = new RegExp(`^(${NAME})\\.setTimeout\\((\\d+)\\);$`).exec(statement))) {
    variable(ctx, m[1] ?? '', 'request').timeoutMs = Math.min(120_000, Number(m[2]));
    return;
  }
  if ((m = new RegExp(`^HttpResponse (${NAME}) = new Http\\(\\)\\.send\\((${NAME})\\);$`).exec(statement))) {
    const req = variable(ctx, m[2] ?? '', 'request');
    if (!/^https?:\/\//.test(req.endpoint)) throw new ApexException('System.CalloutException', `Invalid endpoint: ${req.endpoint}`, ctx.line);
    ctx.vars.set(m[1] ?? '', await callout(ctx, req));
    return;
  }
  if (
    (m = new RegExp(
      `^String (${NAME}) = JSON\\.serialize\\(new Map<String, Object>\\{ 'statusCode' => (${NAME})\\.getStatusCode\\(\\), 'body' => (${NAME})\\.getBody\\(\\) \\}\\);$`,
    ).exec(statement))
  ) {
    const res = variable(ctx, m[2] ?? '', 'response');
    variable(ctx, m[3] ?? '', 'response');
    ctx.vars.set(m[1] ?? '', { kind: 'string', text: JSON.stringify({ statusCode: res.statusCode, body: res.body }) });
    return;
  }
  if ((m = new RegExp(`^throw new (${NAME})\\((${STRING}) \\+ EncodingUtil\\.base64Encode\\((.+)\\) \\+ (${STRING})\\);$`).exec(statement))) {
    const type = m[1] ?? '';
    if (!ctx.exceptionClasses.has(type)) throw new ApexCompileError(`Invalid type: ${type}`);
    const blobExpression = m[3] ?? '';
    const inner = new RegExp(`^Blob\\.valueOf\\((${NAME})\\)$`).exec(blobExpression);
    const bytes = inner ? Buffer.from(variable(ctx, inner[1] ?? '', 'string').text, 'utf8') : variable(ctx, blobExpression, 'blob').bytes;
    throw new ApexException(type, `${unescapeApex(m[2] ?? "''")}${bytes.toString('base64')}${unescapeApex(m[4] ?? "''")}`, ctx.line);
  }
  throw new ApexCompileError(`The sandbox org does not support this statement: ${statement.slice(0, 120)}`);
}

export async function executeAnonymous(body: string, state: OrgState, trustedCaPems: string[]): Promise<ExecuteAnonymousResult> {
  const ctx: Context = { state, trustedCaPems, exceptionClasses: new Set(), vars: new Map(), line: 0 };
  const lines = body.split('\n');
  try {
    for (const [index, raw] of lines.entries()) {
      ctx.line = index + 1;
      const statement = raw.trim();
      if (statement !== '' && !statement.startsWith('//')) await run(ctx, statement);
    }
  } catch (error) {
    if (error instanceof ApexCompileError) {
      return { line: ctx.line, column: 1, compiled: false, success: false, compileProblem: error.message, exceptionStackTrace: null, exceptionMessage: null };
    }
    if (error instanceof ApexException) {
      return {
        line: -1,
        column: -1,
        compiled: true,
        success: false,
        compileProblem: null,
        exceptionStackTrace: `AnonymousBlock: line ${error.line}, column 1`,
        exceptionMessage: `${error.type}: ${error.message}`,
      };
    }
    throw error;
  }
  return { line: -1, column: -1, compiled: true, success: true, compileProblem: null, exceptionStackTrace: null, exceptionMessage: null };
}
