#!/usr/bin/env node
// Generate tspod's man pages from oclif.manifest.json:
//   man/man1/tspod.1                  overview, global options, commands, environment, files, exit status
//   man/man1/tspod-<topic>.1          one per topic (image, container, system, ...): its subcommands
//   man/man1/tspod-<command>.1        one per visible command, named by its canonical id (image:list -> tspod-image-list.1)
//   man/man1/tspod-<alias>.1          symbolic links for aliases (tspod-images.1 -> tspod-image-list.1)
// Each command page takes NAME, SYNOPSIS, DESCRIPTION, OPTIONS and EXAMPLES from the command's own metadata,
// plus optional hand-written prose from man/src/<name>.md (name: the canonical id or any alias, ':' and ' ' as
// '-', e.g. man/src/pull.md for image:pull). Prose before the first `## HEADING` extends DESCRIPTION; `## EXAMPLES`
// extends EXAMPLES; `## EXIT STATUS` and `## SEE ALSO` replace the generic ones; other headings become sections.
//
// Usage: node scripts/gen-man.mjs [--manifest FILE] [--out DIR] [--src DIR]
// The date is $SOURCE_DATE_EPOCH's when set (reproducible builds), else today's.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function opt(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

const manifestFile = opt('--manifest', path.join(REPO, 'oclif.manifest.json'));
// man/man1: the layout man(1) searches (MANPATH=$PWD/man), where `.so man1/...` redirects resolve
const outDir = opt('--out', path.join(REPO, 'man', 'man1'));
const srcDir = opt('--src', path.join(REPO, 'man', 'src'));
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const pjson = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const BIN = pjson.oclif?.bin ?? 'tspod';
const VERSION = manifest.version ?? pjson.version ?? '';
const topicInfo = pjson.oclif?.topics ?? {};
const epoch = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : inputsDate() ?? new Date();
const DATE = epoch.toISOString().slice(0, 10);

/**
 * Without SOURCE_DATE_EPOCH: the date of the last commit that changed what the pages are made from
 * (commands, their prose, this script, the version), so building a clean checkout rewrites nothing.
 * Outside a git checkout: today's.
 */
function inputsDate() {
  const r = spawnSync('git', ['-C', REPO, 'log', '-1', '--format=%ct', '--', 'src/commands', 'man/src', 'scripts/gen-man.mjs', 'package.json'], { encoding: 'utf8' });
  const secs = Number(r.status === 0 ? r.stdout.trim() : '');
  return secs > 0 ? new Date(secs * 1000) : undefined;
}

// ---------------------------------------------------------------- roff

/** Escape text for roff: backslashes, hyphens (as \-, so options copy and search right), quotes, non-ASCII. */
function esc(text) {
  let s = String(text)
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/'/g, '\\(aq')
    .replace(/`/g, '\\(ga')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
  // A control character at the start of a line would be read as a request.
  s = s.split('\n').map((l) => (l.startsWith('.') ? `\\&${l}` : l)).join('\n');
  return s;
}

/** A macro argument: escaped, double quotes as \(dq, wrapped in quotes. */
const arg = (text) => `"${esc(text).replace(/"/g, '\\(dq')}"`;
const B = (text) => `\\fB${esc(text)}\\fR`;
const I = (text) => `\\fI${esc(text)}\\fR`;

function bin(text) {
  return String(text ?? '').replace(/<%=\s*config\.bin\s*%>/g, BIN).replace(/<%=\s*command\.id\s*%>/g, '');
}

/** Inline markdown (`code`, **bold**, *italic*) to roff, escaping the rest. */
function inline(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b/g;
  let last = 0;
  for (let m; (m = re.exec(text));) {
    out.push(esc(text.slice(last, m.index)));
    if (m[1] !== undefined || m[2] !== undefined) out.push(B(m[1] ?? m[2]));
    else out.push(I(m[3] ?? m[4]));
    last = m.index + m[0].length;
  }
  out.push(esc(text.slice(last)));
  return out.join('');
}

/** Clean a line of roff text: no trailing blanks, no leading blanks (they would force a break). */
const tidy = (l) => l.replace(/\s+$/, '').replace(/^\s+/, '');

/**
 * Prose to roff: blank-line paragraphs, `- ` bullets, fenced or indented (2+ spaces) literal blocks.
 * `markdown` enables inline markup; plain text (from command metadata) is only escaped.
 */
function prose(text, { markdown = false } = {}) {
  const lines = bin(text).replace(/\r/g, '').split('\n');
  const out = [];
  let para = [];
  const flush = () => {
    if (para.length) out.push('.PP', ...para.map((l) => tidy(markdown ? inline(l) : esc(l))).filter(Boolean));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const block = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) block.push(lines[i]);
      out.push(...literal(block));
      continue;
    }
    if (/^ {2,}\S/.test(line) || /^\t/.test(line)) {
      flush();
      const block = [];
      for (; i < lines.length && (/^ {2,}\S/.test(lines[i]) || /^\t/.test(lines[i])); i++) block.push(lines[i]);
      i--;
      const indent = Math.min(...block.map((l) => l.match(/^\s*/)[0].length));
      out.push(...literal(block.map((l) => l.slice(indent))));
      continue;
    }
    const bullet = /^[-*] +(.*)$/.exec(line);
    if (bullet) {
      flush();
      out.push('.IP \\(bu 2', tidy(markdown ? inline(bullet[1]) : esc(bullet[1])));
      for (; i + 1 < lines.length && /^ {1,}\S/.test(lines[i + 1]) && !/^ *[-*] /.test(lines[i + 1]); i++) out.push(tidy(markdown ? inline(lines[i + 1]) : esc(lines[i + 1])));
      continue;
    }
    if (line.trim() === '') { flush(); continue; }
    para.push(line);
  }
  flush();
  return out;
}

