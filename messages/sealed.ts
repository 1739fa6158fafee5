// Whether a command reached a workflow sealed under the service's payload keys. Holding the keys is
// what makes a sender the service: the encryption codec marks a payload that arrived in plaintext
// (`UNSEALED_METADATA`), and the service's payload converter, which runs inside the workflow too,
// marks the value decoded from it, so a validator refuses it before it enters history.
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';

/** The metadata key the encryption codec adds to a payload that was not sealed. */
export const UNSEALED_METADATA = 'alliance-unsealed';

/** A hidden mark on a value decoded from an unsealed payload: not enumerable, so no schema or spread sees it. */
const UNSEALED = Symbol.for('alliance.unsealed');

export const isUnsealed = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[UNSEALED] === true;

/** The refusal's words: who may command a workflow, and how. */
export const unsealedRefusal = (what: string): string =>
  `${what} was refused: only the service commands its workflows, with payloads sealed under its payload keys; this one came in plaintext (sent straight to Temporal?). Send it through the API or the alliance command line.`;

/** Temporal's default conversion, and the mark on a value from an unsealed payload. */
class SealAwarePayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    return defaultPayloadConverter.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    const value = defaultPayloadConverter.fromPayload<T>(payload);
    if (payload.metadata?.[UNSEALED_METADATA] && typeof value === 'object' && value !== null && Object.isExtensible(value))
      Object.defineProperty(value, UNSEALED, { value: true, enumerable: false });
    return value;
  }
}

export const payloadConverter = new SealAwarePayloadConverter();
