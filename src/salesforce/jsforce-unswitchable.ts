/**
 * What names a certificate but no API update can switch, found before anything changes:
 *
 *  - Apex classes and triggers whose code names it. Bodies are read with a Tooling query
 *    (`SELECT Id, Name, NamespacePrefix, Body FROM ApexClass`, all pages) and searched here,
 *    token by token (apex-source-search.ts). Not Tooling SOSL: SOSL matches search-index
 *    tokens, not whole literals (`Contoso_SF` vs `Contoso_SF_2`, labels with spaces), and its
 *    index is updated asynchronously, so code deployed minutes ago could be missed — a miss
 *    here is an outage. Reading every body is bounded: an org's own Apex is capped at
 *    6 million characters, and installed managed code reads as `(hidden)` (skipped: it
 *    cannot be read, and cannot be changed by the subscriber either). Managed code that is
 *    readable is reported too, named `namespace.Class`.
 *  - Custom settings and objects the integration user cannot read: every custom setting and
 *    Custom Metadata Type describeGlobal lists, and every configured target object, whose
 *    describe or query is refused. certrot cannot see whether they name the certificate, so
 *    each is reported. A namespaced custom setting is `protected-setting` (a managed
 *    package's Protected setting), anything else `unreadable-object`. A protected setting
 *    missing from describeGlobal altogether cannot be found by any API: only a configured
 *    target can bring it here.
 *  - Fields that hold the certificate's name (Unique Name or label) but cannot be written: a
 *    formula (`calculated`) or a field that is not `updateable` for the integration user.
 */
import { RotationError } from '../domain/errors';
import type { ReferenceTarget } from '../domain/reference';
import type { UnswitchableReference } from '../domain/unswitchable-reference';
import { apexMentions } from './apex-source-search';
import { objectsToScan, scanObjects, type ScanResult, type UnreadableObject } from './jsforce-object-scan';
import { SchemaCache, namespaceOf } from './jsforce-schema';
import { queryRows, type OrgSession } from './jsforce-session';
import { isValidApiName, uniqueNameProblem } from './names-and-escaping';
import type { CertificateNames } from './org-port';
import { stringField } from './wire-records';

/** What Salesforce shows instead of the code of an installed managed package. */
const HIDDEN_BODY = '(hidden)';

export class JsforceUnswitchable {
  constructor(private readonly session: OrgSession) {}

  /** `scanned`: the caller's scan of the same objects for the same names (jsforce-object-scan.ts), not read again. */
  async find(certificate: CertificateNames, targets: ReferenceTarget[], scanned?: ScanResult): Promise<UnswitchableReference[]> {
    const problem = uniqueNameProblem(certificate.uniqueName);
    if (problem !== null) throw new RotationError('INVALID_INPUT', `"${certificate.uniqueName}" is not a certificate Unique Name: ${problem}`);
    for (const t of targets) {
      if (!isValidApiName(t.object) || !isValidApiName(t.field)) {
        throw new RotationError('CONFIG_INVALID', `Reference target ${t.object}.${t.field} is not a valid object/field API name`, { details: { object: t.object, field: t.field } });
      }
    }
    const label = certificate.label && certificate.label !== certificate.uniqueName ? certificate.label : null;
    const apex = [...(await this.inApex('ApexClass', certificate.uniqueName, label)), ...(await this.inApex('ApexTrigger', certificate.uniqueName, label))];

    // only rows naming the certificate are read (WHERE IN where the field can be filtered): the cost follows the schema, not the rows
    const scan = scanned ?? (await scanObjects(this.session, new SchemaCache(this.session), await objectsToScan(this.session, targets.map((t) => t.object)), [certificate.uniqueName, ...(label ? [label] : [])]));
    const names = new Set([certificate.uniqueName.toLowerCase(), ...(label ? [label.trim().toLowerCase()] : [])]);
    const readOnly = scan.fields.flatMap((f): UnswitchableReference[] => {
      const held = f.values.filter((v) => names.has(v.trim().toLowerCase()));
      if (f.notWritable === null || held.length === 0) return [];
      return [{ kind: 'read-only-field', name: f.object, field: f.field, line: null, detail: `holds ${held.join(', ')}, but ${f.notWritable}` }];
    });
    const kindOf = new Map(targets.map((t) => [t.object.toLowerCase(), t.kind]));
    const unreadable = scan.unreadable.map((u) => unreadableReference(u, kindOf.get(u.object.toLowerCase()) ?? null, certificate.uniqueName));
    return [...apex, ...unreadable, ...readOnly];
  }

  private async inApex(type: 'ApexClass' | 'ApexTrigger', uniqueName: string, label: string | null): Promise<UnswitchableReference[]> {
    // Body is a Long Text Area (not filterable): every body is read and searched here.
    const rows = await this.session.call(`reading ${type} code`, (conn) => queryRows(conn, `SELECT Id, Name, NamespacePrefix, Body FROM ${type} ORDER BY Name`, true));
    const found: UnswitchableReference[] = [];
    for (const row of rows) {
      const body = stringField(row, 'Body');
      const name = stringField(row, 'Name');
      if (body === null || name === null || body.trim() === HIDDEN_BODY) continue;
      const namespace = stringField(row, 'NamespacePrefix');
      for (const mention of apexMentions(body, uniqueName, label)) {
        found.push({ kind: type === 'ApexClass' ? 'apex-class' : 'apex-trigger', name: namespace ? `${namespace}.${name}` : name, field: null, line: mention.line, detail: mention.text });
      }
    }
    return found;
  }
}

function unreadableReference(u: UnreadableObject, configuredKind: string | null, uniqueName: string): UnswitchableReference {
  const namespace = namespaceOf(u.object);
  const setting = u.customSetting === true || (u.customSetting === null && configuredKind === 'hierarchy-setting');
  const where = u.customSetting === null ? 'a configured target that describeGlobal does not list' : setting ? 'a custom setting' : 'an object';
  const why = `${where}; ${u.reason}, so certrot cannot tell whether it names ${uniqueName}`;
  if (setting && namespace !== null) {
    return { kind: 'protected-setting', name: u.object, field: null, line: null, detail: `${why} (protected by managed package ${namespace}?)` };
  }
  return { kind: 'unreadable-object', name: u.object, field: null, line: null, detail: `${why}${u.customSetting === null ? ' (or it does not exist: check the spelling)' : ''}` };
}
