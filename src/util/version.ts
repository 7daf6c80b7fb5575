// tspod's release version: semantic versioning, 0.x while the engine library's API (src/engine/index.ts)
// may still change between minor releases. It must equal package.json's "version" (a unit test checks).
export const TSPOD_VERSION = '0.1.0';
