// A page's file upload (multipart/form-data, one file): its fields, and the file read as it arrives,
// never past the limit its own fields name (the kind of document): a larger file is dropped as it
// comes, and the refusal is given with the fields once the last byte is read, so the form's own
// checks (its CSRF token) still run and the browser gets its answer.
import { Busboy } from '@fastify/busboy';
import type { IncomingMessage } from 'node:http';
import { AllianceError } from '../../domain/errors';

export interface Upload {
  fields: Record<string, string>;
  file: { name: string; bytes: Buffer } | null;
  /** Why the file was not kept (too large, or `limitOf` refused): the form's answer, after its checks. */
  refusal: Error | null;
}

/**
 * Reads the form; `limitOf` is asked, with the fields before the file, how large the file may be
 * (it may refuse: its error is the form's, once the rest is read and dropped). A body that is not a
 * multipart form, or that breaks off, is refused; a client gone away ends the read.
 */
export function readUpload(request: IncomingMessage, limitOf: (fields: Record<string, string>) => number, fieldSize = 4096, maxFields = 10): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: InstanceType<typeof Busboy>;
    try {
      parser = new Busboy({ headers: request.headers as never, limits: { files: 1, fields: maxFields, fieldSize, parts: maxFields + 2 } });
    } catch (error) {
      return reject(new AllianceError('VALIDATION', `The upload is not a multipart form: ${(error as Error).message}.`));
    }
    const fields: Record<string, string> = {};
    let file: Upload['file'] = null;
    let refusal: Error | null = null;
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      request.resume();
      reject(new AllianceError('VALIDATION', `The upload could not be read: ${error.message}.`));
    };
    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated && !refusal) refusal = new AllianceError('VALIDATION', `The field ${name} may be at most ${fieldSize.toLocaleString('en-US')} bytes.`);
      fields[name] = value;
    });
    parser.on('file', (_field, stream, filename) => {
      // A part cut off mid-way is an error of the file's stream: heard here, never thrown at the process.
      stream.on('error', fail);
      let limit = 0;
      try {
        limit = limitOf(fields);
      } catch (error) {
        refusal ??= error as Error;
        return void stream.resume();
      }
      const chunks: Buffer[] = [];
      let received = 0;
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= limit) chunks.push(chunk);
        else if (!refusal) {
          chunks.length = 0;
          refusal = new AllianceError('TOO_LARGE', `The file may be at most ${limit.toLocaleString('en-US')} bytes; it was not kept.`);
        }
      });
      stream.on('end', () => {
        if (!refusal) file = { name: filename, bytes: Buffer.concat(chunks) };
      });
    });
    // A form with more fields than its page draws is refused, not read in part.
    const tooMany = (): void => {
      refusal ??= new AllianceError('VALIDATION', `The form may have at most ${maxFields} fields and one file.`);
    };
    parser.on('fieldsLimit', tooMany);
    parser.on('partsLimit', tooMany);
    parser.on('filesLimit', tooMany);
    parser.on('error', fail);
    request.on('error', fail);
    request.on('aborted', () => fail(new Error('the browser stopped sending it')));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, file, refusal });
    });
    request.pipe(parser);
  });
}
