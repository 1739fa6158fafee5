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

/**
 * The project a workflow's payloads belong to, for its documents' key (activities/documents): a
 * project's own workflow and its notices; none for a call, an exhibition or the service's sweeps.
 */
export function projectOfWorkflowId(workflowId: string): string | undefined {
  const parts = workflowId.split(':');
  if (parts[0] === 'project' && parts.length === 3) return workflowId;
  if (parts[0] === 'notice' && parts[1] === 'project' && parts.length >= 5) return parts.slice(1, 4).join(':');
  return undefined;
}
