// Custom search attributes every run carries, so ops can filter runs in the Temporal Web UI.
// Starters attach them; workflow code never needs to.
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
} from '@temporalio/common';

export const SEARCH_ATTRIBUTES = [
  'TenantId',
  'TicketId',
  'ChannelId',
  'ContactId',
  'CampaignId',
  'FlowId',
] as const;

export type SearchAttributeName = (typeof SEARCH_ATTRIBUTES)[number];

const keyOf = (name: SearchAttributeName) =>
  defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);

/** Typed search attributes from ids, e.g. `searchAttributes({ TenantId: 3, TicketId: 41 })`. */
export function searchAttributes(
  ids: Partial<Record<SearchAttributeName, number | string>>,
): TypedSearchAttributes {
  return new TypedSearchAttributes(
    Object.entries(ids)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => ({
        key: keyOf(name as SearchAttributeName),
        value: String(value),
      })),
  );
}
