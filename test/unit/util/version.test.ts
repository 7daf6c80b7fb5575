// The version tspod reports (version, info, the API, units, the pause image's tag, .containerenv) is
// package.json's.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSPOD_VERSION } from '../../../src/util/version.js';

const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json'), 'utf8')) as { version: string };

t.equal(TSPOD_VERSION, pkg.version, 'src/util/version.ts follows package.json');
t.match(TSPOD_VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semantic version');
