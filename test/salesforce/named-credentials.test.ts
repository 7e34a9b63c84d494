/**
 * Named credentials of both models, against the sandbox org's Metadata API:
 *  - current model (`SecuredEndpoint`, API 56+): the client certificate is the
 *    `ClientCertificate` entry of `namedCredentialParameters`;
 *  - legacy (`Legacy`): the top-level `certificate`, and `jwtSigningCertificate`.
 * Found one reference per place, switched and restored compare-and-set, and never at the
 * cost of the credential's other parameters or its secrets: the sandbox, like Salesforce,
 * returns no secret on read and replaces the whole component on update, so a careless
 * update would clear them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { isRotationError } from '../../src/domain/errors';
import { switchableReferences } from '../../src/domain/unswitchable-reference';
import { signJwtAssertion } from '../../src/salesforce/auth';
import type { NamedReference, Reference, ReferenceChange, SalesforceOrg } from '../../src/salesforce/org-port';
import { CONSUMER_KEY, loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const CLIENT_CERT_FIELD = 'namedCredentialParameters.ClientCertificate';

interface NamedCredentialView {
  fullName: string;
  namedCredentialType: string;
  certificate: string | null;
  jwtSigningCertificate: string | null;
  namedCredentialParameters: Record<string, unknown>[];
  secretsSet: string[];
}

async function fixture(): Promise<Record<string, unknown>> {
  const f = await loadDemoFixture();
  f.namedCredentials = [
    {
      fullName: 'Orders_Current',
      label: 'Orders (current model)',
      namedCredentialType: 'SecuredEndpoint',
      generateAuthorizationHeader: true,
      namedCredentialParameters: [
        { parameterName: 'Url', parameterType: 'Url', parameterValue: 'https://orders.vendor.example' },
        { parameterName: 'ExternalCredential', parameterType: 'Authentication', externalCredential: 'Orders_Auth' },
        { parameterName: 'ClientCertificate', parameterType: 'ClientCertificate', certificate: 'Vendor_Signing' },
        { parameterName: 'X-Tenant', parameterType: 'HttpHeader', parameterValue: "'acme'", sequenceNumber: 1 },
      ],
    },
    // a current-model credential without a client certificate: one parameter only
    {
      fullName: 'Catalog_Current',
      label: 'Catalog',
      namedCredentialType: 'SecuredEndpoint',
      namedCredentialParameters: [{ parameterName: 'Url', parameterType: 'Url', parameterValue: 'https://catalog.vendor.example' }],
    },
    {
      fullName: 'Legacy_Jwt',
      label: 'Legacy JWT',
      endpoint: 'https://jwt.vendor.example',
      certificate: 'Vendor_Signing',
      jwtSigningCertificate: 'Vendor_Signing',
      jwtIssuer: 'certrot',
      jwtAudience: 'https://jwt.vendor.example',
      jwtTextSubject: 'orders',
      jwtValidityPeriodSeconds: 120,
      principalType: 'NamedUser',
      protocol: 'Jwt',
    },
    {
      fullName: 'Legacy_Password',
      label: 'Legacy password',
      endpoint: 'https://basic.vendor.example',
      certificate: 'Vendor_Signing',
      principalType: 'NamedUser',
      protocol: 'Password',
      username: 'orders-api',
      password: 'legacy-basic-auth-secret',
    },
  ];
  return f;
}

function changeOf(ref: Reference, value: string, expected: string = ref.value): ReferenceChange {
  return { object: ref.object, field: ref.field, recordId: ref.recordId, scope: ref.scope, owner: ref.owner, expected, value };
}

describe('jsforce adapter: named credentials, current and legacy model', () => {
  let demo: DemoOrg;
  let org: SalesforceOrg;
  /** An admin editing named credentials behind the adapter's back. */
  let someoneElse: Connection;

  /** The sandbox's named credentials by name (without their modification times). */
  const credentials = async (): Promise<Map<string, NamedCredentialView>> =>
    new Map(
      ((await demo.state()).namedCredentials as unknown as (NamedCredentialView & { lastModifiedDate?: string })[]).map(({ lastModifiedDate: _modified, ...n }) => [n.fullName, n]),
    );

  before(async () => {
    demo = await startDemoOrg({ fixture: await fixture() });
    org = demo.adapter();
    someoneElse = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    await someoneElse.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: 'admin@certrot.demo', audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
    });
  });
  after(async () => {
    await demo?.close();
  });

  it('finds every place a named credential names the certificate, one reference per place', async () => {
    const refs = (await org.findReferences('Vendor_Signing', [])).filter((r) => r.object === 'NamedCredential');
    assert.deepEqual(
      refs.map((r) => [r.recordId, r.field, r.scope, r.owner, r.value, r.matchedBy]).sort(),
      [
        ['Legacy_Jwt', 'certificate', 'named-credential', 'Legacy JWT', 'Vendor_Signing', 'unique-name'],
        ['Legacy_Jwt', 'jwtSigningCertificate', 'named-credential', 'Legacy JWT', 'Vendor_Signing', 'unique-name'],
        ['Legacy_Password', 'certificate', 'named-credential', 'Legacy password', 'Vendor_Signing', 'unique-name'],
        ['Orders_Current', CLIENT_CERT_FIELD, 'named-credential', 'Orders (current model)', 'Vendor_Signing', 'unique-name'],
      ],
    );
    const batch: NamedReference[] = await org.findReferencesToAny([{ uniqueName: 'Vendor_Signing', label: 'Vendor Signing' }], []);
    assert.equal(batch.filter((r) => r.object === 'NamedCredential').length, 4);
    assert.ok(batch.every((r) => r.certificate === 'Vendor_Signing'));
  });

  it('switches and restores a current-model and a legacy JWT credential, keeping every other parameter', async () => {
    const before = await credentials();
    const refs = (await org.findReferences('Vendor_Signing', [])).filter((r) => r.recordId !== 'Legacy_Password');
    const forward = refs.map((r) => changeOf(r, 'Partner_Signing'));
    const switched = await org.updateReferences(forward);
    assert.deepEqual(switched.conflicts, []);
    assert.equal(switched.applied.length, 3);

    const after = await credentials();
    const current = after.get('Orders_Current');
    const clientCert = current?.namedCredentialParameters.find((p) => p.parameterType === 'ClientCertificate');
    assert.equal(clientCert?.certificate, 'Partner_Signing');
    // the Url, the external credential and the header are all still there, unchanged
    assert.deepEqual(
      current?.namedCredentialParameters.filter((p) => p.parameterType !== 'ClientCertificate'),
      before.get('Orders_Current')?.namedCredentialParameters.filter((p) => p.parameterType !== 'ClientCertificate'),
    );
    assert.equal(after.get('Legacy_Jwt')?.certificate, 'Partner_Signing');
    assert.equal(after.get('Legacy_Jwt')?.jwtSigningCertificate, 'Partner_Signing');
    assert.deepEqual((await org.findReferences('Partner_Signing', [])).filter((r) => r.object === 'NamedCredential').length, 3);

    // rollback: the same path with the changes reversed
    const restored = await org.updateReferences(forward.map((c) => ({ ...c, expected: c.value, value: c.expected })));
    assert.deepEqual(restored.conflicts, []);
    assert.deepEqual(await credentials(), before);
  });

  it('a concurrent change is reported as a conflict and not overwritten', async () => {
    const [ref] = (await org.findReferences('Vendor_Signing', [])).filter((r) => r.field === CLIENT_CERT_FIELD);
    assert.ok(ref);
    // an admin moves the credential to another certificate (sending the whole component back)
    const read = (await someoneElse.metadata.read('NamedCredential', 'Orders_Current')) as unknown as Record<string, unknown>;
    const params = read.namedCredentialParameters as Record<string, unknown>[];
    const edited = {
      fullName: 'Orders_Current',
      label: read.label,
      namedCredentialType: 'SecuredEndpoint',
      generateAuthorizationHeader: read.generateAuthorizationHeader,
      namedCredentialParameters: params.map((p) => (p.parameterType === 'ClientCertificate' ? { ...p, certificate: 'Partner_Signing' } : p)),
    };
    const untyped: { update(type: string, metadata: Record<string, unknown>): Promise<unknown> } = someoneElse.metadata;
    assert.equal((await untyped.update('NamedCredential', edited) as { success: unknown }).success, true);

    const result = await org.updateReferences([changeOf(ref, 'Vendor_Signing_Next')]);
    assert.deepEqual(result.applied, []);
    assert.deepEqual(result.conflicts.map((c) => c.actual), ['Partner_Signing']);
    const clientCert = (await credentials()).get('Orders_Current')?.namedCredentialParameters.find((p) => p.parameterType === 'ClientCertificate');
    assert.equal(clientCert?.certificate, 'Partner_Signing');
    // an answer lost after the write: the retry finds the new value and counts it applied
    assert.deepEqual((await org.updateReferences([changeOf(ref, 'Partner_Signing')])).applied.length, 1);
    await org.updateReferences([changeOf({ ...ref, value: 'Partner_Signing' }, 'Vendor_Signing')]);
  });

  it('finds a legacy credential holding a secret before anything changes: a place certrot cannot switch, left out of the switch', async () => {
    const found = (await org.findUnswitchableReferences({ uniqueName: 'Vendor_Signing', label: null }, [])).filter((u) => u.kind === 'named-credential');
    assert.deepEqual(
      found.map((u) => `${u.name}.${u.field ?? ''}`),
      ['Legacy_Password.certificate'],
    );
    assert.match(found[0]?.detail ?? '', /protocol Password/);
    const switchable = switchableReferences(await org.findReferences('Vendor_Signing', []), found).filter((r) => r.object === 'NamedCredential');
    assert.deepEqual(switchable.map((r) => `${r.recordId}.${r.field}`).sort(), [
      'Legacy_Jwt.certificate',
      'Legacy_Jwt.jwtSigningCertificate',
      `Orders_Current.${CLIENT_CERT_FIELD}`,
    ]);
  });

  it('refuses to switch a legacy credential whose secret Salesforce does not return, and keeps the secret', async () => {
    const [ref] = (await org.findReferences('Vendor_Signing', [])).filter((r) => r.recordId === 'Legacy_Password');
    assert.ok(ref);
    await assert.rejects(org.updateReferences([changeOf(ref, 'Partner_Signing')]), (err: unknown) => {
      assert.ok(isRotationError(err));
      assert.equal(err.retryable, false);
      assert.match(err.message, /Legacy_Password/);
      assert.match(err.message, /Password/);
      assert.match(err.message, /Setup > Named Credentials/);
      assert.doesNotMatch(err.message, /legacy-basic-auth-secret/);
      return true;
    });
    const legacy = (await credentials()).get('Legacy_Password');
    assert.equal(legacy?.certificate, 'Vendor_Signing');
    assert.deepEqual(legacy?.secretsSet, ['password']);

    // negative control: the sandbox does clear a secret when an update is built from a read
    const read = (await someoneElse.metadata.read('NamedCredential', 'Legacy_Password')) as unknown as Record<string, unknown>;
    assert.equal(read.password ?? null, null, 'a read returns no secret');
    const careless = Object.fromEntries(Object.entries(read).filter(([, v]) => v !== null && v !== undefined && v !== ''));
    const untyped: { update(type: string, metadata: Record<string, unknown>): Promise<unknown> } = someoneElse.metadata;
    assert.equal((await untyped.update('NamedCredential', careless) as { success: unknown }).success, true);
    assert.deepEqual((await credentials()).get('Legacy_Password')?.secretsSet, []);
  });

  it('a certificate used by named credentials of either model is not deleted, and the users are named', async () => {
    await assert.rejects(org.deleteCertificate('Vendor_Signing'), (err: unknown) => {
      assert.ok(isRotationError(err, 'CERT_IN_USE'));
      for (const name of ['Orders_Current', 'Legacy_Jwt', 'Legacy_Password']) assert.match(err.message, new RegExp(name));
      // Legacy_Jwt names it twice (certificate and jwtSigningCertificate) and is named once
      assert.deepEqual(String(err.details.usedBy).split(',').sort(), ['Legacy_Jwt', 'Legacy_Password', 'Orders_Current']);
      return true;
    });
  });
});
