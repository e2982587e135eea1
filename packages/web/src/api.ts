import { createApiClient, type paths, type Schemas } from '@mci/client';

/** The dashboard's API client: same origin, authenticated by the session cookie. */
export const api = createApiClient({ baseUrl: window.location.origin });

export type Problem = Schemas['Problem'] & Record<string, unknown>;

/** An API refusal, carrying the problem+json body so forms can show field errors. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** The data of a call, or an {@link ApiProblem}. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiProblem(
      result.response.status,
      (result.error ?? { detail: result.response.statusText }) as Problem,
    );
  }
  return result.data as T;
}

/** The message for one field of a problem (`body.name` and `name` both match `name`). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.problem.errors?.find(
    (e) => e.path === field || e.path === `body.${field}` || e.path.endsWith(`.${field}`),
  )?.message;
}

export type { paths, Schemas };
