// --user / USER resolution against the container's own /etc/passwd and /etc/group.
import * as fs from 'node:fs';
import { TspodError } from '../util/errors.js';
import { secureJoin } from './rootfs.js';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string; name: string }

function readLines(root: string, file: string): string[][] {
  try { return fs.readFileSync(secureJoin(root, file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')); } catch { return []; }
}

export function resolveUser(root: string, spec: string, groupAdd: string[] = []): ResolvedUser {
  const s = spec || '0';
  const [u, g] = s.split(':', 2) as [string, string | undefined];
  const passwd = readLines(root, '/etc/passwd');
  const group = readLines(root, '/etc/group');
  let uid: number, gid: number | undefined, home = '/', name = u;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const pw = passwd.find((f) => f[2] === u);
    if (pw) { gid = Number(pw[3]); home = pw[5] || '/'; name = pw[0] ?? u; }
  } else {
    const pw = passwd.find((f) => f[0] === u);
    if (!pw) throw new TspodError(`unable to find user ${u}: no matching entries in passwd file`, 'EUSER', 126);
    uid = Number(pw[2]); gid = Number(pw[3]); home = pw[5] || '/';
  }
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const gr = group.find((f) => f[0] === g);
      if (!gr) throw new TspodError(`unable to find group ${g}: no matching entries in group file`, 'EUSER', 126);
      gid = Number(gr[2]);
    }
  }
  if (uid === 0 && home === '/') home = '/root';
  const additional = new Set<number>();
  if (g === undefined && name) for (const gr of group) if ((gr[3] ?? '').split(',').includes(name)) additional.add(Number(gr[2]));
  for (const ga of groupAdd) {
    if (/^\d+$/.test(ga)) additional.add(Number(ga));
    else { const gr = group.find((f) => f[0] === ga); if (!gr) throw new TspodError(`unable to find group ${ga}`, 'EUSER'); additional.add(Number(gr[2])); }
  }
  return { uid, gid: gid ?? 0, additionalGids: [...additional], home, name };
}
