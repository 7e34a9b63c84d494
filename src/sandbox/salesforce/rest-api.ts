/**
 * The REST and Tooling REST resources under `/services/data/vXX.X/` that the adapter uses:
 * query, sobject PATCH (honouring If-Unmodified-Since: sobject-rows.ts), the Composite
 * resource (composite-api.ts), describeGlobal, describe, limits, Tooling query
 * (Certificate) and Tooling executeAnonymous.
 */
import { executeAnonymous } from './anonymous-apex';
import { expirationOf, findTable, isCustomMetadataTable, type FieldValue, type OrgState, type Row, type Table } from './org-state';
import { routeComposite } from './composite-api';
import { jsonReply, restError, salesforceDateTime, type Reply } from './replies';
import { insufficientAccess, updateRecord } from './sobject-rows';
import { recordSwitch, switchInstant } from './switch-log';
import { SoqlError, matches, parseSoql, type SoqlQuery } from './soql';
import { toolingApexTable } from './tooling-apex';

export interface RestRoute {
  operation: string;
  run(): Promise<Reply>;
}

export interface RestContext {
  state: OrgState;
  version: string;
  trustedCaPems: string[];
}

function fieldOf(table: Pick<Table, 'name' | 'fields'>, name: string) {
  return table.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

function outputValue(value: FieldValue | undefined, type: string): FieldValue {
  if (value === undefined) return null;
  return type === 'datetime' && typeof value === 'string' ? salesforceDateTime(value) : value;
}

/** Runs a parsed query over rows; unknown fields are INVALID_FIELD like Salesforce says. */
function select(query: SoqlQuery, table: Pick<Table, 'name' | 'fields'>, rows: Row[], ctx: RestContext): Reply {
  const resolve = (name: string) => {
    const field = fieldOf(table, name);
    if (!field) throw new SoqlError(`INVALID_FIELD:No such column '${name}' on entity '${table.name}'.`);
    return field;
  };
  const selected = query.fields.map(resolve);
  const conditions = query.where.map((c) => {
    const field = resolve(c.field);
    // as Salesforce: a Long Text Area (or any field describe calls not filterable) cannot be in a WHERE
    if (!field.filterable) throw new SoqlError(`INVALID_FIELD:\n${field.name} ${c.op} ...\n^\nERROR at Row:1:Column:1\nfield '${field.name}' can not be filtered in query call`);
    return { condition: c, field };
  });
  let hits = rows.filter((row) => conditions.every(({ condition, field }) => matches(row, condition, field.name)));
  if (query.orderBy) {
    const field = resolve(query.orderBy.field).name;
    const sign = query.orderBy.descending ? -1 : 1;
    hits = [...hits].sort((a, b) => sign * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
  }
  if (query.limit !== null) hits = hits.slice(0, query.limit);
  const records = hits.map((row) => {
    const record: Record<string, unknown> = {
      attributes: { type: table.name, url: `/services/data/v${ctx.version}/sobjects/${table.name}/${String(row.Id)}` },
    };
    for (const field of selected) record[field.name] = outputValue(row[field.name], field.type);
    return record;
  });
  return jsonReply(200, { totalSize: records.length, done: true, records });
}

function queryReply(soql: string, ctx: RestContext, tooling: boolean): Reply {
  let query: SoqlQuery;
  try {
    query = parseSoql(soql);
  } catch (error) {
    return restError(400, 'MALFORMED_QUERY', error instanceof Error ? error.message : String(error));
  }
  try {
    if (tooling) {
      const apex = toolingApexTable(ctx.state, query.object);
      if (apex) return select(query, apex.table, apex.rows, ctx);
      if (query.object.toLowerCase() !== 'certificate') {
        return restError(400, 'INVALID_TYPE', `sObject type '${query.object}' is not supported by the sandbox Tooling API (only Certificate, ApexClass and ApexTrigger).`);
      }
      return select(query, TOOLING_CERTIFICATE, toolingCertificateRows(ctx.state), ctx);
    }
    const table = findTable(ctx.state, query.object);
    if (!table || table.access === 'hidden') return restError(400, 'INVALID_TYPE', `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`);
    if (table.access !== 'readable') return insufficientAccess(table);
    return select(query, table, table.rows, ctx);
  } catch (error) {
    if (error instanceof SoqlError && error.message.startsWith('INVALID_FIELD:')) return restError(400, 'INVALID_FIELD', error.message.slice('INVALID_FIELD:'.length));
    throw error;
  }
}

/** Tooling `Certificate`: ExpirationDate is a date (YYYY-MM-DD), CreatedDate a dateTime, as in Salesforce. */
const TOOLING_CERTIFICATE = {
  name: 'Certificate',
  label: 'Certificate',
  keyPrefix: '0P1',
  custom: false,
  customSetting: false,
  settingType: null,
  access: 'readable' as const,
  rows: [],
  fields: ['Id', 'DeveloperName', 'MasterLabel', 'ExpirationDate', 'KeySize', 'OptionsIsCaSigned', 'OptionsIsPrivateKeyExportable', 'OptionsIsUnusable', 'CreatedDate'].map((name) => ({
    name,
    label: name,
    type: name === 'ExpirationDate' ? 'date' : name.endsWith('Date') ? 'datetime' : name.startsWith('Options') ? 'boolean' : name === 'KeySize' ? 'int' : 'string',
    length: 0,
    custom: false,
    updateable: false,
    filterable: true,
    calculated: false,
  })),
};

/**
 * Like Salesforce, the Tooling Certificate query also returns deleted certificates
 * (SALESFORCE.md: "The query may also return deleted records") — unless
 * `behaviour.deletedCertificatesInTooling` says they are purged by now.
 */
function toolingCertificateRows(state: OrgState): Row[] {
  const listed = state.behaviour.deletedCertificatesInTooling === 'listed' ? state.certificates : state.certificates.filter((c) => !c.deleted);
  return listed.map((c) => ({
    Id: c.id,
    DeveloperName: c.uniqueName,
    MasterLabel: c.label,
    // the UTC day of notAfter (unconfirmed: in which time zone Salesforce takes the day)
    ExpirationDate: expirationOf(c)?.slice(0, 10) ?? null,
    KeySize: c.keySize,
    OptionsIsCaSigned: c.caSigned,
    OptionsIsPrivateKeyExportable: c.privateKeyExportable,
    OptionsIsUnusable: c.certificatePem === null,
    CreatedDate: c.createdDate,
  }));
}

function describeGlobal(ctx: RestContext): Reply {
  return jsonReply(200, {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    // a hidden object (a protected setting, an object without access) is not listed at all
    sobjects: ctx.state.tables.filter((t) => t.access !== 'hidden').map((t) => ({
      name: t.name,
      label: t.label,
      keyPrefix: t.keyPrefix,
      custom: t.custom,
      customSetting: t.customSetting,
      queryable: true,
      updateable: t.custom && !isCustomMetadataTable(t),
      urls: { sobject: `/services/data/v${ctx.version}/sobjects/${t.name}`, describe: `/services/data/v${ctx.version}/sobjects/${t.name}/describe` },
    })),
  });
}

function describe(table: Table, ctx: RestContext): Reply {
  return jsonReply(200, {
    name: table.name,
    label: table.label,
    keyPrefix: table.keyPrefix,
    custom: table.custom,
    customSetting: table.customSetting,
    queryable: true,
    updateable: table.custom && !isCustomMetadataTable(table),
    fields: table.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      length: f.length,
      custom: f.custom,
      filterable: f.filterable,
      calculated: f.calculated,
      updateable: f.updateable,
      nillable: f.custom,
    })),
    urls: { sobject: `/services/data/v${ctx.version}/sobjects/${table.name}` },
  });
}

