// kube play's input checks: hostile and broken manifests fail with one line naming the object, the field
// and the rule (the API server's wording), before anything is created.
import t from 'tap';
import { parseManifests } from '../../../src/kube/parse.js';
import { validateDocuments } from '../../../src/kube/validate.js';

const load = (text: string) => validateDocuments(parseManifests(text, 'app.yaml'));
const pod = (spec: string, name = 'web') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

t.test('multi-document files, empty documents and Lists', async (t) => {
  const objs = load(`
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { A: "1" }
---
---
${pod('  containers:\n  - name: app\n    image: busybox')}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata: { name: data }
  spec: {}
`);
  t.same(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['ConfigMap/cfg', 'Pod/web', 'PersistentVolumeClaim/data']);
});

t.test('bad manifests: one line naming the problem', async (t) => {
  const table: [string, string, RegExp][] = [
    ['YAML syntax', 'kind: [Pod', /^app\.yaml:\d+:\d+: YAML syntax error/],
    ['not a mapping', '- a\n- b', /document 1: a Kubernetes object must be a mapping/],
    ['no kind', 'apiVersion: v1\nmetadata: {name: x}', /document 1: kind: Required value/],
    ['unknown kind', 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}', /kind "StatefulSet" is not supported by tspod kube play \(supported: Pod, Deployment/],
    ['wrong apiVersion', 'apiVersion: v2\nkind: Pod\nmetadata: {name: x}', /Pod "x": apiVersion "v2" is not "v1"/],
    ['missing image', pod('  containers:\n  - name: app'), /Pod "web" is invalid: spec\.containers\[0\]\.image: Required value$/],
    ['duplicate container names', pod('  containers:\n  - {name: app, image: busybox}\n  - {name: app, image: busybox}'), /spec\.containers\[1\]\.name: Duplicate value: "app"/],
    ['init and app container share a name', pod('  initContainers:\n  - {name: app, image: busybox}\n  containers:\n  - {name: app, image: busybox}'), /spec\.containers\[0\]\.name: Duplicate value: "app"/],
    ['mount of no volume', pod('  containers:\n  - name: app\n    image: busybox\n    volumeMounts: [{name: nosuch, mountPath: /data}]'), /spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "nosuch"/],
    ['invalid container name', pod('  containers:\n  - {name: My_App, image: busybox}'), /spec\.containers\[0\]\.name: Invalid value: "My_App": a lowercase RFC 1123 label/],
    ['invalid pod name', pod('  containers:\n  - {name: app, image: busybox}', 'Web_1'), /Pod "Web_1" is invalid: metadata\.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain/],
    ['port out of range', pod('  containers:\n  - name: app\n    image: busybox\n    ports: [{containerPort: 70000}]'), /containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive/],
    ['port as a string', pod('  containers:\n  - name: app\n    image: busybox\n    ports: [{containerPort: "80"}]'), /containerPort: Invalid value: "80": must be an integer/],
    ['bad protocol', pod('  containers:\n  - name: app\n    image: busybox\n    ports: [{containerPort: 80, protocol: tcp}]'), /protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"/],
    ['host port twice', pod('  containers:\n  - name: a\n    image: busybox\n    ports: [{containerPort: 80, hostPort: 8080}]\n  - name: b\n    image: busybox\n    ports: [{containerPort: 81, hostPort: 8080}]'), /hostPort: Duplicate value: "8080\/TCP"/],
    ['duplicate volume', pod('  volumes:\n  - {name: v, emptyDir: {}}\n  - {name: v, emptyDir: {}}\n  containers:\n  - {name: app, image: busybox}'), /spec\.volumes\[1\]\.name: Duplicate value: "v"/],
    ['unsupported volume type', pod('  volumes:\n  - {name: v, nfs: {server: x, path: /}}\n  containers:\n  - {name: app, image: busybox}'), /spec\.volumes\[0\]\.nfs: Unsupported value: volume type "nfs"/],
    ['relative hostPath', pod('  volumes:\n  - {name: v, hostPath: {path: data}}\n  containers:\n  - {name: app, image: busybox}'), /hostPath\.path: Invalid value: "data": must be an absolute path/],
    ['subPath escaping', pod('  volumes:\n  - {name: v, emptyDir: {}}\n  containers:\n  - name: app\n    image: busybox\n    volumeMounts: [{name: v, mountPath: /d, subPath: ../x}]'), /subPath: Invalid value: "\.\.\/x": must not contain '\.\.'/],
    ['invalid label key', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {"a b": x}\nspec:\n  containers: [{name: app, image: busybox}]', /metadata\.labels: Invalid value: "a b": name part must consist/],
    ['invalid annotation key', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations: {"io.podman.annotations.autoremove/my_ctr_": x}\nspec:\n  containers: [{name: app, image: busybox}]', /metadata\.annotations: Invalid value: "io\.podman\.annotations\.autoremove\/my_ctr_"/],
    ['selector mismatch', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers: [{name: app, image: busybox}]', /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/],
    ['deployment without selector', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: busybox}]', /spec\.selector: Required value/],
    ['deployment restartPolicy', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: app, image: busybox}]', /restartPolicy: Unsupported value: "Never": supported values: "Always"/],
    ['job without restartPolicy', 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: busybox}]', /spec\.template\.spec\.restartPolicy: Required value/],
    ['env value as a number', pod('  containers:\n  - name: app\n    image: busybox\n    env: [{name: A, value: 1}]'), /env\[0\]\.value: Invalid value: 1: must be a string/],
    ['bad env name', pod('  containers:\n  - name: app\n    image: busybox\n    env: [{name: "1A", value: x}]'), /env\[0\]\.name: Invalid value: "1A"/],
    ['two probe handlers', pod('  containers:\n  - name: app\n    image: busybox\n    livenessProbe: {exec: {command: [true]}, tcpSocket: {port: 80}}'), /livenessProbe: Forbidden: may not specify more than 1 handler type/],
    ['bad quantity', pod('  containers:\n  - name: app\n    image: busybox\n    resources: {limits: {memory: lots}}'), /resources\.limits\[memory\]: Invalid value: "lots"/],
    ['Service name not DNS-1035', 'apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}', /Service "1web" is invalid: metadata\.name: Invalid value: "1web": a DNS-1035 label/],
    ['defined twice', `${pod('  containers: [{name: app, image: busybox}]')}\n---\n${pod('  containers: [{name: app, image: busybox}]')}`, /Pod "web" is defined twice/],
    ['several problems are counted', pod('  containers:\n  - {name: A}'), /\(and 1 more problem\)$/],
    ['alias bomb', 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]', /document 1: .*alias/i],
  ];
  for (const [what, text, re] of table) {
    let msg = '';
    try { load(text); } catch (e) { msg = (e as Error).message; t.equal((e as { exitCode?: number }).exitCode, 125, `${what}: exit 125`); }
    t.match(msg, re, what);
    t.notMatch(msg, /\n/, `${what}: one line`);
  }
});
