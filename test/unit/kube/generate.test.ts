// kube generate: Podman-style names (underscores, dots, capitals, length) become names a cluster accepts;
// only what differs from the image is written; every document passes kubernetes-models' schema validators
// and the API server's rules; the output plays back to the same container settings.
import t from 'tap';
import { generateKube, renderKube, type ContainerInspect, type GenPod } from '../../../src/kube/generate.js';
import { parseManifests } from '../../../src/kube/parse.js';
import { validateDocuments } from '../../../src/kube/validate.js';
import { dataSources, translateWorkload } from '../../../src/kube/translate.js';
import type { Pod } from '../../../src/kube/types.js';
import { validateKubeYaml } from '../../fixtures/kube-schema.js';

const IMAGE = { Config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], WorkingDir: '', Labels: { 'org.opencontainers.image.title': 'bb' } } };

function ctr(over: Partial<ContainerInspect> & { Name: string }): ContainerInspect {
  return {
    ImageName: 'localhost:5000/e2e/busybox:latest',
    ...over,
    Config: { Env: ['PATH=/usr/bin:/bin', 'container=podman', 'HOSTNAME=abc'], Cmd: ['/bin/sh'], Entrypoint: [], WorkingDir: '/', User: '', Labels: {}, Annotations: {}, ...over.Config },
    HostConfig: { PortBindings: {}, RestartPolicy: { Name: 'no' }, CapAdd: [], CapDrop: [], ...over.HostConfig },
    Mounts: over.Mounts ?? [],
  };
}

t.test('Podman-style names are made valid, and the output validates', async (t) => {
  const pod: GenPod = {
    name: 'My_Web.App-pod',
    containers: [
      { image: IMAGE, inspect: ctr({
        Name: 'My_Web.App', Config: { Cmd: ['httpd', '-f', '-p', '8080'], Env: ['PATH=/usr/bin:/bin', 'container=podman', 'GREETING=hi there'], Annotations: { 'io.podman.annotations.autoremove/My_Web.App_': 'TRUE', 'bad key!': 'x' }, Labels: { 'org.opencontainers.image.title': 'bb', team: 'a b' }, Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 } },
        HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '18080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '1053' }] }, RestartPolicy: { Name: 'always' }, CapAdd: ['CAP_NET_ADMIN'], CapDrop: ['mknod'], Memory: 64 * 2 ** 20, NanoCpus: 5e8, SecurityOpt: ['no-new-privileges'] },
        Mounts: [
          { Type: 'volume', Name: 'my_data.vol', Source: '/x', Destination: '/data', RW: true },
          { Type: 'bind', Source: '/srv/My Files', Destination: '/files', RW: false },
          { Type: 'tmpfs', Source: '', Destination: '/run/x', RW: true },
        ],
      }) },
      { image: IMAGE, inspect: ctr({ Name: 'my_web.app', Config: { Entrypoint: ['sleep'], Cmd: ['600'], User: '1000:1000' }, HostConfig: { RestartPolicy: { Name: 'always' } } }) },
    ],
  };
  const { objects, warnings } = generateKube([pod], [], { service: true });
  const text = renderKube(objects, '0.1.0');
  const docs = validateKubeYaml(text);
  t.same(docs.map((d) => d['kind']), ['PersistentVolumeClaim', 'Pod', 'Service']);
  const names = [...text.matchAll(/^\s*-?\s*(?:name|claimName): (.*)$/gm)].map((m) => m[1]!);
  t.ok(names.length > 5, 'names were written');
  for (const n of names.filter((x) => x !== 'GREETING')) t.notMatch(n, /[_A-Z]/, `no underscore or capital in name ${n}`);
  const p = objects[1] as Pod;
  t.equal(p.metadata.name, 'my-web.app-pod');
  t.same(p.spec.containers.map((c) => c.name), ['my-web-app', 'my-web-app-2'], 'unique RFC 1123 labels');
  const [a, b] = p.spec.containers;
  t.same(a!.args, ['httpd', '-f', '-p', '8080']);
  t.equal(a!.command, undefined, 'the image ENTRYPOINT is kept');
  t.same(a!.env, [{ name: 'GREETING', value: 'hi there' }], 'only the environment that differs from the image');
  t.same(a!.ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: 18080 }, { containerPort: 53, protocol: 'UDP', hostPort: 1053, hostIP: '127.0.0.1' }]);
  t.same(a!.securityContext, { capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, allowPrivilegeEscalation: false });
  t.same(a!.resources, { limits: { memory: '64Mi', cpu: '500m' } });
  t.same(a!.livenessProbe, { exec: { command: ['/bin/sh', '-c', 'true'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
  t.same(b!.command, ['sleep']);
  t.same(b!.args, ['600']);
  t.same(b!.securityContext, { runAsUser: 1000, runAsGroup: 1000 });
  t.equal(p.spec.restartPolicy, 'Always');
  t.same(p.spec.volumes!.map((v) => v.name), ['my-data.vol-pvc'.replace('.', '-'), 'srv-my-files-host', 'run-x-tmpfs']);
  t.equal(p.spec.volumes![0]!.persistentVolumeClaim!.claimName, 'my-data.vol');
  t.equal(objects[0]!.metadata.name, 'my-data.vol');
  t.same(p.metadata.annotations, { 'io.podman.annotations.autoremove/My_Web.App': 'TRUE', 'bad-key': 'x' }, 'annotation keys made qualified names');
  t.same(p.metadata.labels, { app: 'my-web.app-pod' }, 'labels: app, and no invalid user label');
  const svc = objects[2]!;
  t.equal(svc.metadata.name, 'my-web-app-pod', 'a Service name is a DNS-1035 label');
  t.match(warnings.join('\n'), /container "My_Web.App" is named "my-web-app"/);
  t.match(warnings.join('\n'), /volume "my_data.vol" is claimed as "my-data.vol"/);
  // round trip: the generated YAML plays back to the same settings
  const objs = validateDocuments(parseManifests(text, 'gen.yaml'));
  const [plan] = translateWorkload(objs.find((o) => o.kind === 'Pod') as Pod, dataSources(objs), []);
  t.same(plan!.publish, ['18080:8080/tcp', '127.0.0.1:1053:53/udp']);
  t.same(plan!.containers[0]!.options.command, ['httpd', '-f', '-p', '8080']);
  t.equal(plan!.containers[1]!.options.entrypoint, '["sleep"]');
  t.equal(plan!.restart, 'always');
});

t.test('--type deployment with replicas; a pod\'s ports are its own', async (t) => {
  const pod: GenPod = { name: 'web', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, containers: [{ image: IMAGE, inspect: ctr({ Name: 'web-srv' }) }, { image: IMAGE, inspect: ctr({ Name: 'web-side' }) }] };
  const { objects } = generateKube([pod], [{ Name: 'extra_vol' }], { type: 'deployment', replicas: 2, service: true });
  const docs = validateKubeYaml(renderKube(objects, '0.1.0'));
  t.same(docs.map((d) => d['kind']), ['PersistentVolumeClaim', 'Deployment', 'Service']);
  const d = docs[1] as { metadata: { name: string }; spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: Pod['spec'] } } };
  t.equal(d.metadata.name, 'web-deployment');
  t.equal(d.spec.replicas, 2);
  t.same(d.spec.selector.matchLabels, d.spec.template.metadata.labels);
  t.same(d.spec.template.spec.containers[0]!.ports, [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
  t.equal(d.spec.template.spec.containers[1]!.ports, undefined);
  t.equal(docs[0]!['metadata'] && (docs[0]!['metadata'] as { name: string }).name, 'extra-vol');
});

t.test('the schema validators do catch broken documents (the check is real)', async (t) => {
  t.throws(() => validateKubeYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: "80"}]}]}\n'), /containerPort/);
  t.throws(() => validateKubeYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: a_b}\nspec: {containers: [{name: c, image: x}]}\n'), /RFC 1123/);
});

