/**
 * The Composite resource, `POST /services/data/vXX.X/composite`, as far as certrot uses it:
 * sObject Rows subrequests (PATCH, GET) that each may carry `httpHeaders` — the reference
 * switch sends every record's write in one all-or-none request, each guarded by its own
 * If-Unmodified-Since.
 *
 * As documented (developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html,
 * .../requests-composite.html): the body is `{ allOrNone, compositeRequest: [{ method, url,
 * referenceId, body?, httpHeaders? }] }`, at most 25 subrequests; a subrequest's httpHeaders
 * may hold any header the requested resource supports (sObject Rows support
 * If-Unmodified-Since: .../intro-rest-conditional-requests.html); the top-level answer is
 * 200 `{ compositeResponse: [{ body, httpHeaders, httpStatusCode, referenceId }] }` in
 * request order, and the whole series counts as one API call. With `allOrNone: true` an
 * error in one subrequest rolls back the entire request: the failing one keeps its own
 * error and every other answers 400 PROCESSING_HALTED.
 *
 * Not confirmed, so a fixture switch (`behaviour.compositePreconditionBody`, FIXTURE.md):
 * whether a subrequest refused by its precondition answers 412 with the usual error list or
 * with no body at all (a plain HTTP 412 has none). The sandbox does not support the
 * reference notation (`@{ref.id}`) or other subrequest resources: it refuses them by name.
 */
import { findTable, type OrgState, type Row } from './org-state';
import { jsonReply, restError, type Reply } from './replies';
import { rowById, updateRecord } from './sobject-rows';
import { recordSwitch, switchInstant } from './switch-log';

