// Go text/template for --format, evaluated against plain JS objects.
//
// Why our own implementation: the npm options were evaluated (2026-11) and none
// fits. `go-text-template` (0.2.x) describes itself as "basic" and lacks much of
// the grammar; `@sinkingpoint/gotemplate` is the closest port but is CommonJS,
// ~100 kB, has no printf, and by design never reports a missing struct field
// (Podman users rely on that error); `@ctrl/golang-template` handles a handful of
// constructs; `go-text-template-napi` needs a native Go addon; `gotemplate-node`
// compiles to JS with eval and drags in esbuild/typescript. Go's grammar is small
// and precisely specified, so a focused lexer/parser/evaluator (this file, plus
// funcs.ts, printf.ts and value.ts) is smaller than any of them, dependency-free,
// and gives Go's error messages.
//
// Supported: text and actions, trim markers {{- -}}, comments {{/* */}}, fields
// and chains (.A.B, $x.A, (pipe).A), variables ($x := / $x =), pipelines, string
// / raw string / char / number / bool / nil literals, if / else if / else, with /
// else with, range (arrays, maps in key order, integers; $i, $e :=; break,
// continue), define / template / block, and the functions in funcs.ts.
//
// Field access on a JS object reads the property; a function-valued property is
// called like a Go method (with any arguments). See value.ts for how an object is
// treated as a Go struct (missing field = error) or map (missing key = <no value>).

import { TspodError } from '../util/errors.js';
import { builtinFuncs, type FuncDef, type TemplateFunc } from './funcs.js';
import { Header, formatValue, isPlainObject, isStruct, truth, typeName } from './value.js';

export class TemplateError extends TspodError {
  constructor(message: string) {
    super(message, 'ETEMPLATE');
    this.name = 'TemplateError';
  }
}

// ---------------------------------------------------------------- lexer

type TokType =
  | 'text' | 'left' | 'right' | 'space' | 'field' | 'var' | 'dot' | 'string' | 'char' | 'number'
  | 'bool' | 'nil' | 'ident' | 'keyword' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma'
  | 'other' | 'eof';

interface Tok { t: TokType; v: string; pos: number; end: number }

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

class Lexer {
  readonly toks: Tok[] = [];
  private pos = 0;
  private parenDepth = 0;
  private actionStart = 0;
  constructor(private readonly src: string, private readonly fail: (msg: string, pos: number) => never) {}

  run(): Tok[] {
    const { src } = this;
    for (;;) {
      const open = src.indexOf('{{', this.pos);
      if (open < 0) {
        this.emitText(this.pos, src.length);
        break;
      }
      const trimLeft = src[open + 2] === '-' && isSpace(src[open + 3]);
      let textEnd = open;
      if (trimLeft) while (textEnd > this.pos && isSpace(src[textEnd - 1])) textEnd--;
      this.emitText(this.pos, textEnd);
      this.pos = open + 2 + (trimLeft ? 2 : 0);
      if (src.startsWith('/*', this.pos)) {
        const close = src.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail('unclosed comment', open);
        this.pos = close + 2;
        const delim = this.atRightDelim();
        if (!delim) this.fail('comment ends before closing delimiter', open);
        this.pos += delim.len;
        if (delim.trim) this.skipSpace();
        continue;
      }
      this.toks.push({ t: 'left', v: '{{', pos: open, end: this.pos });
      this.parenDepth = 0;
      this.actionStart = open;
      this.lexAction();
    }
    this.toks.push({ t: 'eof', v: '', pos: src.length, end: src.length });
    return this.toks;
  }

  private emitText(from: number, to: number): void {
    if (to > from) this.toks.push({ t: 'text', v: this.src.slice(from, to), pos: from, end: to });
  }

  private skipSpace(): void {
    while (isSpace(this.src[this.pos])) this.pos++;
  }

  private atRightDelim(): { len: number; trim: boolean } | undefined {
    const { src, pos } = this;
    if (src.startsWith('}}', pos)) return { len: 2, trim: false };
    if (isSpace(src[pos]) && src[pos + 1] === '-' && src.startsWith('}}', pos + 2)) return { len: 4, trim: true };
    return undefined;
  }

  private push(t: TokType, start: number): void {
    this.toks.push({ t, v: this.src.slice(start, this.pos), pos: start, end: this.pos });
  }

