// kube play's pure steps: loading a manifest with --configmap files, planning (warnings, names used twice),
// and Podman's output layout.
import t from 'tap';
import { loadManifest, manifestPodNames, planPlay } from '../../../src/kube/play.js';
import { renderDown, renderPlay } from '../../../src/kube/render.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    env: [{name: A, valueFrom: {configMapKeyRef: {name: extra, key: a}}}]\n';

t.test('--configmap files feed the manifest and hold ConfigMaps only', async (t) => {
  const { objects, extra } = loadManifest('app.yaml', POD, [{ file: 'cm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: from-file}\n' }]);
  const warnings: string[] = [];
  const { plans } = planPlay(objects, extra, {}, { onWarning: (l) => warnings.push(l) });
  t.same(plans[0]!.containers[0]!.options.env, ['A=from-file']);
  t.throws(() => loadManifest('app.yaml', POD, [{ file: 'cm.yaml', text: POD }]), /cm\.yaml: document 1: --configmap files hold ConfigMaps only, not "Pod"/);
  t.throws(() => planPlay(loadManifest('app.yaml', POD).objects, [], {}, { onWarning: () => undefined }), /ConfigMap "extra" not found: define it in the file or pass it with --configmap/);
});

t.test('Services are reported as not run; a pod name made twice is refused', async (t) => {
  const text = `${POD.replace(/    env.*\n/, '')}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n`;
  const warnings: string[] = [];
  const { objects, extra } = loadManifest('app.yaml', text);
  planPlay(objects, extra, {}, { onWarning: (l) => warnings.push(l) });
  t.match(warnings, [/Service "web" is not run by tspod/]);
  const clash = `${POD.replace(/    env.*\n/, '')}---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: busybox}]}\n---\n${POD.replace(/    env.*\n/, '').replace('name: web}', 'name: web-pod}')}`;
  const l = loadManifest('app.yaml', clash);
  t.same(manifestPodNames(l.objects), ['web', 'web-pod', 'web-pod']);
  t.throws(() => planPlay(l.objects, l.extra, {}, { onWarning: () => undefined }), /pod name "web-pod" is used twice in the manifest/);
});

t.test("Podman's output layout", async (t) => {
  const id = (c: string) => c.repeat(64);
  t.equal(renderPlay({ pods: [{ id: id('a'), name: 'p', containers: [id('b')], initContainers: [] }], volumes: [] }), `Pod:\n${id('a')}\nContainer:\n${id('b')}\n\n`);
  t.equal(renderPlay({ pods: [{ id: id('a'), name: 'p', containers: [id('b'), id('c')], initContainers: [] }], volumes: ['v1', 'v2'] }), `Pod:\n${id('a')}\nContainers:\n${id('b')}\n${id('c')}\n\nVolumes:\nv1\nv2\n`);
  t.equal(renderDown({ stopped: [id('a')], removed: [id('a')] }), `Pods stopped:\n${id('a')}\nPods removed:\n${id('a')}\n`);
  t.equal(renderDown({ stopped: [], removed: [] }), '');
});
