import { createApiClient, type ApiClient } from '@mci/client';
import { ApiError, UnreachableError } from './errors.ts';

/** A client whose network failures become {@link UnreachableError} (exit 3). */
export function connect(server: string, token?: string): ApiClient {
  const guardedFetch: typeof fetch = async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (err) {
      throw new UnreachableError(
        `cannot reach ${server}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`,
      );
    }
  };
  return createApiClient({ baseUrl: server, token, fetch: guardedFetch });
}

/** The data of a successful call, or an {@link ApiError} carrying the problem details. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (result.error ?? {}) as ConstructorParameters<typeof ApiError>[1];
    throw new ApiError(result.response.status, problem);
  }
  return result.data as T;
}

/**
 * Walks every page of a list, calling `onPage` with the running count (for progress bars).
 * `fetchPage` gets the cursor of the next page.
 */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  onPage?: (count: number) => void,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    onPage?.(items.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
