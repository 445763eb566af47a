export { Ductape, type DuctapeOptions } from "./client";
export { DuctapeError } from "./error-base";
export type { DuctapeWarning } from "./envelope";
export * from "./ops.gen";
import { native } from "./native";

/** The description of this build (operations, JSON Schemas, error codes, options). */
export function describe(): unknown {
  return JSON.parse(native.describe());
}

/**
 * This package's version (package.json's, which scripts/check-versions.sh keeps equal to the
 * workspace's; a test checks it against nativeVersion()).
 */
export const version: string = require("../package.json").version;

/** The version of the native library. */
export function nativeVersion(): string {
  return native.nativeVersion();
}

/** How many tasks are alive on the core's runtime (tests: an aborted call's task is gone). */
export function debugAliveTasks(): number {
  return native.debugAliveTasks();
}