  private lexAction(): void {
    const { src } = this;
    for (;;) {
      const delim = this.atRightDelim();
      if (delim) {
        if (this.parenDepth > 0) this.fail('unclosed left paren', this.pos);
        const start = this.pos;
        this.pos += delim.len;
        this.push('right', start);
        if (delim.trim) this.skipSpace();
        return;
      }
      const start = this.pos;
      const c = src[this.pos];
      if (c === undefined) this.fail('unclosed action', this.actionStart);
      if (isSpace(c)) {
        // Stops before " -}}": that space belongs to the trim marker.
        while (isSpace(src[this.pos]) && !this.atRightDelim()) this.pos++;
        this.push('space', start);
        continue;
      }
      this.pos++;
      switch (c) {
        case '=': this.push('assign', start); continue;
        case ':':
          if (src[this.pos] !== '=') this.fail('expected :=', start);
          this.pos++;
          this.push('declare', start);
          continue;
        case '|': this.push('pipe', start); continue;
        case ',': this.push('comma', start); continue;
        case '(': this.parenDepth++; this.push('lparen', start); continue;
        case ')':
          // A stray ")" is reported by the parser, with its context.
          this.parenDepth = Math.max(0, this.parenDepth - 1);
          this.push('rparen', start);
          continue;
        case '"': this.lexQuote('"', 'string', start); continue;
        case "'": this.lexQuote("'", 'char', start); continue;
        case '`': {
          const close = src.indexOf('`', this.pos);
          if (close < 0) this.fail('unterminated raw quoted string', start);
          this.pos = close + 1;
          this.push('string', start);
          continue;
        }
        case '$':
          while (isAlnum(src[this.pos])) this.pos++;
          this.checkTerminator();
          this.push('var', start);
          continue;
        case '.':
          if (/[0-9]/.test(src[this.pos] ?? '')) { this.pos = start; this.lexNumber(); continue; }
          if (!isAlnum(src[this.pos])) { this.push('dot', start); continue; }
          while (isAlnum(src[this.pos])) this.pos++;
          this.checkTerminator();
          this.push('field', start);
          continue;
      }
      if (c === '+' || c === '-' || /[0-9]/.test(c)) { this.pos = start; this.lexNumber(); continue; }
      if (isAlnum(c)) {
        while (isAlnum(src[this.pos])) this.pos++;
        this.checkTerminator();
        const word = src.slice(start, this.pos);
        this.push(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident', start);
        continue;
      }
      const cp = src.codePointAt(start) ?? 0;
      if (cp > 0x20 && cp < 0x7f) { this.push('other', start); continue; }
      this.fail(`bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`, start);
    }
  }

  private checkTerminator(): void {
    const c = this.src[this.pos];
    if (c === undefined || isSpace(c) || '.,|:()='.includes(c) || this.atRightDelim()) return;
    const cp = this.src.codePointAt(this.pos) ?? 0;
    this.fail(`bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`, this.pos);
  }

  private lexQuote(q: string, t: TokType, start: number): void {
    const { src } = this;
    for (;;) {
      const c = src[this.pos++];
      if (c === '\\') { if (src[this.pos] === undefined || src[this.pos] === '\n') this.fail(`unterminated ${q === '"' ? 'quoted string' : 'character constant'}`, start); this.pos++; continue; }
      if (c === undefined || c === '\n') this.fail(`unterminated ${q === '"' ? 'quoted string' : 'character constant'}`, start);
      if (c === q) break;
    }
    this.push(t, start);
  }

  private lexNumber(): void {
    const start = this.pos;
    const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oObB][0-9_]*|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?/.exec(this.src.slice(start));
    this.pos += m ? m[0].length : 0;
    if (this.pos === start || isAlnum(this.src[this.pos]) || /^[+-]?$/.test(this.src.slice(start, this.pos))) {
      while (isAlnum(this.src[this.pos]) || this.src[this.pos] === '.') this.pos++;
      this.fail(`bad number syntax: "${this.src.slice(start, this.pos)}"`, start);
    }
    this.push('number', start);
  }
}

// ---------------------------------------------------------------- syntax tree

