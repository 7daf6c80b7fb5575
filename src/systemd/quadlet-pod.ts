// Quadlet NAME.pod files (podman-systemd.unit(5)): a [Pod] section becomes
// NAME-pod.service, which creates the pod on start (`tspod pod create --replace`,
// its ID and the infra container's conmon PID in files under %t), starts it, and
// stops and removes it on stop. Containers whose [Container] has Pod=NAME.pod join
// it by its ID file, are bound to its unit (BindsTo=, After=), and the pod unit
// wants them (Wants=, Before=), so starting either brings up the whole pod.
import * as path from 'node:path';
import { escapeLiteral, layoutCommand, quoteWord, splitWords, parseUnitFile, UnitSyntaxError, type UnitEntry, type UnitSection } from './unit-file.js';
import { QuadletError, type ConvertOptions, type ConvertedUnit } from './quadlet.js';

/** The unit of NAME.pod, and the file its ID goes to (members use it). */
export function podServiceName(podFile: string): string { return `${podFile.replace(/\.pod$/, '')}-pod.service`; }
export function podIdFile(podFile: string): string { return `%t/${podFile.replace(/\.pod$/, '')}-pod.pod-id`; }

const VALUE_KEYS: Record<string, string> = {
  PublishPort: '--publish', Network: '--network', Volume: '--volume', AddHost: '--add-host', DNS: '--dns', DNSSearch: '--dns-search',
  DNSOption: '--dns-option', Label: '--label', UserNS: '--userns', HostName: '--hostname', ShmSize: '--shm-size',
};
const LAST_KEYS = new Set(['Network', 'UserNS', 'HostName', 'ShmSize']);
const SPECIAL = new Set(['PodName', 'PodmanArgs', 'GlobalArgs']);

function lastOf(entries: UnitEntry[], key: string): UnitEntry | undefined {
  let r: UnitEntry | undefined;
  for (const e of entries) if (e.key === key) r = e;
  return r;
}
function allOf(entries: UnitEntry[], key: string): UnitEntry[] {
  let r: UnitEntry[] = [];
  for (const e of entries) if (e.key === key) r = e.value === '' ? [] : [...r, e];
  return r;
}

