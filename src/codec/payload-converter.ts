/**
 * The payload converter baked into the workflow bundle (src/workers/workflow-bundle.ts):
 * the SDK's default JSON converter, except that a payload it cannot read — an unknown
 * encoding such as a forged `binary/encrypted` signal sent to a worker without the codec,
 * or bytes that are not JSON — becomes a marker value instead of an exception. Anyone who
 * can signal a workflow can send such a payload; thrown while decoding a signal, it would
 * fail every workflow task of the rotation for good. The marker reaches the message
 * handler, whose schema refuses it (src/domain/operator-messages.ts).
 *
 * Workflow-safe: it runs inside the workflow sandbox.
 */
import { DefaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { UNDECODABLE_PAYLOAD } from '../domain/operator-messages';

class TolerantPayloadConverter implements PayloadConverter {
  private readonly inner = new DefaultPayloadConverter();

  toPayload<T>(value: T): Payload {
    return this.inner.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return this.inner.fromPayload<T>(payload);
    } catch (error) {
      return { [UNDECODABLE_PAYLOAD]: error instanceof Error ? error.name : 'undecodable' } as T;
    }
  }
}

export const payloadConverter = new TolerantPayloadConverter();
