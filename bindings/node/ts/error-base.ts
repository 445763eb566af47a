/** What every Ductape call throws: the core's error envelope as an exception. Each code has its
 * subclass (`NotFoundError`, `InvalidArgumentError`, ...; see `ERROR_CLASSES`), so both
 * `err.code === "not_found"` and `err instanceof NotFoundError` work. */
export class DuctapeError extends Error {
  /** The core's stable error code (`invalid_argument`, `not_found`, ...). */
  readonly code: string;
  /** The request field the error is about (`name`, `scopes[1]`, `$` for the whole request). */
  readonly field: string | undefined;
  /** Structured details the core attached (Atlas's error code, validation checks, ...). */
  readonly details: unknown;

  constructor(code: string, message: string, field?: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}