/** Convert NAME.pod; `members` are the service names of the containers with Pod=NAME.pod. */
export function convertPod(fileName: string, text: string, o: ConvertOptions, members: string[]): ConvertedUnit {
  const src = o.sourcePath;
  const fail = (line: number, msg: string): never => { throw new QuadletError(src, line, msg); };
  if (!fileName.endsWith('.pod')) fail(0, 'not a .pod file');
  const base = fileName.slice(0, -'.pod'.length);
  if (!base || !/^[A-Za-z0-9:_.\\@-]+$/.test(base)) fail(0, `"${base}" is not a valid unit name`);
  const serviceName = podServiceName(fileName);
  let sections: UnitSection[];
  try { sections = parseUnitFile(text); } catch (err) {
    if (err instanceof UnitSyntaxError) fail(err.line, err.message);
    throw err;
  }
  const podSec = sections.find((s) => s.name === 'Pod');
  if (!podSec) fail(0, 'no [Pod] section');
  const p = podSec!.entries;
  for (const e of p) if (!VALUE_KEYS[e.key] && !SPECIAL.has(e.key)) fail(e.line, `unsupported key "${e.key}" in section [Pod]`);
  const words = (e: UnitEntry): string[] => { try { return splitWords(e.value); } catch (err) { return fail(e.line, `${e.key}=: ${(err as Error).message}`); } };
  const nameEntry = lastOf(p, 'PodName');
  const podName = nameEntry?.value || `systemd-${base}`;
  if (!/^[A-Za-z0-9%][A-Za-z0-9_.%-]*$/.test(podName)) fail(nameEntry?.line ?? 0, `invalid PodName "${podName}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);

  const create: string[][] = [];
  const fileDir = path.dirname(src);
  const unitExtra: string[] = [];
  for (const [key, flag] of Object.entries(VALUE_KEYS)) {
    const entries = LAST_KEYS.has(key) ? [lastOf(p, key)].filter((x): x is UnitEntry => !!x && x.value !== '') : allOf(p, key);
    for (const e of entries) {
      let v = e.value.trim();
      if (key === 'Volume') {
        const [source, dest, ...rest] = v.split(':');
        if (!dest || !dest.startsWith('/')) fail(e.line, `invalid Volume "${v}": use SOURCE:DEST[:OPTIONS] with an absolute DEST`);
        const abs = source!.startsWith('./') || source!.startsWith('../') ? path.resolve(fileDir, source!) : source!;
        if (abs.startsWith('/')) unitExtra.push(`RequiresMountsFor=${abs}`);
        v = [abs, dest, ...rest].join(':');
      }
      if (key === 'Label') { for (const w of words(e)) create.push([flag, quoteWord(w)]); continue; }
      create.push([flag, quoteWord(v)]);
    }
  }
  for (const e of allOf(p, 'PodmanArgs')) for (const w of words(e)) create.push([quoteWord(w)]);
  const globalArgs: string[] = [];
  for (const e of allOf(p, 'GlobalArgs')) globalArgs.push(...words(e).map((w) => quoteWord(w)));

  const svc = sections.find((s) => s.name === 'Service')?.entries ?? [];
  for (const k of ['ExecStart', 'ExecStop', 'PIDFile', 'Type']) {
    const e = lastOf(svc, k);
    if (e) fail(e.line, `${k}= in [Service] is generated from [Pod]: remove it`);
  }
  const tspod = [...[...o.ctx.tspod, ...o.ctx.globalArgs].map((w) => quoteWord(w, true)), ...globalArgs];
  const idFile = '%t/%N.pod-id';
  const pidFile = '%t/%N.pid';
  const ourService = [
    'Environment=TSPOD_SYSTEMD_UNIT=%n',
    ...(lastOf(svc, 'TimeoutStopSec') ? [] : ['TimeoutStopSec=70']),
    'Type=forking',
    `ExecStartPre=${layoutCommand([[...tspod, 'pod', 'create'], [`--infra-conmon-pidfile=${pidFile}`], [`--pod-id-file=${idFile}`], ['--exit-policy=stop'], ['--replace'], [`--name=${quoteWord(podName)}`], ...create])}`,
    `ExecStart=${layoutCommand([[...tspod, 'pod', 'start'], [`--pod-id-file=${idFile}`]])}`,
    `ExecStop=${layoutCommand([[...tspod, 'pod', 'stop'], [`--pod-id-file=${idFile}`, '--ignore', '--time=10']])}`,
    `ExecStopPost=${layoutCommand([[...tspod, 'pod', 'rm'], [`--pod-id-file=${idFile}`, '--ignore', '--force']])}`,
    `PIDFile=${pidFile}`,
  ];
  const unitLines = [
    'Wants=network-online.target', 'After=network-online.target', `SourcePath=${escapeLiteral(src)}`,
    `RequiresMountsFor=${o.user ? '%t/tspod' : '/run/tspod'}`, ...unitExtra,
    ...(members.length ? [`Wants=${members.join(' ')}`, `Before=${members.join(' ')}`] : []),
  ];
  const install = { wantedBy: [] as string[], requiredBy: [] as string[], alias: [] as string[] };
  for (const e of sections.find((s) => s.name === 'Install')?.entries ?? []) {
    const list = e.key === 'WantedBy' ? install.wantedBy : e.key === 'RequiredBy' ? install.requiredBy : e.key === 'Alias' ? install.alias : undefined;
    if (list) for (const w of words(e)) list.push(w);
  }
  const out: string[] = [`# ${serviceName}`, `# Automatically generated by tspod quadlet from ${escapeLiteral(src)}`, ''];
  const raw = (e: UnitEntry) => `${e.key}=${e.value}`;
  const emitted = new Set<string>();
  for (const s of sections) {
    if (s.name === 'Pod') { out.push('[X-Pod]', ...s.entries.map(raw), ''); continue; }
    if (s.name === 'Unit') { out.push('[Unit]', ...unitLines, ...s.entries.map(raw), ''); emitted.add('Unit'); continue; }
    if (s.name === 'Service') { out.push('[Service]', ...ourService, ...s.entries.map(raw), ''); emitted.add('Service'); continue; }
    out.push(`[${s.name}]`, ...s.entries.map(raw), '');
  }
  if (!emitted.has('Unit')) out.push('[Unit]', ...unitLines, '');
  if (!emitted.has('Service')) out.push('[Service]', ...ourService, '');
  return { serviceName, text: out.join('\n').replace(/\n+$/, '\n'), install };
}
