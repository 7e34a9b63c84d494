/**
 * A sweep's drift, as the renewal sweep hands it to `sendDriftAlert`: one finding of each
 * kind an operator meets, one of them with a detail line long enough to be wrapped on the
 * wire (quoted-printable in mail).
 */
import type { DriftAlertInput, DriftFinding } from '../../src/domain/renewal/inventory-contract';

export const FINDINGS: readonly DriftFinding[] = [
  {
    org: 'prod',
    problem: 'missing-certificate',
    certificate: 'Vendor_Signing_2024',
    reference: { object: 'NamedCredential', field: 'Certificate', recordId: '0XA000000000001', scope: 'named-credential', owner: null, value: 'Vendor_Signing_2024', matchedBy: 'unique-name' },
    detail: 'NamedCredential Acme_API (0XA000000000001) names certificate "Vendor_Signing_2024", which the org does not have (deleted, or renamed after a sandbox refresh); every callout through it now fails at the TLS handshake.',
  },
  {
    org: 'prod',
    problem: 'expired-certificate',
    certificate: 'Old_Signing',
    reference: { object: 'Acme_Settings__c', field: 'Signing_Cert__c', recordId: 'a00000000000001', scope: 'org-default', owner: null, value: 'Old_Signing', matchedBy: 'unique-name' },
    detail: 'Acme_Settings__c.Signing_Cert__c names "Old_Signing", expired 2025-10-01.',
  },
  {
    org: 'prod',
    problem: 'label-not-unique-name',
    certificate: 'Acme_Signing',
    reference: { object: 'Acme_Settings__c', field: 'Signing_Cert__c', recordId: 'a00000000000002', scope: 'org-default', owner: null, value: 'Acme Signing', matchedBy: 'label' },
    detail: 'Acme_Settings__c.Signing_Cert__c holds the label "Acme Signing", not the Unique Name "Acme_Signing".',
  },
];

export function driftInput(findings: readonly DriftFinding[] = FINDINGS, workflowId = 'renewal-sweep/2025-11-02T06:00Z'): DriftAlertInput {
  return { workflowId, sweptAt: '2025-11-02T06:00:03.000Z', findings };
}
