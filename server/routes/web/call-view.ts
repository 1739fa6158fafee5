// A call's page as the viewer may see it: the call view the law allows, the office's operations,
// an institution's roster form, and while a round is open how many reviews each application has.
import { projectWorkflowId } from '../../../domain/ids';
import { checkAccess } from '../../../machines/access';
import { callViewFor } from '../../../machines/views';
import type { Services } from '../../services/services';
import type { PageContext } from '../../web/layout';
import { callPage } from '../../web/pages/call';
import { bulkForms } from './bulk-operations';

export async function renderCall(
  services: Services,
  context: PageContext,
  callId: string,
  extra: Partial<Parameters<typeof callPage>[1]> = {},
): Promise<string> {
  const status = await services.bounded('command', () => services.calls.status(callId));
  const view = callViewFor(context.actor, status);
  const everything = !checkAccess('audit.read', context.actor);
  const openRound = status.rounds.some((r) => !r.closedAt);
  const reviewProgress = everything && openRound ? await reviewsIn(services, callId, Object.entries(status.assignments)) : [];
  return callPage(context, {
    view,
    operations: checkAccess('call.operate', context.actor) ? [] : bulkForms,
    mayRoster: !checkAccess('call.roster', context.actor),
    reviewProgress,
    ...extra,
  });
}

async function reviewsIn(
  services: Services,
  callId: string,
  assignments: [string, string[]][],
): Promise<{ applicationId: string; assigned: number; recorded: number }[]> {
  const rows: { applicationId: string; assigned: number; recorded: number }[] = [];
  const queue = [...assignments];
  const workers = Array.from({ length: 8 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [applicationId, reviewers] = next;
      const view = await services.bounded('command', () => services.projects.view(projectWorkflowId(callId, applicationId))).catch(() => null);
      rows.push({ applicationId, assigned: reviewers.length, recorded: view?.context.reviews.length ?? 0 });
    }
  });
  await Promise.all(workers);
  return rows.sort((a, b) => (a.applicationId < b.applicationId ? -1 : 1));
}
