// `tspod version`'s report and the architecture as Go names it: the few lines `version`, `import`,
// `build` and `commit` need, without system.ts's store, process and namespace machinery.
import * as os from 'node:os';
import { TSPOD_VERSION } from '../util/version.js';

export interface VersionReport { Client: { Version: string; APIVersion: string; NodeVersion: string; OsArch: string; Built: number; BuiltTime: string } }

export function version(): VersionReport {
  return { Client: { Version: TSPOD_VERSION, APIVersion: TSPOD_VERSION, NodeVersion: process.version, OsArch: `${os.platform()}/${goArch()}`, Built: 0, BuiltTime: '' } };
}

export function goArch(): string {
  const a = os.arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}