type Arg =
  | { t: 'field'; path: string[]; src: string; pos: number }
  | { t: 'var'; name: string; path: string[]; src: string; pos: number }
  | { t: 'dot'; src: string; pos: number }
  | { t: 'nil'; src: string; pos: number }
  | { t: 'lit'; value: string | number | boolean; src: string; pos: number }
  | { t: 'ident'; name: string; src: string; pos: number }
  | { t: 'pipe'; pipe: Pipe; path: string[]; src: string; pos: number };

interface Cmd { args: Arg[]; pos: number; src: string }
interface Pipe { decl: string[]; isAssign: boolean; cmds: Cmd[]; pos: number }

interface Control { t: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: number }
interface Terminator { t: 'end' | 'else'; pos: number; keyword?: string }
const isTerminator = (n: Node | Terminator): n is Terminator => n.t === 'end' || n.t === 'else';

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe; pos: number }
  | Control
  | { t: 'template'; name: string; pipe?: Pipe; pos: number }
  | { t: 'break' | 'continue'; pos: number };

// ---------------------------------------------------------------- parser

export interface ParseOptions {
  /** Template name used in error messages (Podman uses the command's name). */
  name?: string;
  /** Extra functions, or replacements for the built-in ones. */
  funcs?: Record<string, TemplateFunc>;
}

