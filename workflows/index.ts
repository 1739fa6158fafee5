// Every workflow of the service, for the worker's workflowsPath.
export { projectWorkflow } from './project-workflow';
export { callWorkflow } from './call-workflow';
export { archiveWorkflow } from './archive-workflow';
export { noticeWorkflow } from './notice-workflow';
export { checkpointWorkflow } from './checkpoint-workflow';
export { archiveSweepWorkflow } from './archive-sweep-workflow';
export { exhibitionWorkflow } from './exhibition-workflow';
