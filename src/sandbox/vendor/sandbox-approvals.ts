/**
 * The sandbox vendor's approval side (contract 1.2): the approval state its provisioning
 * team gives each staged key (set through `POST /__sandbox/approvals`, as the team would in
 * the vendor's own tools), and the check of key continuity statements with the org's
 * standing continuity policy (./continuity-policy.ts). Synchronous and I/O-free like the
 * key registry it reads; a `RegistryRefusal` becomes the HTTP error.
 *
 * A continuity verdict that fails a check is a 200 with `verified: false` and the reason:
 * the request was well-formed, the statement did not prove anything.
 */
import { normalizeFingerprint, verifyRsaSha256 } from '../../certificates';
import { parseContinuityStatement } from '../../domain/continuity-statement';
import type { WireApprovalState, WireContinuityVerdict, WireKey } from '../../vendors/registry-wire';
import { policyAgrees, type ContinuityPolicy } from './continuity-policy';
import { RegistryRefusal, type SandboxKeyRegistry } from './sandbox-key-registry';

/** What the sandbox answers for the approval state of a key it does not know. */
export type UnknownKeyApproval = 'not-found' | 'pending';

export interface SandboxApprovalSettings {
  unknownKey: UnknownKeyApproval;
  /** How old a statement may be (by its `issuedAt`); it may also be up to 5 minutes ahead. */
  statementMaxAgeSeconds: number;
  /** Standing continuity policies by org id. */
  policies: ReadonlyMap<string, ContinuityPolicy>;
}

export const DEFAULT_STATEMENT_MAX_AGE_SECONDS = 900;
const FUTURE_SKEW_MS = 5 * 60_000;

export interface ContinuityRecord {
  at: string;
  orgId: string;
  fingerprint: string;
  verdict: WireContinuityVerdict;
}

export interface ApprovalDecision {
  state: 'pending' | 'approved' | 'rejected';
  window?: { start: string; end: string };
  approvedBy?: string;
  approvedAt?: string;
  reason?: string;
  rejectedBy?: string;
}

export class SandboxApprovals {
  private readonly decisions = new Map<string, WireApprovalState>();
  private readonly policies: Map<string, ContinuityPolicy>;
  private readonly received: ContinuityRecord[] = [];

  constructor(
    private readonly registry: SandboxKeyRegistry,
    private readonly clock: () => Date,
    private readonly settings: SandboxApprovalSettings,
  ) {
    this.policies = new Map(settings.policies);
  }

  /** GET .../keys/{fingerprint}/approval */
  state(orgId: string, fingerprint: string): WireApprovalState {
    const key = this.registry.list(orgId).find((k) => k.fingerprint === fingerprint);
    if (!key) {
      if (this.settings.unknownKey === 'pending') return { state: 'pending' };
      throw new RegistryRefusal(404, 'KEY_NOT_FOUND', `No key ${fingerprint} for org "${orgId}"; stage it first.`);
    }
    return this.decisions.get(`${orgId}\n${fingerprint}`) ?? { state: 'pending' };
  }

  /** The vendor's team decides (POST /__sandbox/approvals). The key must be known. */
  decide(orgId: string, fingerprint: string, decision: ApprovalDecision): WireApprovalState {
    const canonical = normalizeFingerprint(fingerprint);
    if (!this.registry.list(orgId).some((k) => k.fingerprint === canonical)) {
      throw new RegistryRefusal(404, 'KEY_NOT_FOUND', `No key ${canonical} for org "${orgId}": stage it before deciding about it.`);
    }
    const state: WireApprovalState =
      decision.state === 'pending'
        ? { state: 'pending' }
        : decision.state === 'approved'
          ? {
              state: 'approved',
              fingerprint: canonical,
              ...(decision.window ? { window: decision.window } : {}),
              ...(decision.approvedBy !== undefined ? { approvedBy: decision.approvedBy } : {}),
              approvedAt: decision.approvedAt ?? this.clock().toISOString(),
            }
          : { state: 'rejected', fingerprint: canonical, reason: decision.reason ?? '', ...(decision.rejectedBy !== undefined ? { rejectedBy: decision.rejectedBy } : {}) };
    this.decisions.set(`${orgId}\n${canonical}`, state);
    return state;
  }

