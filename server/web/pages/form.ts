// A page that is one form: the fields drawn from a schema, the error summary, one button.
import { html, type Html } from '../html';
import { translator } from '../i18n';
import { localMessage } from '../messages';
import { csrfField, page, type PageContext } from '../layout';

/** A form page of its own: opening a call, a new application. */
export function formPage(
  context: PageContext,
  title: string,
  action: string,
  drawn: { fields: Html; summary: Html },
  message?: string,
  submit?: string,
  /** `multipart/form-data` when the form carries a file. */
  enctype?: string,
): string {
  const t = translator(context.lang);
  return page(
    context,
    title,
    html`
    ${message ? html`<div class="error-summary" role="alert"><h2>${t('refusedTitle')}</h2><p>${localMessage(context.lang, message)}</p></div>` : ''}${drawn.summary}
    <form method="post" action="${action}" ${enctype ? html`enctype="${enctype}"` : ''} novalidate>${csrfField(context)}${drawn.fields}<button type="submit">${submit ?? t('send')}</button></form>`,
  );
}
