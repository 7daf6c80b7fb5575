// Quadlet NAME.kube files (podman-systemd.unit(5)): a [Kube] section naming a Kubernetes YAML file (Yaml=,
// relative to the .kube file's directory) becomes NAME.service, which runs `tspod kube play --replace ... FILE`
// on start and `tspod kube down FILE` on stop.
//
// The unit is Type=oneshot with RemainAfterExit=yes, not Podman's Type=notify: Podman's kube play keeps a
// "service container" whose conmon systemd watches; tspod's kube play has none, it creates and starts the
// pods and returns once they run (init containers done), so the start is complete when ExecStart exits and
// the unit stays active until it is stopped. The pods' conmon processes stay in the unit's cgroup.
import * as path from 'node:path';
import { escapeLiteral, layoutCommand, parseUnitFile, quoteWord, splitWords, UnitSyntaxError, type UnitEntry, type UnitSection } from './unit-file.js';
import { QuadletError, type ConvertOptions, type ConvertedUnit } from './quadlet.js';

/** [Kube] keys that become a `kube play` option, each occurrence (or the last one). */
const VALUE_KEYS: Record<string, { flag: string; last?: boolean }> = {
  PublishPort: { flag: '--publish' },
  ConfigMap: { flag: '--configmap' },
  Network: { flag: '--network', last: true },
  LogDriver: { flag: '--log-driver', last: true },
  UserNS: { flag: '--userns', last: true },
};
const SPECIAL = new Set(['Yaml', 'PodmanArgs', 'GlobalArgs', 'ExitCodePropagation', 'SetWorkingDirectory', 'AutoUpdate']);
/** Keys of Podman's Quadlet [Kube] that tspod cannot honour (said so, rather than "unknown"). */
const PODMAN_ONLY = new Set(['ContainersConfModule', 'KubeDownForce', 'LogOpt']);
const GLOBAL_ARGS_OK = new Set(['--root', '--runroot', '--log-level', '--storage-driver']);
const PORT = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:\d+(?:-\d+)?)?:?\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/;

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

