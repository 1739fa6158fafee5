import { Call } from '../call';
import call105 from './alliance-105.json';

/** The call of ROC year 105, validated: the programme's real calendar and policy. */
export const alliance105: Call = Call.parse(call105);
