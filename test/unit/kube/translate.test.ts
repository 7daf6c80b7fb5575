// Kubernetes semantics of the translation: command/args against ENTRYPOINT/CMD, env sources and $(VAR)
// expansion, ports published only with a hostPort, volumes, security context, probes, names.
import t from 'tap';
import { parseManifests } from '../../../src/kube/parse.js';
import { validateDocuments } from '../../../src/kube/validate.js';
import { dataSources, expandVars, translateWorkload } from '../../../src/kube/translate.js';
import { parseQuantity } from '../../../src/kube/quantity.js';
import type { Service, Workload } from '../../../src/kube/types.js';

const plans = (text: string, publish?: string[]) => {
  const objs = validateDocuments(parseManifests(text, 'app.yaml'));
  const src = dataSources(objs);
  const services = objs.filter((o): o is Service => o.kind === 'Service');
  return objs.filter((o): o is Workload => ['Pod', 'Deployment', 'DaemonSet', 'Job'].includes(o.kind)).flatMap((w) => translateWorkload(w, src, services, { publish }));
};

const MANIFEST = `
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { GREETING: hello, "app.conf": "port=80\\n" }
---
apiVersion: v1
kind: Secret
metadata: { name: sec }
data: { PASSWORD: c2VjcmV0 }
---
apiVersion: v1
kind: Pod
metadata:
  name: shop
  labels: { app: shop }
spec:
  restartPolicy: OnFailure
  hostAliases: [{ ip: 10.0.0.1, hostnames: [db.local] }]
  securityContext: { runAsUser: 1000 }
  volumes:
  - { name: data, persistentVolumeClaim: { claimName: shop-data } }
  - { name: conf, configMap: { name: cfg, items: [{ key: app.conf, path: etc/app.conf }] } }
  - { name: scratch, emptyDir: {} }
  - { name: host, hostPath: { path: /srv/x, type: DirectoryOrCreate } }
  initContainers:
  - name: prep
    image: busybox
    command: [sh, -c, "echo init > /scratch/ok"]
    volumeMounts: [{ name: scratch, mountPath: /scratch }]
  containers:
  - name: web
    image: busybox
    args: [httpd, -f, -p, "$(PORT)"]
    env:
    - { name: PORT, value: "8080" }
    - { name: URL, value: "http://localhost:$(PORT)/$(NOPE)" }
    - { name: GREETING, valueFrom: { configMapKeyRef: { name: cfg, key: GREETING } } }
    - { name: PASSWORD, valueFrom: { secretKeyRef: { name: sec, key: PASSWORD } } }
    - { name: POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
    - { name: APP, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }
    - { name: MEM, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
    envFrom: [{ configMapRef: { name: cfg }, prefix: CFG_ }]
    ports: [{ containerPort: 8080, hostPort: 18080 }, { containerPort: 9090, name: metrics }]
    volumeMounts:
    - { name: data, mountPath: /data, subPath: web }
    - { name: conf, mountPath: /etc/conf, readOnly: true }
    securityContext: { capabilities: { add: [NET_ADMIN], drop: [ALL] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }
    resources: { limits: { memory: 64Mi, cpu: 500m }, requests: { cpu: 100m } }
    livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 5, failureThreshold: 2 }
    workingDir: /data
    tty: true
  - name: side
    image: busybox
    command: [sleep]
    imagePullPolicy: Never
`;

