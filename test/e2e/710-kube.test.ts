// End-to-end: `tspod kube play`, `kube down` and `kube generate` (the real bin/tspod, as the unprivileged user)
// with a busybox image from a loopback registry. A Pod + ConfigMap + PVC manifest: the environment from the
// ConfigMap, a ConfigMap file volume, the PVC's data surviving kube down / kube play, an init container that
// ran first, a hostPort reached from the host; generate from a running container and a pod, validated with
// kubernetes-models and the API server's rules, then played again after kube down; invalid manifests fail
// with one line and create nothing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../fixtures/registry.js';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { validateKubeYaml } from '../fixtures/kube-schema.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMG = '';

t.before(async () => {
  const { busyboxRegistryEnv } = await import('../fixtures/registry.js');
  ({ env, image: IMG } = await busyboxRegistryEnv(t, 'e2e/kube'));
  const pull = await env.tspod(['pull', '-q', IMG]);
  if (pull.exitCode !== 0) throw new Error(`pull: ${pull.stderr}`);
});

async function poll<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const lines = async (args: string[]): Promise<string[]> => {
  const r = await env.tspod(args);
  if (r.exitCode !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).sort();
};
const state = async () => ({
  pods: await lines(['pod', 'ls', '--format', '{{.Name}}']),
  containers: await lines(['ps', '-a', '--format', '{{.Names}}']),
  volumes: await lines(['volume', 'ls', '--format', '{{.Name}}']),
});

const write = (name: string, text: string) => { const f = path.join(env.dir, name); fs.writeFileSync(f, text); return f; };

t.test('invalid manifests fail with one line and create nothing', async (t: Test) => {
  const pod = (body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: b}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim}\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n${body}`;
  const table: [string, string, RegExp][] = [
    ['unknown kind', 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n', /kind "StatefulSet" is not supported/],
    ['missing image', pod('  containers:\n  - name: app\n'), /spec\.containers\[0\]\.image: Required value/],
    ['duplicate container names', pod(`  containers:\n  - {name: app, image: ${IMG}}\n  - {name: app, image: ${IMG}}\n`), /Duplicate value: "app"/],
    ['a volumeMount naming no volume', pod(`  containers:\n  - name: app\n    image: ${IMG}\n    volumeMounts: [{name: nosuch, mountPath: /x}]\n`), /volumeMounts\[0\]\.name: Not found: "nosuch"/],
    ['a ConfigMap that does not exist', pod(`  containers:\n  - name: app\n    image: ${IMG}\n    env: [{name: X, valueFrom: {configMapKeyRef: {name: other, key: A}}}]\n`), /ConfigMap "other" not found/],
    ['a hostPath that must exist', pod(`  volumes: [{name: h, hostPath: {path: /nonexistent/tspod, type: Directory}}]\n  containers:\n  - name: app\n    image: ${IMG}\n    volumeMounts: [{name: h, mountPath: /h}]\n`), /hostPath "\/nonexistent\/tspod" \(type Directory\) does not exist/],
    ['an image that cannot be pulled', pod('  containers:\n  - {name: app, image: 127.0.0.1:1/none/such:latest}\n'), /.+/],
  ];
  for (const [what, text, re] of table) {
    const r = await env.tspod(['kube', 'play', '--quiet', write('bad.yaml', text)]);
    t.equal(r.exitCode, 125, `${what}: exit 125`);
    t.match(r.stderr, re, `${what}: the problem is named`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line (${r.stderr.trim()})`);
    t.same(await state(), { pods: [], containers: [], volumes: [] }, `${what}: nothing created`);
  }
  const missing = await env.tspod(['kube', 'play', path.join(env.dir, 'nosuch.yaml')]);
  t.equal(missing.exitCode, 125);
  t.match(missing.stderr, /nosuch\.yaml: no such file or directory/);
});

