/**
 * Workflow ids people can read and derive: `project:<call id>:<application id>`, e.g.
 * `project:alliance-105:TE2-0001`, and `call:<call id>`. Both parts allow only letters, digits
 * and hyphens, so the id splits back unambiguously.
 */
export const projectWorkflowId = (callId: string, applicationId: string): string => `project:${callId}:${applicationId}`;
export const callWorkflowId = (callId: string): string => `call:${callId}`;