export class Template {
  /** @internal */ readonly root: Node[];
  /** @internal */ readonly defs: Map<string, Node[]>;
  /** @internal */ readonly funcs: Record<string, FuncDef>;
  readonly name: string;
  readonly source: string;
  constructor(name: string, source: string, root: Node[], defs: Map<string, Node[]>, funcs: Record<string, FuncDef>) {
    this.name = name;
    this.source = source;
    this.root = root;
    this.defs = defs;
    this.funcs = funcs;
  }
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  readonly defs = new Map<string, Node[]>();

  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
    private readonly funcs: Record<string, FuncDef>,
    private readonly fail: (msg: string, pos: number) => never,
  ) {}

  private peek(): Tok { return this.toks[this.i] ?? this.toks[this.toks.length - 1]!; }
  private next(): Tok { const t = this.peek(); if (this.i < this.toks.length - 1) this.i++; return t; }
  private peekNonSpace(): Tok { while (this.peek().t === 'space') this.i++; return this.peek(); }
  private nextNonSpace(): Tok { this.peekNonSpace(); return this.next(); }
  private unexpected(tok: Tok, context: string): never {
    const what = tok.t === 'eof' ? 'EOF' : tok.t === 'right' ? '"}}"' : tok.t === 'left' ? '"{{"' : `"${tok.v}"`;
    return this.fail(`unexpected ${what} in ${context}`, tok.pos);
  }

  parseTop(): Node[] {
    const list: Node[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'eof') return list;
      if (tok.t === 'left') {
        const save = this.i;
        this.next();
        const kw = this.peekNonSpace();
        if (kw.t === 'keyword' && kw.v === 'define') {
          this.next();
          this.parseDefine();
          continue;
        }
        this.i = save;
      }
      const node = this.textOrAction();
      if (isTerminator(node)) return this.fail(`unexpected {{${node.t}}}`, node.pos);
      list.push(node);
    }
  }

  private parseDefine(): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.t !== 'string') this.unexpected(nameTok, 'define clause');
    const name = unquote(nameTok.v, (m) => this.fail(m, nameTok.pos));
    this.expect('right', 'define clause');
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    if (end.t !== 'end') this.fail('unexpected {{else}} in define', end.pos);
    this.vars = saved;
    this.defs.set(name, list);
  }

  private expect(t: TokType, context: string): Tok {
    const tok = this.nextNonSpace();
    if (tok.t !== t) this.unexpected(tok, context);
    return tok;
  }

  /** Parse nodes until {{end}} or {{else}}; returns them and the terminator. */
  private itemList(): [Node[], Terminator] {
    const list: Node[] = [];
    for (;;) {
      if (this.peek().t === 'eof') this.fail('unexpected EOF', this.peek().pos);
      const node = this.textOrAction();
      if (isTerminator(node)) return [list, node];
      list.push(node);
    }
  }

  private textOrAction(): Node | Terminator {
    const tok = this.next();
    if (tok.t === 'text') return { t: 'text', text: tok.v };
    if (tok.t !== 'left') this.unexpected(tok, 'input');
    return this.action(tok.pos);
  }

  private action(pos: number): Node | Terminator {
    const tok = this.peekNonSpace();
    if (tok.t === 'keyword') {
      this.next();
      switch (tok.v) {
        case 'end': this.expect('right', 'end'); return { t: 'end', pos };
        case 'else': {
          const after = this.peekNonSpace();
          if (after.t === 'keyword' && (after.v === 'if' || after.v === 'with')) return { t: 'else', pos, keyword: after.v };
          this.expect('right', 'else');
          return { t: 'else', pos };
        }
        case 'if': return this.control('if', pos);
        case 'with': return this.control('with', pos);
        case 'range': return this.control('range', pos);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(`{{${tok.v}}} outside {{range}}`, tok.pos);
          this.expect('right', tok.v);
          return { t: tok.v, pos };
        case 'template': {
          const nameTok = this.nextNonSpace();
          if (nameTok.t !== 'string') this.unexpected(nameTok, 'template clause');
          const name = unquote(nameTok.v, (m) => this.fail(m, nameTok.pos));
          let pipe: Pipe | undefined;
          if (this.peekNonSpace().t !== 'right') pipe = this.pipeline('template clause', 'right');
          else this.next();
          return { t: 'template', name, pipe, pos };
        }
        case 'block': {
          const nameTok = this.nextNonSpace();
          if (nameTok.t !== 'string') this.unexpected(nameTok, 'block clause');
          const name = unquote(nameTok.v, (m) => this.fail(m, nameTok.pos));
          const pipe = this.pipeline('block clause', 'right');
          const saved = this.vars;
          this.vars = ['$'];
          const [list, end] = this.itemList();
          if (end.t !== 'end') this.fail('unexpected {{else}} in block clause', end.pos);
          this.vars = saved;
          this.defs.set(name, list);
          return { t: 'template', name, pipe, pos };
        }
        case 'define':
          return this.fail('unexpected {{define}}: define is only allowed at the top level', tok.pos);
      }
    }
    return { t: 'action', pipe: this.pipeline('command', 'right'), pos };
  }

  private control(kind: 'if' | 'with' | 'range', pos: number): Node {
    const nvars = this.vars.length;
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const [list, end] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end.t === 'else') {
      if (end.keyword && kind !== 'range' && end.keyword === kind) {
        this.next(); // the "if"/"with" after "else"
        elseList = [this.control(kind, end.pos)];
      } else {
        if (end.keyword) this.fail(`unexpected "${end.keyword}" after {{else}} in ${kind}`, end.pos);
        const [list2, end2] = this.itemList();
        if (end2.t !== 'end') this.fail('expected end; found {{else}}', end2.pos);
        elseList = list2;
      }
    }
    this.vars.length = nvars;
    return { t: kind, pipe, list, elseList, pos };
  }

  private pipeline(context: string, end: 'right' | 'rparen'): Pipe {
    const pipe: Pipe = { decl: [], isAssign: false, cmds: [], pos: this.peekNonSpace().pos };
    // Declarations: $x := ..., $x = ..., and in range: $i, $e := ...
    for (;;) {
      const v = this.peekNonSpace();
      if (v.t !== 'var') break;
      const save = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.t === 'declare' || after.t === 'assign') {
        this.next();
        pipe.isAssign = after.t === 'assign';
        if (pipe.isAssign && !this.vars.includes(v.v)) this.fail(`undefined variable "${v.v}"`, v.pos);
        pipe.decl.push(v.v);
        break;
      }
      if (after.t === 'comma') {
        this.next();
        pipe.decl.push(v.v);
        if (context === 'range' && pipe.decl.length < 2) {
          const n = this.peekNonSpace();
          if (n.t === 'var') continue;
          this.fail('range can only initialize variables', n.pos);
        }
        this.fail(`too many declarations in ${context}`, after.pos);
      }
      this.i = save;
      pipe.decl.length = 0;
      break;
    }
    if (pipe.decl.length > 0 && !pipe.isAssign) this.vars.push(...pipe.decl);
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.t === end) break;
      switch (tok.t) {
        case 'bool': case 'char': case 'dot': case 'field': case 'ident': case 'number': case 'nil':
        case 'string': case 'var': case 'lparen':
          this.i--;
          pipe.cmds.push(this.command());
          continue;
        default:
          this.unexpected(tok, context);
      }
    }
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, pipe.pos);
    pipe.cmds.slice(1).forEach((c, i) => {
      const a = c.args[0];
      if (a && (a.t === 'lit' || a.t === 'dot' || a.t === 'nil')) this.fail(`non executable command in pipeline stage ${i + 2}`, c.pos);
    });
    return pipe;
  }

  private command(): Cmd {
    const start = this.peekNonSpace().pos;
    const cmd: Cmd = { args: [], pos: start, src: '' };
    let endPos = start;
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) { cmd.args.push(op); endPos = this.toks[this.i - 1]?.end ?? endPos; }
      const tok = this.next();
      if (tok.t === 'space') continue;
      if (tok.t === 'right' || tok.t === 'rparen') { this.i--; break; }
      if (tok.t === 'pipe') break;
      this.unexpected(tok, 'operand');
    }
    if (cmd.args.length === 0) this.fail('empty command', start);
    cmd.src = this.src.slice(start, endPos);
    return cmd;
  }

  private operand(): Arg | undefined {
    const term = this.term();
    if (!term) return undefined;
    if (this.peek().t !== 'field') return term;
    const path: string[] = [];
    let end = term.pos + term.src.length;
    while (this.peek().t === 'field') { const f = this.next(); path.push(f.v.slice(1)); end = f.end; }
    const src = this.src.slice(term.pos, end);
    switch (term.t) {
      case 'field': return { ...term, path: [...term.path, ...path], src };
      case 'var': return { ...term, path: [...term.path, ...path], src };
      case 'pipe': return { ...term, path: [...term.path, ...path], src };
      case 'ident': return this.fail(`unexpected . after term "${term.src}"`, term.pos);
      default: return this.fail(`unexpected . after term "${term.src}"`, term.pos);
    }
  }

  private term(): Arg | undefined {
    const tok = this.nextNonSpace();
    const base = { src: tok.v, pos: tok.pos };
    switch (tok.t) {
      case 'ident':
        if (!Object.hasOwn(this.funcs, tok.v)) this.fail(`function "${tok.v}" not defined`, tok.pos);
        return { t: 'ident', name: tok.v, ...base };
      case 'dot': return { t: 'dot', ...base };
      case 'nil': return { t: 'nil', ...base };
      case 'var':
        if (!this.vars.includes(tok.v)) this.fail(`undefined variable "${tok.v}"`, tok.pos);
        return { t: 'var', name: tok.v, path: [], ...base };
      case 'field': return { t: 'field', path: [tok.v.slice(1)], ...base };
      case 'bool': return { t: 'lit', value: tok.v === 'true', ...base };
      case 'number': return { t: 'lit', value: parseNumber(tok.v, (m) => this.fail(m, tok.pos)), ...base };
      case 'char': {
        const s = unquote(tok.v, (m) => this.fail(m, tok.pos));
        const cps = [...s];
        if (cps.length !== 1) this.fail(`malformed character constant: ${tok.v}`, tok.pos);
        return { t: 'lit', value: s.codePointAt(0) ?? 0, ...base };
      }
      case 'string': return { t: 'lit', value: unquote(tok.v, (m) => this.fail(m, tok.pos)), ...base };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        const end = this.toks[this.i - 1]?.end ?? tok.pos;
        return { t: 'pipe', pipe, path: [], src: this.src.slice(tok.pos, end), pos: tok.pos };
      }
    }
    this.i--;
    return undefined;
  }
}

