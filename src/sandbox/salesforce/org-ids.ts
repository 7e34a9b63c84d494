/**
 * Identifiers the sandbox org hands out: record Ids (`newId`, Salesforce-like, with the
 * object's key prefix) and opaque access tokens (`newAccessToken`).
 */
import { randomBytes } from 'node:crypto';
import type { OrgState } from './org-state';

/** An 18-character Salesforce-like Id with the object's key prefix. */
export function newId(state: Pick<OrgState, 'nextId'>, prefix: string): string {
  state.nextId += 1;
  const body = state.nextId.toString(36).toUpperCase().padStart(15 - prefix.length, '0');
  return `${prefix}${body}AAA`;
}

/** A fresh access token: opaque like Salesforce's (`<orgId>!<random>`), never JWT-shaped. */
export function newAccessToken(state: OrgState): string {
  return `${state.orgId.slice(0, 15)}!${randomBytes(30).toString('base64url')}`;
}
