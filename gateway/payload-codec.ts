import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from '../activities/crypto/key-ring';
import type { DocumentStore } from '../activities/documents/document-store';
import { bounds } from '../domain/bounds';
import { UNSEALED_METADATA } from '../messages/sealed';
import { DocumentCodec } from './document-codec';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
/** Bound into every payload's seal: a payload ciphertext opens only as a payload. */
const CONTEXT = 'temporal payload';

const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * AES-256-GCM over the whole payload (data and metadata), under the key ring's current key; the
 * key id travels in plaintext metadata so rotated keys still open old histories. Payloads that
 * were never encrypted (histories from before, or a command sent around the service) pass through
 * marked unsealed.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const sealed = this.ring.seal(temporal.api.common.v1.Payload.encode(payload).finish(), CONTEXT);
        return {
          metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(sealed.keyId) },
          data: sealed.bytes,
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        // Histories from before encryption replay as they are; a command so sent now is marked, and refused (messages/sealed.ts).
        if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING)
          return { ...payload, metadata: { ...payload.metadata, [UNSEALED_METADATA]: Buffer.from('1') } };
        const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
        const plain = this.ring.open({ keyId, bytes: Buffer.from(payload.data ?? []) }, CONTEXT);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}

/**
 * The data converter of every Temporal client and worker of the service: long documents left in
 * the document store by reference, then payloads and failure messages encrypted before they leave
 * the process. Search attributes are not payloads the codecs see: they hold only call, division,
 * region, institution code, state, year and phase.
 */
export function serviceDataConverter(ring: KeyRing, documents: DocumentStore): DataConverter {
  return { payloadCodecs: [new DocumentCodec(documents, bounds.documents), new EncryptionCodec(ring)], failureConverterPath, payloadConverterPath };
}

export const failureConverterPath = require.resolve('./failure-converter');
/** The service's payload converter (messages/sealed.ts), in the workflows' bundle as in the activities. */
export const payloadConverterPath = require.resolve('../messages/sealed');
