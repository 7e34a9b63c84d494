/**
 * DESIGN.md's invariants, checked on both sandboxes after one rotation ended (or did not):
 * pure functions of the state before, the state after and the rotation's final status,
 * each returning violations as sentences that name the invariant, the certificate and what
 * was seen. An empty list is a clean rotation.
 *
 *   one-new-certificate   at most one certificate and one vendor key made per rotation (a
 *                         retry that created a duplicate shows up here)
 *   references-trusted    every reference that named the old certificate names one live,
 *                         usable certificate whose key the vendor trusts
 *   deleted-after-grace   the old certificate is gone only after a passed verification and
 *                         the whole grace period (timeline), never on a rollback or failure
 *   no-unused-trust       once the rotation ended, the vendor trusts no key of this
 *                         integration that no reference uses (unless manual steps say so)
 *   bystanders-untouched  certificates, references and vendor keys certrot did not create
 *                         for this rotation are exactly as before
 *   outcome               the rotation ended, and its outcome matches both sides:
 *                         completed (new everywhere), completed-with-manual-steps,
 *                         rolled-back (old everywhere, the new certificate gone), failed only
 *                         with manual steps listed (or refused before anything was made)
 */
import { spkiFingerprint } from '../../src/certificates';
import type { RotationStatus, Strategy } from '../../src/domain/rotation';
import { activeKeys, liveCertificate, placesNaming, textPlaces, type OrgCertificateView, type WorldView } from './sandbox-state';

export interface RotationCase {
  /** The Unique Name rotated (what the references named before). */
  readonly certificate: string;
  /** The new Unique Name the request asked for. */
  readonly newUniqueName: string;
  /** The vendor org holding this integration's keys. */
  readonly vendorOrgId: string;
  readonly strategy: Strategy;
  readonly gracePeriodMs: number;
  readonly before: WorldView;
  readonly after: WorldView;
  /** The final status; null when the rotation never ended. */
  readonly status: Pick<RotationStatus, 'outcome' | 'timeline' | 'verification' | 'manualSteps' | 'newCertificate' | 'reason'> | null;
}

type Check = (c: RotationCase, derived: Derived) => string[];

interface Derived {
  readonly old: OrgCertificateView;
  readonly oldKey: string;
  /** Places that named the old certificate before the rotation. */
  readonly chainPlaces: ReadonlySet<string>;
  readonly created: readonly OrgCertificateView[];
  /** What the rotation's references name now (one value when they agree). */
  readonly namedNow: readonly string[];
}

const ended = (c: RotationCase): boolean => c.status?.outcome != null;
const hasManualSteps = (c: RotationCase): boolean => (c.status?.manualSteps.length ?? 0) > 0;
const keyOf = (certificate: OrgCertificateView): string | null => (certificate.certificatePem ? spkiFingerprint(certificate.certificatePem) : null);

/** Every violation of the rotation in `c`. */
export function checkRotation(c: RotationCase): string[] {
  const old = liveCertificate(c.before.org, c.certificate);
  if (!old?.certificatePem) return [`[setup] ${c.certificate}: no live, usable certificate of that name before the rotation`];
  const chainPlaces = new Set(placesNaming(textPlaces(c.before.org), c.certificate));
  if (chainPlaces.size === 0) return [`[setup] ${c.certificate}: no reference named it before the rotation`];
  const beforeIds = new Set(c.before.org.certificates.map((x) => x.id));
  const placesAfter = textPlaces(c.after.org);
  const namedNow = [...new Set([...chainPlaces].map((place) => placesAfter.get(place) ?? '(gone)'))];
  const derived: Derived = {
    old,
    oldKey: spkiFingerprint(old.certificatePem),
    chainPlaces,
    created: c.after.org.certificates.filter((x) => !beforeIds.has(x.id)),
    namedNow,
  };
  return CHECKS.flatMap((check) => check(c, derived));
}

const oneNewCertificate: Check = (c, { created }) => {
  const out: string[] = [];
  if (created.length > 1) {
    out.push(`[one-new-certificate] ${c.certificate}: ${created.length} certificates were created: ${created.map((x) => `${x.uniqueName} (${x.id}${x.deleted ? ', deleted' : ''})`).join(', ')}`);
  }
  for (const x of created) {
    if (x.uniqueName.toLowerCase() !== c.newUniqueName.toLowerCase()) {
      out.push(`[one-new-certificate] ${c.certificate}: a certificate ${x.uniqueName} was created, but the rotation asked for ${c.newUniqueName}`);
    }
  }
  const knownBefore = new Set((c.before.vendor.orgs.find((o) => o.orgId === c.vendorOrgId)?.keys ?? []).map((k) => k.fingerprint));
  const newKeys = (c.after.vendor.orgs.find((o) => o.orgId === c.vendorOrgId)?.keys ?? []).filter((k) => !knownBefore.has(k.fingerprint));
  if (newKeys.length > 1) out.push(`[one-new-certificate] ${c.certificate}: ${newKeys.length} new keys at vendor org ${c.vendorOrgId}: ${newKeys.map((k) => `${k.fingerprint} (${k.state})`).join(', ')}`);
  return out;
};

