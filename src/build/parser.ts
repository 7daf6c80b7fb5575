// Containerfile/Dockerfile parser: parser directives (# syntax, # escape),
// comments, line continuations, heredocs (<<EOF, <<-EOF, <<"EOF"), per-
// instruction flags (--mount, --from, ...), JSON (exec) form, and the split
// into stages. Every error names the file and line: "Containerfile:3: ...".
import { TspodError } from '../util/errors.js';
import { SubstitutionError, splitRaw } from './shell.js';

export class ContainerfileError extends TspodError {
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`, 'EBUILDFILE');
    this.line = line;
  }
}

export interface Heredoc {
  /** the word after << (also the file name for COPY <<name) */
  name: string;
  content: string;
  /** unquoted word: variables in the body are expanded (COPY/ADD) */
  expand: boolean;
}

export interface Flag { name: string; value: string | undefined }

export interface Instruction {
  /** upper-case keyword */
  cmd: string;
  /** 1-based line of the keyword */
  line: number;
  flags: Flag[];
  /** the arguments after the flags, as written (shell form) */
  args: string;
  /** exec/JSON form, when the arguments are a JSON array of strings */
  json?: string[];
  heredocs: Heredoc[];
  /** the logical line as written (continuations joined), shown in STEP headers */
  original: string;
}

export interface Stage {
  index: number;
  name?: string;
  /** the FROM image reference as written (before ARG substitution) */
  base: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface ParsedContainerfile {
  file: string;
  escape: string;
  directives: Record<string, string>;
  /** ARG instructions before the first FROM */
  globalArgs: Instruction[];
  stages: Stage[];
}

export const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
  'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

const FLAGS: Record<string, Set<string>> = {
  FROM: new Set(['platform']),
  RUN: new Set(['mount', 'network', 'security']),
  COPY: new Set(['from', 'chown', 'chmod', 'link', 'parents', 'exclude']),
  ADD: new Set(['chown', 'chmod', 'checksum', 'keep-git-dir', 'link', 'exclude']),
  HEALTHCHECK: new Set(['interval', 'timeout', 'start-period', 'start-interval', 'retries']),
};

const JSON_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const HEREDOC_FORM = new Set(['RUN', 'COPY', 'ADD']);
const STAGE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;

function tryJSON(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* shell form */ }
  return undefined;
}

/** `--name=value` flags at the start of the arguments. */
function takeFlags(rest: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let r = rest;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=((?:"[^"]*"|'[^']*'|\S)*))?(?:\s+|$)/.exec(r);
    if (!m) break;
    let value = m[2];
    if (value !== undefined && /^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    flags.push({ name: m[1]!.toLowerCase(), value });
    r = r.slice(m[0].length);
  }
  return { flags, rest: r };
}

const HEREDOC_RE = /(?<!<)<<(-?)\s*(["']?)([A-Za-z0-9_./-]+)\2/g;

/** Parse a Containerfile's text. `file` is the name used in error messages. */
export function parseContainerfile(text: string, file = 'Containerfile'): ParsedContainerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  // parser directives: only at the very top, before any blank line, comment or instruction
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (directives[key] !== undefined) throw new ContainerfileError(file, i + 1, `only one ${key} parser directive can be used`);
    directives[key] = m[2]!;
  }
  const escape = directives['escape'] ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new ContainerfileError(file, 1, `invalid escape token '${escape}' does not match ` + '` or \\');
  const contRe = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const isComment = (l: string) => /^\s*#/.test(l);

  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const start = i;
    const first = lines[i++]!;
    if (first.trim() === '' || isComment(first)) continue;
    let logical = first.trimStart();
    let continued = contRe.test(logical);
    if (continued) logical = logical.replace(contRe, '');
    while (continued && i < lines.length) {
      const l = lines[i++]!;
      if (isComment(l)) continue;
      if (l.trim() === '') continue;
      continued = contRe.test(l);
      logical += continued ? l.replace(contRe, '') : l;
    }
    logical = logical.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const word = m[1]!;
    const cmd = word.toUpperCase();
    if (!INSTRUCTIONS.has(cmd)) throw new ContainerfileError(file, start + 1, `unknown instruction: ${word}`);
    let rest = m[2]!;
    let flags: Flag[] = [];
    if (FLAGS[cmd]) {
      const f = takeFlags(rest);
      flags = f.flags;
      rest = f.rest;
      for (const fl of flags) if (!FLAGS[cmd]!.has(fl.name)) throw new ContainerfileError(file, start + 1, `unknown flag: --${fl.name} for ${cmd}`);
    } else if (cmd !== 'ONBUILD' && /^--[A-Za-z]/.test(rest) && cmd !== 'CMD' && cmd !== 'ENTRYPOINT') {
      throw new ContainerfileError(file, start + 1, `unknown flag: ${rest.split(/\s/)[0]} for ${cmd}`);
    }
    const heredocs: Heredoc[] = [];
    if (HEREDOC_FORM.has(cmd) && !tryJSON(rest)) {
      for (const hm of rest.matchAll(HEREDOC_RE)) {
        const strip = hm[1] === '-';
        const name = hm[3]!;
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          let l = lines[i++]!;
          if (strip) l = l.replace(/^\t+/, '');
          if (l === name) { closed = true; break; }
          body.push(l);
        }
        if (!closed) throw new ContainerfileError(file, start + 1, `unterminated heredoc <<${name}: no line "${name}" ends it`);
        heredocs.push({ name, content: body.length ? `${body.join('\n')}\n` : '', expand: hm[2] === '' });
      }
    }
    const ins: Instruction = { cmd, line: start + 1, flags, args: rest.trim(), heredocs, original: logical };
    if (JSON_FORM.has(cmd) && !heredocs.length) {
      const j = tryJSON(rest);
      if (j) ins.json = j;
    }
    validate(ins, file);
    instructions.push(ins);
  }
  return { file, escape, directives, ...splitStages(instructions, file, escape) };
}

