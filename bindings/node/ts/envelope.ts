import { DuctapeError } from "./error-base";
import { ERROR_CLASSES } from "./ops.gen";

/** A warning the core attached to a successful reply (`{code, message}`). */
export interface DuctapeWarning {
  code: string;
  message: string;
  [key: string]: unknown;
}

interface WireError {
  code?: string;
  message?: string;
  field?: string;
  details?: unknown;
}

/** The exception for an envelope's error: the class of its code, `DuctapeError` for a code this
 * package does not know yet. */
export function errorFrom(error: WireError): DuctapeError {
  const code = error.code ?? "internal";
  const Class = (ERROR_CLASSES as Record<string, typeof DuctapeError | undefined>)[code] ?? DuctapeError;
  return new Class(code, error.message ?? "", error.field ?? undefined, error.details ?? undefined);
}

/** The result of an envelope, or its error thrown; warnings go to `onWarning`. */
export function decode(reply: string, onWarning: (w: DuctapeWarning) => void): unknown {
  const envelope = JSON.parse(reply) as { ok: boolean; result?: unknown; error?: WireError; warnings?: DuctapeWarning[] };
  for (const warning of envelope.warnings ?? []) onWarning(warning);
  if (envelope.ok) return envelope.result;
  throw errorFrom(envelope.error ?? {});
}
