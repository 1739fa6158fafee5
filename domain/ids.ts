/**
 * Workflow ids people can read and derive: `project:<call id>:<application id>`, e.g.
 * `project:alliance-105:TE2-0001`, `call:<call id>` and the notices' ids below. Both parts allow only letters, digits
 * and hyphens, so the id splits back unambiguously.
 */
export const projectWorkflowId = (callId: string, applicationId: string): string => `project:${callId}:${applicationId}`;
export const callWorkflowId = (callId: string): string => `call:${callId}`;
/** One results-exhibition selection per call. */
export const exhibitionWorkflowId = (callId: string): string => `exhibition:${callId}`;

/** `notice:<project workflow id>:<notice id>`, one per notice a project owes (notice ids: machines/notices.ts). */
export const noticeWorkflowId = (projectWorkflowId: string, noticeId: string): string => `notice:${projectWorkflowId}:${noticeId}`;
