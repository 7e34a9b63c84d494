/**
 * verifyRotation: what is actually observed after the switch, and by whom. Each check says
 * its observer — the org (Salesforce's own answers), the vendor's API, certrot itself (a
 * signature checked against the public key in certrot), or the provisioning team (their
 * word, reported; certrot cannot see a team's systems). A check that could not be made is
 * reported as not made and never counts as passed.
 */
import { verifyRsaSha256 } from '../certificates';
import type { VerifyInput } from '../domain/activity-contract';
import { isRotationError } from '../domain/errors';
import { fingerprintsEqual } from '../domain/fingerprint';
import type { VendorConfirmation, VerificationCheck, VerificationResult } from '../domain/rotation';
import { switchableReferences } from '../domain/unswitchable-reference';
import type { SalesforceOrg } from '../salesforce/org-port';
import type { Vendor } from '../vendors/vendor-port';

export interface VerificationDeps {
  org(alias: string): SalesforceOrg;
  vendor(id: string): Vendor;
  clock(): Date;
  nonce(): string;
}

/** v1 rotations send `vendorConfirmed: boolean` instead of the confirmation itself. */
type VerifyInputAnyVersion = VerifyInput & { vendorConfirmed?: boolean };

export async function verifyRotation(input: VerifyInputAnyVersion, deps: VerificationDeps): Promise<VerificationResult> {
  const salesforce = deps.org(input.org);
  const vendor = deps.vendor(input.vendor);
  const checks: VerificationCheck[] = [];
  const check = (name: string, observedBy: VerificationCheck['observedBy'], passed: boolean, detail: string): void => {
    checks.push({ name, passed, made: true, ...(observedBy ? { observedBy } : {}), detail });
  };
  const expected = input.newCertificate;

  // 1. The certificate the references name exists, is usable, unexpired and the one we made.
  const details = await salesforce.getCertificate(expected.uniqueName, { createdAt: false });
  const unexpired = details.expiresAt !== null && Date.parse(details.expiresAt) > deps.clock().getTime();
  check(
    'certificate',
    'salesforce',
    details.usable && unexpired && details.fingerprintSha256 !== null && fingerprintsEqual(details.fingerprintSha256, expected.fingerprint),
    `${expected.uniqueName}: usable=${String(details.usable)}, expires ${details.expiresAt ?? 'never set'}, fingerprint ${details.fingerprintSha256 ?? 'none'}`,
  );

  // 2. Every reference holds the new Unique Name (not the label); none still names the old one.
  // (Acknowledged read-only fields are a person's to switch: they are listed as manual references, not checked here.)
  // (The new certificate's label was just read: not read again.)
  const unswitchable = input.unswitchable ?? [];
  const toNew = switchableReferences(await salesforce.findReferences(expected.uniqueName, [...input.targets], { label: details.label }), unswitchable);
  const byLabel = toNew.filter((r) => r.matchedBy === 'label');
  const toOld = switchableReferences(await salesforce.findReferences(input.previousCertificate, [...input.targets]), unswitchable);
  check(
    'references',
    'salesforce',
    toNew.length >= input.expectedReferences && byLabel.length === 0 && toOld.length === 0,
    `${toNew.length} reference(s) name ${expected.uniqueName} (expected ${input.expectedReferences})` +
      (byLabel.length ? `; ${byLabel.length} hold the label instead of the Unique Name` : '') +
      (toOld.length ? `; still naming ${input.previousCertificate}: ${toOld.map((r) => `${r.object}.${r.field} ${r.scope}${r.owner ? ` ${r.owner}` : ''}`).join(', ')}` : ''),
  );

  // 3. The vendor trusts the new key: asked of a registry; only reported by a team.
  const confirmation: VendorConfirmation | null =
    input.vendorConfirmation ?? (input.vendorConfirmed ? { fingerprint: expected.spkiFingerprint, by: null, at: deps.clock().toISOString(), via: 'signal' } : null);
  if (vendor.kind === 'registry') {
    const active = (await vendor.listKeys(input.orgId)).filter((k) => k.state === 'active');
    const trusted = active.some((k) => fingerprintsEqual(k.fingerprint, expected.spkiFingerprint));
    check('vendor-key', 'vendor-api', trusted, `vendor trusts ${active.length} key(s)${trusted ? ', including the new one' : ', not the new one'}`);
  } else {
    check(
      'vendor-key',
      'provisioning-team',
      confirmation !== null,
      confirmation
        ? `reported active by ${confirmation.by ?? 'the provisioning team'} at ${confirmation.at} (certrot cannot observe a provisioning team's systems)`
        : 'no confirmation from the provisioning team',
    );
  }

  // 4. The org signs a fresh nonce with the certificate; the signature is checked against the new public key.
  if (input.signature) {
    const challenge = deps.nonce();
    const signature = await salesforce.signWithCertificate(expected.uniqueName, challenge);
    // Since 'quiet-presentation' the input names the certificate without its PEM: the one just read, if it is the one made (same fingerprint).
    const publicPem = expected.certificatePem ?? (details.certificatePem !== null && details.fingerprintSha256 !== null && fingerprintsEqual(details.fingerprintSha256, expected.fingerprint) ? details.certificatePem : null);
    const locallyValid = publicPem !== null && verifyRsaSha256(publicPem, challenge, signature);
    if (vendor.kind === 'registry') {
      const atVendor = await vendor.verifySignature(input.orgId, challenge, signature);
      const matched = atVendor.matchedFingerprint !== null && fingerprintsEqual(atVendor.matchedFingerprint, expected.spkiFingerprint);
      check(
        'signature',
        'vendor-api',
        locallyValid && atVendor.valid && matched,
        `org signature ${locallyValid ? 'matches' : 'does NOT match'} the new public key; vendor ${atVendor.valid ? `accepted it with key ${atVendor.matchedFingerprint ?? '?'}` : 'rejected it'}`,
      );
    } else {
      check(
        'signature',
        'certrot',
        locallyValid,
        `org signature ${locallyValid ? 'verified' : 'does NOT verify'} inside certrot against the new public key; the vendor was not asked (a provisioning team has no API)`,
      );
    }
  }

  // 5. Optional two-way TLS probe: the org calls the vendor presenting the certificate.
  if (input.calloutUrl) {
    try {
      const response = await salesforce.calloutWithCertificate(expected.uniqueName, input.calloutUrl);
      check('callout', 'salesforce', response.statusCode >= 200 && response.statusCode < 300, `HTTPS ${response.statusCode} from ${input.calloutUrl}`);
    } catch (error) {
      if (!isRotationError(error, 'APEX_FAILED')) throw error;
      check('callout', 'salesforce', false, error.message);
    }
  }

  return { passed: checks.every((c) => c.passed && c.made !== false), checks, at: deps.clock().toISOString() };
}