const referencesTrusted: Check = (c, { namedNow, chainPlaces }) => {
  if (namedNow.length > 1) {
    const placesAfter = textPlaces(c.after.org);
    const detail = [...chainPlaces].map((place) => `${place} = ${placesAfter.get(place) ?? '(gone)'}`).join('; ');
    return [`[references-trusted] ${c.certificate}: its references disagree after the rotation: ${detail}`];
  }
  const name = namedNow[0] ?? '(none)';
  const certificate = liveCertificate(c.after.org, name);
  if (!certificate) return [`[references-trusted] ${c.certificate}: the references name ${name}, which is not a live certificate`];
  const key = keyOf(certificate);
  if (!certificate.usable || key === null) return [`[references-trusted] ${c.certificate}: the references name ${name}, which is not usable`];
  const active = activeKeys(c.after.vendor, c.vendorOrgId);
  if (!active.includes(key)) {
    return [`[references-trusted] ${c.certificate}: the references name ${name} (key ${key}), which vendor org ${c.vendorOrgId} does not trust (active: ${active.join(', ') || 'none'})`];
  }
  return [];
};

const deletedAfterGrace: Check = (c, { old }) => {
  const now = c.after.org.certificates.find((x) => x.id === old.id);
  if (now && !now.deleted) return [];
  const outcome = c.status?.outcome ?? null;
  const what = `[deleted-after-grace] ${c.certificate}: the old certificate was deleted`;
  if (outcome !== 'completed' && outcome !== 'completed-with-manual-steps') return [`${what}, but the rotation ended ${outcome ?? 'never'}`];
  if (c.status?.verification?.passed !== true) return [`${what} without a passed verification`];
  const timeline = c.status.timeline;
  const verifying = timeline.map((e) => e.phase).lastIndexOf('verifying');
  const grace = timeline.findIndex((e, i) => i > verifying && e.phase === 'grace-period');
  const cleaning = timeline.findIndex((e, i) => i > grace && e.phase === 'cleaning-up');
  if (verifying < 0 || grace < 0 || cleaning < 0) return [`${what}, but the timeline has no verifying -> grace-period -> cleaning-up: ${timeline.map((e) => e.phase).join(' -> ')}`];
  const waited = Date.parse(timeline[cleaning]?.at ?? '') - Date.parse(timeline[grace]?.at ?? '');
  if (!(waited >= c.gracePeriodMs)) return [`${what} after a grace period of ${waited} ms, less than the ${c.gracePeriodMs} ms asked for`];
  return [];
};

const noUnusedTrust: Check = (c, { namedNow }) => {
  if (!ended(c) || hasManualSteps(c)) return [];
  const named = namedNow.length === 1 ? liveCertificate(c.after.org, namedNow[0] ?? '') : undefined;
  const used = named ? keyOf(named) : null;
  const unused = activeKeys(c.after.vendor, c.vendorOrgId).filter((key) => key !== used);
  return unused.map((key) => `[no-unused-trust] ${c.certificate}: vendor org ${c.vendorOrgId} still trusts ${key}, which no reference uses (outcome ${c.status?.outcome ?? '?'})`);
};

