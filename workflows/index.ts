/**
 * Every workflow of the service, for the worker's workflowsPath. Each workflow execution evaluates
 * this module graph afresh in its sandbox: the light workflows (a notice, the archive, a checkpoint)
 * are imported as they are, while the project, call and exhibition workflows — the law, its
 * machines and every schema — load only in the executions that run them. Evaluating the whole
 * graph cost each notice about 30 ms of the workflow thread.
 */
import type * as ProjectModule from './project-workflow';
import type * as CallModule from './call-workflow';
import type * as ExhibitionModule from './exhibition-workflow';

export { archiveWorkflow } from './archive-workflow';
export { noticeWorkflow } from './notice-workflow';
export { checkpointWorkflow } from './checkpoint-workflow';
export { archiveSweepWorkflow } from './archive-sweep-workflow';
export { retentionSweepWorkflow } from './retention-sweep-workflow';
export { digestWorkflow, preferencesWorkflow } from './digest-workflow';

/* eslint-disable @typescript-eslint/no-require-imports -- a require in the body is what defers the module's evaluation to the executions that call it */
export function projectWorkflow(...args: Parameters<typeof ProjectModule.projectWorkflow>): ReturnType<typeof ProjectModule.projectWorkflow> {
  return (require('./project-workflow') as typeof ProjectModule).projectWorkflow(...args);
}

export function callWorkflow(...args: Parameters<typeof CallModule.callWorkflow>): ReturnType<typeof CallModule.callWorkflow> {
  return (require('./call-workflow') as typeof CallModule).callWorkflow(...args);
}

export function exhibitionWorkflow(...args: Parameters<typeof ExhibitionModule.exhibitionWorkflow>): ReturnType<typeof ExhibitionModule.exhibitionWorkflow> {
  return (require('./exhibition-workflow') as typeof ExhibitionModule).exhibitionWorkflow(...args);
}
/* eslint-enable @typescript-eslint/no-require-imports */