/** Matches a REST path (after `/services/data/vXX.X`) to its handler, or null. */
export function routeRest(method: string, path: string, search: URLSearchParams, headers: { ifUnmodifiedSince?: string }, body: string, ctx: RestContext): RestRoute | null {
  const state = ctx.state;
  if (method === 'GET' && path === '/query') return { operation: 'rest.query', run: () => Promise.resolve(queryReply(search.get('q') ?? '', ctx, false)) };
  if (method === 'GET' && path === '/tooling/query') return { operation: 'tooling.query', run: () => Promise.resolve(queryReply(search.get('q') ?? '', ctx, true)) };
  if (method === 'GET' && /^\/tooling\/sobjects\/certificate\/describe$/i.test(path)) {
    return { operation: 'tooling.describe', run: () => Promise.resolve(describe(TOOLING_CERTIFICATE, ctx)) };
  }
  if (method === 'GET' && path === '/tooling/executeAnonymous') {
    return {
      operation: 'tooling.executeAnonymous',
      run: async () => jsonReply(200, await executeAnonymous(search.get('anonymousBody') ?? '', state, ctx.trustedCaPems)),
    };
  }
  if (method === 'GET' && path === '/limits') {
    return {
      operation: 'rest.limits',
      run: () =>
        Promise.resolve(
          jsonReply(200, {
            DailyApiRequests: { Max: state.dailyApiRequests.max, Remaining: Math.max(0, state.dailyApiRequests.max - state.dailyApiRequests.used) },
          }),
        ),
    };
  }
  if (method === 'GET' && path === '/sobjects') return { operation: 'rest.describeGlobal', run: () => Promise.resolve(describeGlobal(ctx)) };
  const describeMatch = /^\/sobjects\/([A-Za-z0-9_]+)\/describe$/.exec(path);
  if (method === 'GET' && describeMatch) {
    const name = describeMatch[1] ?? '';
    return {
      operation: 'rest.describe',
      run: () => {
        const table = findTable(state, name);
        if (table?.access === 'refuses-describe') return Promise.resolve(insufficientAccess(table));
        return Promise.resolve(table && table.access !== 'hidden' ? describe(table, ctx) : restError(404, 'NOT_FOUND', `The requested resource does not exist: sObject type '${name}' is not supported.`));
      },
    };
  }
  const composite = routeComposite(method, path, body, ctx);
  if (composite) return composite;
  const recordMatch = /^\/sobjects\/([A-Za-z0-9_]+)\/([A-Za-z0-9]{15,18})$/.exec(path);
  if (recordMatch && (method === 'PATCH' || method === 'GET')) {
    const [, name = '', id = ''] = recordMatch;
    return {
      operation: method === 'PATCH' ? 'rest.update' : 'rest.retrieve',
      run: () => {
        const table = findTable(state, name);
        if (!table) return Promise.resolve(restError(404, 'NOT_FOUND', `sObject type '${name}' is not supported.`));
        if (method === 'PATCH') {
          const at = switchInstant(state);
          return Promise.resolve(updateRecord(state, table, id, body, headers.ifUnmodifiedSince, (entry) => recordSwitch(state, { ...entry, at })).reply);
        }
        const row = table.rows.find((r) => typeof r.Id === 'string' && r.Id.slice(0, 15) === id.slice(0, 15));
        return Promise.resolve(row ? jsonReply(200, { attributes: { type: table.name }, ...row }) : restError(404, 'NOT_FOUND', 'The requested resource does not exist'));
      },
    };
  }
  return null;
}
