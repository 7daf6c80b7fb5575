// The invoking user's subordinate id ranges from /etc/subuid and /etc/subgid.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { PrerequisiteError } from '../util/errors.js';

export interface IdRange { start: number; count: number }

export function userName(uid: number): string {
  try {
    const me = os.userInfo();
    if (me.uid === uid) return me.username;
  } catch { /* no passwd entry */ }
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[0]) return f[0];
    }
  } catch { /* ignore */ }
  return String(uid);
}

/** Ranges for the user (matched by name or numeric uid), in file order. */
export function readSubIds(file: string, uid: number, name: string): IdRange[] {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  const out: IdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [who, start, count] = line.split(':');
    if (who !== name && who !== String(uid)) continue;
    const s = Number(start), c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && c > 0) out.push({ start: s, count: c });
  }
  return out;
}

export interface RootlessMapping { uid: number; gid: number; user: string; subuid: IdRange; subgid: IdRange }

export function rootlessMapping(uid: number, gid: number): RootlessMapping {
  const user = userName(uid);
  const su = readSubIds('/etc/subuid', uid, user);
  const sg = readSubIds('/etc/subgid', uid, user);
  if (!su[0]) throw new PrerequisiteError(`no subuid ranges found for user "${user}" in /etc/subuid: add one, e.g. "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}"`);
  if (!sg[0]) throw new PrerequisiteError(`no subgid ranges found for user "${user}" in /etc/subgid: add one, e.g. "usermod --add-subgids 100000-165535 ${user}"`);
  return { uid, gid, user, subuid: su[0], subgid: sg[0] };
}
