// The addon built by `napi build` (ductape.node next to package.json); its types are napi's
// generated ./native.d.ts.
import type * as Native from "./addon";

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: typeof Native = require("../ductape.node");
