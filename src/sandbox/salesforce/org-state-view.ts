/**
 * The sandbox org as an operator may see it (`GET /__sandbox/state`): no private key, no
 * consumer secret, no refresh token, no named-credential secret (only which are set).
 */
import { certificateView } from './certificate-state';
import { connectedAppView } from './connected-apps';
import { namedCredentialView } from './named-credentials';
import type { OrgState } from './org-state';
import { isCustomMetadataTable } from './org-tables';

/** Everything an operator may see — no private key, no consumer secret, no refresh token. */
export function publicView(state: OrgState): unknown {
  return {
    orgId: state.orgId,
    orgName: state.orgName,
    isSandbox: state.isSandbox,
    dailyApiRequests: state.dailyApiRequests,
    profiles: state.profiles,
    users: state.users,
    connectedApps: state.connectedApps.map(connectedAppView),
    certificates: state.certificates.map(certificateView),
    namedCredentials: state.namedCredentials.map(namedCredentialView),
    customSettings: state.tables.filter((t) => t.customSetting).map((t) => ({ apiName: t.name, settingType: t.settingType, records: t.rows })),
    customObjects: state.tables.filter((t) => t.custom && !t.customSetting && !isCustomMetadataTable(t)).map((t) => ({ apiName: t.name, records: t.rows })),
    customMetadataTypes: state.tables.filter(isCustomMetadataTable).map((t) => ({ apiName: t.name, records: t.rows })),
  };
}