t.test('a pod: names, env, command, ports, volumes, security, probes', async (t) => {
  const [p, ...rest] = plans(MANIFEST);
  t.equal(rest.length, 0);
  t.equal(p!.name, 'shop');
  t.same(p!.publish, ['18080:8080/tcp'], 'a containerPort without hostPort is not published');
  t.same(p!.addHost, ['db.local:10.0.0.1']);
  t.equal(p!.restart, 'on-failure');
  t.same(p!.volumes.map((v) => [v.name, v.type]), [['data', 'pvc'], ['conf', 'files'], ['scratch', 'emptyDir'], ['host', 'hostPath']]);
  const conf = p!.volumes[1] as { files: { path: string; data: Buffer; mode: number }[]; engineName: string };
  t.same(conf.files.map((f) => [f.path, f.data.toString(), f.mode]), [['etc/app.conf', 'port=80\n', 0o644]]);
  t.equal(conf.engineName, 'shop-conf');
  const [prep] = p!.initContainers;
  t.equal(prep!.options.name, 'shop-prep');
  t.equal(prep!.options.entrypoint, JSON.stringify(['sh', '-c', 'echo init > /scratch/ok']), 'command replaces ENTRYPOINT');
  t.equal(prep!.options.command, undefined);
  t.equal(prep!.options.restart, 'no', 'init containers run once');
  const [web, side] = p!.containers;
  const o = web!.options;
  t.equal(o.name, 'shop-web');
  t.equal(o.entrypoint, undefined, 'args alone keep the image ENTRYPOINT');
  t.same(o.command, ['httpd', '-f', '-p', '8080'], '$(PORT) expanded in args');
  const env = Object.fromEntries(o.env!.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  t.match(env, { PORT: '8080', URL: 'http://localhost:8080/$(NOPE)', GREETING: 'hello', PASSWORD: 'secret', POD: 'shop', APP: 'shop', MEM: '64', CFG_GREETING: 'hello', 'CFG_app.conf': 'port=80\n' });
  t.equal(o.user, '1000', 'pod-level runAsUser');
  t.same(o.capAdd, ['NET_ADMIN']);
  t.same(o.capDrop, ['ALL']);
  t.equal(o.readOnly, true);
  t.same(o.securityOpt, ['no-new-privileges']);
  t.equal(o.memory, String(64 * 1024 * 1024));
  t.equal(o.cpus, 0.5);
  t.equal(o.workdir, '/data');
  t.equal(o.tty, true);
  t.equal(o.restart, 'on-failure');
  t.equal(o.healthInterval, '5s');
  t.equal(o.healthRetries, 2);
  t.match(o.healthCmd!, /http:\/\/localhost:8080\/health/);
  t.same(web!.mounts, [{ volume: 'data', destination: '/data', subPath: 'web', readOnly: false }, { volume: 'conf', destination: '/etc/conf', subPath: undefined, readOnly: true }]);
  t.same(o.label, ['app=shop']);
  t.equal(side!.options.entrypoint, JSON.stringify(['sleep']));
  t.equal(side!.options.pull, 'never');
  t.match(p!.warnings.join('\n'), /requests are a scheduler's business/);
});

t.test('--publish and Service nodePorts add ports; replicas name pods', async (t) => {
  const dep = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 3
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: srv, image: busybox, ports: [{ containerPort: 80, name: http }] }]
`;
  t.same(plans(dep).map((p) => p.name), ['api-pod-0', 'api-pod-1', 'api-pod-2']);
  t.same(plans(dep).map((p) => p.containers[0]!.options.name), ['api-pod-0-srv', 'api-pod-1-srv', 'api-pod-2-srv']);
  t.throws(() => plans(dep, ['8080:80']), /3 replicas cannot all publish host ports/);
  const one = dep.replace('replicas: 3', 'replicas: 1');
  t.same(plans(one, ['127.0.0.1:8080:80'])[0]!.publish, ['127.0.0.1:8080:80']);
  const svc = `${one}---\napiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec:\n  type: NodePort\n  selector: { app: api }\n  ports: [{ port: 80, targetPort: http, nodePort: 30080 }]\n`;
  t.same(plans(svc)[0]!.publish, ['30080:80/tcp']);
});

t.test('missing ConfigMaps and keys fail before anything is made', async (t) => {
  const p = (env: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    env: [${env}]\n`;
  t.throws(() => plans(p('{name: A, valueFrom: {configMapKeyRef: {name: nosuch, key: k}}}')), /ConfigMap "nosuch" not found/);
  t.doesNotThrow(() => plans(p('{name: A, valueFrom: {configMapKeyRef: {name: nosuch, key: k, optional: true}}}')));
  t.throws(() => plans(`${p('{name: A, valueFrom: {configMapKeyRef: {name: cm, key: k}}}')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {x: y}\n`), /ConfigMap "cm" has no key "k"/);
  t.throws(() => plans(p('{name: A, valueFrom: {fieldRef: {fieldPath: status.podIP}}}')), /fieldRef "status\.podIP" is not supported/);
});

t.test('$(VAR) expansion and quantities', async (t) => {
  const vars = new Map([['A', '1']]);
  t.equal(expandVars('$(A)-$(B)-$$(A)-$$', vars), '1-$(B)-$(A)-$');
  const table: [string | number, number][] = [['128Mi', 128 * 2 ** 20], ['1G', 1e9], ['500m', 0.5], ['2', 2], [3, 3], ['1e3', 1000], ['1.5Gi', 1.5 * 2 ** 30]];
  for (const [q, want] of table) t.equal(parseQuantity(q, 'x'), want, String(q));
  t.throws(() => parseQuantity('12 apples', 'x'));
});