t.test('play a Pod with a ConfigMap and a PVC; kube down keeps the claim', async (t: Test) => {
  const hostPort = await freePort();
  const manifest = write('app.yaml', `
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data:
  GREETING: hello from the configmap
  index.html: "<h1>served from a ConfigMap volume</h1>\\n"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: web-data }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  volumes:
  - { name: data, persistentVolumeClaim: { claimName: web-data } }
  - { name: www, configMap: { name: web-config, items: [{ key: index.html, path: index.html }] } }
  - { name: scratch, emptyDir: {} }
  initContainers:
  - name: init
    image: ${IMG}
    command: [sh, -c, 'echo done > /scratch/init; cat /data/count 2>/dev/null || echo 0 > /data/count; echo $(( $(cat /data/count) + 1 )) > /data/count']
    volumeMounts: [{ name: scratch, mountPath: /scratch }, { name: data, mountPath: /data }]
  containers:
  - name: srv
    image: ${IMG}
    command: [httpd, -f, -p, "8080", -h, /www]
    ports: [{ containerPort: 8080, hostPort: ${hostPort} }]
    volumeMounts: [{ name: www, mountPath: /www, readOnly: true }]
  - name: app
    image: ${IMG}
    command: [sh, -c]
    args: ['cat /scratch/init > /scratch/app-saw-init 2>&1; echo "$GREETING" > /scratch/greeting; exec sleep 600']
    env:
    - { name: GREETING, valueFrom: { configMapKeyRef: { name: web-config, key: GREETING } } }
    - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
    envFrom: [{ configMapRef: { name: web-config }, prefix: CM_ }]
    volumeMounts: [{ name: scratch, mountPath: /scratch }, { name: data, mountPath: /data }]
`);
  const r = await env.tspod(['kube', 'play', manifest]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^Pod:\n[0-9a-f]{64}\nContainers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nVolume:\nweb-data$/, "Podman's output");
  t.match(r.stderr, /^$/, 'no warnings');
  const st = await state();
  t.same(st.pods, ['web']);
  t.ok(st.containers.includes('web-srv') && st.containers.includes('web-app'), 'containers are named <pod>-<container>');
  t.notOk(st.containers.includes('web-init'), 'the init container ran once and is gone');
  t.ok(st.volumes.includes('web-data'), 'the claim is a named volume');

  const printenv = await env.tspod(['exec', 'web-app', 'sh', '-c', 'echo "$GREETING|$POD_NAME|$CM_GREETING"']);
  t.equal(printenv.stdout.trim(), 'hello from the configmap|web|hello from the configmap', 'env from the ConfigMap (keyRef and envFrom) and the fieldRef');
  const saw = await poll(async () => { const x = await env.tspod(['exec', 'web-app', 'cat', '/scratch/app-saw-init']); return x.exitCode === 0 ? x.stdout.trim() : undefined; });
  t.equal(saw, 'done', 'the init container had finished when the app container started');
  t.equal((await env.tspod(['exec', 'web-app', 'cat', '/data/count'])).stdout.trim(), '1', 'the init container wrote to the claim');
  const body = await poll(async () => { const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(body, '<h1>served from a ConfigMap volume</h1>\n', 'the hostPort is reached from the host, serving the ConfigMap file');
  const local = await env.tspod(['exec', 'web-app', 'wget', '-qO-', 'http://localhost:8080/index.html']);
  t.match(local.stdout, /ConfigMap volume/, 'containers of a pod share localhost');
  const ro = await env.tspod(['exec', 'web-srv', 'sh', '-c', 'echo x > /www/y']);
  t.not(ro.exitCode, 0, 'a readOnly mount is read-only');

  const again = await env.tspod(['kube', 'play', manifest]);
  t.equal(again.exitCode, 125, 'playing again without --replace is refused');
  t.match(again.stderr, /a pod named "web" already exists/);

  const replaced = await env.tspod(['kube', 'play', '--replace', manifest]);
  t.equal(replaced.exitCode, 0, replaced.stderr);
  t.equal((await env.tspod(['exec', 'web-app', 'cat', '/data/count'])).stdout.trim(), '2', '--replace: a new pod, the claim kept its data');

  const down = await env.tspod(['kube', 'down', manifest]);
  t.equal(down.exitCode, 0, down.stderr);
  t.match(down.stdout, /^Pods stopped:\n[0-9a-f]{64}\nPods removed:\n[0-9a-f]{64}$/);
  const after = await state();
  t.same(after.pods, [], 'the pod is gone');
  t.same(after.containers, [], 'its containers are gone');
  t.same(after.volumes, ['web-data'], "the claim's volume is kept; the pod's own volumes are gone");
  const third = await env.tspod(['kube', 'play', manifest]);
  t.equal(third.exitCode, 0, third.stderr);
  t.equal((await env.tspod(['exec', 'web-app', 'cat', '/data/count'])).stdout.trim(), '3', 'the claim kept its data across kube down / kube play');
  t.equal((await env.tspod(['kube', 'play', '--down', manifest])).exitCode, 0, 'play --down tears down too');
  t.same((await state()).pods, []);
  t.equal((await env.tspod(['volume', 'rm', 'web-data'])).exitCode, 0);
});

t.test('kube play --start=false, then pod start: the init containers run first, in order, to completion', async (t: Test) => {
  const vol = '  volumes: [{ name: s, emptyDir: {} }]\n';
  const mnt = 'volumeMounts: [{ name: s, mountPath: /s }]';
  const manifest = write('lazy.yaml', `apiVersion: v1
kind: Pod
metadata: { name: lazy }
spec:
${vol}  initContainers:
  - { name: first, image: ${IMG}, command: [sh, -c, 'sleep 1; echo first >> /s/order'], ${mnt} }
  - { name: second, image: ${IMG}, command: [sh, -c, 'echo second >> /s/order'], ${mnt} }
  containers:
  - { name: app, image: ${IMG}, command: [sh, -c, 'cat /s/order >> /s/app-saw; echo app >> /s/order; exec sleep 600'], ${mnt} }
`);
  const r = await env.tspod(['kube', 'play', '--start=false', manifest]);
  t.equal(r.exitCode, 0, r.stderr);
  const status = async (n: string) => { const x = await env.tspod(['inspect', '--format', '{{.State.Status}}', n]); return x.exitCode === 0 ? x.stdout.trim() : 'gone'; };
  t.same([await status('lazy-first'), await status('lazy-second'), await status('lazy-app')], ['created', 'created', 'created'], 'nothing started');

  const start = await env.tspod(['pod', 'start', 'lazy']);
  t.equal(start.exitCode, 0, start.stderr);
  t.same([await status('lazy-first'), await status('lazy-second'), await status('lazy-app')], ['gone', 'gone', 'running'], 'the init containers ran once and are gone, the app runs');
  const saw = await poll(async () => { const x = await env.tspod(['exec', 'lazy-app', 'cat', '/s/app-saw']); return x.exitCode === 0 ? x.stdout : undefined; });
  t.equal(saw?.trim(), 'first\nsecond', 'both init containers had finished, in order, when the app started');

  t.equal((await env.tspod(['pod', 'stop', '-t', '0', 'lazy'])).exitCode, 0);
  const again = await env.tspod(['pod', 'start', 'lazy']);
  t.equal(again.exitCode, 0, again.stderr);
  const order = await poll(async () => { const x = await env.tspod(['exec', 'lazy-app', 'cat', '/s/order']); return x.exitCode === 0 && x.stdout.split('\n').filter(Boolean).length >= 4 ? x.stdout : undefined; });
  t.equal(order?.trim(), 'first\nsecond\napp\napp', 'a later start does not run the init containers again');
  t.equal((await env.tspod(['kube', 'down', manifest])).exitCode, 0);

  // an init container that fails: the pod start fails, names it, and starts nothing else
  const bad = write('lazy-bad.yaml', `apiVersion: v1
kind: Pod
metadata: { name: lazybad }
spec:
  initContainers:
  - { name: fail, image: ${IMG}, command: [sh, -c, 'exit 3'] }
  containers:
  - { name: app, image: ${IMG}, command: [sleep, '600'] }
`);
  t.equal((await env.tspod(['kube', 'play', '--start=false', bad])).exitCode, 0);
  const failed = await env.tspod(['pod', 'start', 'lazybad']);
  t.not(failed.exitCode, 0, 'pod start fails');
  t.match(failed.stderr, /init container lazybad-fail of pod lazybad exited with code 3/);
  t.equal(await status('lazybad-app'), 'created', 'the app container was not started');
  t.equal((await env.tspod(['kube', 'down', bad])).exitCode, 0);
  t.same(await state(), { pods: [], containers: [], volumes: [] }, 'kube down leaves nothing');
});

t.test('generate from a container and a pod; validated; played again after kube down', async (t: Test) => {
  const hostPort = await freePort();
  const run = await env.tspod(['run', '-d', '--name', 'My_Web.1', '-p', `${hostPort}:8080`, '-e', 'MODE=prod', '-v', 'webdata:/data', '--cap-drop', 'MKNOD', IMG, 'httpd', '-f', '-p', '8080', '-h', '/data']);
  t.equal(run.exitCode, 0, run.stderr);
  t.equal((await env.tspod(['exec', 'My_Web.1', 'sh', '-c', 'echo generated > /data/index.html'])).exitCode, 0);
  const gen = await env.tspod(['kube', 'generate', '-s', 'My_Web.1']);
  t.equal(gen.exitCode, 0, gen.stderr);
  const docs = validateKubeYaml(gen.stdout);
  t.same(docs.map((d) => d['kind']), ['PersistentVolumeClaim', 'Pod', 'Service'], 'kubernetes-models and the API server rules accept every document');
  t.match(gen.stderr, /container \\?"My_Web.1\\?" is named \\?"my-web-1\\?"/, 'the renaming is said');
  const pod = docs[1] as { metadata: { name: string }; spec: { containers: { name: string; args?: string[]; env?: unknown[]; ports?: unknown[] }[] } };
  t.equal(pod.metadata.name, 'my-web.1-pod');
  t.equal(pod.spec.containers[0]!.name, 'my-web-1');
  t.same(pod.spec.containers[0]!.args, ['httpd', '-f', '-p', '8080', '-h', '/data']);
  t.same(pod.spec.containers[0]!.env, [{ name: 'MODE', value: 'prod' }], 'only the environment that differs from the image');
  t.same(pod.spec.containers[0]!.ports, [{ containerPort: 8080, protocol: 'TCP', hostPort }]);
  const alias = await env.tspod(['generate', 'kube', 'My_Web.1']);
  t.equal(alias.exitCode, 0, '`generate kube` is the same command');
  const file = path.join(env.dir, 'gen.yaml');
  t.equal((await env.tspod(['kube', 'generate', '-f', file, 'My_Web.1'])).exitCode, 0);
  t.ok(fs.readFileSync(file, 'utf8').includes('kind: Pod'), '-f writes the file');

  // the generated YAML plays back, after the original is gone
  t.equal((await env.tspod(['rm', '-f', 'My_Web.1'])).exitCode, 0);
  const genFile = write('generated.yaml', gen.stdout);
  const play = await env.tspod(['kube', 'play', genFile]);
  t.equal(play.exitCode, 0, play.stderr);
  t.match(play.stderr, /Service \\?"my-web-1-pod\\?" is not run/);
  const body = await poll(async () => { const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(body, 'generated\n', 'the played pod serves the data of the claim on the same host port');
  t.same((await state()).pods, ['my-web.1-pod']);

  // a pod: generate, down, play again
  const gen2 = await env.tspod(['kube', 'generate', '--type', 'deployment', 'my-web.1-pod']);
  t.equal(gen2.exitCode, 0, gen2.stderr);
  const docs2 = validateKubeYaml(gen2.stdout);
  t.same(docs2.map((d) => d['kind']), ['PersistentVolumeClaim', 'Deployment']);
  t.equal((await env.tspod(['kube', 'down', genFile])).exitCode, 0);
  t.same((await state()).pods, []);
  const play2 = await env.tspod(['kube', 'play', write('deploy.yaml', gen2.stdout)]);
  t.equal(play2.exitCode, 0, play2.stderr);
  t.same((await state()).pods, ['my-web.1-pod-deployment-pod-0'], 'a Deployment replica is named <name>-pod-<i>');
  const served = await poll(async () => { const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(served, 'generated\n', 'the replayed pod serves the data of the claim, on the same host port');
  t.equal((await env.tspod(['kube', 'down', write('deploy.yaml', gen2.stdout)])).exitCode, 0);
  t.same((await state()).pods, []);
});

t.test('Jobs run to completion; DaemonSets and Deployments name their pods', async (t: Test) => {
  const f = write('job.yaml', `
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: work, image: ${IMG}, command: [sh, -c, 'echo job done; exit 3'] }]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers: [{ name: a, image: ${IMG}, command: [sleep, '600'] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: srv, image: ${IMG}, command: [sleep, '600'] }]
`);
  const r = await env.tspod(['kube', 'play', f]);
  t.equal(r.exitCode, 0, r.stderr);
  t.same((await state()).pods, ['agent-pod', 'api-pod-0', 'api-pod-1', 'once-pod']);
  const code = await env.tspod(['wait', 'once-pod-work']);
  t.equal(code.stdout.trim(), '3', 'the Job ran to completion with its exit code');
  t.match((await env.tspod(['logs', 'once-pod-work'])).stdout, /job done/);
  const api = await env.tspod(['exec', 'api-pod-1-srv', 'hostname']);
  t.equal(api.stdout.trim(), 'api-pod-1', 'each replica is its own pod, with its name as hostname');
  const dns = await poll(async () => { const x = await env.tspod(['exec', 'api-pod-0-srv', 'nslookup', 'agent-pod']); return x.exitCode === 0 && /Address: 10\./.test(x.stdout) ? true : undefined; }, 30_000);
  t.ok(dns, 'pods reach each other by name on the kube network');
  // the file now asks for one replica: kube down still removes both
  const fewer = write('job1.yaml', fs.readFileSync(f, 'utf8').replace('replicas: 2', 'replicas: 1'));
  t.equal((await env.tspod(['kube', 'down', fewer])).exitCode, 0);
  t.same((await state()).pods, [], 'every replica is removed');
});

t.test('round trip with podman: podman plays tspod\'s YAML, tspod plays podman\'s', async (t: Test) => {
  const { execa } = await import('execa');
  const d = path.join(env.dir, 'pm');
  for (const x of ['config/containers', 'data', 'run', 'tmp']) fs.mkdirSync(path.join(d, x), { recursive: true, mode: 0o700 });
  // podman with the stack tspod uses (its defaults fail here: crun and the hybrid cgroup layout; vfs)
  fs.writeFileSync(path.join(d, 'config/containers/storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${d}/data/containers/storage"\nrunroot = "${d}/run/containers"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n`);
  fs.writeFileSync(path.join(d, 'config/containers/containers.conf'), '[containers]\nnetns = "slirp4netns"\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
  const penv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? d, XDG_CONFIG_HOME: path.join(d, 'config'), XDG_DATA_HOME: path.join(d, 'data'), XDG_RUNTIME_DIR: path.join(d, 'run'), TMPDIR: path.join(d, 'tmp') };
  const podman = async (args: string[]) => {
    const r = await execa('podman', args, { env: penv, extendEnv: false, reject: false, timeout: 300_000 });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  t.teardown(async () => {
    await podman(['pod', 'rm', '-a', '-f']);
    await podman(['system', 'reset', '--force']);
    try { process.kill(Number(fs.readFileSync(path.join(d, 'run/libpod/tmp/pause.pid'), 'utf8'))); } catch { /* none */ }
  });
  const hostPort = await freePort();
  t.equal((await env.tspod(['run', '-d', '--name', 'rt_web', '-p', `${hostPort}:8080`, '-e', 'WHO=tspod', IMG, 'sh', '-c', 'echo "$WHO" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'])).exitCode, 0);
  const gen = await env.tspod(['kube', 'generate', 'rt_web']);
  t.equal(gen.exitCode, 0, gen.stderr);
  t.equal((await env.tspod(['rm', '-f', 'rt_web'])).exitCode, 0);
  const f = write('rt.yaml', gen.stdout);
  const played = await podman(['kube', 'play', '--tls-verify=false', f]);
  t.equal(played.exitCode, 0, `podman kube play of tspod's YAML: ${played.stderr}`);
  const body = await poll(async () => { const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(body, 'tspod\n', "podman runs tspod's pod: command, env and hostPort carried over");
  t.equal((await podman(['kube', 'down', f])).exitCode, 0);

  // and back: podman's generated YAML plays in tspod
  const pport = await freePort();
  const prun = await podman(['run', '-d', '--tls-verify=false', '--name', 'pmweb', '-p', `${pport}:8080`, '-e', 'WHO=podman', IMG, 'sh', '-c', 'echo "$WHO" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']);
  t.equal(prun.exitCode, 0, prun.stderr);
  const pgen = await podman(['kube', 'generate', 'pmweb']);
  t.equal(pgen.exitCode, 0, pgen.stderr);
  await podman(['rm', '-f', 'pmweb']);
  const pf = write('pm.yaml', pgen.stdout);
  const tplay = await env.tspod(['kube', 'play', pf]);
  t.equal(tplay.exitCode, 0, `tspod kube play of podman's YAML: ${tplay.stderr}\n${pgen.stdout}`);
  const pbody = await poll(async () => { const res = await fetch(`http://127.0.0.1:${pport}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(pbody, 'podman\n', "tspod runs podman's pod");
  t.equal((await env.tspod(['kube', 'down', pf])).exitCode, 0);
});

t.test('generate --project: a compose project as Deployments, Services and claims', async (t: Test) => {
  const dir = path.join(env.dir, 'shop');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'compose.yaml'), `
services:
  web:
    image: ${IMG}
    command: ["httpd", "-f", "-p", "80", "-h", "/data"]
    ports: ["${port}:80"]
    environment: { MODE: prod }
    volumes: [data:/data]
volumes:
  data:
`);
  const up = await env.tspod(['compose', 'up', '-d'], { cwd: dir });
  t.equal(up.exitCode, 0, up.stderr);
  const gen = await env.tspod(['kube', 'generate', '--project', 'shop']);
  t.equal(gen.exitCode, 0, gen.stderr);
  const docs = validateKubeYaml(gen.stdout);
  t.same(docs.map((d) => `${String(d['kind'])}/${String((d['metadata'] as { name: string }).name)}`), ['PersistentVolumeClaim/shop-data', 'Deployment/web', 'Service/web']);
  t.match(gen.stderr, /volume \\?"shop_data\\?" is claimed as \\?"shop-data\\?"/);
  const dep = docs[1] as { spec: { template: { spec: { containers: { env?: unknown[]; ports?: unknown[] }[] } } } };
  t.same(dep.spec.template.spec.containers[0]!.env, [{ name: 'MODE', value: 'prod' }]);
  t.same(dep.spec.template.spec.containers[0]!.ports, [{ containerPort: 80, protocol: 'TCP', hostPort: port }]);
  const none = await env.tspod(['kube', 'generate', '--project', 'nosuch']);
  t.equal(none.exitCode, 125);
  t.match(none.stderr, /no containers of compose project "nosuch" found/);
  t.equal((await env.tspod(['compose', 'down', '-v'], { cwd: dir })).exitCode, 0);
});

t.test('--configmap files and --publish', async (t: Test) => {
  const port = await freePort();
  const cm = write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: outside }\ndata: { WHO: from-a-file }\n');
  const f = write('pub.yaml', `
apiVersion: v1
kind: Pod
metadata: { name: pub }
spec:
  containers:
  - name: srv
    image: ${IMG}
    command: [sh, -c, 'echo "$WHO" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']
    ports: [{ containerPort: 8080 }]
    env: [{ name: WHO, valueFrom: { configMapKeyRef: { name: outside, key: WHO } } }]
`);
  const noCm = await env.tspod(['kube', 'play', f]);
  t.equal(noCm.exitCode, 125);
  t.match(noCm.stderr, /ConfigMap "outside" not found: define it in the file or pass it with --configmap/);
  const r = await env.tspod(['kube', 'play', '--configmap', cm, '--publish', `${port}:8080`, f]);
  t.equal(r.exitCode, 0, r.stderr);
  const body = await poll(async () => { const res = await fetch(`http://127.0.0.1:${port}/index.html`); return res.ok ? await res.text() : undefined; });
  t.equal(body, 'from-a-file\n', 'the ConfigMap came from --configmap; the containerPort is published by --publish');
  t.equal((await env.tspod(['kube', 'down', f])).exitCode, 0);
});
