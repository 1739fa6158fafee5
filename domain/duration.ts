import { z } from 'zod';
import { ISO_DURATION } from './duration-math';

export { addDuration, nthPeriodStart, parseDuration, subtractDuration, type DurationParts } from './duration-math';

export const IsoDuration = z
  .string()
  .max(64, 'expected an ISO-8601 duration such as P3M, P30D or PT5S')
  .regex(ISO_DURATION, 'expected an ISO-8601 duration such as P3M, P30D or PT5S');
export type IsoDuration = z.infer<typeof IsoDuration>;
