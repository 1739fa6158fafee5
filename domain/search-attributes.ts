import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The project's custom search attributes. The platform registers them on every cluster it starts
 * or joins; workflows upsert them on every transition, so the office can ask Temporal's visibility
 * store questions such as `AllianceDivision = 'TE2' AND AllianceOverdue = true`.
 * SQLite visibility allows only 3 Int attributes: keep it that way or move to Keyword.
 */
export const searchAttributes = {
  callId: defineSearchAttributeKey('AllianceCallId', SearchAttributeType.KEYWORD),
  rocYear: defineSearchAttributeKey('AllianceRocYear', SearchAttributeType.INT),
  division: defineSearchAttributeKey('AllianceDivision', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('AllianceRegion', SearchAttributeType.KEYWORD),
  institution: defineSearchAttributeKey('AllianceInstitution', SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey('AllianceState', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('AlliancePhase', SearchAttributeType.INT),
  projectYear: defineSearchAttributeKey('AllianceProjectYear', SearchAttributeType.INT),
  overdue: defineSearchAttributeKey('AllianceOverdue', SearchAttributeType.BOOL),
} as const;

export const allSearchAttributeKeys = Object.values(searchAttributes);
