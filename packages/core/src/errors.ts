/** One problem with one input field, reported back to the caller as `errors[]`. */
export interface FieldError {
  path: string;
  message: string;
}

/** Base of every domain error: a stable snake_case `code` that clients can branch on. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly errors?: FieldError[];
  /** Structured facts that help the caller act on the error (e.g. the supported clouds). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    opts: { errors?: FieldError[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.errors = opts.errors;
    this.details = opts.details;
  }
}

/** The request is well-formed but breaks a rule (422), or is malformed (400 via `status`). */
export class InputError extends DomainError {
  readonly status: number;
  constructor(
    code: string,
    message: string,
    opts: {
      errors?: FieldError[];
      details?: Record<string, unknown>;
      cause?: unknown;
      status?: 400 | 413 | 422;
    } = {},
  ) {
    super(code, message, opts);
    this.status = opts.status ?? 422;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} was not found`, { details: { resource: what, id } });
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  constructor(message = 'Authentication is required: send "Authorization: Bearer <token>" or sign in') {
    super('unauthenticated', message);
  }
}

export class PreconditionFailedError extends DomainError {
  readonly status = 412;
}

/**
 * A cloud refused or failed a call the service made on the caller's behalf (502 `cloud_error`):
 * the message is the cloud's, its own error code is in `details.cloudCode`.
 */
export class CloudFailureError extends DomainError {
  readonly status = 502;
}