function parseNumber(text: string, fail: (msg: string) => never): number {
  if (text.endsWith('i')) fail(`complex numbers are not supported: "${text}"`);
  let s = text.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') { if (s[0] === '-') sign = -1; s = s.slice(1); }
  let n: number;
  if (/^0[0-7]+$/.test(s)) n = parseInt(s, 8);
  else if (/^0[oO][0-7]+$/.test(s)) n = parseInt(s.slice(2), 8);
  else if (/^0[bB][01]+$/.test(s)) n = parseInt(s.slice(2), 2);
  else if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = parseInt(s.slice(2), 16);
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) n = Number(s);
  else return fail(`illegal number syntax: "${text}"`);
  return sign * n;
}

/** Go's strconv.Unquote for "...", `...` and '...'. */
function unquote(lit: string, fail: (msg: string) => never): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body.replace(/\r/g, '');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') { out += c; continue; }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      if ((e === '"' && q !== '"') || (e === "'" && q !== "'")) fail(`invalid syntax: ${lit}`);
      out += simple[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const h = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) fail(`invalid syntax: ${lit}`);
      const cp = parseInt(h, 16);
      out += e === 'x' ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      i += hexLen;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) fail(`invalid syntax: ${lit}`);
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
      continue;
    }
    fail(`invalid syntax: ${lit}`);
  }
  return out;
}

