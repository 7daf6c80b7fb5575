// The light parser (src/cli/lite.ts) against oclif's own parser, command by command:
// for every command of the manifest, command lines built from its flag and argument
// definitions (each flag alone, long and short, with = and without, negated, repeated,
// with a value oclif rejects, with too many arguments) must give the same flags, args
// and argv as oclif's parser, or be handed to oclif (NeedsOclif). A command line oclif
// rejects must never be accepted by the light parser.
import t from 'tap';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Parser } from '@oclif/core';
import { liteParse, NeedsOclif, type LiteCommandClass } from '../../../src/cli/lite.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { relativePath: string[] }> };

type Def = { char?: string; type?: string; multiple?: boolean; allowNo?: boolean; options?: readonly string[]; required?: boolean };
type Cls = LiteCommandClass & { flags?: Record<string, Def>; baseFlags?: Record<string, Def>; args?: Record<string, Def>; strict?: boolean };

function cases(cmd: Cls): string[][] {
  const args = Object.values(cmd.args ?? {});
  const pos = args.map((a, i) => a.options?.[0] ?? `word${i}`);
  const out: string[][] = [[], pos, [...pos, 'extra1', 'extra2']];
  for (const [name, f] of Object.entries({ ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) })) {
    if (f.type === 'boolean') {
      out.push([`--${name}`, ...pos], [...pos, `--${name}`], [`--${name}=true`, ...pos]);
      if (f.allowNo) out.push([`--no-${name}`, ...pos]);
      if (f.char) out.push([`-${f.char}`, ...pos]);
      continue;
    }
    for (const v of [f.options?.[0] ?? '5', 'not-a-valid-value', '']) {
      out.push([`--${name}`, v, ...pos], [`--${name}=${v}`, ...pos], [...pos, `--${name}`, v]);
      if (f.char) out.push([`-${f.char}`, v, ...pos], [`-${f.char}${v}`, ...pos]);
    }
    out.push([`--${name}`, '5', `--${name}`, '6', ...pos], [`--${name}`]);
  }
  out.push(['--no-such-flag', ...pos], ['-Z', ...pos], ['--', ...pos, '--x']);
  return out;
}

async function oclifParse(cmd: Cls, argv: string[]): Promise<{ flags: unknown; args: unknown; argv: unknown } | Error> {
  try {
    const r = await Parser.parse(argv, { flags: { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) }, args: cmd.args ?? {}, strict: cmd.strict !== false, context: undefined } as never);
    return { flags: r.flags, args: r.args, argv: r.argv };
  } catch (err) {
    return err as Error;
  }
}

t.test('the light parser agrees with oclif on every command', async (t) => {
  let compared = 0;
  let handedOver = 0;
  for (const [id, c] of Object.entries(manifest.commands)) {
    if (id === '__complete' || id === 'unshare') continue; // they take their words raw, without parsing
    const file = path.join(ROOT, 'src', ...c.relativePath.slice(1)).replace(/\.js$/, '.ts');
    const cmd = (await import(pathToFileURL(file).href) as { default: Cls }).default;
    for (const argv of cases(cmd)) {
      const want = await oclifParse(cmd, argv);
      let got: Awaited<ReturnType<typeof liteParse>> | Error;
      try { got = await liteParse(cmd, argv); } catch (err) { got = err as Error; }
      if (got instanceof Error) {
        if (!(got instanceof NeedsOclif)) t.fail(`${id} ${argv.join(' ')}: the light parser threw ${got.message}`);
        handedOver++;
        continue;
      }
      if (want instanceof Error) { t.fail(`${id} ${JSON.stringify(argv)}: oclif rejects it (${want.message.split('\n')[0]}) but the light parser accepted it`); continue; }
      compared++;
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want)))) t.fail(`${id} ${JSON.stringify(argv)}: ${JSON.stringify(got)} != oclif's ${JSON.stringify(want)}`);
    }
  }
  t.ok(compared > 1500, `${compared} command lines parsed the same (${handedOver} handed to oclif)`);
  // the handed-over lines are the malformed ones: well-formed lines must mostly take the light path
  t.ok(compared > handedOver, 'most generated command lines take the light path');
});

t.test('help and malformed input are handed to oclif before anything runs', async (t) => {
  const cmd = { flags: { all: { type: 'boolean', char: 'a' }, time: { type: 'option', char: 't', multiple: false } }, args: {}, strict: true } as unknown as Cls;
  for (const argv of [['--help'], ['-h'], ['--time'], ['--bogus'], ['-x'], ['--all=yes'], ['surplus'], ['--time', '-1']]) {
    await t.rejects(liteParse(cmd, argv), { name: 'NeedsOclif' }, argv.join(' '));
  }
  t.same(await liteParse(cmd, ['-at', '3']), { flags: { all: true, time: '3' }, args: {}, argv: [] });
  t.same(await liteParse(cmd, ['-at3']), { flags: { all: true, time: '3' }, args: {}, argv: [] });
});
