// The web pages: server-rendered, working without script, behind the browser log-in. Every page
// reads through the same services and asks the same law (machines/) as the API: the views decide
// what is shown, the workflows' validators what is accepted.
import type { FastifyPluginCallback } from 'fastify';
import { formBodies } from '../../plugins/forms';
import { pageErrors } from '../../plugins/page-errors';
import { pageSessionLookup } from '../../plugins/page-session';
import { auditPages } from './audit';
import { callJobPages } from './call-jobs';
import { callPages } from './calls';
import { homePages } from './home';
import { pageKit, type WebSettings } from './kit';
import { projectPages } from './projects';

export type { WebSettings } from './kit';

export const webRoutes =
  (settings: WebSettings): FastifyPluginCallback =>
  (app, _options, done) => {
    formBodies(app);
    pageSessionLookup(app, settings.sessions);
    const kit = pageKit(settings);
    pageErrors(app, kit.langOf, kit.send);
    homePages(app, kit);
    callPages(app, kit);
    callJobPages(app, kit);
    projectPages(app, kit);
    auditPages(app, kit);
    done();
  };
