// Keyset pagination: lists answer `{ data, nextCursor }`, newest first by id.
import type { Model, QueryBuilder } from 'objection';
import { z } from 'zod';

export const pageQuery = z.object({
  cursor: z.string().regex(/^\d+$/, 'cursor must come from a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export async function paginate<M extends Model & { id: number }>(
  query: QueryBuilder<M, M[]>,
  page: { cursor?: string; limit: number },
  column: string,
): Promise<Page<M>> {
  if (page.cursor) query.where(column, '<', Number(page.cursor));
  const rows = (await query.orderBy(column, 'desc').limit(page.limit + 1)) as M[];
  const hasMore = rows.length > page.limit;
  const data = hasMore ? rows.slice(0, page.limit) : rows;
  return { data, nextCursor: hasMore ? String(data[data.length - 1].id) : null };
}