/** A literal (no-fill) indented block; blank lines inside become empty requests-free lines via \& . */
function literal(lines) {
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) return [];
  return ['.PP', '.RS 4', '.nf', ...lines.map((l) => (l.trim() === '' ? '\\&' : esc(l.replace(/\s+$/, '')))), '.fi', '.RE'];
}

// ---------------------------------------------------------------- model

const commands = Object.entries(manifest.commands ?? {})
  .map(([key, c]) => ({ ...c, id: c.id ?? key }))
  .filter((c) => !c.hidden)
  .sort((a, b) => a.id.localeCompare(b.id));
const words = (id) => id.split(':').join(' ');
const pageName = (id) => `${BIN}-${id.replace(/[: ]/g, '-')}`;
const byId = new Map(commands.map((c) => [c.id, c]));

// Topics: every proper prefix of a command id or alias.
const topics = new Map();
for (const c of commands) {
  for (const id of [c.id, ...(c.aliases ?? [])]) {
    const parts = id.split(':');
    for (let i = 1; i < parts.length; i++) {
      const t = parts.slice(0, i).join(':');
      if (!topics.has(t)) topics.set(t, new Set());
    }
    if (parts.length > 1) topics.get(parts.slice(0, -1).join(':')).add(id);
  }
}

function summaryOf(c) {
  return (c.summary ?? c.description ?? '').split('\n')[0].trim().replace(/\.$/, '');
}

function globalFlags() {
  const seen = new Map();
  for (const c of commands) for (const [name, f] of Object.entries(c.flags ?? {})) if (f.helpGroup === 'GLOBAL' && !seen.has(name)) seen.set(name, { ...f, name });
  return [...seen.values()];
}

/** The extra prose of a command: man/src/<canonical or alias>.md, split into sections. */
function extraProse(c) {
  for (const id of [c.id, ...(c.aliases ?? [])]) {
    const file = path.join(srcDir, `${id.replace(/[: ]/g, '-')}.md`);
    if (fs.existsSync(file)) return { file, sections: parseSections(fs.readFileSync(file, 'utf8')) };
  }
  return { file: undefined, sections: new Map() };
}