t.test('a compose project: a Deployment and a Service per service, replicas from its containers', async (t) => {
  const svc = (name: string, port?: string): GenPod => ({
    name, replicas: name === 'web' ? 2 : 1, deploymentName: name,
    containers: [{ image: IMAGE, inspect: ctr({ Name: `shop-${name}-1`, Config: { Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': name } }, HostConfig: { PortBindings: port ? { [`${port}/tcp`]: [{ HostIp: '', HostPort: '' }] } : {}, RestartPolicy: { Name: 'always' } }, Mounts: [{ Type: 'volume', Name: 'shop_data', Source: '/x', Destination: '/data', RW: true }] }) }],
  });
  const { objects } = generateKube([svc('db', '5432'), svc('web', '80')], [], { type: 'deployment', service: true });
  const docs = validateKubeYaml(renderKube(objects, '0.1.0'));
  t.same(docs.map((d) => `${String(d['kind'])}/${String((d['metadata'] as { name: string }).name)}`), ['PersistentVolumeClaim/shop-data', 'Deployment/db', 'Deployment/web', 'Service/db', 'Service/web']);
  const web = docs[2] as { spec: { replicas: number; template: { metadata: { labels: Record<string, string> } } } };
  t.equal(web.spec.replicas, 2);
  t.same(web.spec.template.metadata.labels, { app: 'web' }, "Compose's own labels are not carried over");
  t.same((docs[4] as { spec: { ports: unknown[] } }).spec.ports, [{ name: '80-tcp', protocol: 'TCP', port: 80, targetPort: 80 }], 'a Service per service, named as the service (its DNS name in the cluster)');
});
