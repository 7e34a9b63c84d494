/**
 * Tooling `executeAnonymous` for the sandbox org: a tiny Apex interpreter for what certrot's
 * proof snippets do — signing with a certificate's private key (Crypto.signWithCertificate)
 * and a GET callout presenting a certificate as TLS client certificate
 * (HttpRequest.setClientCertificateName) — ending, as those snippets do, by throwing an
 * exception whose message carries the result. The block is compiled first (apex-parser.ts:
 * any formatting, comments, letter case; a type check), so code that does not compile runs
 * nothing, as in Salesforce; anything outside that small language does not compile.
 *
 * The callout is a real HTTPS request. It trusts only the CA certificates configured for
 * the sandbox (options or fixture) — certificate checking is never switched off.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { signRsaSha256 } from '../../certificates';
import { ApexCompileError, parseApex, type Expr, type Statement } from './apex-parser';
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

class ApexException extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface Request {
  endpoint: string;
  method: string;
  certificate: string | null;
  timeoutMs: number;
}

type Value =
  | { type: 'string'; text: string }
  | { type: 'blob'; bytes: Buffer }
  | { type: 'integer'; value: number }
  | { type: 'httprequest'; request: Request }
  | { type: 'http' }
  | { type: 'httpresponse'; statusCode: number; body: string }
  | { type: 'map'; entries: [string, Value][] }
  | { type: 'void' }
  | { type: `exception:${string}`; name: string; message: string };

/** Parameter and result types of the methods the sandbox knows, by `receiver.method` (lower case). */
const METHODS: Readonly<Record<string, { params: string[]; returns: string }>> = {
  'blob.valueof': { params: ['string'], returns: 'blob' },
  'crypto.signwithcertificate': { params: ['string', 'blob', 'string'], returns: 'blob' },
  'encodingutil.base64encode': { params: ['blob'], returns: 'string' },
  'json.serialize': { params: ['any'], returns: 'string' },
  'httprequest.setendpoint': { params: ['string'], returns: 'void' },
  'httprequest.setmethod': { params: ['string'], returns: 'void' },
  'httprequest.setclientcertificatename': { params: ['string'], returns: 'void' },
  'httprequest.settimeout': { params: ['integer'], returns: 'void' },
  'http.send': { params: ['httprequest'], returns: 'httpresponse' },
  'httpresponse.getstatuscode': { params: [], returns: 'integer' },
  'httpresponse.getbody': { params: [], returns: 'string' },
};
const STATIC_CLASSES = new Set(['blob', 'crypto', 'encodingutil', 'json']);
const DECLARABLE = new Set(['string', 'blob', 'integer', 'httprequest', 'httpresponse', 'http', 'map<string,object>']);

