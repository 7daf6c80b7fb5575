// `tspod __complete <words...>`: given the words after `tspod` (the last one
// being the partial word under the cursor, possibly empty), work out what is
// being completed (a subcommand, a flag, a flag's value, or the n-th argument
// of a command) and answer with candidates.
//
// Protocol (stdout): one candidate per line, then the line `:nospace` when the
// shell must not add a space after the candidate (a directory, `NAME:` of
// `cp`); or the single line `:files` / `:dirs` when the shell should complete
// paths itself. Nothing at all when there is nothing to offer.
import * as path from 'node:path';
import { argKind, isShellKind, type Kind } from './kinds.js';
import { findFlag, flagsAt, type FlagInfo, type Model, type Node } from './model.js';
import { candidatesFor } from './sources.js';
import { cpPath, imagePath } from './inside.js';

export type Directive = 'files' | 'dirs';
export interface Completion {
  candidates: string[];
  directive?: Directive | undefined;
  nospace?: boolean | undefined;
  /** Paths (inside an image or a container): cobra's default directive, as Podman answers them. */
  paths?: boolean | undefined;
}

/** Where the completion point is, after reading the finished words. */
export interface Position {
  node: Node;
  cur: string;
  /** The flag whose value is being completed; `prefix` is what precedes the value in `cur` (`--flag=`). */
  flagValue?: { flag: FlagInfo; prefix: string } | undefined;
  /** Index of the positional argument under the cursor. */
  argIndex: number;
  afterDashDash: boolean;
  root?: string | undefined;
  /** The positional arguments before the cursor. */
  args: string[];
}

export function locate(model: Model, words: string[]): Position {
  const done = words.slice(0, -1);
  const cur = words[words.length - 1] ?? '';
  let node = model.root;
  let argIndex = 0;
  let afterDashDash = false;
  let root: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < done.length; i++) {
    const w = done[i]!;
    if (!afterDashDash && w === '--') { afterDashDash = true; continue; }
    if (!afterDashDash && w.startsWith('-') && w !== '-') {
      const f = findFlag(flagsAt(model, node), w) ?? findFlag(model.globalFlags, w);
      if (!f || !f.takesValue) continue;
      let value: string | undefined;
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      if (eq >= 0) value = w.slice(eq + 1);
      else if (i + 1 < done.length) value = done[++i];
      else return { node, cur, flagValue: { flag: f, prefix: '' }, argIndex, afterDashDash, root, args };
      if (f.name === 'root' && value) root = value;
      continue;
    }
    const child = argIndex === 0 && !afterDashDash ? node.children.get(w) : undefined;
    if (child) { node = child; continue; }
    args.push(w);
    argIndex++;
  }
  if (!afterDashDash && cur.startsWith('--') && cur.includes('=')) {
    const f = findFlag(flagsAt(model, node), cur) ?? findFlag(model.globalFlags, cur);
    if (f?.takesValue) return { node, cur, flagValue: { flag: f, prefix: cur.slice(0, cur.indexOf('=') + 1) }, argIndex, afterDashDash, root, args };
  }
  return { node, cur, argIndex, afterDashDash, root, args };
}

function flagWords(flags: FlagInfo[]): string[] {
  const out: string[] = [];
  for (const f of flags) {
    out.push(`--${f.name}`);
    if (f.char) out.push(`-${f.char}`);
  }
  return out;
}

function dynamic(kind: Kind, root: string, cur: string, args: string[] = []): Completion {
  if (kind === 'files' || kind === 'dirs') return { candidates: [], directive: kind };
  if (isShellKind(kind)) return { candidates: [] };
  if (kind === 'image-path' || kind === 'cp-path') {
    // nothing inside: the shell completes host paths, as Podman's default directive does
    const p = kind === 'cp-path' ? cpPath(root, cur) : imagePath(root, args[0], cur);
    return p ? { candidates: p.candidates, nospace: p.nospace, paths: true } : { candidates: [], directive: 'files' };
  }
  return { candidates: candidatesFor(kind, root, cur) };
}

/** The shell passes words as typed: `~/x` has not been expanded. */
function expandHome(p: string): string {
  const home = process.env['HOME'];
  return home && (p === '~' || p.startsWith('~/')) ? home + p.slice(1) : p;
}

export interface CompleteOptions {
  /** The storage root when the words carry no --root (normally paths().root). */
  defaultRoot: () => string;
}

export function complete(model: Model, words: string[], opts: CompleteOptions): Completion {
  const pos = locate(model, words.length ? words : ['']);
  const root = pos.root ? path.resolve(expandHome(pos.root)) : opts.defaultRoot();
  const { cur, node } = pos;
  if (pos.flagValue) {
    const { flag, prefix } = pos.flagValue;
    const value = cur.slice(prefix.length);
    if (flag.choices) return { candidates: flag.choices.filter((c) => c.startsWith(value)).map((c) => prefix + c) };
    const c = dynamic(flag.kind, root, value);
    return { ...c, candidates: c.candidates.map((x) => prefix + x) };
  }
  if (!pos.afterDashDash && cur.startsWith('-')) {
    return { candidates: flagWords(flagsAt(model, node)).filter((w) => w.startsWith(cur)) };
  }
  const out: string[] = [];
  if (pos.argIndex === 0 && node.children.size > 0) {
    out.push(...[...node.children.keys()].filter((w) => w.startsWith(cur)).sort());
  }
  const choices = node.command?.argChoices[pos.argIndex];
  if (choices) {
    out.push(...choices.filter((c) => c.startsWith(cur)));
  } else if (node.command) {
    const c = dynamic(argKind(node.command.args, pos.argIndex), root, cur, pos.args);
    if (c.directive && out.length === 0) return c;
    out.push(...c.candidates);
    if (c.paths && out.length === c.candidates.length) return { candidates: out, nospace: c.nospace, paths: true };
  }
  return { candidates: out };
}

/** The protocol's text: candidates one per line (then `:nospace`), or the directive line. */
export function render(c: Completion): string {
  if (c.directive) return `:${c.directive}\n`;
  if (!c.candidates.length) return '';
  return `${c.candidates.join('\n')}\n${c.nospace ? ':nospace\n' : ''}`;
}

/** The name of cobra's directive for an answer (Podman prints it on stderr: `Completion ended with directive: ...`). */
export function cobraDirective(c: Completion): string {
  if (c.directive === 'files') return 'ShellCompDirectiveDefault';
  if (c.directive === 'dirs') return 'ShellCompDirectiveFilterDirs';
  if (c.nospace) return 'ShellCompDirectiveNoSpace';
  if (c.paths) return 'ShellCompDirectiveDefault';
  return 'ShellCompDirectiveNoFileComp';
}