/** Convert the text of NAME.kube to NAME.service. */
export function convertKube(fileName: string, text: string, o: ConvertOptions): ConvertedUnit {
  const src = o.sourcePath;
  const fail = (line: number, msg: string): never => { throw new QuadletError(src, line, msg); };
  if (!fileName.endsWith('.kube')) fail(0, 'not a .kube file');
  const base = fileName.slice(0, -'.kube'.length);
  if (!base || !/^[A-Za-z0-9:_.\\@-]+$/.test(base)) fail(0, `"${base}" is not a valid unit name`);
  const serviceName = `${base}.service`;
  let sections: UnitSection[];
  try { sections = parseUnitFile(text); } catch (err) {
    if (err instanceof UnitSyntaxError) fail(err.line, err.message);
    throw err;
  }
  const kubeSec = sections.find((s) => s.name === 'Kube');
  if (!kubeSec) fail(0, 'no [Kube] section');
  const k = kubeSec!.entries;
  for (const e of k) {
    if (VALUE_KEYS[e.key] || SPECIAL.has(e.key)) continue;
    if (PODMAN_ONLY.has(e.key)) fail(e.line, `key "${e.key}" of Podman's Quadlet is not supported by tspod`);
    fail(e.line, `unsupported key "${e.key}" in section [Kube]`);
  }
  const words = (e: UnitEntry): string[] => { try { return splitWords(e.value); } catch (err) { return fail(e.line, `${e.key}=: ${(err as Error).message}`); } };
  const fileDir = path.dirname(src);
  const resolve = (p: string) => (p.startsWith('/') ? p : path.resolve(fileDir, p));

  const yaml = lastOf(k, 'Yaml');
  if (!yaml || !yaml.value.trim()) fail(yaml?.line ?? kubeSec!.line, 'no Yaml= key in [Kube] (it is required)');
  const yamlPath = resolve(yaml!.value.trim());

  const play: string[][] = [];
  for (const [key, { flag, last }] of Object.entries(VALUE_KEYS)) {
    const entries = last ? [lastOf(k, key)].filter((x): x is UnitEntry => !!x && x.value !== '') : allOf(k, key);
    for (const e of entries) {
      let v = e.value.trim();
      if (key === 'PublishPort' && !PORT.test(v)) fail(e.line, `invalid PublishPort "${v}": use [[IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]`);
      if (key === 'ConfigMap') v = resolve(v);
      if (key === 'LogDriver' && v === 'journald') fail(e.line, 'LogDriver=journald is not available in tspod: use k8s-file (the default) or none');
      if (key === 'LogDriver' && !['k8s-file', 'none'].includes(v)) fail(e.line, `invalid LogDriver "${v}": use k8s-file or none`);
      play.push([flag, quoteWord(v)]);
    }
  }
  const ecp = lastOf(k, 'ExitCodePropagation');
  if (ecp?.value && ecp.value !== 'none') {
    fail(ecp.line, ['all', 'any'].includes(ecp.value)
      ? `ExitCodePropagation=${ecp.value} is not supported by tspod (its kube play has no service container to pass exit codes on): use none`
      : `invalid ExitCodePropagation "${ecp.value}": use all, any or none (tspod supports none)`);
  }
  const au = lastOf(k, 'AutoUpdate');
  if (au?.value) fail(au.line, 'AutoUpdate= in [Kube] is not supported by tspod: use the io.containers.autoupdate annotation in the YAML');
  const swd = lastOf(k, 'SetWorkingDirectory');
  let workDir: string | undefined;
  if (swd?.value) {
    if (swd.value === 'yaml') workDir = path.dirname(yamlPath);
    else if (swd.value === 'unit') workDir = fileDir;
    else fail(swd.line, `invalid SetWorkingDirectory "${swd.value}": use yaml or unit`);
  }
  for (const e of allOf(k, 'PodmanArgs')) for (const w of words(e)) play.push([quoteWord(w)]);
  const globalArgs: string[] = [];
  for (const e of allOf(k, 'GlobalArgs')) {
    const ws = words(e);
    for (let i = 0; i < ws.length; i++) {
      const flag = ws[i]!.split('=')[0]!;
      if (!GLOBAL_ARGS_OK.has(flag)) fail(e.line, `GlobalArgs: "${ws[i]}" is not a tspod global option (use ${[...GLOBAL_ARGS_OK].join(', ')})`);
      globalArgs.push(quoteWord(ws[i]!));
      if (!ws[i]!.includes('=') && i + 1 < ws.length) globalArgs.push(quoteWord(ws[++i]!));
    }
  }

  const svc = sections.find((s) => s.name === 'Service')?.entries ?? [];
  for (const key of ['ExecStart', 'ExecStop', 'Type', 'RemainAfterExit']) {
    const e = lastOf(svc, key);
    if (e) fail(e.line, `${key}= in [Service] is generated from [Kube]: remove it (ExecStartPre=/ExecStartPost=/ExecStopPost= are fine)`);
  }
  const tspod = [...[...o.ctx.tspod, ...o.ctx.globalArgs].map((w) => quoteWord(w, true)), ...globalArgs];
  const file = quoteWord(yamlPath);
  const down = layoutCommand([[...tspod, 'kube', 'down'], [file]]);
  const ourService = [
    'Environment=TSPOD_SYSTEMD_UNIT=%n',
    ...(lastOf(svc, 'KillMode') ? [] : ['KillMode=mixed']),
    ...(lastOf(svc, 'SyslogIdentifier') ? [] : ['SyslogIdentifier=%N']),
    ...(lastOf(svc, 'TimeoutStopSec') ? [] : ['TimeoutStopSec=70']),
    ...(workDir ? [`WorkingDirectory=${escapeLiteral(workDir)}`] : []),
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${layoutCommand([[...tspod, 'kube', 'play'], ['--replace'], ...play, [file]])}`,
    `ExecStop=${down}`,
    // after a failed start or a stop that did not finish: nothing of the file's pods stays
    `ExecStopPost=-${down}`,
  ];
  const unitLines = [
    'Wants=network-online.target', 'After=network-online.target', `SourcePath=${escapeLiteral(src)}`,
    `RequiresMountsFor=${o.user ? '%t/tspod' : '/run/tspod'}`, `RequiresMountsFor=${escapeLiteral(path.dirname(yamlPath))}`,
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
    if (s.name === 'Kube') { out.push('[X-Kube]', ...s.entries.map(raw), ''); continue; }
    if (s.name === 'Unit') { out.push('[Unit]', ...unitLines, ...s.entries.map(raw), ''); emitted.add('Unit'); continue; }
    if (s.name === 'Service') { out.push('[Service]', ...ourService, ...s.entries.map(raw), ''); emitted.add('Service'); continue; }
    out.push(`[${s.name}]`, ...s.entries.map(raw), '');
  }
  if (!emitted.has('Unit')) out.push('[Unit]', ...unitLines, '');
  if (!emitted.has('Service')) out.push('[Service]', ...ourService, '');
  return { serviceName, text: out.join('\n').replace(/\n+$/, '\n'), install };
}
