/**
 * One rotation per certificate: the canonical workflow id. Salesforce Unique Names are
 * case-insensitive, so `Vendor_Signing` and `vendor_signing` are one certificate and must be
 * one workflow id; an org alias is compared the same way. Temporal refuses a second running
 * workflow with the same id, which is what makes "one rotation per certificate" hold however
 * the rotation was started (CLI, Web UI, schedule). Two aliases of one org are caught by a
 * second lock on the org's own id (see `certificateLockId`), taken before any side effect.
 * Workflow-safe.
 */

const PREFIX = 'rotate';

/** `rotate/<org alias>/<unique name>`, lower case, trimmed. */
export function rotationWorkflowId(org: string, certificate: string): string {
  return `${PREFIX}/${org.trim().toLowerCase()}/${certificate.trim().toLowerCase()}`;
}

/** The lock child's id: one per Salesforce organization id and certificate, whatever the alias. */
export function certificateLockId(salesforceOrgId: string, certificate: string): string {
  return `certificate-lock/${salesforceOrgId.trim().slice(0, 15)}/${certificate.trim().toLowerCase()}`;
}

/** null when `workflowId` is the canonical id for this org and certificate, else the refusal. */
export function rotationIdProblem(workflowId: string, org: string, certificate: string): string | null {
  const expected = rotationWorkflowId(org, certificate);
  if (workflowId === expected) return null;
  return (
    `this rotation runs as workflow id "${workflowId}", but a rotation of ${certificate} in org ${org} must run as "${expected}" ` +
    '(one rotation per certificate: Unique Names are compared case-insensitively); start it again with that workflow id, ' +
    'or use `certrot rotate`, which always does'
  );
}
