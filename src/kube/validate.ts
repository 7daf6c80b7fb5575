// The API server's rules for the kinds tspod plays, applied to untrusted documents before anything is created:
// field types, name formats (DNS-1123 labels and subdomains, qualified label and annotation keys), unique
// container, volume and port names, mounts that name declared volumes, port ranges, restart policies per
// kind, and a Deployment's selector matching its template's labels. Every problem is collected; the error
// is one line naming the first (and how many more there are), in the API server's own wording.
import type { RawDocument } from './parse.js';
import type { Container, KubeObject, PodSpec, PodTemplate } from './types.js';
import { KubeError } from './errors.js';
import { configMapKey, dns1035Label, dns1123Label, dns1123Subdomain, envVarName, labelValue, portName, qualifiedName, type Check } from './names.js';

export const SUPPORTED_KINDS: Record<string, string> = {
  Pod: 'v1', Deployment: 'apps/v1', DaemonSet: 'apps/v1', Job: 'batch/v1', PersistentVolumeClaim: 'v1', ConfigMap: 'v1', Secret: 'v1', Service: 'v1',
};

type P = string;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (v: unknown) => JSON.stringify(v);

/** Collects the problems of one object, by field path. */
export class Problems {
  readonly list: string[] = [];
  invalid(path: P, value: unknown, why: string): void { this.list.push(`${path}: Invalid value: ${q(value)}: ${why}`); }
  required(path: P): void { this.list.push(`${path}: Required value`); }
  duplicate(path: P, value: unknown): void { this.list.push(`${path}: Duplicate value: ${q(value)}`); }
  notFound(path: P, value: unknown, why = ''): void { this.list.push(`${path}: Not found: ${q(value)}${why ? `: ${why}` : ''}`); }
  unsupported(path: P, value: unknown, supported: string[]): void { this.list.push(`${path}: Unsupported value: ${q(value)}: supported values: ${supported.map(q).join(', ')}`); }
  type(path: P, value: unknown, want: string): void { this.list.push(`${path}: Invalid value: ${q(value)}: must be ${want}`); }

  /** `v` must be a string (when present; `req`: required); then `check`ed. */
  str(v: unknown, path: P, req = false, check?: Check): v is string {
    if (v === undefined || v === null) { if (req) this.required(path); return false; }
    if (typeof v !== 'string') { this.type(path, v, 'a string'); return false; }
    if (req && v === '') { this.required(path); return false; }
    const why = check?.(v);
    if (why) { this.invalid(path, v, why); return false; }
    return true;
  }
  int(v: unknown, path: P, min?: number, max?: number): v is number {
    if (v === undefined || v === null) return false;
    if (typeof v !== 'number' || !Number.isInteger(v)) { this.type(path, v, 'an integer'); return false; }
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      this.invalid(path, v, max === undefined ? `must be greater than or equal to ${min}` : `must be between ${min} and ${max}, inclusive`);
      return false;
    }
    return true;
  }
  bool(v: unknown, path: P): void { if (v !== undefined && v !== null && typeof v !== 'boolean') this.type(path, v, 'a boolean'); }
  list_(v: unknown, path: P): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) { this.type(path, v, 'a list'); return []; }
    return v;
  }
  map(v: unknown, path: P): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isMap(v)) { this.type(path, v, 'a mapping'); return undefined; }
    return v;
  }
  strings(v: unknown, path: P): void { this.list_(v, path).forEach((x, i) => this.str(x, `${path}[${i}]`, true)); }
  stringMap(v: unknown, path: P, keyCheck?: Check, valueCheck?: Check): void {
    const m = this.map(v, path);
    if (!m) return;
    for (const [k, x] of Object.entries(m)) {
      const why = keyCheck?.(k);
      if (why) this.invalid(`${path}`, k, why);
      if (typeof x !== 'string') this.type(`${path}[${k}]`, x, 'a string');
      else if (valueCheck) { const w = valueCheck(x); if (w) this.invalid(`${path}[${k}]`, x, w); }
    }
  }
}

