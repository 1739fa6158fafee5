import { z } from 'zod';
import { bounds, IdText, NameText, uniqueIds } from './bounds';

/**
 * Where an institution's research office is told, as the programme office keeps it: the address
 * endorsement requests and the institution's notices go to, whatever an applicant typed.
 */
export const InstitutionAddress = z
  .object({
    id: IdText().min(1),
    name: NameText().min(1),
    noticeEmail: z
      .email('expected the research office e-mail address, e.g. rd@ntu.edu.tw')
      .max(bounds.email, 'expected an e-mail address of at most 254 characters'),
  })
  .strict();
export type InstitutionAddress = z.infer<typeof InstitutionAddress>;

/** The office's registry of institutions for a call, keyed by institution id (the programme has about a hundred). */
export const InstitutionRegistry = z.array(InstitutionAddress).max(2_000, 'expected at most 2,000 institutions').superRefine(uniqueIds('institution'));
export type InstitutionRegistry = z.infer<typeof InstitutionRegistry>;
