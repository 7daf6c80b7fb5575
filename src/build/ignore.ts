// .containerignore / .dockerignore: which context paths COPY and ADD may not
// see. Docker's rules: one pattern per line, `#` comments, patterns are
// cleaned and made relative to the context root, `*` and `?` stop at "/",
// `**` crosses directories, `!pattern` re-includes, the last matching
// pattern wins, and a pattern that matches a directory matches everything
// below it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globToRegExp } from '../util/glob.js';

interface Pattern { re: RegExp; exclusion: boolean; source: string }

function cleanPattern(p: string): string {
  let c = path.posix.normalize(p);
  while (c.startsWith('/')) c = c.slice(1);
  if (c === '' ) c = '.';
  if (c.endsWith('/') && c.length > 1) c = c.slice(0, -1);
  return c;
}

const compile = (p: string): RegExp => globToRegExp(p, { doubleStar: true });

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  readonly hasExceptions: boolean;

  constructor(lines: string[]) {
    this.patterns = [];
    for (const raw of lines) {
      let l = raw.trim();
      if (!l || l.startsWith('#')) continue;
      let exclusion = false;
      if (l.startsWith('!')) { exclusion = true; l = l.slice(1).trim(); }
      if (!l) continue;
      const c = cleanPattern(l);
      this.patterns.push({ re: compile(c), exclusion, source: raw });
    }
    this.hasExceptions = this.patterns.some((p) => p.exclusion);
  }

  static parse(text: string): IgnoreMatcher {
    return new IgnoreMatcher(text.split(/\r?\n/));
  }

  get empty(): boolean { return this.patterns.length === 0; }

  /** True when `rel` (a context-relative path, "/" separated) is excluded. */
  ignored(rel: string): boolean {
    const file = cleanPattern(rel);
    if (file === '.') return false;
    const parts = file.split('/');
    let matched = false;
    for (const p of this.patterns) {
      let m = p.re.test(file);
      // a pattern matching a parent directory matches everything below it
      for (let i = 1; !m && i < parts.length; i++) m = p.re.test(parts.slice(0, i).join('/'));
      if (m) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether a walk may skip everything below an ignored directory: only when
   * no exception pattern could re-include something inside it.
   */
  canSkipDir(rel: string): boolean {
    if (!this.ignored(rel)) return false;
    if (!this.hasExceptions) return true;
    const prefix = `${cleanPattern(rel)}/`;
    return !this.patterns.some((p) => p.exclusion && (p.source.includes('*') || cleanPattern(p.source.trim().slice(1).trim()).startsWith(prefix)));
  }
}

/**
 * The ignore file for a build: <Containerfile>.containerignore or
 * <Containerfile>.dockerignore next to the Containerfile, else
 * .containerignore or .dockerignore in the context directory.
 */
export function loadIgnore(contextDir: string, containerfile?: string): { matcher: IgnoreMatcher; file?: string } {
  const cands: string[] = [];
  if (containerfile) cands.push(`${containerfile}.containerignore`, `${containerfile}.dockerignore`);
  cands.push(path.join(contextDir, '.containerignore'), path.join(contextDir, '.dockerignore'));
  for (const c of cands) {
    let text: string;
    try { text = fs.readFileSync(c, 'utf8'); } catch { continue; }
    return { matcher: IgnoreMatcher.parse(text), file: c };
  }
  return { matcher: new IgnoreMatcher([]) };
}