const ANNOTATIONS_MAX = 256 * 1024;

function checkMeta(p: Problems, v: unknown, path: P, nameCheck: Check, nameRequired = true): void {
  const m = p.map(v, path);
  if (!m) { if (nameRequired) p.required(`${path}.name`); return; }
  p.str(m['name'], `${path}.name`, nameRequired, nameCheck);
  p.str(m['namespace'], `${path}.namespace`, false, dns1123Label);
  p.stringMap(m['labels'], `${path}.labels`, qualifiedName, labelValue);
  p.stringMap(m['annotations'], `${path}.annotations`, (k) => qualifiedName(k.toLowerCase()));
  const ann = isMap(m['annotations']) ? Object.entries(m['annotations']).reduce((n, [k, x]) => n + k.length + String(x).length, 0) : 0;
  if (ann > ANNOTATIONS_MAX) p.list.push(`${path}.annotations: Too long: must have at most ${ANNOTATIONS_MAX} bytes`);
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

function checkProbe(p: Problems, v: unknown, path: P): void {
  const m = p.map(v, path);
  if (!m) return;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => m[h] !== undefined && m[h] !== null);
  if (handlers.length !== 1) p.list.push(`${path}: ${handlers.length ? 'Forbidden: may not specify more than 1 handler type' : 'Required value: must specify a handler type'}`);
  const exec = p.map(m['exec'], `${path}.exec`);
  if (exec) { p.strings(exec['command'], `${path}.exec.command`); if (!p.list_(exec['command'], `${path}.exec.command`).length) p.required(`${path}.exec.command`); }
  for (const h of ['httpGet', 'tcpSocket']) {
    const hm = p.map(m[h], `${path}.${h}`);
    if (!hm) continue;
    const port = hm['port'];
    if (typeof port === 'number') p.int(port, `${path}.${h}.port`, 1, 65535);
    else if (typeof port === 'string') p.str(port, `${path}.${h}.port`, true, portName);
    else p.required(`${path}.${h}.port`);
    p.str(hm['path'], `${path}.${h}.path`);
    p.str(hm['host'], `${path}.${h}.host`);
  }
  if (m['grpc'] !== undefined) p.list.push(`${path}.grpc: Unsupported value: grpc probes are not supported by tspod`);
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold']) p.int(m[k], `${path}.${k}`, 0);
}

