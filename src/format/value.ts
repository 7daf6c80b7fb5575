// How Go's text/template sees a JavaScript value: its printed form (fmt's %v),
// its truth, and whether an object is a "struct" or a "map".
//
// Go tells structs from maps by type; JS data does not carry that, so tspod
// decides per object: an explicit mark (markStruct/markMap) wins; otherwise a
// non-empty object whose own keys all start with an upper-case letter (the shape
// of Podman's report types: {ID, Names, Created, ...}) is a struct, and anything
// else (labels, annotations, env maps, empty objects) is a map. The difference
// shows in three places, exactly as in Go: a missing field on a struct is an
// error while a missing map key prints "<no value>"; an empty map is false in
// {{if}} while a struct is always true; maps print as map[k:v ...].

const KIND = Symbol.for('tspod.template.kind');

/** Mark an object as a Go struct: missing fields are errors. Returns the object. */
export function markStruct<T extends object>(obj: T): T {
  Object.defineProperty(obj, KIND, { value: 'struct', enumerable: false, configurable: true });
  return obj;
}

/** Mark an object as a Go map: missing keys print "<no value>". Returns the object. */
export function markMap<T extends object>(obj: T): T {
  Object.defineProperty(obj, KIND, { value: 'map', enumerable: false, configurable: true });
  return obj;
}

export function isStruct(obj: object): boolean {
  const mark = (obj as Record<symbol, unknown>)[KIND];
  if (mark === 'struct') return true;
  if (mark === 'map') return false;
  const keys = Object.keys(obj);
  if (keys.length === 0) return false;
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/** A column-header placeholder: what a field evaluates to when a `table` template renders its header row. */
export class Header {
  constructor(readonly path: readonly string[], readonly text: string) {}
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Header);
}

/** Go's notion of truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean': return v;
    case 'number': return v !== 0 && !Number.isNaN(v);
    case 'bigint': return v !== 0n;
    case 'string': return v.length > 0;
    case 'function': return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Header || v instanceof Date) return true;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (typeof v === 'object') return isStruct(v) || Object.keys(v).length > 0;
  return true;
}

/** A Go-ish type name for error messages. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint': return 'int64';
    case 'function': return 'func';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Date) return 'time.Time';
  if (typeof v === 'object') {
    const ctor = (v as object).constructor?.name;
    if (ctor && ctor !== 'Object') return ctor;
    return isStruct(v as object) ? 'struct' : 'map[string]interface {}';
  }
  return typeof v;
}

/**
 * Go's %v for a number. JS has one number type: integral values print as Go
 * ints do, the rest as float64 (strconv 'g' with shortest digits, which uses the
 * exponent form when exp < -4 || exp >= 6: 1234567.5 -> 1.2345675e+06).
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return shortestG(n);
}

/** strconv.FormatFloat(x, 'g', -1, 64). */
export function shortestG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return '0';
  const [mant = '', expStr = '0'] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return goExp(mant, exp);
  return String(x);
}

export function goExp(mant: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return `${mant}e${sign}${e < 10 ? '0' : ''}${e}`;
}

// JS rounds exact ties (2.25 -> "2.3") up; Go's strconv rounds them to even
// ("2.2"). These wrappers look at the exact decimal expansion (which toFixed and
// toExponential compute from the exact binary value) to spot a tie.
const isTie = (rest: string): boolean => /^50*$/.test(rest);
const evenDigit = (s: string): boolean => Number(s.replace(/\.$/, '').slice(-1)) % 2 === 0;

/** x.toFixed(prec) with Go's round-half-to-even on exact ties. */
export function toFixedGo(x: number, prec: number): string {
  const long = x.toFixed(Math.min(100, prec + 40));
  const dot = long.indexOf('.');
  const keep = prec === 0 ? dot : dot + 1 + prec;
  const truncated = long.slice(0, keep);
  if (isTie(long.slice(prec === 0 ? dot + 1 : keep)) && evenDigit(truncated)) return truncated;
  return x.toFixed(prec);
}

/** x.toExponential(fd) with Go's round-half-to-even on exact ties; returns [mantissa, exponent]. */
export function toExponentialGo(x: number, fd: number): [string, number] {
  const [longMant = '', longExp = '0'] = x.toExponential(Math.min(100, fd + 40)).split('e');
  const keep = fd === 0 ? 1 : 2 + fd;
  const truncated = longMant.slice(0, keep);
  if (isTie(longMant.slice(fd === 0 ? 2 : keep)) && evenDigit(truncated)) return [truncated, Number(longExp)];
  const [m = '', e = '0'] = x.toExponential(fd).split('e');
  return [m, Number(e)];
}

/** Go's %.<prec>g: at most prec significant digits, trailing zeros dropped. */
export function formatG(n: number, prec: number): string {
  if (!Number.isFinite(n)) return formatNumber(n);
  if (prec === 0) prec = 1;
  if (n === 0) return '0';
  const [m, exp] = toExponentialGo(n, prec - 1);
  if (exp < -4 || exp >= prec) return goExp(stripZeros(m), exp);
  return stripZeros(toFixedGo(n, Math.max(0, prec - 1 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** Go time.Time's String() for a Date, in UTC. */
function formatDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  let frac = iso.slice(20, 23).replace(/0+$/, '');
  frac = frac ? '.' + frac : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** fmt's %v for any value, as text/template prints it. */
export function formatValue(v: unknown, top = true): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return v;
    case 'number': return formatNumber(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'function': return top ? '<func>' : '0x0';
    case 'symbol': return v.toString();
  }
  if (v instanceof Header) return v.text;
  if (Array.isArray(v)) return '[' + v.map((x) => formatValue(x === undefined ? null : x, false)).join(' ') + ']';
  if (v instanceof Date) return formatDate(v);
  if (v instanceof Map) {
    const keys = [...v.keys()].sort();
    return 'map[' + keys.map((k) => `${formatValue(k, false)}:${formatValue(v.get(k), false)}`).join(' ') + ']';
  }
  const obj = v as Record<string, unknown>;
  if (isStruct(obj)) return '{' + Object.keys(obj).map((k) => formatValue(obj[k] ?? null, false)).join(' ') + '}';
  const keys = Object.keys(obj).sort();
  return 'map[' + keys.map((k) => `${k}:${formatValue(obj[k] ?? null, false)}`).join(' ') + ']';
}