  setPolicy(orgId: string, policy: ContinuityPolicy | null): void {
    this.registry.list(orgId); // ORG_NOT_FOUND for an unknown org
    if (policy) this.policies.set(orgId, policy);
    else this.policies.delete(orgId);
  }

  snapshot(): { approvals: Array<{ orgId: string; fingerprint: string; approval: WireApprovalState }>; policies: Record<string, ContinuityPolicy>; continuity: ContinuityRecord[] } {
    return {
      approvals: [...this.decisions].map(([id, approval]) => {
        const [orgId = '', fingerprint = ''] = id.split('\n');
        return { orgId, fingerprint, approval };
      }),
      policies: Object.fromEntries(this.policies),
      continuity: this.received.map((r) => ({ ...r })),
    };
  }

  /** POST .../keys/{fingerprint}:continuity */
  continuity(orgId: string, fingerprint: string, statement: string, oldSignature: string, newSignature: string): WireContinuityVerdict {
    const keys = this.registry.list(orgId);
    const staged = keys.find((k) => k.fingerprint === fingerprint);
    if (!staged) throw new RegistryRefusal(404, 'KEY_NOT_FOUND', `No key ${fingerprint} for org "${orgId}"; stage it before sending its continuity statement.`);
    const verdict = this.check(orgId, staged, keys, statement, oldSignature, newSignature);
    this.received.push({ at: this.clock().toISOString(), orgId, fingerprint, verdict });
    return verdict;
  }

  private check(orgId: string, staged: WireKey, keys: WireKey[], text: string, oldSignature: string, newSignature: string): WireContinuityVerdict {
    const refuse = (problem: string): WireContinuityVerdict => ({ verified: false, problem, approval: 'pending', window: null, policy: null });
    if (staged.state === 'retired') return refuse(`key ${staged.fingerprint} is retired at this vendor; stage a new key`);
    const parsed = parseContinuityStatement(text);
    if (!parsed.ok) return refuse(parsed.problem);
    const statement = parsed.value;
    if (statement.vendorOrgId !== orgId) return refuse(`the statement is for org "${shown(statement.vendorOrgId)}", not "${orgId}"`);
    if (statement.newSpkiFingerprint !== staged.fingerprint) return refuse(`the statement names the new key ${statement.newSpkiFingerprint}, not ${staged.fingerprint}`);
    if (statement.oldSpkiFingerprint === staged.fingerprint) return refuse('the statement names the same key as old and new');
    const old = keys.find((k) => k.state === 'active' && k.fingerprint === statement.oldSpkiFingerprint);
    if (!old?.certificatePem) return refuse(`the statement's old key ${statement.oldSpkiFingerprint} is not a key this vendor trusts today for org "${orgId}"`);
    const now = this.clock().getTime();
    const issued = Date.parse(statement.issuedAt);
    if (issued > now + FUTURE_SKEW_MS) return refuse(`the statement was issued at ${statement.issuedAt}, in the future by this vendor's clock`);
    if (now - issued > this.settings.statementMaxAgeSeconds * 1000) {
      return refuse(`the statement was issued at ${statement.issuedAt}, more than ${this.settings.statementMaxAgeSeconds} s ago; sign a fresh one`);
    }
    if (!safeVerify(old.certificatePem, text, oldSignature)) return refuse(`oldSignature does not verify with the old key ${old.fingerprint}`);
    if (!staged.certificatePem || !safeVerify(staged.certificatePem, text, newSignature)) return refuse(`newSignature does not verify with the new key ${staged.fingerprint}`);
    const policy = this.policies.get(orgId);
    if (!policy) return { verified: true, problem: null, approval: 'pending', window: null, policy: null };
    const agreed = policyAgrees(policy, statement.proposedWindow);
    return { verified: true, problem: null, approval: agreed ? 'approved' : 'pending', window: agreed ? statement.proposedWindow : null, policy: policy.name };
  }
}

function safeVerify(certificatePem: string, text: string, signature: string): boolean {
  try {
    return verifyRsaSha256(certificatePem, text, signature);
  } catch {
    return false;
  }
}

function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
