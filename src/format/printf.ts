// The part of Go's fmt.Sprintf that --format templates use: %v %s %q %d %x %X
// %o %b %c %f %F %e %E %g %G %t %T %%, with flags (- + # space 0), width and
// precision (also as *). Wrong-type and missing operands print Go's
// %!verb(type=value) / %!verb(MISSING) / %!(EXTRA ...) markers rather than throwing,
// as fmt does.

import { Header, formatG, formatValue, goExp, shortestG, toExponentialGo, toFixedGo, typeName } from './value.js';

interface Spec { minus: boolean; plus: boolean; sharp: boolean; space: boolean; zero: boolean; width?: number; prec?: number }

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = true;
      else break;
    }
    if (format[i] === '*') {
      i++;
      const w = args[argi++];
      if (typeof w === 'number' && Number.isInteger(w)) {
        spec.width = Math.abs(w);
        if (w < 0) spec.minus = true;
      } else out += '%!(BADWIDTH)';
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) { spec.width = Number(m[0]); i += m[0].length; }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = args[argi++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) spec.prec = p;
        else out += '%!(BADPREC)';
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    if (argi >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    out += formatArg(verb, spec, args[argi++]);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${typeName(a)}=${formatValue(a)}`).join(', ') + ')';
  }
  return out;
}

function pad(s: string, spec: Spec, zeroOK: boolean): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  const fill = w - len;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && zeroOK) {
    const sign = /^[+\- ]/.test(s) ? s.slice(0, 1) : '';
    const prefix = /^[+\- ]?0[xXbo]/.test(s) && spec.sharp ? s.slice(sign.length, sign.length + 2) : '';
    return sign + prefix + '0'.repeat(fill) + s.slice(sign.length + prefix.length);
  }
  return ' '.repeat(fill) + s;
}

function bad(verb: string, v: unknown): string {
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  if (neg) return '-' + s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

/** Go's strconv.Quote for the characters that matter on a terminal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function formatInt(verb: string, spec: Spec, n: number | bigint): string {
  const neg = n < 0;
  const abs = neg ? -n : n;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'd': case 'v': digits = abs.toString(10); break;
    case 'x': digits = abs.toString(16); if (spec.sharp) prefix = '0x'; break;
    case 'X': digits = abs.toString(16).toUpperCase(); if (spec.sharp) prefix = '0X'; break;
    case 'o': digits = abs.toString(8); if (spec.sharp) prefix = '0'; break;
    case 'O': digits = abs.toString(8); prefix = '0o'; break;
    case 'b': digits = abs.toString(2); break;
    default: digits = abs.toString(10);
  }
  if (spec.prec !== undefined && digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  return pad(signed(prefix + digits, neg, spec), spec, spec.prec === undefined);
}

function formatFloat(verb: string, spec: Spec, x: number): string {
  if (!Number.isFinite(x)) {
    const s = Number.isNaN(x) ? 'NaN' : x > 0 ? (spec.plus ? '+Inf' : 'Inf') : '-Inf';
    return pad(s, spec, false);
  }
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let s: string;
  switch (verb) {
    case 'f': case 'F': s = toFixedGo(abs, spec.prec ?? 6); break;
    case 'e': case 'E': {
      const [m, e] = toExponentialGo(abs, spec.prec ?? 6);
      s = goExp(m, e);
      if (verb === 'E') s = s.toUpperCase();
      break;
    }
    case 'g': case 'G': case 'v':
      s = spec.prec === undefined ? shortestG(abs) : formatG(abs, spec.prec);
      if (verb === 'G') s = s.toUpperCase();
      break;
    default: s = String(abs);
  }
  return pad(signed(s, neg, spec), spec, true);
}

function formatArg(verb: string, spec: Spec, v: unknown): string {
  // A header placeholder prints its header whatever the verb, keeping the width.
  if (v instanceof Header) return pad(v.text, spec, false);
  if (verb === 'T') return pad(typeName(v), spec, false);
  if (typeof v === 'function') v = (v as () => unknown)();
  switch (verb) {
    case 'v':
      if (typeof v === 'number') return Number.isInteger(v) ? formatInt('d', spec, v) : formatFloat('g', spec, v);
      if (typeof v === 'string' && spec.sharp) return pad(goQuote(v), spec, false);
      return pad(formatValue(v), spec, false);
    case 's': {
      let s = typeof v === 'string' ? v : formatValue(v);
      if (spec.prec !== undefined) s = [...s].slice(0, spec.prec).join('');
      return pad(s, spec, false);
    }
    case 'q':
      if (typeof v === 'string') return pad(spec.sharp && !v.includes('`') ? '`' + v + '`' : goQuote(v), spec, false);
      if (typeof v === 'number' && Number.isInteger(v)) return pad(`'${String.fromCodePoint(v)}'`, spec, false);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return pad('[' + v.map((x) => goQuote(x as string)).join(' ') + ']', spec, false);
      return bad(verb, v);
    case 't':
      return typeof v === 'boolean' ? pad(String(v), spec, false) : bad(verb, v);
    case 'c':
      return typeof v === 'number' && Number.isInteger(v) ? pad(String.fromCodePoint(v), spec, false) : bad(verb, v);
    case 'd': case 'o': case 'O': case 'b':
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return formatInt(verb, spec, v);
      if (verb === 'b' && typeof v === 'number') return bad(verb, v);
      return bad(verb, v);
    case 'x': case 'X':
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return formatInt(verb, spec, v);
      if (typeof v === 'string') {
        let h = Buffer.from(v, 'utf8').toString('hex');
        if (verb === 'X') h = h.toUpperCase();
        return pad(h, spec, false);
      }
      return bad(verb, v);
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
      if (typeof v === 'number') return formatFloat(verb, spec, v);
      return bad(verb, v);
    default:
      return bad(verb, v);
  }
}
