/**
 * The approval routes' activities (contract: src/domain/approval-contract.ts):
 *
 * - pollRegistryApproval: the registry's approval state of the new key; with `untilDecided`
 *   a `pending` answer fails the attempt with the retryable APPROVAL_PENDING, so the
 *   workflow polls through the retry policy. A registry that does not know the key
 *   (KEY_NOT_FOUND) or is misconfigured fails non-retryably.
 * - proveContinuity (./continuity-proof.ts): the org signs the continuity statement with
 *   both certificates, certrot checks it, and only then sends it to the vendor.
 * - checkApprovalLink: did the approval service really send this link decision?
 */
import { ApplicationFailure } from '@temporalio/common';
import { APPROVAL_PENDING, type ApprovalActivities, type ApprovalLinkCheckInput, type ApprovalLinkCheckResult, type RegistryApprovalInput } from '../domain/approval-contract';
import type { RegistryApprovalState } from '../domain/approval-route';
import { RotationError } from '../domain/errors';
import { checkDecisionProof } from '../approvals/link-token';
import type { KeyRegistry, Vendor } from '../vendors/vendor-port';
import { proveContinuity } from './continuity-proof';
import type { ConfiguredOrg } from './rotation-activities';
import { asActivity } from './failures';

export interface ApprovalActivityDeps {
  readonly org: (alias: string) => ConfiguredOrg;
  readonly vendor: (id: string) => Vendor;
  readonly clock: () => Date;
  /** The approvals link key; without it no link decision can be checked (and none counts). */
  readonly linkKey?: Buffer;
}

export function createApprovalActivities(deps: ApprovalActivityDeps): ApprovalActivities {
  function checkApprovalLink(input: ApprovalLinkCheckInput): Promise<ApprovalLinkCheckResult> {
    if (!deps.linkKey) {
      return Promise.resolve({ valid: false, problem: 'this worker has no approvals.linkKey configured, so it cannot check a decision sent through an approval link' });
    }
    const claims = { workflowId: input.workflowId, fingerprint: input.fingerprint, sentTo: input.link.sentTo, linkId: input.link.linkId };
    const valid = checkDecisionProof(deps.linkKey, claims, input.decision, input.link.proof);
    return Promise.resolve(valid ? { valid, problem: null } : { valid, problem: 'the link decision\'s proof does not verify under this worker\'s approvals.linkKey: it did not come from the approval service' });
  }
  async function pollRegistryApproval(input: RegistryApprovalInput): Promise<RegistryApprovalState> {
    const registry = registryFor(deps.vendor(input.vendor), input.vendor, 'registry');
    const state = await registry.approvalState(input.orgId, input.fingerprint);
    if (input.untilDecided === true && state.state === 'pending') {
      throw ApplicationFailure.create({
        type: APPROVAL_PENDING,
        message: `Vendor ${registry.name} has not decided about key ${input.fingerprint} for org "${input.orgId}" yet (approval state: pending); asking again.`,
        nonRetryable: false,
        details: [{ vendor: registry.name, orgId: input.orgId, fingerprint: input.fingerprint }],
      });
    }
    return state;
  }
  return {
    pollRegistryApproval: asActivity(pollRegistryApproval),
    proveContinuity: asActivity((input) =>
      proveContinuity(input, { org: (alias) => deps.org(alias).org, registry: (id) => registryFor(deps.vendor(id), id, 'continuity'), clock: deps.clock }),
    ),
    checkApprovalLink: asActivity(checkApprovalLink),
  };
}

/** Registry and continuity approvals need a vendor with a key registry API. */
export function registryFor(vendor: Vendor, id: string, mode: 'registry' | 'continuity'): KeyRegistry {
  if (vendor.kind === 'registry') return vendor;
  throw new RotationError(
    'CONFIG_INVALID',
    `approval.mode "${mode}" needs a vendor with a key registry API (kind: http), but vendor "${id}" is a provisioning team (kind: manual) that certrot can only notify. Use approval.mode "manual" for this vendor (a person approves through the CLI or the Temporal UI), or configure the vendor's registry API.`,
    { retryable: false, details: { vendor: id, mode } },
  );
}
