import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces travel as an encoded payload, so the payload codec encrypts
 * them too: a refusal can quote a name or an address. Loaded by path (the workflow sandbox too).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
