// The one glob matcher (Go's filepath.Match syntax, as Docker and Podman use it):
// `*` and `?` stop at `/`, `[a-z]`/`[!a-z]` classes, `\x` escapes; with
// `doubleStar`, `**` also crosses directories (.dockerignore / .containerignore).

/** Compile a glob pattern to an anchored regular expression. */
export function globToRegExp(pattern: string, o: { doubleStar?: boolean } = {}): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (o.doubleStar && pattern[i + 1] === '*') {
        i++;
        while (pattern[i + 1] === '*') i++;
        if (i + 1 >= pattern.length) re += '.*';
        else if (pattern[i + 1] === '/') { i++; re += '(.*/)?'; }
        else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) { i++; re += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'); }
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}