/** Subrequests per Composite request (Salesforce's documented limit). */
export const COMPOSITE_SUBREQUEST_LIMIT = 25;
const REFERENCE_ID = /^[A-Za-z][A-Za-z0-9_]*$/;
const HALTED = { errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' };

interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface CompositeContext {
  state: OrgState;
  version: string;
}

export function routeComposite(method: string, path: string, body: string, ctx: CompositeContext): { operation: string; run(): Promise<Reply> } | null {
  if (path !== '/composite') return null;
  if (method !== 'POST') return { operation: 'rest.composite', run: () => Promise.resolve(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are POST`)) };
  return { operation: 'rest.composite', run: () => Promise.resolve(composite(body, ctx)) };
}

function parseRequest(body: string): { allOrNone: boolean; subrequests: Subrequest[] } | Reply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return restError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
  }
  if (typeof json !== 'object' || json === null) return restError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
  const { allOrNone, compositeRequest } = json as Record<string, unknown>;
  if (!Array.isArray(compositeRequest) || compositeRequest.length === 0) return restError(400, 'INVALID_INPUT', 'compositeRequest: at least one subrequest is required');
  if (compositeRequest.length > COMPOSITE_SUBREQUEST_LIMIT) {
    return restError(400, 'LIMIT_EXCEEDED', `A composite request can hold at most ${COMPOSITE_SUBREQUEST_LIMIT} subrequests; this one has ${compositeRequest.length}.`);
  }
  const seen = new Set<string>();
  const subrequests: Subrequest[] = [];
  for (const [i, raw] of compositeRequest.entries()) {
    const sub = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { method, url, referenceId, httpHeaders } = sub;
    if (typeof method !== 'string' || typeof url !== 'string' || typeof referenceId !== 'string') {
      return restError(400, 'INVALID_INPUT', `compositeRequest[${i}]: method, url and referenceId are required strings`);
    }
    if (!REFERENCE_ID.test(referenceId) || seen.has(referenceId)) return restError(400, 'INVALID_INPUT', `compositeRequest[${i}]: referenceId "${referenceId}" is invalid or not unique`);
    seen.add(referenceId);
    const headers: Record<string, string> = {};
    if (httpHeaders !== undefined) {
      if (typeof httpHeaders !== 'object' || httpHeaders === null) return restError(400, 'INVALID_INPUT', `compositeRequest[${i}].httpHeaders must be a map of strings`);
      for (const [name, value] of Object.entries(httpHeaders)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    subrequests.push({ method: method.toUpperCase(), url, referenceId, body: sub.body, httpHeaders: headers });
  }
  return { allOrNone: allOrNone === true, subrequests };
}

function composite(body: string, ctx: CompositeContext): Reply {
  const parsed = parseRequest(body);
  if ('status' in parsed) return parsed;
  const { state } = ctx;
  // one transaction: one instant for every flip it makes
  const at = switchInstant(state);
  const logged: Parameters<Parameters<typeof updateRecord>[5]>[0][] = [];
  const undo: { row: Row; values: Row }[] = [];
  const results: SubrequestResult[] = [];
  let failed = false;
  for (const sub of parsed.subrequests) {
    if (failed && parsed.allOrNone) {
      results.push({ body: [HALTED], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
      continue;
    }
    const { reply, before } = subrequest(sub, ctx, (entry) => logged.push(entry));
    if (before) undo.push(before);
    const ok = reply.status >= 200 && reply.status < 300;
    if (!ok) failed = true;
    results.push({ body: answerBody(reply, state), httpHeaders: {}, httpStatusCode: reply.status, referenceId: sub.referenceId });
  }
  if (failed && parsed.allOrNone) {
    for (const { row, values } of undo.reverse()) {
      for (const key of Object.keys(row)) if (!(key in values)) delete row[key];
      Object.assign(row, values);
    }
    const halted = results.map((r) => (r.httpStatusCode >= 200 && r.httpStatusCode < 300 ? { ...r, body: [HALTED], httpStatusCode: 400 } : r));
    return jsonReply(200, { compositeResponse: halted });
  }
  for (const entry of logged) recordSwitch(state, { ...entry, at });
  return jsonReply(200, { compositeResponse: results });
}

function answerBody(reply: Reply, state: OrgState): unknown {
  if (reply.status === 412 && state.behaviour.compositePreconditionBody === 'empty') return null;
  return reply.body === '' ? null : (JSON.parse(reply.body) as unknown);
}

function subrequest(sub: Subrequest, ctx: CompositeContext, log: Parameters<typeof updateRecord>[5]): { reply: Reply; before: { row: Row; values: Row } | null } {
  const refused = (reply: Reply) => ({ reply, before: null });
  if (sub.url.includes('@{')) return refused(restError(400, 'INVALID_INPUT', 'The sandbox org does not support composite reference notation (@{...}).'));
  const match = /^\/services\/data\/v(\d+\.\d+)\/sobjects\/([A-Za-z0-9_]+)\/([A-Za-z0-9]{15,18})$/.exec(sub.url);
  if (!match) return refused(restError(400, 'INVALID_INPUT', `The sandbox org's Composite supports sObject Rows subrequests only, not ${sub.method} ${sub.url}.`));
  const [, version = '', name = '', id = ''] = match;
  if (Number(version) > Number(ctx.version)) return refused(restError(400, 'INVALID_INPUT', `Subrequest version v${version} is later than the composite request's v${ctx.version}.`));
  const table = findTable(ctx.state, name);
  if (!table) return refused(restError(404, 'NOT_FOUND', `sObject type '${name}' is not supported.`));
  if (sub.method === 'PATCH') return updateRecord(ctx.state, table, id, sub.body ?? {}, sub.httpHeaders?.['if-unmodified-since'], log);
  if (sub.method === 'GET') {
    const row = table.access === 'readable' ? rowById(table, id) : undefined;
    return refused(row ? jsonReply(200, { attributes: { type: table.name }, ...row }) : restError(404, 'NOT_FOUND', 'The requested resource does not exist'));
  }
  return refused(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${sub.method}' not allowed for ${sub.url} in the sandbox org's Composite.`));
}
