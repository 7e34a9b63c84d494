/**
 * The sandbox org's data in memory: what `OrgState` holds, and the module the rest of the
 * sandbox imports it from. The parts live beside it, one idea each:
 *
 *  - org-tables.ts         tables and fields (custom settings, objects, CMDT, Profile, User)
 *  - fixture-tables.ts     those tables built from a fixture, and written back
 *  - certificate-state.ts  certificates with their key material
 *  - connected-apps.ts     connected apps and their JWT keys
 *  - named-credentials.ts  named credentials (both models)
 *  - org-ids.ts            record Ids and access tokens
 *  - org-state-fixture.ts  the whole state from a fixture (`buildOrgState`) and back (`saveState`)
 *  - org-state-view.ts     the state without private keys or secrets (`publicView`)
 */
import type { SandboxCertificate } from './certificate-state';
import type { SandboxConnectedApp } from './connected-apps';
import type { SandboxFixture } from './fixture-schema';
import type { SandboxNamedCredential } from './named-credentials';
import type { Table } from './org-tables';

// org-tables first: custom-metadata-records.ts reads standardField through this module as it loads
export { customField, findTable, isCustomMetadataTable, standardField } from './org-tables';
export type { FieldDef, FieldValue, Row, Table, TableAccess } from './org-tables';
export { newAccessToken, newId } from './org-ids';
export { expirationOf, liveCertificate } from './certificate-state';
export type { SandboxCertificate } from './certificate-state';
export { connectedAppKey } from './connected-apps';
export type { SandboxConnectedApp } from './connected-apps';
export type { SandboxNamedCredential } from './named-credentials';
export { buildOrgState, saveState, toFixture } from './org-state-fixture';
export type { GeneratedSecrets } from './org-state-fixture';
export { publicView } from './org-state-view';

/** Apex code as the Tooling API's ApexClass / ApexTrigger show it. */
export interface SandboxApexCode {
  id: string;
  name: string;
  body: string;
  namespacePrefix: string | null;
  status: 'Active' | 'Inactive';
  /** ApexTrigger only: the object it fires on. */
  object: string | null;
}

export interface SandboxUser {
  id: string;
  username: string;
  name: string;
  profileId: string;
  active: boolean;
}

export interface OrgState {
  orgId: string;
  orgName: string;
  /** A sandbox org: JWT assertions must name https://test.salesforce.com as their audience. */
  isSandbox: boolean;
  dailyApiRequests: { max: number; used: number };
  users: SandboxUser[];
  profiles: { id: string; name: string }[];
  connectedApps: SandboxConnectedApp[];
  certificates: SandboxCertificate[];
  namedCredentials: SandboxNamedCredential[];
  /** Custom settings, custom objects, Custom Metadata Types and the standard Profile/User tables. */
  tables: Table[];
  apexClasses: SandboxApexCode[];
  apexTriggers: SandboxApexCode[];
  trustedCaPems: string[];
  /** Unconfirmed Salesforce behaviour: which answer this org gives (fixture `behaviour`). */
  behaviour: SandboxFixture['behaviour'];
  nextId: number;
}
