import { type z } from 'zod';
import { NewApplication } from '../../domain/application';
import { projectEventPayloads } from '../../domain/project-events';
import { html } from '../../server/web/html';
import { errorsFromIssues, readSchemaForm, renderSchemaFields } from '../../server/web/schema-form';
import { anApplication } from '../fixtures/applications';

/** The form a browser would send back for a drawn form: every input's name and value, as drawn. */
function drawnForm(markup: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [, name, value] of markup.matchAll(/<input type="(?:text|email)"[^>]*?name="([^"]+)" value="([^"]*)"/g))
    form[name!] = value!
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  for (const [, name, body] of markup.matchAll(/<textarea[^>]*?name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) form[name!] = body!;
  for (const [, name, options] of markup.matchAll(/<select[^>]*?name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g))
    form[name!] = /<option value="([^"]*)" selected>/.exec(options!)?.[1] ?? '';
  for (const [, name] of markup.matchAll(/<input type="checkbox"[^>]*?name="([^"]+)" value="true" checked/g)) form[name!] = 'true';
  return form;
}

describe('forms drawn from the zod schemas', () => {
  it('reads back exactly the application it was drawn from (unions, rows, numbers, booleans)', () => {
    const application = NewApplication.parse(
      anApplication({ pi: { ...anApplication().pi, qualification: { category: 'lecturer', yearsOfService: 4, hasPublicationsOrPatents: true } } }),
    );
    const { fields } = renderSchemaFields('zh-TW', NewApplication, application, new Map());
    const read = readSchemaForm(NewApplication, drawnForm(fields.text));
    expect(NewApplication.parse(read)).toEqual(application);
  });

  it('drops blank rows, leaves defaults to the schema and keeps what cannot be read for the schema to name', () => {
    const read = readSchemaForm(NewApplication, {
      id: 'TE2-0009',
      'budget.0.year': '1',
      'budget.0.personnel': '1,200,000',
      'budget.1.year': '',
      'budget.1.personnel': '',
      'pi.secondment': '',
      'pi.qualification.category': 'professor',
      'pi.qualification.@professor.rank': 'professor',
      'members.0.name': '',
      'members.0.industry': '',
      yearsRequested: 'three',
    }) as Record<string, unknown>;
    expect(read.budget).toEqual([{ year: 1, personnel: 1_200_000 }]);
    expect((read.pi as Record<string, unknown>).secondment).toBeUndefined();
    expect((read.pi as Record<string, unknown>).qualification).toEqual({ category: 'professor', rank: 'professor' });
    expect(read.members).toBeUndefined();
    const errors = errorsFromIssues(NewApplication.safeParse(read).error!.issues);
    expect(errors.get('yearsRequested')?.[0]).toMatch(/expected number/);
    expect(errors.get('title')).toBeDefined();
  });

  it('reads a decision by its chosen outcome only, amounts as a list', () => {
    const schema = projectEventPayloads['decision.record'] as z.ZodType;
    expect(readSchemaForm(schema, { outcome: 'approved', '@approved.amountsNtd': '2000000, 1,800,000', '@rejected.reason': 'x' })).toEqual({
      outcome: 'approved',
      amountsNtd: [2_000_000, 1_800_000],
    });
    expect(readSchemaForm(schema, { outcome: 'approved', '@approved.amountsNtd': '2000000,2000000,1800000' })).toEqual({
      outcome: 'approved',
      amountsNtd: [2_000_000, 2_000_000, 1_800_000],
    });
    expect(readSchemaForm(schema, { outcome: 'approved', '@approved.amountsNtd': '2000000\n1800000' })).toEqual({
      outcome: 'approved',
      amountsNtd: [2_000_000, 1_800_000],
    });
    expect(readSchemaForm(schema, { outcome: 'rejected', '@approved.amountsNtd': '', '@rejected.reason': '未獲推薦' })).toEqual({
      outcome: 'rejected',
      reason: '未獲推薦',
    });
  });

  it('shows each message at its field, linked from the summary, and escapes what people typed', () => {
    const schema = projectEventPayloads['review.record'] as z.ZodType;
    const value = { score: 150, recommendation: 'fund', comments: '<script>alert(1)</script>' };
    const drawn = renderSchemaFields('en', schema, value, errorsFromIssues(schema.safeParse(value).error!.issues));
    expect(drawn.fields.text).toMatch(/<ul class="field-errors" id="f-score-errors"><li>expected a score from 0 to 100<\/li><\/ul>/);
    expect(drawn.fields.text).toContain('aria-describedby="f-score-errors"');
    expect(drawn.summary.text).toContain('<a href="#f-score">score: expected a score from 0 to 100</a>');
    expect(drawn.fields.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(drawn.fields.text).not.toContain('<script>');
    expect(html`<p>${'"quoted" & <b>'}</p>`.text).toBe('<p>&quot;quoted&quot; &amp; &lt;b&gt;</p>');
  });
});
