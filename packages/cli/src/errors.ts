/** Exit codes of `mci` (documented in its help). */
export const EXIT = { ok: 0, usage: 1, refused: 2, unreachable: 3 } as const;

/** Wrong or missing arguments, or no login: exit 1. */
export class UsageError extends Error {}

/** The server answered with a problem+json: exit 2, shown as one line plus its field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: {
      code?: string;
      detail?: string;
      title?: string;
      errors?: { path: string; message: string }[];
    } & Record<string, unknown>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The server could not be reached: exit 3. */
export class UnreachableError extends Error {}