const bystandersUntouched: Check = (c, { old, oldKey, chainPlaces, created }) => {
  const out: string[] = [];
  for (const was of c.before.org.certificates) {
    if (was.id === old.id) continue;
    const now = c.after.org.certificates.find((x) => x.id === was.id);
    if (!now) out.push(`[bystanders-untouched] ${c.certificate}: certificate ${was.uniqueName} (${was.id}) disappeared`);
    else if (now.uniqueName !== was.uniqueName || now.deleted !== was.deleted || now.fingerprintSha256 !== was.fingerprintSha256 || now.label !== was.label) {
      out.push(`[bystanders-untouched] ${c.certificate}: certificate ${was.uniqueName} (${was.id}) changed: ${JSON.stringify(summary(was))} -> ${JSON.stringify(summary(now))}`);
    }
  }
  const names = new Set([...c.before.org.certificates, ...c.after.org.certificates].flatMap((x) => [x.uniqueName.toLowerCase(), x.label.toLowerCase()]));
  const before = textPlaces(c.before.org);
  const after = textPlaces(c.after.org);
  for (const place of new Set([...before.keys(), ...after.keys()])) {
    if (chainPlaces.has(place)) continue;
    const was = before.get(place);
    const now = after.get(place);
    const namesCertificate = [was, now].some((v) => v !== undefined && names.has(v.toLowerCase()));
    if (namesCertificate && was !== now) out.push(`[bystanders-untouched] ${c.certificate}: ${place} changed from ${was ?? '(absent)'} to ${now ?? '(absent)'}, though it did not name ${c.certificate}`);
  }
  const ownKeys = new Set([oldKey, ...created.flatMap((x) => keyOf(x) ?? []), ...(c.status?.newCertificate ? [c.status.newCertificate.spkiFingerprint] : [])]);
  for (const org of c.before.vendor.orgs) {
    const nowOrg = c.after.vendor.orgs.find((o) => o.orgId === org.orgId);
    const mine = org.orgId === c.vendorOrgId;
    const shown = (keys: readonly { fingerprint: string; state: string }[]) =>
      keys.filter((k) => !(mine && ownKeys.has(k.fingerprint))).map((k) => `${k.fingerprint}:${k.state}`).sort().join(', ');
    const was = shown(org.keys);
    const now = nowOrg ? shown(mine ? nowOrg.keys.filter((k) => org.keys.some((b) => b.fingerprint === k.fingerprint)) : nowOrg.keys) : '(org gone)';
    if (was !== now) out.push(`[bystanders-untouched] ${c.certificate}: vendor org ${org.orgId}'s other keys changed: [${was}] -> [${now}]`);
  }
  return out;
};

const outcome: Check = (c, { old, oldKey, namedNow, created }) => {
  const status = c.status;
  if (!status || status.outcome === null) return [`[outcome] ${c.certificate}: the rotation did not end`];
  const refs = namedNow.join(', ');
  const newName = status.newCertificate?.uniqueName ?? c.newUniqueName;
  const say = (text: string): string => `[outcome] ${c.certificate}: ${status.outcome ?? ''} but ${text}`;
  switch (status.outcome) {
    case 'completed':
    case 'completed-with-manual-steps': {
      const out: string[] = [];
      if (namedNow.length !== 1 || namedNow[0]?.toLowerCase() !== newName.toLowerCase()) out.push(say(`the references name ${refs}, not ${newName}`));
      const oldNow = c.after.org.certificates.find((x) => x.id === old.id);
      if (status.outcome === 'completed' && oldNow && !oldNow.deleted) out.push(say(`the old certificate ${old.uniqueName} is still there`));
      if (status.outcome === 'completed-with-manual-steps' && !hasManualSteps(c)) out.push(say('no manual step is listed'));
      return out;
    }
    case 'rolled-back': {
      const out: string[] = [];
      if (namedNow.length !== 1 || namedNow[0]?.toLowerCase() !== c.certificate.toLowerCase()) out.push(say(`the references name ${refs}, not the old ${c.certificate}`));
      if (!liveCertificate(c.after.org, c.certificate)) out.push(say(`the old certificate ${c.certificate} is gone`));
      const leftover = created.filter((x) => !x.deleted);
      if (leftover.length > 0) out.push(say(`the new certificate is still there: ${leftover.map((x) => x.uniqueName).join(', ')}`));
      const active = activeKeys(c.after.vendor, c.vendorOrgId);
      if (!active.includes(oldKey)) out.push(say(`vendor org ${c.vendorOrgId} does not trust the old key ${oldKey} (active: ${active.join(', ') || 'none'})`));
      return out;
    }
    case 'failed':
      if (hasManualSteps(c)) return [];
      // A refusal before anything was made: allowed, as long as nothing was made.
      if (status.newCertificate === null && created.length === 0) return [];
      return [say(`no manual step is listed (reason: ${status.reason ?? 'none'})`)];
  }
};

const CHECKS: readonly Check[] = [oneNewCertificate, referencesTrusted, deletedAfterGrace, noUnusedTrust, bystandersUntouched, outcome];

function summary(x: OrgCertificateView): Record<string, unknown> {
  return { uniqueName: x.uniqueName, label: x.label, deleted: x.deleted, fingerprint: x.fingerprintSha256 };
}