/** The compile-time check: every name declared, every call known, every type right. */
function check(statements: Statement[]): void {
  const vars = new Map<string, string>();
  const exceptions = new Set<string>();
  const fail = (message: string, line: number): never => {
    throw new ApexCompileError(message, line, 1);
  };
  const typeOf = (e: Expr, line: number): string => {
    switch (e.kind) {
      case 'string':
        return 'string';
      case 'number':
        return 'integer';
      case 'map':
        e.entries.forEach(([k, v]) => (typeOf(k, line) !== 'string' ? fail('Map keys must be Strings', line) : typeOf(v, line)));
        return 'map<string,object>';
      case 'concat': {
        const types = e.parts.map((p) => typeOf(p, line));
        if (!types.includes('string') || types.some((t) => !['string', 'integer'].includes(t))) fail(`Arithmetic expressions must use numeric arguments (${types.join(' + ')})`, line);
        return 'string';
      }
      case 'var':
        return vars.get(e.name.toLowerCase()) ?? fail(`Variable does not exist: ${e.name}`, e.line);
      case 'new': {
        const type = e.type.toLowerCase();
        if ((type === 'httprequest' || type === 'http') && e.args.length === 0) return type;
        if (exceptions.has(type) && e.args.length <= 1 && e.args.every((a) => typeOf(a, line) === 'string')) return `exception:${type}`;
        return fail(`Invalid type: ${e.type}`, e.line);
      }
      case 'call': {
        const receiver = e.receiver.kind === 'var' && !vars.has(e.receiver.name.toLowerCase()) && STATIC_CLASSES.has(e.receiver.name.toLowerCase()) ? e.receiver.name.toLowerCase() : typeOf(e.receiver, line);
        const method = METHODS[`${receiver}.${e.method.toLowerCase()}`] ?? fail(`Method does not exist or incorrect signature: ${e.method}`, e.line);
        const args = e.args.map((a) => typeOf(a, line));
        if (args.length !== method.params.length || method.params.some((p, i) => p !== 'any' && p !== args[i])) fail(`Method does not exist or incorrect signature: ${e.method}(${args.join(', ')})`, e.line);
        return method.returns;
      }
    }
  };
  for (const s of statements) {
    if (s.kind === 'exception-class') exceptions.add(s.name.toLowerCase());
    else if (s.kind === 'throw') {
      if (!typeOf(s.expr, s.line).startsWith('exception:')) fail('Throw expression must be of type Exception', s.line);
    } else if (s.kind === 'expr') typeOf(s.expr, s.line);
    else {
      const declared = s.type.toLowerCase();
      if (!DECLARABLE.has(declared)) fail(`Invalid type: ${s.type}`, s.line);
      const actual = typeOf(s.init, s.line);
      if (actual !== declared) fail(`Illegal assignment from ${actual} to ${s.type}`, s.line);
      if (vars.has(s.name.toLowerCase())) fail(`Duplicate variable: ${s.name}`, s.line);
      vars.set(s.name.toLowerCase(), declared);
    }
  }
}

interface Context {
  state: OrgState;
  trustedCaPems: string[];
  vars: Map<string, Value>;
  line: number;
}

function certificateFor(ctx: Context, uniqueName: string) {
  const cert = liveCertificate(ctx.state, uniqueName);
  if (!cert) throw new ApexException('System.InvalidParameterValueException', `Invalid certificate name: ${uniqueName}`, ctx.line);
  if (!cert.certificatePem) throw new ApexException('System.SecurityException', `Certificate ${uniqueName} is not usable: it waits for its signed certificate chain`, ctx.line);
  return cert;
}

function callout(ctx: Context, req: Request): Promise<Value> {
  if (!/^https?:\/\//.test(req.endpoint)) return Promise.reject(new ApexException('System.CalloutException', `Invalid endpoint: ${req.endpoint}`, ctx.line));
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
      res.on('end', () => resolve({ type: 'httpresponse', statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => reject(new ApexException('System.CalloutException', error.message, ctx.line)));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('Read timed out')));
    outgoing.on('error', (error) => reject(new ApexException('System.CalloutException', error.message, ctx.line)));
    outgoing.end();
  });
}

function text(v: Value): string {
  if (v.type === 'string') return v.text;
  if (v.type === 'integer') return String(v.value);
  return '';
}

function toJson(v: Value): unknown {
  if (v.type === 'string') return v.text;
  if (v.type === 'integer') return v.value;
  if (v.type === 'map') return Object.fromEntries(v.entries.map(([k, x]) => [k, toJson(x)]));
  if (v.type === 'blob') return v.bytes.toString('base64');
  return null;
}

