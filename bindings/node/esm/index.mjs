// The ES module entry point: the CommonJS build re-exported, so that `import` and `require` share
// one module instance (one class per error code: `instanceof` holds whichever way it was loaded).
export * from "../dist/index.js";