function parseSections(text) {
  const sections = new Map();
  let name = 'DESCRIPTION';
  let buf = [];
  const put = () => { if (buf.join('').trim()) sections.set(name, [...(sections.get(name) ?? []), buf.join('\n')]); buf = []; };
  for (const line of text.replace(/^# .*\n/, '').split('\n')) {
    const h = /^##\s+(.+?)\s*$/.exec(line);
    if (h) { put(); name = h[1].toUpperCase(); continue; }
    buf.push(line);
  }
  put();
  return new Map([...sections].map(([k, v]) => [k, v.join('\n\n')]));
}

// ---------------------------------------------------------------- pages

function th(name) {
  return [
    '.\\" Generated by scripts/gen-man.mjs from oclif.manifest.json; edit the command or man/src/*.md instead.',
    `.TH ${arg(name.toUpperCase())} 1 "${DATE}" ${arg(`${BIN} ${VERSION}`.trim())} ${arg(`${BIN} Manual`)}`,
    // Options and names read better unhyphenated and ragged-right.
    '.nh',
    '.ad l',
  ];
}

function flagTerm(f) {
  const forms = [];
  if (f.char) forms.push(B(`-${f.char}`));
  forms.push(f.type === 'boolean' && f.allowNo ? `\\fB\\-\\-\\fR[\\fBno\\-\\fR]\\fB${esc(f.name)}\\fR` : B(`--${f.name}`));
  let term = forms.join(', ');
  if (f.type === 'option') {
    const hv = Array.isArray(f.helpValue) ? f.helpValue.join('|') : f.helpValue;
    term += `=${I(hv ? hv.replace(/^<|>$/g, '') : f.options?.length ? f.options.join('|') : f.name.replace(/^.*-/, ''))}`;
  }
  return term;
}

function flagBody(f) {
  const text = (f.description ?? f.summary ?? '').trim();
  const extra = [];
  if (f.options?.length) extra.push(`Choices: ${f.options.join(', ')}.`);
  if (f.default !== undefined && f.default !== false && !(Array.isArray(f.default) && f.default.length === 0)) extra.push(`Default: ${Array.isArray(f.default) ? f.default.join(', ') : String(f.default)}.`);
  if (f.multiple) extra.push('May be given more than once.');
  if (f.required) extra.push('Required.');
  const body = text ? (/[.!?]$/.test(text) ? text : `${text}.`) : '';
  return [body, ...extra].filter(Boolean).join(' ');
}

function optionLines(flags) {
  const out = [];
  for (const f of flags.sort((a, b) => a.name.localeCompare(b.name))) {
    out.push('.TP', flagTerm(f));
    const body = prose(flagBody(f)).filter((l) => l !== '.PP');
    out.push(...(body.length ? body : ['\\&']));
  }
  return out;
}

function synopsis(id, c) {
  const parts = [B(`${BIN} ${words(id)}`)];
  const hasFlags = Object.values(c.flags ?? {}).some((f) => !f.hidden && f.helpGroup !== 'GLOBAL');
  if (hasFlags) parts.push(`[${I('options')}]`);
  const args = Object.entries(c.args ?? {});
  args.forEach(([name, a], i) => {
    const label = a.options?.length ? a.options.join('|') : name;
    const more = c.strict === false && i === args.length - 1 ? ' ...' : '';
    parts.push(a.required ? `${I(label)}${more}` : `[${I(label)}${more}]`);
  });
  if (!args.length && c.strict === false) parts.push(`[${I('arg')} ...]`);
  return parts.join(' ');
}

function exampleLines(c, extra) {
  const out = [];
  for (const ex of c.examples ?? []) {
    const { description, command } = typeof ex === 'string' ? { description: undefined, command: ex } : ex;
    if (description) out.push(...prose(bin(description)));
    out.push(...literal(bin(command).split('\n').map((l, i) => (i === 0 ? `$ ${l}` : l))));
  }
  if (extra) out.push(...prose(extra, { markdown: true }));
  return out;
}

const GENERIC_EXIT = [
  '.TP', B('0'), 'The command succeeded.',
  '.TP', B('125'), esc(`The command failed for a reason of ${BIN}'s own (a bad flag, a missing image or container, a failure of the engine); the reason is printed on standard error.`),
];

function commandPage(c) {
  const name = pageName(c.id);
  const aliases = (c.aliases ?? []).filter((a) => a !== c.id);
  const { file, sections } = extraProse(c);
  const out = [...th(name)];
  out.push('.SH NAME', `${[name, ...aliases.map(pageName)].map(esc).join(', ')} \\- ${esc(summaryOf(c) || words(c.id))}`);
  out.push('.SH SYNOPSIS', [c.id, ...aliases].map((id) => synopsis(id, c)).join('\n.br\n'));
  out.push('.SH DESCRIPTION');
  const sentence = (t) => (t && !/[.!?:]$/.test(t.trim()) ? `${t.trim()}.` : t ?? '');
  const desc = c.description && c.description.trim() !== (c.summary ?? '').trim() ? c.description : sentence(c.summary);
  const body = [...prose(desc)];
  if (sections.has('DESCRIPTION')) body.push(...prose(sections.get('DESCRIPTION'), { markdown: true }));
  if (aliases.length) body.push('.PP', `${aliases.length > 1 ? 'Aliases' : 'Alias'}: ${aliases.map((a) => B(`${BIN} ${words(a)}`)).join(', ')}.`);
  out.push(...(body[0] === '.PP' ? body.slice(1) : body));
  const own = Object.entries(c.flags ?? {}).map(([n, f]) => ({ ...f, name: f.name ?? n })).filter((f) => !f.hidden && f.helpGroup !== 'GLOBAL');
  out.push('.SH OPTIONS');
  if (own.length) out.push(...optionLines(own), '.PP');
  out.push(`The global options of ${B(BIN)}(1) (${globalFlags().map((f) => B(`--${f.name}`)).join(', ')}) are accepted too.`);
  for (const [sec, text] of sections) {
    if (['DESCRIPTION', 'EXAMPLES', 'EXIT STATUS', 'SEE ALSO'].includes(sec)) continue;
    const lines = prose(text, { markdown: true });
    out.push(`.SH ${arg(sec)}`, ...(lines[0] === '.PP' ? lines.slice(1) : lines));
  }
  out.push('.SH EXIT STATUS');
  if (sections.has('EXIT STATUS')) out.push(...exitLines(sections.get('EXIT STATUS')));
  else out.push(...GENERIC_EXIT);
  const ex = exampleLines(c, sections.get('EXAMPLES'));
  if (ex.length) out.push('.SH EXAMPLES', ...(ex[0] === '.PP' ? ex.slice(1) : ex));
  out.push('.SH SEE ALSO', seeAlso(c, sections.get('SEE ALSO')));
  return { name, text: finish(out), prose: file };
}

/** EXIT STATUS prose: lines `- **N**: text` become tagged paragraphs. */
function exitLines(text) {
  const out = [];
  const rest = [];
  for (const line of text.split('\n')) {
    const m = /^[-*]\s+\*\*(\d+(?:\s*[-–]\s*\d+)?|[a-z]+)\*\*:?\s*(.*)$/.exec(line);
    if (m) out.push('.TP', B(m[1]), tidy(inline(m[2])));
    else rest.push(line);
  }
  const pre = prose(rest.join('\n'), { markdown: true });
  return [...(pre[0] === '.PP' ? pre.slice(1) : pre), ...out];
}

function seeAlso(c, extra) {
  const refs = [BIN];
  const parts = c.id.split(':');
  if (parts.length > 1) refs.push(pageName(parts.slice(0, -1).join(':')));
  const more = (extra ?? '').match(/[A-Za-z0-9_.:-]+\(\d\w*\)/g) ?? [];
  const list = refs.map((r) => `${B(r)}(1)`);
  for (const m of more) {
    const [, n, s] = /^(.*)\((.*)\)$/.exec(m);
    const item = `${B(n)}(${s})`;
    if (!list.includes(item)) list.push(item);
  }
  return list.join(', ');
}

function topicPage(topic, members) {
  const name = pageName(topic);
  const out = [...th(name)];
  const desc = topicInfo[topic]?.description ?? `${words(topic)} commands`;
  out.push('.SH NAME', `${esc(name)} \\- ${esc(desc)}`);
  out.push('.SH SYNOPSIS', `${B(`${BIN} ${words(topic)}`)} ${I('subcommand')}`);
  out.push('.SH DESCRIPTION', `${esc(desc)}.`);
  out.push('.SH COMMANDS');
  for (const id of [...members].sort()) {
    const c = byId.get(id) ?? commands.find((x) => (x.aliases ?? []).includes(id));
    if (!c) continue;
    const sub = id.split(':').pop();
    const isAlias = id !== c.id;
    out.push('.TP', `${B(sub)}`, `${isAlias ? `Alias of ${B(`${BIN} ${words(c.id)}`)}. ` : ''}${esc(summaryOf(c))}; see ${B(pageName(c.id))}(1).`);
  }
  out.push('.SH SEE ALSO', `${B(BIN)}(1)`);
  return { name, text: finish(out) };
}

function mainPage() {
  const out = [...th(BIN)];
  out.push('.SH NAME', `${esc(BIN)} \\- ${esc((pjson.description ?? 'container engine').replace(/^an?\s+/i, (m) => m.toLowerCase()))}`);
  out.push('.SH SYNOPSIS', `${B(BIN)} [${I('global options')}] ${I('command')} [${I('options')}] [${I('arguments')}]`);
  const extra = extraProse({ id: BIN, aliases: [] }).sections;
  out.push('.SH DESCRIPTION');
  const intro = prose(extra.get('DESCRIPTION') ?? `${BIN} manages OCI containers and images without a daemon.`, { markdown: true });
  out.push(...(intro[0] === '.PP' ? intro.slice(1) : intro));
  out.push('.SH GLOBAL OPTIONS', 'These options go before or after the command.');
  out.push(...optionLines(globalFlags()));
  out.push('.TP', B('--help'), 'Show help for tspod or a command.', '.TP', B('--version'), 'Show the version.');
  out.push('.SH COMMANDS');
  const top = new Map();
  for (const c of commands) {
    for (const id of [c.id, ...(c.aliases ?? [])]) {
      const w = id.split(':')[0];
      if (id.includes(':')) { if (!top.has(w)) top.set(w, { topic: w }); }
      else if (!top.has(w) || top.get(w).topic) top.set(w, { cmd: c, id });
    }
  }
  for (const [w, e] of [...top].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (e.topic) {
      out.push('.TP', `${B(pageName(w))}(1)`, `${esc(topicInfo[w]?.description ?? `${w} commands`)}.`);
    } else if (e.id === e.cmd.id) {
      out.push('.TP', `${B(pageName(w))}(1)`, `${esc(summaryOf(e.cmd))}.`);
    } else {
      out.push('.TP', `${B(pageName(w))}(1)`, `${esc(summaryOf(e.cmd))} (alias of ${B(`${BIN} ${words(e.cmd.id)}`)}).`);
    }
  }
  for (const [sec, text] of extra) {
    if (sec === 'DESCRIPTION') continue;
    const lines = sec === 'EXIT STATUS' ? exitLines(text) : prose(text, { markdown: true });
    out.push(`.SH ${arg(sec)}`, ...(lines[0] === '.PP' ? lines.slice(1) : lines));
  }
  if (!extra.has('EXIT STATUS')) out.push('.SH EXIT STATUS', ...GENERIC_EXIT);
  if (!extra.has('SEE ALSO')) out.push('.SH SEE ALSO', `${B('podman')}(1)`);
  return { name: BIN, text: finish(out) };
}

/** Break long text lines at spaces (roff refills them); requests and literal blocks stay as they are. */
function wrap(lines, width = 80) {
  const out = [];
  let literalBlock = false;
  for (const raw of lines) {
    const l = raw.replace(/[ \t]+$/, '');
    if (l === '.nf') literalBlock = true;
    if (l === '.fi') literalBlock = false;
    if (literalBlock || l.startsWith('.') || l.length <= width) { out.push(l); continue; }
    // A continuation line must not start like a request.
    const safe = (x) => (x.startsWith('.') || x.startsWith("'") ? `\\&${x}` : x);
    let cur = '';
    for (const word of l.split(' ')) {
      if (cur && cur.length + 1 + word.length > width) { out.push(cur); cur = safe(word); }
      else cur = cur ? `${cur} ${word}` : word;
    }
    if (cur) out.push(cur);
  }
  return out;
}

function finish(lines) {
  return `${wrap(lines.join('\n').split('\n')).join('\n')}\n`;
}

// ---------------------------------------------------------------- write

const pages = [mainPage()];
for (const [t, members] of topics) if (!byId.has(t)) pages.push(topicPage(t, members));
for (const c of commands) pages.push(commandPage(c));
const real = new Set(pages.map((p) => p.name));
const redirects = [];
for (const c of commands) {
  for (const a of c.aliases ?? []) {
    const name = pageName(a);
    if (real.has(name) || redirects.some((r) => r.name === name)) continue;
    // a symbolic link (not a `.so` request): man -l, groff and npm's man links then work from any directory
    redirects.push({ name, target: `${pageName(c.id)}.1` });
  }
}

fs.mkdirSync(outDir, { recursive: true });
// Remove pages of commands that no longer exist (only generated ones: they carry our marker or are .so stubs).
for (const f of fs.readdirSync(outDir)) {
  if (!/\.1$/.test(f)) continue;
  const p = path.join(outDir, f);
  if (fs.lstatSync(p).isSymbolicLink()) { if (/^[\w.-]+\.1$/.test(fs.readlinkSync(p))) fs.rmSync(p); continue; }
  const head = fs.readFileSync(p, 'utf8').slice(0, 200);
  if (head.includes('Generated by scripts/gen-man.mjs') || /^\.so man1\/[^\n]+\n$/.test(head)) fs.rmSync(p);
}
for (const p of pages) fs.writeFileSync(path.join(outDir, `${p.name}.1`), p.text);
for (const r of redirects) fs.symlinkSync(r.target, path.join(outDir, `${r.name}.1`));
const used = new Set(pages.map((p) => p.prose).filter(Boolean));
if (fs.existsSync(srcDir)) {
  for (const f of fs.readdirSync(srcDir)) {
    const p = path.join(srcDir, f);
    if (f.endsWith('.md') && f !== `${BIN}.md` && !used.has(p)) process.stderr.write(`gen-man: note: ${path.relative(process.cwd(), p)} matches no command yet (skipped)\n`);
  }
}
process.stdout.write(`gen-man: wrote ${pages.length} pages and ${redirects.length} alias redirects to ${path.relative(process.cwd(), outDir) || '.'}\n`);