function need(cond: boolean, file: string, ins: Instruction, msg: string): void {
  if (!cond) throw new ContainerfileError(file, ins.line, msg);
}

/** Checks that can be made without knowing variables or the base image. */
function validate(ins: Instruction, file: string): void {
  const a = ins.args;
  let words: string[];
  try { words = splitRaw(a); } catch (err) {
    if (ins.cmd === 'RUN' || ins.cmd === 'CMD' || ins.cmd === 'ENTRYPOINT' || ins.cmd === 'HEALTHCHECK' || ins.cmd === 'ONBUILD') words = a.split(/\s+/).filter(Boolean);
    else throw new ContainerfileError(file, ins.line, err instanceof SubstitutionError ? err.message : String(err));
  }
  switch (ins.cmd) {
    case 'FROM':
      need(words.length === 1 || (words.length === 3 && words[1]!.toUpperCase() === 'AS'), file, ins, 'FROM requires either one or three arguments (FROM image [AS name])');
      if (words.length === 3) need(STAGE_NAME.test(words[2]!), file, ins, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      break;
    case 'RUN':
      need(a !== '' || ins.heredocs.length > 0, file, ins, 'RUN requires at least one argument');
      if (ins.json) need(ins.json.length > 0, file, ins, 'RUN requires at least one argument');
      break;
    case 'CMD': case 'ENTRYPOINT':
      need(a !== '', file, ins, `${ins.cmd} requires at least one argument`);
      break;
    case 'SHELL':
      need(!!ins.json, file, ins, 'SHELL requires the arguments to be in JSON form');
      need((ins.json ?? []).length > 0, file, ins, 'SHELL requires at least one argument');
      break;
    case 'COPY': case 'ADD': {
      const n = ins.json ? ins.json.length : words.length;
      need(n >= 2, file, ins, `${ins.cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
      break;
    }
    case 'ENV': case 'LABEL':
      need(words.length > 0, file, ins, `${ins.cmd} requires at least one argument`);
      if (!words[0]!.includes('=')) need(words.length >= 2, file, ins, `${ins.cmd} must have two arguments`);
      else for (const w of words) need(w.includes('=') && !w.startsWith('='), file, ins, `${ins.cmd} names can not be blank (in "${w}")`);
      break;
    case 'ARG':
      need(words.length > 0, file, ins, 'ARG requires at least one argument');
      for (const w of words) need(/^[A-Za-z_][A-Za-z0-9_]*(=|$)/.test(w), file, ins, `invalid ARG name in "${w}"`);
      break;
    case 'EXPOSE': case 'VOLUME':
      need(a !== '', file, ins, `${ins.cmd} requires at least one argument`);
      break;
    case 'WORKDIR': case 'USER': case 'STOPSIGNAL': case 'MAINTAINER':
      need(a !== '', file, ins, `${ins.cmd} requires exactly one argument`);
      if (ins.cmd !== 'MAINTAINER') need(words.length === 1, file, ins, `${ins.cmd} requires exactly one argument`);
      break;
    case 'HEALTHCHECK': {
      const kind = (words[0] ?? '').toUpperCase();
      need(kind === 'NONE' || kind === 'CMD', file, ins, 'HEALTHCHECK requires NONE or CMD followed by a command');
      if (kind === 'NONE') need(words.length === 1 && ins.flags.length === 0, file, ins, 'HEALTHCHECK NONE takes no other arguments');
      if (kind === 'CMD') need(words.length > 1, file, ins, 'HEALTHCHECK CMD requires a command');
      break;
    }
    case 'ONBUILD': {
      const inner = (words[0] ?? '').toUpperCase();
      need(inner !== '', file, ins, 'ONBUILD requires at least one argument');
      need(inner !== 'ONBUILD', file, ins, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      need(inner !== 'FROM' && inner !== 'MAINTAINER', file, ins, `${inner} isn't allowed as an ONBUILD trigger`);
      need(INSTRUCTIONS.has(inner), file, ins, `unknown instruction in ONBUILD: ${words[0]}`);
      break;
    }
    default: break;
  }
}

function splitStages(instructions: Instruction[], file: string, escape: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  let cur: Stage | undefined;
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const w = splitRaw(ins.args, escape);
      cur = { index: stages.length, base: w[0]!, from: ins, instructions: [] };
      if (w.length === 3) {
        const name = w[2]!.toLowerCase();
        if (stages.some((s) => s.name === name)) throw new ContainerfileError(file, ins.line, `duplicate name for build stage: "${w[2]}"`);
        cur.name = name;
      }
      stages.push(cur);
      continue;
    }
    if (!cur) {
      if (ins.cmd === 'ARG') { globalArgs.push(ins); continue; }
      throw new ContainerfileError(file, ins.line, `${ins.cmd} instruction before the first FROM: a Containerfile must start with FROM (only ARG may come before it)`);
    }
    cur.instructions.push(ins);
  }
  if (!stages.length) {
    const line = instructions.length ? instructions[instructions.length - 1]!.line : 1;
    throw new ContainerfileError(file, line, instructions.length ? 'no FROM instruction: no build stage defined' : 'the Containerfile is empty: it needs at least a FROM instruction');
  }
  return { globalArgs, stages };
}

/** Parse one instruction line (ONBUILD triggers). */
export function parseInstructionLine(line: string, file: string, lineNo: number): Instruction {
  try {
    const p = parseContainerfile(`FROM scratch\n${line}`, file);
    const ins = p.stages[0]!.instructions[0];
    if (!ins) throw new ContainerfileError(file, lineNo, `empty ONBUILD trigger`);
    return { ...ins, line: lineNo };
  } catch (err) {
    if (err instanceof ContainerfileError) throw new ContainerfileError(file, lineNo, err.message.replace(/^[^:]*:\d+: /, ''));
    throw err;
  }
}

/** A flag's values (flags like --mount may repeat). */
export function flagValues(ins: Instruction, name: string): string[] {
  return ins.flags.filter((f) => f.name === name).map((f) => f.value ?? '');
}

export function flagValue(ins: Instruction, name: string): string | undefined {
  const v = flagValues(ins, name);
  return v.length ? v[v.length - 1] : undefined;
}