/** Runs checked code: the checker has made the casts below safe. */
async function evaluate(ctx: Context, e: Expr): Promise<Value> {
  switch (e.kind) {
    case 'string':
      return { type: 'string', text: e.value };
    case 'number':
      return { type: 'integer', value: e.value };
    case 'var':
      return ctx.vars.get(e.name.toLowerCase()) ?? { type: 'void' };
    case 'concat': {
      let out = '';
      for (const part of e.parts) out += text(await evaluate(ctx, part));
      return { type: 'string', text: out };
    }
    case 'map': {
      const entries: [string, Value][] = [];
      for (const [k, v] of e.entries) entries.push([text(await evaluate(ctx, k)), await evaluate(ctx, v)]);
      return { type: 'map', entries };
    }
    case 'new': {
      const type = e.type.toLowerCase();
      if (type === 'httprequest') return { type: 'httprequest', request: { endpoint: '', method: 'GET', certificate: null, timeoutMs: 10_000 } };
      if (type === 'http') return { type: 'http' };
      const message = e.args[0] ? text(await evaluate(ctx, e.args[0])) : '';
      return { type: `exception:${type}`, name: e.type, message };
    }
    case 'call': {
      const isStatic = e.receiver.kind === 'var' && !ctx.vars.has(e.receiver.name.toLowerCase());
      const receiver = isStatic ? null : await evaluate(ctx, e.receiver);
      const args: Value[] = [];
      for (const a of e.args) args.push(await evaluate(ctx, a));
      const key = `${receiver ? receiver.type : (e.receiver as { name: string }).name.toLowerCase()}.${e.method.toLowerCase()}`;
      const [a, b, c] = args;
      switch (key) {
        case 'blob.valueof':
          return { type: 'blob', bytes: Buffer.from(text(a ?? { type: 'void' }), 'utf8') };
        case 'crypto.signwithcertificate': {
          const algorithm = text(a ?? { type: 'void' });
          if (algorithm !== 'RSA-SHA256') throw new ApexException('System.InvalidParameterValueException', `Invalid algorithm: ${algorithm}`, ctx.line);
          const cert = certificateFor(ctx, text(c ?? { type: 'void' }));
          const data = b?.type === 'blob' ? b.bytes : Buffer.alloc(0);
          return { type: 'blob', bytes: Buffer.from(signRsaSha256(cert.privateKeyPem, data), 'base64') };
        }
        case 'encodingutil.base64encode':
          return { type: 'string', text: a?.type === 'blob' ? a.bytes.toString('base64') : '' };
        case 'json.serialize':
          return { type: 'string', text: JSON.stringify(toJson(a ?? { type: 'void' })) };
        case 'http.send':
          return a?.type === 'httprequest' ? callout(ctx, a.request) : { type: 'void' };
      }
      if (receiver?.type === 'httprequest') {
        const method = e.method.toLowerCase();
        if (method === 'setendpoint') receiver.request.endpoint = text(a ?? { type: 'void' });
        else if (method === 'setmethod') receiver.request.method = text(a ?? { type: 'void' });
        else if (method === 'setclientcertificatename') receiver.request.certificate = text(a ?? { type: 'void' });
        else if (method === 'settimeout') receiver.request.timeoutMs = Math.min(120_000, a?.type === 'integer' ? a.value : 10_000);
        return { type: 'void' };
      }
      if (receiver?.type === 'httpresponse') return e.method.toLowerCase() === 'getbody' ? { type: 'string', text: receiver.body } : { type: 'integer', value: receiver.statusCode };
      return { type: 'void' };
    }
  }
}

export async function executeAnonymous(body: string, state: OrgState, trustedCaPems: string[]): Promise<ExecuteAnonymousResult> {
  let statements: Statement[];
  try {
    statements = parseApex(body);
    check(statements);
  } catch (error) {
    if (!(error instanceof ApexCompileError)) throw error;
    return { line: error.line, column: error.column, compiled: false, success: false, compileProblem: error.message, exceptionStackTrace: null, exceptionMessage: null };
  }
  const ctx: Context = { state, trustedCaPems, vars: new Map(), line: 0 };
  try {
    for (const s of statements) {
      ctx.line = s.line;
      if (s.kind === 'declare') ctx.vars.set(s.name.toLowerCase(), await evaluate(ctx, s.init));
      else if (s.kind === 'expr') await evaluate(ctx, s.expr);
      else if (s.kind === 'throw') {
        const thrown = await evaluate(ctx, s.expr);
        throw new ApexException(thrown.type.startsWith('exception:') && 'name' in thrown ? thrown.name : 'Exception', 'message' in thrown ? thrown.message : '', s.line);
      }
    }
  } catch (error) {
    if (!(error instanceof ApexException)) throw error;
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
  return { line: -1, column: -1, compiled: true, success: true, compileProblem: null, exceptionStackTrace: null, exceptionMessage: null };
}