function lineOf(src: string, pos: number): { line: number; col: number } {
  let line = 1;
  let lastNl = -1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === '\n') { line++; lastNl = i; }
  return { line, col: pos - lastNl - 1 };
}

/** Parse a Go text/template. Throws TemplateError (exit 125) with Go's message. */
export function parseTemplate(src: string, opts: ParseOptions = {}): Template {
  const name = opts.name ?? 'format';
  const funcs: Record<string, FuncDef> = { ...builtinFuncs };
  for (const [k, fn] of Object.entries(opts.funcs ?? {})) funcs[k] = { fn, min: 0 };
  const fail = (msg: string, pos: number): never => {
    throw new TemplateError(`template: ${name}:${lineOf(src, pos).line}: ${msg}`);
  };
  const toks = new Lexer(src, fail).run();
  const parser = new Parser(toks, src, funcs, fail);
  const root = parser.parseTop();
  return new Template(name, src, root, parser.defs, funcs);
}

// ---------------------------------------------------------------- evaluator

const NO_FINAL = Symbol('no final');
class BreakSignal { }
class ContinueSignal { }

export interface ExecuteOptions {
  /**
   * Render a header row instead: every field evaluates to a placeholder that
   * prints as its column header (headers[path] / headers[last field] / the
   * field name split at case changes and upper-cased, e.g. CreatedAt -> CREATED AT).
   */
  header?: Record<string, string>;
}

/** Go field names whose JSON spelling differs, as Podman's structs declare them (`ID string json:"Id"`). */
const GO_JSON_ALIASES: Record<string, string> = { ID: 'Id' };

/** Podman's default header for a field: split at case changes, upper-cased ("OCIRuntime" -> "OCI RUNTIME"). */
export function defaultHeader(field: string): string {
  const runs: string[] = [];
  const cls = (c: string): number => (/\p{Lu}/u.test(c) ? 1 : /\p{Ll}/u.test(c) ? 2 : /\p{N}/u.test(c) ? 3 : 4);
  let last = -1;
  for (const ch of field) {
    const k = cls(ch);
    if (k === last && runs.length > 0) runs[runs.length - 1] += ch;
    else runs.push(ch);
    last = k;
  }
  // An upper-case run followed by a lower-case run gives its last letter to it: "OCIRuntime" -> OCI + Runtime.
  for (let i = 0; i + 1 < runs.length; i++) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (cls(a[0]!) === 1 && cls(b[0]!) === 2) {
      runs[i + 1] = a.slice(-1) + b;
      runs[i] = a.slice(0, -1);
    }
  }
  return runs.filter((r) => r !== '').join(' ').toUpperCase();
}

function headerText(path: readonly string[], headers: Record<string, string>): string {
  if (path.length === 0) return '';
  const full = path.join('.');
  const last = path[path.length - 1]!;
  return headers[full] ?? headers[last] ?? defaultHeader(last);
}

class Exec {
  private vars: Array<{ name: string; value: unknown }> = [];
  private out = '';
  private depth = 0;

  constructor(private readonly tpl: Template, private readonly headers: Record<string, string> | undefined) {}

  run(data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.walkList(data, this.tpl.root);
    return this.out;
  }

  private fail(msg: string, pos: number, context: string): never {
    const { line, col } = lineOf(this.tpl.source, pos);
    const ctx = context.length > 20 ? context.slice(0, 20) + '...' : context;
    throw new TemplateError(`template: ${this.tpl.name}:${line}:${col}: executing "${this.tpl.name}" at <${ctx}>: ${msg}`);
  }