function checkContainer(p: Problems, c: unknown, path: P, volumes: Set<string>, init: boolean): string | undefined {
  const m = p.map(c, path);
  if (!m) { p.required(path); return undefined; }
  const ok = p.str(m['name'], `${path}.name`, true, dns1123Label);
  p.str(m['image'], `${path}.image`, true);
  if (typeof m['image'] === 'string' && m['image'] !== m['image'].trim()) p.invalid(`${path}.image`, m['image'], 'must not have leading or trailing whitespace');
  p.strings(m['command'], `${path}.command`);
  p.strings(m['args'], `${path}.args`);
  p.str(m['workingDir'], `${path}.workingDir`);
  p.bool(m['tty'], `${path}.tty`);
  p.bool(m['stdin'], `${path}.stdin`);
  if (m['imagePullPolicy'] !== undefined && !PULL_POLICIES.includes(m['imagePullPolicy'] as string)) p.unsupported(`${path}.imagePullPolicy`, m['imagePullPolicy'], PULL_POLICIES);
  p.list_(m['env'], `${path}.env`).forEach((e, i) => {
    const ep = `${path}.env[${i}]`;
    const em = p.map(e, ep);
    if (!em) return;
    p.str(em['name'], `${ep}.name`, true, envVarName);
    if (em['value'] !== undefined && em['value'] !== null && typeof em['value'] !== 'string') p.type(`${ep}.value`, em['value'], 'a string (quote numbers and booleans)');
    const vf = p.map(em['valueFrom'], `${ep}.valueFrom`);
    if (!vf) return;
    if (em['value'] !== undefined && em['value'] !== '') p.list.push(`${ep}.valueFrom: Invalid value: "": may not be specified when \`value\` is not empty`);
    const srcs = ['configMapKeyRef', 'secretKeyRef', 'fieldRef', 'resourceFieldRef'].filter((k) => vf[k] !== undefined);
    if (srcs.length !== 1) p.list.push(`${ep}.valueFrom: Invalid value: "": may not have more than one field specified at a time`);
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const r = p.map(vf[k], `${ep}.valueFrom.${k}`);
      if (!r) continue;
      p.str(r['name'], `${ep}.valueFrom.${k}.name`, true, dns1123Subdomain);
      p.str(r['key'], `${ep}.valueFrom.${k}.key`, true, configMapKey);
      p.bool(r['optional'], `${ep}.valueFrom.${k}.optional`);
    }
    const f = p.map(vf['fieldRef'], `${ep}.valueFrom.fieldRef`);
    if (f) p.str(f['fieldPath'], `${ep}.valueFrom.fieldRef.fieldPath`, true);
    const rf = p.map(vf['resourceFieldRef'], `${ep}.valueFrom.resourceFieldRef`);
    if (rf) p.str(rf['resource'], `${ep}.valueFrom.resourceFieldRef.resource`, true);
  });
  p.list_(m['envFrom'], `${path}.envFrom`).forEach((e, i) => {
    const ep = `${path}.envFrom[${i}]`;
    const em = p.map(e, ep);
    if (!em) return;
    p.str(em['prefix'], `${ep}.prefix`);
    const srcs = ['configMapRef', 'secretRef'].filter((k) => em[k] !== undefined);
    if (srcs.length !== 1) p.list.push(`${ep}: Invalid value: "": must specify one of: \`configMapRef\` or \`secretRef\``);
    for (const k of srcs) { const r = p.map(em[k], `${ep}.${k}`); if (r) p.str(r['name'], `${ep}.${k}.name`, true, dns1123Subdomain); }
  });
  const portNames = new Set<string>();
  p.list_(m['ports'], `${path}.ports`).forEach((x, i) => {
    const pp = `${path}.ports[${i}]`;
    const pm = p.map(x, pp);
    if (!pm) return;
    if (pm['containerPort'] === undefined) p.required(`${pp}.containerPort`);
    p.int(pm['containerPort'], `${pp}.containerPort`, 1, 65535);
    p.int(pm['hostPort'], `${pp}.hostPort`, 0, 65535);
    p.str(pm['hostIP'], `${pp}.hostIP`);
    if (pm['protocol'] !== undefined && !PROTOCOLS.includes(pm['protocol'] as string)) p.unsupported(`${pp}.protocol`, pm['protocol'], PROTOCOLS);
    if (p.str(pm['name'], `${pp}.name`, false, portName)) {
      if (portNames.has(pm['name'] as string)) p.duplicate(`${pp}.name`, pm['name']);
      portNames.add(pm['name'] as string);
    }
  });
  const mountPaths = new Set<string>();
  p.list_(m['volumeMounts'], `${path}.volumeMounts`).forEach((x, i) => {
    const vp = `${path}.volumeMounts[${i}]`;
    const vm = p.map(x, vp);
    if (!vm) return;
    if (p.str(vm['name'], `${vp}.name`, true) && !volumes.has(vm['name'] as string)) p.notFound(`${vp}.name`, vm['name'], 'no volume of that name is declared in spec.volumes');
    if (p.str(vm['mountPath'], `${vp}.mountPath`, true)) {
      const mp = vm['mountPath'] as string;
      if (!mp.startsWith('/')) p.invalid(`${vp}.mountPath`, mp, 'must be an absolute path');
      if (mountPaths.has(mp)) p.invalid(`${vp}.mountPath`, mp, 'must be unique');
      mountPaths.add(mp);
    }
    if (p.str(vm['subPath'], `${vp}.subPath`)) {
      const sp = vm['subPath'] as string;
      if (sp.startsWith('/')) p.invalid(`${vp}.subPath`, sp, 'must be a relative path');
      if (sp.split('/').includes('..')) p.invalid(`${vp}.subPath`, sp, "must not contain '..'");
    }
    p.bool(vm['readOnly'], `${vp}.readOnly`);
  });
  const sc = p.map(m['securityContext'], `${path}.securityContext`);
  if (sc) {
    p.int(sc['runAsUser'], `${path}.securityContext.runAsUser`, 0, 2147483647);
    p.int(sc['runAsGroup'], `${path}.securityContext.runAsGroup`, 0, 2147483647);
    for (const k of ['runAsNonRoot', 'privileged', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation']) p.bool(sc[k], `${path}.securityContext.${k}`);
    const caps = p.map(sc['capabilities'], `${path}.securityContext.capabilities`);
    if (caps) { p.strings(caps['add'], `${path}.securityContext.capabilities.add`); p.strings(caps['drop'], `${path}.securityContext.capabilities.drop`); }
    if (sc['privileged'] === true && sc['allowPrivilegeEscalation'] === false) p.invalid(`${path}.securityContext`, 'allowPrivilegeEscalation', 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true');
  }
  const res = p.map(m['resources'], `${path}.resources`);
  if (res) for (const k of ['limits', 'requests']) {
    const rm = p.map(res[k], `${path}.resources.${k}`);
    if (rm) for (const [rk, rv] of Object.entries(rm)) {
      if (typeof rv !== 'string' && typeof rv !== 'number') p.type(`${path}.resources.${k}[${rk}]`, rv, 'a quantity');
      else if (!QUANTITY.test(String(rv))) p.invalid(`${path}.resources.${k}[${rk}]`, rv, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    }
  }
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    checkProbe(p, m[k], `${path}.${k}`);
    if (init && m[k] !== undefined) p.list.push(`${path}.${k}: Forbidden: may not be set for init containers`);
  }
  return ok ? m['name'] as string : undefined;
}

export const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

function checkPodSpec(p: Problems, v: unknown, path: P, allowedRestart: string[]): void {
  const s = p.map(v, path);
  if (!s) { p.required(path); return; }
  const volumes = new Set<string>();
  p.list_(s['volumes'], `${path}.volumes`).forEach((x, i) => {
    const vp = `${path}.volumes[${i}]`;
    const vm = p.map(x, vp);
    if (!vm) return;
    if (p.str(vm['name'], `${vp}.name`, true, dns1123Label)) {
      if (volumes.has(vm['name'] as string)) p.duplicate(`${vp}.name`, vm['name']);
      volumes.add(vm['name'] as string);
    }
    const types = ['hostPath', 'persistentVolumeClaim', 'configMap', 'secret', 'emptyDir'].filter((k) => vm[k] !== undefined);
    const other = Object.keys(vm).filter((k) => k !== 'name' && !types.includes(k));
    if (other.length) { p.list.push(`${vp}.${other[0]}: Unsupported value: volume type ${q(other[0])} is not supported by tspod kube play (supported: hostPath, persistentVolumeClaim, configMap, secret, emptyDir)`); return; }
    if (types.length !== 1) { p.list.push(`${vp}: ${types.length ? 'Forbidden: may not specify more than 1 volume type' : 'Required value: must specify a volume type'}`); return; }
    const hp = p.map(vm['hostPath'], `${vp}.hostPath`);
    if (hp && p.str(hp['path'], `${vp}.hostPath.path`, true) && !(hp['path'] as string).startsWith('/')) p.invalid(`${vp}.hostPath.path`, hp['path'], 'must be an absolute path');
    const HP_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
    if (hp && hp['type'] !== undefined && !HP_TYPES.includes(hp['type'] as string)) p.unsupported(`${vp}.hostPath.type`, hp['type'], HP_TYPES.slice(1));
    const pvc = p.map(vm['persistentVolumeClaim'], `${vp}.persistentVolumeClaim`);
    if (pvc) p.str(pvc['claimName'], `${vp}.persistentVolumeClaim.claimName`, true, dns1123Subdomain);
    for (const [k, nameKey] of [['configMap', 'name'], ['secret', 'secretName']] as const) {
      const cm = p.map(vm[k], `${vp}.${k}`);
      if (!cm) continue;
      p.str(cm[nameKey], `${vp}.${k}.${nameKey}`, true, dns1123Subdomain);
      p.int(cm['defaultMode'], `${vp}.${k}.defaultMode`, 0, 0o777);
      p.list_(cm['items'], `${vp}.${k}.items`).forEach((it, j) => {
        const ip = `${vp}.${k}.items[${j}]`;
        const im = p.map(it, ip);
        if (!im) return;
        p.str(im['key'], `${ip}.key`, true, configMapKey);
        if (p.str(im['path'], `${ip}.path`, true)) {
          const ipath = im['path'] as string;
          if (ipath.startsWith('/') || ipath.split('/').includes('..')) p.invalid(`${ip}.path`, ipath, "must be a relative path without '..'");
        }
        p.int(im['mode'], `${ip}.mode`, 0, 0o777);
      });
    }
  });
  const names = new Set<string>();
  const containers = p.list_(s['containers'], `${path}.containers`);
  if (!containers.length) p.required(`${path}.containers`);
  for (const [key, list, init] of [['initContainers', p.list_(s['initContainers'], `${path}.initContainers`), true], ['containers', containers, false]] as const) {
    list.forEach((c, i) => {
      const n = checkContainer(p, c, `${path}.${key}[${i}]`, volumes, init);
      if (n === undefined) return;
      if (names.has(n)) p.duplicate(`${path}.${key}[${i}].name`, n);
      names.add(n);
    });
  }
  // a host port may be published once per pod
  const hostPorts = new Set<string>();
  containers.forEach((c, i) => {
    if (!isMap(c) || !Array.isArray(c['ports'])) return;
    (c['ports'] as unknown[]).forEach((x, j) => {
      if (!isMap(x) || typeof x['hostPort'] !== 'number' || !x['hostPort']) return;
      const key = `${String(x['hostPort'])}/${String(x['protocol'] ?? 'TCP')}`;
      if (hostPorts.has(key)) p.duplicate(`${path}.containers[${i}].ports[${j}].hostPort`, key);
      hostPorts.add(key);
    });
  });
  if (s['restartPolicy'] !== undefined && !allowedRestart.includes(s['restartPolicy'] as string)) p.unsupported(`${path}.restartPolicy`, s['restartPolicy'], allowedRestart);
  p.bool(s['hostNetwork'], `${path}.hostNetwork`);
  p.bool(s['shareProcessNamespace'], `${path}.shareProcessNamespace`);
  p.str(s['hostname'], `${path}.hostname`, false, dns1123Label);
  p.list_(s['hostAliases'], `${path}.hostAliases`).forEach((h, i) => {
    const hm = p.map(h, `${path}.hostAliases[${i}]`);
    if (!hm) return;
    p.str(hm['ip'], `${path}.hostAliases[${i}].ip`, true);
    p.strings(hm['hostnames'], `${path}.hostAliases[${i}].hostnames`);
  });
  const dns = p.map(s['dnsConfig'], `${path}.dnsConfig`);
  if (dns) {
    p.strings(dns['nameservers'], `${path}.dnsConfig.nameservers`);
    p.strings(dns['searches'], `${path}.dnsConfig.searches`);
    p.list_(dns['options'], `${path}.dnsConfig.options`).forEach((o, i) => { const om = p.map(o, `${path}.dnsConfig.options[${i}]`); if (om) { p.str(om['name'], `${path}.dnsConfig.options[${i}].name`, true); p.str(om['value'], `${path}.dnsConfig.options[${i}].value`); } });
  }
  const psc = p.map(s['securityContext'], `${path}.securityContext`);
  if (psc) {
    p.int(psc['runAsUser'], `${path}.securityContext.runAsUser`, 0, 2147483647);
    p.int(psc['runAsGroup'], `${path}.securityContext.runAsGroup`, 0, 2147483647);
    p.list_(psc['supplementalGroups'], `${path}.securityContext.supplementalGroups`).forEach((g, i) => p.int(g, `${path}.securityContext.supplementalGroups[${i}]`, 0));
  }
}

function checkTemplate(p: Problems, v: unknown, path: P, allowedRestart: string[]): Record<string, unknown> | undefined {
  const t = p.map(v, path);
  if (!t) { p.required(path); return undefined; }
  checkMeta(p, t['metadata'], `${path}.metadata`, dns1123Subdomain, false);
  checkPodSpec(p, t['spec'], `${path}.spec`, allowedRestart);
  return t;
}

function checkSelector(p: Problems, spec: Record<string, unknown>, template: Record<string, unknown> | undefined, path: P): void {
  const sel = p.map(spec['selector'], `${path}.selector`);
  if (!sel) { p.required(`${path}.selector`); return; }
  p.stringMap(sel['matchLabels'], `${path}.selector.matchLabels`, qualifiedName, labelValue);
  const ml = isMap(sel['matchLabels']) ? sel['matchLabels'] as Record<string, unknown> : {};
  if (!Object.keys(ml).length && !Array.isArray(sel['matchExpressions'])) { p.invalid(`${path}.selector`, {}, 'empty selector is invalid for deployment'); return; }
  const labels = template && isMap(template['metadata']) && isMap((template['metadata'] as Record<string, unknown>)['labels']) ? (template['metadata'] as Record<string, Record<string, unknown>>)['labels']! : {};
  if (Object.entries(ml).some(([k, x]) => labels[k] !== x)) p.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`');
  p.list_(sel['matchExpressions'], `${path}.selector.matchExpressions`).forEach((e, i) => {
    const em = p.map(e, `${path}.selector.matchExpressions[${i}]`);
    if (!em) return;
    p.str(em['key'], `${path}.selector.matchExpressions[${i}].key`, true, qualifiedName);
    const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    if (!ops.includes(em['operator'] as string)) p.unsupported(`${path}.selector.matchExpressions[${i}].operator`, em['operator'], ops);
    p.strings(em['values'], `${path}.selector.matchExpressions[${i}].values`);
  });
}

/** Problems of one object (its kind already known to be supported). */
export function objectProblems(o: Record<string, unknown>): string[] {
  const p = new Problems();
  const kind = o['kind'] as string;
  checkMeta(p, o['metadata'], 'metadata', kind === 'Service' ? dns1035Label : dns1123Subdomain);
  const spec = kind === 'ConfigMap' || kind === 'Secret' ? undefined : p.map(o['spec'], 'spec');
  switch (kind) {
    case 'Pod': checkPodSpec(p, o['spec'], 'spec', RESTART_POLICIES); break;
    case 'Deployment':
    case 'DaemonSet': {
      if (!spec) { p.required('spec'); break; }
      if (kind === 'Deployment') p.int(spec['replicas'], 'spec.replicas', 0);
      const t = checkTemplate(p, spec['template'], 'spec.template', ['Always']);
      checkSelector(p, spec, t, 'spec');
      break;
    }
    case 'Job': {
      if (!spec) { p.required('spec'); break; }
      checkTemplate(p, spec['template'], 'spec.template', ['OnFailure', 'Never']);
      if (isMap(spec['template']) && isMap(spec['template']['spec']) && spec['template']['spec']['restartPolicy'] === undefined) p.required('spec.template.spec.restartPolicy');
      for (const k of ['completions', 'parallelism', 'backoffLimit']) p.int(spec[k], `spec.${k}`, 0);
      break;
    }
    case 'ConfigMap':
    case 'Secret': {
      p.stringMap(o['data'], 'data', configMapKey);
      p.stringMap(kind === 'Secret' ? o['stringData'] : o['binaryData'], kind === 'Secret' ? 'stringData' : 'binaryData', configMapKey);
      const dataKeys = isMap(o['data']) ? Object.keys(o['data']) : [];
      if (kind === 'ConfigMap' && isMap(o['binaryData'])) for (const k of Object.keys(o['binaryData'])) if (dataKeys.includes(k)) p.invalid('data', k, 'duplicate of key present in binaryData');
      const b64 = kind === 'Secret' ? o['data'] : o['binaryData'];
      if (isMap(b64)) for (const [k, x] of Object.entries(b64)) if (typeof x === 'string' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(x)) p.invalid(`${kind === 'Secret' ? 'data' : 'binaryData'}[${k}]`, '<value omitted>', 'illegal base64 data');
      break;
    }
    case 'PersistentVolumeClaim': break;
    case 'Service': {
      if (!spec) break;
      p.stringMap(spec['selector'], 'spec.selector', qualifiedName, labelValue);
      p.list_(spec['ports'], 'spec.ports').forEach((x, i) => {
        const pm = p.map(x, `spec.ports[${i}]`);
        if (!pm) return;
        if (pm['port'] === undefined) p.required(`spec.ports[${i}].port`);
        p.int(pm['port'], `spec.ports[${i}].port`, 1, 65535);
        p.int(pm['nodePort'], `spec.ports[${i}].nodePort`, 0, 65535);
        if (typeof pm['targetPort'] === 'number') p.int(pm['targetPort'], `spec.ports[${i}].targetPort`, 1, 65535);
        else p.str(pm['targetPort'], `spec.ports[${i}].targetPort`, false, portName);
        p.str(pm['name'], `spec.ports[${i}].name`, false, dns1123Label);
        if (pm['protocol'] !== undefined && !PROTOCOLS.includes(pm['protocol'] as string)) p.unsupported(`spec.ports[${i}].protocol`, pm['protocol'], PROTOCOLS);
      });
      break;
    }
  }
  return p.list;
}

const describe = (d: RawDocument) => {
  const meta = isMap(d.value['metadata']) ? d.value['metadata'] : {};
  return typeof meta['name'] === 'string' ? `${String(d.value['kind'])} ${q(meta['name'])}` : `${String(d.value['kind'])} (document ${d.index})`;
};

/** Check every document; resolve to the typed objects, or throw one line naming the first problem. */
export function validateDocuments(docs: RawDocument[]): KubeObject[] {
  const seen = new Set<string>();
  for (const d of docs) {
    const kind = d.value['kind'], api = d.value['apiVersion'];
    if (typeof kind !== 'string' || !kind) throw new KubeError(`${d.source}: document ${d.index}: kind: Required value`);
    if (typeof api !== 'string' || !api) throw new KubeError(`${d.source}: document ${d.index}: apiVersion: Required value`);
    const want = SUPPORTED_KINDS[kind];
    if (!want) throw new KubeError(`${d.source}: document ${d.index}: kind ${q(kind)} is not supported by tspod kube play (supported: ${Object.keys(SUPPORTED_KINDS).join(', ')})`);
    if (api !== want && !(kind === 'Deployment' && api === 'apps/v1beta2')) throw new KubeError(`${d.source}: ${describe(d)}: apiVersion ${q(api)} is not ${q(want)}`);
    const problems = objectProblems(d.value);
    if (problems.length) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
      throw new KubeError(`${d.source}: ${describe(d)} is invalid: ${problems[0]}${more}`);
    }
    const key = `${kind}/${String((d.value['metadata'] as Record<string, unknown>)['name'])}`;
    if (seen.has(key)) throw new KubeError(`${d.source}: ${describe(d)} is defined twice`);
    seen.add(key);
  }
  return docs.map((d) => d.value as unknown as KubeObject);
}

export type { Container, PodSpec, PodTemplate };
