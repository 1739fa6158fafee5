import { z } from 'zod';
import { atMost, bounds, IdText, NameText, uniqueIds } from './bounds';
import { Division } from './application';

/** A member of the reviewer pool; conflicts are declared by application or by institution. */
export const Reviewer = z
  .object({
    id: IdText().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected letters, digits and hyphens, e.g. rev-te2-01'),
    name: NameText().min(1),
    email: z.email().max(bounds.email, 'expected an e-mail address of at most 254 characters'),
    institutionId: IdText().min(1),
    divisions: z
      .array(Division)
      .min(1, 'expected at least one review division')
      .max(...atMost(Division.options.length)),
    conflicts: z
      .object({ applicationIds: z.array(IdText()).max(bounds.list).default([]), institutionIds: z.array(IdText()).max(bounds.list).default([]) })
      .strict()
      .default({ applicationIds: [], institutionIds: [] }),
  })
  .strict();
export type Reviewer = z.infer<typeof Reviewer>;

export const ReviewerPool = z
  .array(Reviewer)
  .max(...atMost(10 * bounds.list))
  .superRefine(uniqueIds('reviewer'));
export type ReviewerPool = z.infer<typeof ReviewerPool>;
