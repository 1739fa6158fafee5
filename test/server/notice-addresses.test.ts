// Where notices go is not the applicant's to say: the PI is told at the address the identity
// provider verified for the account that registers, an institution's research office at the
// address the office's registry keeps for the call; an update cannot redirect either.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { alliance105 } from '../../domain/calls';
import type { Problem } from '../../domain/api';
import { anApplication } from '../fixtures/applications';
import { call, tokenFor, withApi } from '../helpers/api';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall as calendar } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

jest.setTimeout(3 * 60_000);

type Seen = { context: { application: { pi: { email: string }; institution: { researchOfficeEmail?: string } } } };

it("tells the PI at the provider's verified address and the research office at the registry's, whatever the application names", async () => {
  await withApi(env, bundle, async (api) => {
    const [office, lin, chen] = await Promise.all(['kao', 'pi-lin', 'pi-chen'].map((u) => tokenFor(u)));
    const callFile = compressedCall(alliance105, Date.now(), calendar, uniqueName('addresses'));
    const institutions = [{ id: 'NTU', name: '國立臺灣大學', noticeEmail: 'rd-registry@ntu.edu.tw' }];
    expect((await call(api, 'POST', `/api/calls`, office, { call: callFile, reviewerPool: [], institutions })).status).toBe(201);

    const base = anApplication({ id: 'TE2-0001' });
    const typed = {
      ...base,
      pi: { ...base.pi, email: 'someone@elsewhere.example' },
      institution: { ...base.institution, researchOfficeEmail: 'inbox@elsewhere.example' },
    };
    expect((await call(api, 'POST', `/api/calls/${callFile.id}/applications`, lin, { application: typed })).status).toBe(201);
    const project = `/api/projects/${callFile.id}/TE2-0001`;
    const seen = await call<Seen>(api, 'GET', project, lin);
    expect(seen.status).toBe(200);
    expect(seen.body.context.application.pi.email).toBe('lin@ntu.edu.tw');
    expect(seen.body.context.application.institution.researchOfficeEmail).toBe('rd-registry@ntu.edu.tw');

    // An update cannot redirect the PI's notices (nor the office's, as before).
    const redirected = { ...seen.body.context.application, pi: { ...seen.body.context.application.pi, email: 'someone@elsewhere.example' } };
    const update = await call<Problem>(api, 'POST', `${project}/application.update`, lin, { application: redirected });
    expect(update.status).toBe(403);
    expect(update.body.detail).toMatch(/told at the address verified at registration \(lin@ntu.edu.tw\)/);

    // An institution the registry does not hold: refused, and nothing registered.
    const ncku = anApplication({ id: 'TE2-0002' });
    const elsewhere = {
      ...ncku,
      pi: { ...ncku.pi, id: 'pi-chen' },
      institution: { ...ncku.institution, id: 'NCKU', name: '國立成功大學', researchOfficeEmail: 'rd@ncku.edu.tw' },
    };
    const refused = await call<Problem>(api, 'POST', `/api/calls/${callFile.id}/applications`, chen, { application: elsewhere });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/institution NCKU is not in this call's registry of institutions/);
    expect((await call(api, 'GET', `/api/projects/${callFile.id}/TE2-0002`, chen)).status).toBe(404);
  });
});
