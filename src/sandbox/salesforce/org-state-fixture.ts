/**
 * The sandbox org's state from a fixture (`buildOrgState`, generating missing key material,
 * or sharing it process-wide under `behaviour.shareFixtureKeyMaterial`)
 * and back to one (`toFixture`, `saveState`): the fixture is the org's own storage, so
 * what is saved keeps private keys and secrets.
 */
import { writeFile } from 'node:fs/promises';
import { certificateToFixture, certificatesFromFixture, liveCertificate } from './certificate-state';
import { connectedAppToFixture, connectedAppsFromFixture } from './connected-apps';
import { fillKeyPool } from './key-material';
import type { SandboxFixture } from './fixture-schema';
import { customMetadataTypeTables, customObjectTables, customSettingTables, customTablesToFixture, standardTables } from './fixture-tables';
import { namedCredentialFromFixture, namedCredentialToFixture } from './named-credentials';
import { newId } from './org-ids';
import type { OrgState, SandboxApexCode } from './org-state';

/** What `buildOrgState` made that the caller may need to hand out (once, at start). */
export interface GeneratedSecrets {
  /** Connected apps whose JWT key pair was generated at start: consumer key -> private key PEM. */
  connectedAppKeys: Map<string, string>;
}

export async function buildOrgState(fixture: SandboxFixture, options: { now?: Date; extraTrustedCaPems?: string[] } = {}): Promise<{ state: OrgState; secrets: GeneratedSecrets }> {
  const now = (options.now ?? new Date()).toISOString();
  const state: OrgState = {
    orgId: fixture.orgId.length === 15 ? `${fixture.orgId}AAA` : fixture.orgId,
    orgName: fixture.orgName,
    isSandbox: fixture.isSandbox,
    dailyApiRequests: { ...fixture.dailyApiRequests },
    users: fixture.users.map((u) => ({ ...u })),
    profiles: fixture.profiles.map((p) => ({ ...p })),
    connectedApps: [],
    certificates: [],
    namedCredentials: [],
    tables: [],
    apexClasses: [],
    apexTriggers: [],
    trustedCaPems: [...fixture.trustedCaPems, ...(options.extraTrustedCaPems ?? [])],
    behaviour: structuredClone(fixture.behaviour),
    nextId: 1000,
  };
  const secrets: GeneratedSecrets = { connectedAppKeys: new Map() };

  // in this order: Ids are handed out as the state is built
  // a test-speed switch (FIXTURE.md): generated key material shared by the whole process
  const keyMaterial = { shareKeyMaterial: fixture.behaviour.shareFixtureKeyMaterial };
  state.connectedApps = await connectedAppsFromFixture(fixture.connectedApps, secrets.connectedAppKeys, keyMaterial);
  state.certificates = await certificatesFromFixture(state, fixture.certificates, now, keyMaterial);
  // a benchmark-speed switch (FIXTURE.md): keys for certificates created later, made now
  for (const keySize of new Set(fixture.certificates.map((c) => c.keySize))) await fillKeyPool(keySize, fixture.behaviour.pregeneratedKeys);
  for (const nc of fixture.namedCredentials) state.namedCredentials.push(namedCredentialFromFixture(state, nc, now));
  state.tables.push(
    ...standardTables(state),
    ...customSettingTables(state, fixture.customSettings, now),
    ...customObjectTables(state, fixture.customObjects, now),
    ...customMetadataTypeTables(state, fixture.customMetadataTypes),
  );
  const apex = (prefix: string, code: { name: string; body: string; namespacePrefix?: string | undefined; status: 'Active' | 'Inactive'; object?: string }): SandboxApexCode => ({
    id: newId(state, prefix),
    name: code.name,
    body: code.body,
    namespacePrefix: code.namespacePrefix ?? null,
    status: code.status,
    object: code.object ?? null,
  });
  state.apexClasses = fixture.apexClasses.map((c) => apex('01p', c));
  state.apexTriggers = fixture.apexTriggers.map((t) => apex('01q', t));
  return { state, secrets };
}

/** The state as a fixture again (private keys included: it is the org's own storage). */
export function toFixture(state: OrgState): unknown {
  const code = (c: SandboxApexCode) => ({ name: c.name, body: c.body, status: c.status, ...(c.namespacePrefix ? { namespacePrefix: c.namespacePrefix } : {}), ...(c.object ? { object: c.object } : {}) });
  return {
    orgId: state.orgId,
    orgName: state.orgName,
    isSandbox: state.isSandbox,
    dailyApiRequests: state.dailyApiRequests,
    profiles: state.profiles,
    users: state.users,
    connectedApps: state.connectedApps.map(connectedAppToFixture),
    certificates: state.certificates.map(certificateToFixture),
    ...customTablesToFixture(state.tables),
    apexClasses: state.apexClasses.map(code),
    apexTriggers: state.apexTriggers.map(code),
    namedCredentials: state.namedCredentials.map(namedCredentialToFixture),
    trustedCaPems: state.trustedCaPems,
    absentCertificateNames: absentCertificateNames(state),
    behaviour: state.behaviour,
  };
}

/** Names the named credentials hold that no live certificate has (left by a refresh): loadable again. */
function absentCertificateNames(state: OrgState): string[] {
  const named = state.namedCredentials.flatMap((nc) => [nc.certificate, nc.jwtSigningCertificate, ...nc.parameters.map((p) => p.certificate ?? null)]);
  return [...new Set(named.filter((name): name is string => !!name && !liveCertificate(state, name)))];
}

export async function saveState(state: OrgState, path: string): Promise<void> {
  // mode 0600: the saved org holds its certificates' private keys, as the real org does
  await writeFile(path, `${JSON.stringify(toFixture(state), null, 2)}\n`, { mode: 0o600 });
}
