import { native } from "./native";
import type { NativeClient } from "./addon";
import { decode, errorFrom, type DuctapeWarning } from "./envelope";
import {
  OPERATION_NAMES,
  type CallOptions,
  type CoreOptions,
  type DuctapeApi,
  type Operations,
  type ProgressEvent,
} from "./ops.gen";

/** Options of `new Ductape(options)`: the core's (generated from its description; an unknown
 * option is a compile error, and the core refuses it at run time), plus `onWarning` for the
 * warnings the core attaches to replies (default: `process.emitWarning`). */
export interface DuctapeOptions extends CoreOptions {
  onWarning?: (warning: DuctapeWarning) => void;
}

function emitWarning(w: DuctapeWarning): void {
  process.emitWarning(w.message, { type: "DuctapeWarning", code: w.code });
}

/** A Ductape client on one workspace. Every method answers a Promise; share one client between
 * any number of concurrent calls.
 *
 * ```ts
 * const ductape = new Ductape({ workspace_dir: "./.ductape" });
 * await ductape.cloud.connections.create({ provider: "mongodb_atlas", name: "prod_atlas", scopes: ["database"] });
 * ```
 */
export class Ductape {
  readonly #native: NativeClient;
  readonly #onWarning: (w: DuctapeWarning) => void;
  readonly #api: DuctapeApi;

  /** Opens the workspace; throws the error class of the core's code on bad options. */
  constructor(options: DuctapeOptions = {}) {
    const { onWarning, ...core } = options;
    this.#onWarning = onWarning ?? emitWarning;
    try {
      this.#native = native.NativeClient.open(JSON.stringify(core));
    } catch (e) {
      throw openError(e);
    }
    this.#api = facade((op, params, opts) => this.call(op, params, opts));
  }

  get cloud(): DuctapeApi["cloud"] {
    return this.#api.cloud;
  }
  get secrets(): DuctapeApi["secrets"] {
    return this.#api.secrets;
  }
  get products(): DuctapeApi["products"] {
    return this.#api.products;
  }
  get workspace(): DuctapeApi["workspace"] {
    return this.#api.workspace;
  }

  /** Runs any operation by name: typed for the operations of docs/operations.json, untyped for
   * others (the `debug.*` operations of test builds); a known operation's request is always checked. */
  call<K extends keyof Operations>(
    operation: K,
    request?: Operations[K]["request"],
    options?: CallOptions,
  ): Promise<Operations[K]["reply"]>;
  call<Name extends string>(
    operation: Name extends keyof Operations ? never : Name,
    request?: unknown,
    options?: CallOptions,
  ): Promise<unknown>;
  call(operation: string, request?: unknown, options?: CallOptions): Promise<unknown> {
    return this.callJson(operation, JSON.stringify(request ?? null), options);
  }

  /** `call` with the request as JSON text, sent to the core verbatim. */
  async callJson(operation: string, requestJson: string, options: CallOptions = {}): Promise<unknown> {
    const { signal, onProgress } = options;
    // An aborted signal cancels the call in Rust: the task is aborted and the promise rejects
    // with CancelledError (also for a signal aborted before the call: the token keeps the cancel).
    const token = signal ? new native.CancelToken() : undefined;
    const abort = () => token?.cancel();
    if (signal?.aborted) abort();
    signal?.addEventListener("abort", abort, { once: true });
    const progress = onProgress && progressBridge(operation, onProgress);
    try {
      const reply = await this.#native.call(operation, requestJson, token, progress);
      return decode(reply, this.#onWarning);
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  /** Every operation this package has types for. */
  operations(): readonly string[] {
    return OPERATION_NAMES;
  }

  /** Closes the client: later calls throw `FailedPreconditionError`; calls already running finish. */
  close(): void {
    this.#native.close();
  }

  /** `await using ductape = new Ductape(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** The addon's progress callback over the user's: a listener that throws is reported once (a
 * process warning) and not called again for that call; the call itself carries on. */
function progressBridge(operation: string, onProgress: (event: ProgressEvent) => void): (json: string) => void {
  let broken = false;
  return (json) => {
    if (broken) return;
    try {
      onProgress(JSON.parse(json) as ProgressEvent);
    } catch (e) {
      broken = true;
      process.emitWarning(`a progress listener of ${operation} threw; no more events for this call: ${String(e)}`, {
        type: "DuctapeWarning",
        code: "progress_listener_failed",
      });
    }
  };
}

type Caller = (op: string, params: unknown, options?: CallOptions) => Promise<unknown>;

/** The namespaces (`cloud.connections.create`, `cloud.resources.import`, ...) from the operation
 * names: each leaf sends its request to `call` unchanged. */
function facade(call: Caller): DuctapeApi {
  const root: Record<string, unknown> = {};
  for (const name of OPERATION_NAMES) {
    const parts = name.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = (request?: unknown, options?: CallOptions) => call(name, request, options);
  }
  return root as unknown as DuctapeApi;
}

/** The constructor's failure: the addon throws an `Error` whose message is the error envelope. */
function openError(e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  try {
    const envelope = JSON.parse(message) as { error?: { code?: string } };
    if (envelope.error) return errorFrom(envelope.error);
  } catch {
    // not an envelope: a failure of the addon itself
  }
  return e instanceof Error ? e : new Error(message);
}
