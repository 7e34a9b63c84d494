/**
 * How a decision came and how its maker was authenticated, in words, for the status page
 * (Temporal UI details) and the CLI. The text holds outside values (addresses, vendor
 * names, policies, the vendor's words) as given: each caller escapes it for its medium
 * (display-text.ts `markdownText`, cli/terminal-text.ts `printable`). Pure, workflow-safe.
 */
import type { ApprovalAuthentication, ApprovalVia } from './approval-route';
import type { ContinuityRecord } from './rotation';

export function howApproved(via: ApprovalVia | undefined, authentication: ApprovalAuthentication | undefined): string {
  switch (authentication?.method) {
    case 'signed-link':
      return `via signed link sent to ${authentication.sentTo} (link ${authentication.linkId}, proof checked by the worker)`;
    case 'vendor-api':
      return `via the vendor registry of ${authentication.vendor}${authentication.approvedBy ? `, decided by ${authentication.approvedBy}` : ''} (vendor API)`;
    case 'continuity':
      return `via key continuity: vendor ${authentication.vendor} verified the statement signed by the old and the new certificate${authentication.policy ? ` (policy ${authentication.policy})` : ''}`;
    case 'temporal':
      return `via ${via ?? 'update'} through Temporal (CLI or UI; the name is as claimed)`;
    default:
      return `via ${via ?? 'update'}`;
  }
}

export function continuityText(record: ContinuityRecord): string {
  const v = record.verdict;
  const verdict = v === null ? 'no verdict' : `${v.verified ? 'verified' : 'NOT verified'}, ${v.approval}${v.policy ? ` (policy ${v.policy})` : ''}`;
  return `${record.signed ? 'signed' : 'not signed'}, ${verdict}${record.problem ? ` — ${record.problem}` : ''} (at ${record.at})`;
}
