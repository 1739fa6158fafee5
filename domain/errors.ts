/**
 * Every way a command can fail, as the client library and the `alliance` command report it.
 * The exit status of the command line is part of the contract (see docs/cli.md).
 */
export const errorCodes = {
  VALIDATION: { exitStatus: 2, meaning: 'the input is malformed: fix the named field' },
  ROLE_NOT_ALLOWED: { exitStatus: 3, meaning: 'the acting role may not send this command' },
  FORBIDDEN: { exitStatus: 8, meaning: 'the project is not yours: it names another PI or institution, or is not assigned to you' },
  ILLEGAL_TRANSITION: { exitStatus: 4, meaning: 'the project is not in a state that accepts this command now' },
  NOT_FOUND: { exitStatus: 5, meaning: 'no such project or call' },
  NOT_REACHABLE: { exitStatus: 6, meaning: 'the Temporal service cannot be reached' },
  INTEGRITY: { exitStatus: 7, meaning: 'the audit ledger does not verify: an entry was altered, removed or disagrees with Temporal' },
  INTERNAL: { exitStatus: 1, meaning: 'the service failed to answer: a bug of ours, logged on the server' },
  STALE: { exitStatus: 10, meaning: 'the project changed since it was read (If-Match): read it again and decide anew' },
  TOO_MANY: { exitStatus: 11, meaning: 'too many commands or log-ins in a minute: wait as long as the message says, then send it again' },
  KEY_REUSED: { exitStatus: 12, meaning: 'the Idempotency-Key was used before for another request: send a new key with a new command' },
  TOO_LARGE: { exitStatus: 13, meaning: 'the document is larger than its kind may be under the call: send a smaller file' },
  UNSUPPORTED_FORMAT: { exitStatus: 14, meaning: 'the document is not in a format its kind is taken in (PDF, DOCX, XLSX, ODT, as the call says)' },
  UNAUTHENTICATED: { exitStatus: 9, meaning: 'no valid log-in: run `alliance login` (the token is missing, expired or not for this service)' },
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** The one error type of the client edge: a closed set of codes and a message a person can act on. */
export class AllianceError extends Error {
  override readonly name = 'AllianceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