  private walkList(dot: unknown, list: Node[]): void {
    for (const node of list) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.t) {
      case 'text': this.out += node.text; return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += formatValue(v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        if (truth(v)) this.walkList(node.t === 'with' ? v : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range': return this.walkRange(dot, node);
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
      case 'template': {
        const list = this.tpl.defs.get(node.name);
        if (!list) this.fail(`template "${node.name}" not defined`, node.pos, `template "${node.name}"`);
        const v = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        if (++this.depth > 1000) this.fail('exceeded maximum template depth (1000)', node.pos, `template "${node.name}"`);
        const saved = this.vars;
        this.vars = [{ name: '$', value: v }];
        this.walkList(v, list);
        this.vars = saved;
        this.depth--;
        return;
      }
    }
  }

  private walkRange(dot: unknown, node: Control): void {
    const mark = this.vars.length;
    const { pipe } = node;
    let val: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) val = this.evalCommand(dot, cmd, val);
    const decl = pipe.decl;
    const one = (key: unknown, elem: unknown): boolean => {
      if (decl.length === 1) this.vars.push({ name: decl[0]!, value: elem });
      else if (decl.length === 2) this.vars.push({ name: decl[0]!, value: key }, { name: decl[1]!, value: elem });
      try {
        this.walkList(elem, node.list);
      } catch (e) {
        if (e instanceof BreakSignal) { this.vars.length = mark; return false; }
        if (!(e instanceof ContinueSignal)) throw e;
      }
      this.vars.length = mark;
      return true;
    };
    let iterated = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) { iterated = true; if (!one(i, val[i])) break; }
    } else if (val instanceof Header) {
      iterated = true;
      one(val, val);
    } else if (val instanceof Map) {
      for (const k of [...val.keys()].sort()) { iterated = true; if (!one(k, val.get(k))) break; }
    } else if (typeof val === 'number' && Number.isInteger(val)) {
      if (decl.length > 1) this.fail(`can't use ${val} to iterate over more than one variable`, node.pos, 'range');
      for (let i = 0; i < val; i++) { iterated = true; if (!one(i, i)) break; }
    } else if (isPlainObject(val) && !isStruct(val)) {
      for (const k of Object.keys(val).sort()) { iterated = true; if (!one(k, val[k])) break; }
    } else if (val !== undefined && val !== null) {
      this.fail(`range can't iterate over ${formatValue(val)}`, node.pos, 'range');
    }
    this.vars.length = mark;
    if (!iterated && node.elseList) this.walkList(dot, node.elseList);
  }

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        for (let i = this.vars.length - 1; i >= 0; i--) {
          if (this.vars[i]!.name === name) { this.vars[i]!.value = value; break; }
        }
      } else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(cmd: Cmd, final: unknown): void {
    if (cmd.args.length > 1 || final !== NO_FINAL) this.fail(`can't give argument to non-function ${cmd.args[0]!.src}`, cmd.pos, cmd.src);
  }

  private evalCommand(dot: unknown, cmd: Cmd, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.t) {
      case 'field': return this.evalChain(dot, dot, first.path, first, cmd.args, final);
      case 'var': {
        const v = this.lookupVar(first.name);
        if (first.path.length === 0) { this.notAFunction(cmd, final); return v; }
        return this.evalChain(dot, v, first.path, first, cmd.args, final);
      }
      case 'pipe': {
        if (first.path.length === 0) { this.notAFunction(cmd, final); return this.evalPipeline(dot, first.pipe); }
        return this.evalChain(dot, this.evalPipeline(dot, first.pipe), first.path, first, cmd.args, final);
      }
      case 'ident': return this.evalFunction(dot, first, cmd.args, final, cmd.src);
      case 'nil': return this.fail('nil is not a command', first.pos, first.src);
      case 'dot': this.notAFunction(cmd, final); return dot;
      case 'lit': this.notAFunction(cmd, final); return first.value;
    }
  }

  private lookupVar(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return undefined;
  }

  private evalArg(dot: unknown, arg: Arg): unknown {
    switch (arg.t) {
      case 'field': return this.evalChain(dot, dot, arg.path, arg, [arg], NO_FINAL);
      case 'var': return arg.path.length ? this.evalChain(dot, this.lookupVar(arg.name), arg.path, arg, [arg], NO_FINAL) : this.lookupVar(arg.name);
      case 'pipe': {
        const v = this.evalPipeline(dot, arg.pipe);
        return arg.path.length ? this.evalChain(dot, v, arg.path, arg, [arg], NO_FINAL) : v;
      }
      case 'ident': return this.evalFunction(dot, arg, [arg], NO_FINAL, arg.src);
      case 'dot': return dot;
      case 'nil': return null;
      case 'lit': return arg.value;
    }
  }

  /** .A.B.C against receiver: every step but the last is a plain lookup; the last may be a method call with args. */
  private evalChain(dot: unknown, receiver: unknown, path: string[], node: Arg, args: Arg[], final: unknown): unknown {
    let r = receiver;
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      r = this.evalField(dot, r, path[i]!, node, last ? args : [node], last ? final : NO_FINAL);
    }
    return r;
  }

  private evalField(dot: unknown, receiver: unknown, name: string, node: Arg, args: Arg[], final: unknown): unknown {
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    if (this.headers) {
      const p = [...(receiver instanceof Header ? receiver.path : []), name];
      return new Header(p, headerText(p, this.headers));
    }
    if (receiver === undefined || receiver === null) return undefined;
    if (typeof receiver === 'object' && !Array.isArray(receiver) && !(receiver instanceof Date)) {
      const obj = receiver as Record<string, unknown>;
      let found: boolean;
      let value: unknown;
      if (receiver instanceof Map) { found = receiver.has(name); value = receiver.get(name); }
      else {
        found = Object.hasOwn(obj, name) || (name in obj && !(name in Object.prototype));
        value = found ? obj[name] : undefined;
        // objects shaped like Podman's JSON ("Id") answer to its Go field name too ({{.ID}})
        const alias = found ? undefined : GO_JSON_ALIASES[name];
        if (alias !== undefined && Object.hasOwn(obj, alias)) { found = true; value = obj[alias]; }
      }
      if (typeof value === 'function') {
        const argv = args.slice(1).map((a) => this.evalArg(dot, a));
        if (final !== NO_FINAL) argv.push(final);
        return this.callValue(value as TemplateFunc, receiver, argv, node.pos, node.src, name);
      }
      const struct = (): boolean => !(receiver instanceof Map) && isStruct(obj);
      if (found) {
        if (hasArgs) this.fail(struct() ? `${name} has arguments but cannot be invoked as function` : `${name} is not a method but has arguments`, node.pos, node.src);
        return value;
      }
      if (!struct()) {
        if (hasArgs) this.fail(`${name} is not a method but has arguments`, node.pos, node.src);
        return undefined;
      }
    }
    return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`, node.pos, node.src);
  }

  private callValue(fn: TemplateFunc, self: unknown, argv: unknown[], pos: number, src: string, name = 'function'): unknown {
    try {
      return fn.apply(self, argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      return this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, pos, src);
    }
  }

  private evalFunction(dot: unknown, ident: Extract<Arg, { t: 'ident' }>, args: Arg[], final: unknown, context: string): unknown {
    const name = ident.name;
    const def = this.tpl.funcs[name]!;
    const rest = args.slice(1);
    const nargs = rest.length + (final !== NO_FINAL ? 1 : 0);
    const isBuiltin = builtinFuncs[name]?.fn === def.fn;
    if (nargs < def.min || (def.max !== undefined && nargs > def.max)) {
      const want = def.max === def.min ? `${def.min}` : `at least ${def.min}`;
      this.fail(`wrong number of args for ${name}: want ${want} got ${nargs}`, ident.pos, ident.src);
    }
    // and/or short-circuit and return the deciding operand.
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      const all = [...rest.map((a) => () => this.evalArg(dot, a)), ...(final !== NO_FINAL ? [() => final] : [])];
      for (const get of all) {
        v = get();
        if (truth(v) === (name === 'or')) return v;
      }
      return v;
    }
    const argv = rest.map((a) => this.evalArg(dot, a));
    if (final !== NO_FINAL) argv.push(final);
    if (this.headers && !def.text) {
      const h = argv.find((a) => a instanceof Header);
      if (h) return h;
    }
    return this.callValue(def.fn, undefined, argv, ident.pos, context, name);
  }
}

/** Execute a parsed template against data. Errors are TemplateError (exit 125). */
export function executeTemplate(tpl: Template, data: unknown, opts: ExecuteOptions = {}): string {
  return new Exec(tpl, opts.header).run(opts.header ? new Header([], '') : data);
}
