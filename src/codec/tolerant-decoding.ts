/**
 * A payload codec layer for workers: decodes each payload with the inner codec (the
 * encryption codec), and turns one it cannot decode — encrypted under a key the worker
 * does not have, altered, or forged by whoever can send a signal — into a JSON marker
 * (src/domain/operator-messages.ts `UNDECODABLE_PAYLOAD`) instead of failing the whole
 * workflow activation, which would wedge the rotation on every retry. The message handler
 * refuses the marker with a reason. Clients keep the strict codec: a CLI that cannot
 * decrypt a result should say so, not show a marker.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { UNDECODABLE_PAYLOAD } from '../domain/operator-messages';

const utf8 = new TextEncoder();

export class TolerantDecoding implements PayloadCodec {
  constructor(private readonly inner: PayloadCodec) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.inner.encode(payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        try {
          const [decoded] = await this.inner.decode([payload]);
          return decoded ?? payload;
        } catch (error) {
          const marker = { [UNDECODABLE_PAYLOAD]: error instanceof Error ? error.name : 'undecodable' };
          return { metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode(JSON.stringify(marker)) };
        }
      }),
    );
  }
}
