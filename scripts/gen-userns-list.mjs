// Writes dist/userns-commands.txt and dist/fast-manifest.json. userns-commands.txt: the commands that run inside the rootless
// user namespace (src/cli/dispatch.ts USERNS_COMMANDS, by canonical id, expanded here
// with their aliases from the manifest), one spelling per line, for the entry point and
// the shell launcher bin/tspod, which joins an existing namespace without starting node twice.
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { expandUsernsCommands } from '../dist/cli/dispatch.js';
import { FAST_IDS } from '../dist/cli/fast.js';
const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'));
writeFileSync(new URL('../dist/userns-commands.txt', import.meta.url), expandUsernsCommands(manifest).join('\n') + '\n');

// dist/fast-manifest.json: the slice of oclif.manifest.json the fast path reads (a few KB, not 130)
const commands = {};
for (const id of FAST_IDS) {
  const c = manifest.commands[id];
  if (!c) continue;
  const flags = {};
  for (const [k, f] of Object.entries(c.flags)) flags[k] = { name: f.name, type: f.type, char: f.char, multiple: f.multiple, options: f.options, default: f.default, allowNo: f.allowNo, aliases: f.aliases };
  commands[id] = { id, aliases: c.aliases, flags };
}
writeFileSync(new URL('../dist/fast-manifest.json', import.meta.url), JSON.stringify({ commands }));
