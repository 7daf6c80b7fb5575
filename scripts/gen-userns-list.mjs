// Writes dist/userns-commands.txt: the commands that run inside the rootless
// user namespace (src/cli/dispatch.ts NEEDS_USERNS), one per line, for the
// shell launcher bin/tspod, which joins an existing namespace without starting
// node twice.
import { writeFileSync } from 'node:fs';
import { NEEDS_USERNS } from '../dist/cli/dispatch.js';
writeFileSync(new URL('../dist/userns-commands.txt', import.meta.url), [...NEEDS_USERNS].sort().join('\n') + '\n');
