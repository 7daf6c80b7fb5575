// The planner: each service's fields onto the engine's create options, and which containers `up` keeps,
// recreates, creates or removes (by the config-hash and container-number labels).
import t from 'tap';
import { loadYaml } from '../../fixtures/compose/project.js';
import { createOptions, planUp, selectServices } from '../../../src/compose/plan.js';
import { dependencyOrder, LABELS, serviceConfigHash } from '../../../src/compose/index.js';

const YAML = `
name: shop
services:
  web:
    image: busybox
    command: ["httpd", "-f"]
    entrypoint: ["/bin/sh", "-c"]
    ports: ["8080:80", "127.0.0.1::53/udp", "9000"]
    environment: { A: "1", B: "" }
    depends_on: [db]
    networks:
      front: { aliases: [www] }
      back: {}
    volumes:
      - data:/data:ro
      - ./html:/srv
      - type: tmpfs
        target: /tmp
        tmpfs: { size: 1048576 }
    restart: on-failure:3
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
      retries: 2
    user: "1000"
    working_dir: /srv
    labels: { app: shop }
    stop_grace_period: 1500ms
    extra_hosts: ["h:10.0.0.1"]
  db:
    image: busybox
    scale: 2
    deploy: { restart_policy: { condition: any } }
    healthcheck: { disable: true }
networks: { front: {}, back: {} }
volumes: { data: {} }
`;

t.test('a service onto the engine\'s create options', async (t) => {
  const p = loadYaml(t, YAML);
  const o = createOptions(p, 'web', p.services['web']!, 1);
  t.equal(o.name, 'shop-web-1');
  t.equal(o.image, 'busybox');
  t.same(o.command, ['httpd', '-f']);
  t.equal(o.entrypoint, '["/bin/sh","-c"]', 'a JSON array, as create parses it');
  t.same(o.env, ['A=1', 'B=']);
  t.same(o.publish, ['8080:80/tcp', '127.0.0.1::53/udp', '9000/tcp']);
  t.equal(o.network, 'shop_back,shop_front');
  t.same(o.networkAlias, ['web', 'www'], 'the service name, then the aliases');
  t.same(o.volume, ['shop_data:/data:ro', `${p.working_dir}/html:/srv`]);
  t.same(o.tmpfs, ['/tmp:size=1048576']);
  t.equal(o.restart, 'on-failure:3');
  t.equal(o.healthCmd, '["CMD","true"]');
  t.equal(o.healthInterval, '5000ms');
  t.equal(o.healthRetries, 2);
  t.equal(o.user, '1000');
  t.equal(o.workdir, '/srv');
  t.equal(o.stopTimeout, 2, 'stop_grace_period rounded up to seconds');
  t.same(o.addHost, ['h:10.0.0.1']);
  const labels = Object.fromEntries((o.label ?? []).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  t.match(labels, { app: 'shop', [LABELS.project]: 'shop', [LABELS.service]: 'web', [LABELS.containerNumber]: '1', [LABELS.oneoff]: 'False', [LABELS.dependsOn]: 'db:service_started:false', [LABELS.image]: 'busybox' });
  t.equal(labels[LABELS.configHash], serviceConfigHash(p.services['web']!));
  const db = createOptions(p, 'db', p.services['db']!, 2);
  t.equal(db.name, 'shop-db-2');
  t.equal(db.restart, 'always', 'deploy.restart_policy condition any');
  t.equal(db.noHealthcheck, true);
  t.equal(db.network, 'shop_default');
  t.same(db.networkAlias, ['db']);
});

t.test('planUp keeps, recreates, creates and removes by label', async (t) => {
  const p = loadYaml(t, YAML);
  const order = dependencyOrder(p.services);
  t.same(order, ['db', 'web']);
  const lab = (service: string, n: number, hash: string) => ({ [LABELS.project]: 'shop', [LABELS.service]: service, [LABELS.containerNumber]: String(n), [LABELS.configHash]: hash });
  const webHash = serviceConfigHash(p.services['web']!), dbHash = serviceConfigHash(p.services['db']!);
  const existing = [
    { id: 'a', name: 'shop-db-1', state: 'running', labels: lab('db', 1, dbHash) },
    { id: 'b', name: 'shop-db-3', state: 'running', labels: lab('db', 3, dbHash) },
    { id: 'c', name: 'shop-web-1', state: 'exited', labels: lab('web', 1, 'old') },
    { id: 'd', name: 'shop-cache-1', state: 'running', labels: lab('cache', 1, 'x') },
  ];
  const plan = planUp(p, order, existing);
  t.same(plan.actions['db']!.map((a) => `${a.kind}:${a.number}`), ['running:1', 'create:2', 'remove:3']);
  t.same(plan.actions['web']!.map((a) => `${a.kind}:${a.number}`), ['recreate:1']);
  t.same(plan.orphans.map((c) => c.name), ['shop-cache-1']);
  const same = planUp(p, order, [{ id: 'c', name: 'shop-web-1', state: 'exited', labels: lab('web', 1, webHash) }]);
  t.same(same.actions['web']!.map((a) => a.kind), ['start'], 'same hash, stopped: started, not recreated');
  t.same(planUp(p, order, existing, { noRecreate: true }).actions['web']!.map((a) => a.kind), ['start']);
  t.same(planUp(p, order, existing, { forceRecreate: true }).actions['db']!.map((a) => a.kind), ['recreate', 'create', 'remove']);
});

t.test('selectServices adds dependencies unless noDeps', async (t) => {
  const p = loadYaml(t, YAML);
  const order = dependencyOrder(p.services);
  t.same(selectServices(p, ['web'], order), ['db', 'web']);
  t.same(selectServices(p, ['web'], order, true), ['web']);
  t.same(selectServices(p, [], order), ['db', 'web']);
  t.throws(() => selectServices(p, ['nope'], order), /no such service: nope/);
});

t.test('--scale and --pull over the file', async (t) => {
  const { withOverrides } = await import('../../../src/compose/plan.js');
  const p = loadYaml(t, YAML);
  const q = withOverrides(p, { scale: ['web=3', 'db=0'], pull: 'never' });
  t.equal(q.services['web']!.scale, 3);
  t.equal(q.services['db']!.scale, 0);
  t.equal(q.services['web']!.pull_policy, 'never');
  t.equal(p.services['web']!.scale, 1, 'the loaded project is left as it was');
  t.equal(serviceConfigHash(q.services['web']!), serviceConfigHash(p.services['web']!), 'neither changes the config hash');
  const plan = planUp(q, ['web'], []);
  t.same(plan.actions['web']!.map((a) => a.kind === 'create' && a.options.name), ['shop-web-1', 'shop-web-2', 'shop-web-3']);
  t.throws(() => withOverrides(p, { scale: ['nosuch=2'] }), /no such service: nosuch/);
  t.throws(() => withOverrides(p, { scale: ['web'] }), /SERVICE=NUMBER/);
});

t.test('output prefixes: short names, aligned, coloured on request', async (t) => {
  const { prefixes, shortName } = await import('../../../src/compose/prefix.js');
  t.equal(shortName('shop', 'shop-web-1'), 'web-1');
  t.equal(shortName('shop', 'my-db'), 'my-db', 'a container_name is kept');
  const p = prefixes('shop', ['shop-web-1', 'shop-worker-1'], false);
  t.equal(p.get('shop-web-1'), 'web-1    | ');
  t.equal(p.get('shop-worker-1'), 'worker-1 | ');
  t.match(prefixes('shop', ['shop-web-1'], true).get('shop-web-1'), /^\u001b\[\d+mweb-1 \| \u001b\[0m$/);
});

t.test('a container of another image than the service\'s current one is recreated', async (t) => {
  const p = loadYaml(t, YAML);
  const web = p.services['web']!;
  const c = { id: 'c1', name: 'shop-web-1', state: 'running', imageId: 'aaa', labels: { [LABELS.service]: 'web', [LABELS.containerNumber]: '1', [LABELS.configHash]: serviceConfigHash(web) } };
  t.equal(planUp(p, ['web'], [c], { imageIds: { web: 'aaa' } }).actions['web']![0]!.kind, 'running', 'same image: kept');
  t.equal(planUp(p, ['web'], [c], { imageIds: { web: 'bbb' } }).actions['web']![0]!.kind, 'recreate', 'rebuilt or pulled: recreated');
  t.equal(planUp(p, ['web'], [c], { imageIds: { web: 'bbb' }, noRecreate: true }).actions['web']![0]!.kind, 'running', '--no-recreate keeps it');
  t.equal(planUp(p, ['web'], [c], {}).actions['web']![0]!.kind, 'running', 'image not present locally: the hash decides');
});

t.test('a recreated dependency: its restart dependents are stopped before it and started after it (as Compose)', async (t) => {
  const { dependentStops, restartDependents } = await import('../../../src/compose/plan.js');
  const p = loadYaml(t, `
name: shop
services:
  db: { image: busybox, environment: { V: "2" } }
  api: { image: busybox, depends_on: { db: { condition: service_started, restart: true } } }
  web: { image: busybox, depends_on: { db: { condition: service_started, restart: true }, api: { condition: service_started } } }
  side: { image: busybox, network_mode: "service:db" }
  report: { image: busybox, depends_on: [db] }
`);
  t.same(restartDependents(p, 'db').sort(), ['api', 'side', 'web'], 'restart: true, and sharing its network namespace');
  const order = dependencyOrder(p.services);
  const lab = (s: string, hash: string) => ({ [LABELS.project]: 'shop', [LABELS.service]: s, [LABELS.containerNumber]: '1', [LABELS.configHash]: hash });
  const hash = (s: string) => serviceConfigHash(p.services[s]!);
  const existing = [
    { id: 'db', name: 'shop-db-1', state: 'running', labels: lab('db', 'old') },
    { id: 'api', name: 'shop-api-1', state: 'running', labels: lab('api', hash('api')) },
    { id: 'web', name: 'shop-web-1', state: 'running', labels: lab('web', hash('web')) },
    { id: 'side', name: 'shop-side-1', state: 'running', labels: lab('side', hash('side')) },
    { id: 'report', name: 'shop-report-1', state: 'running', labels: lab('report', hash('report')) },
  ];
  const plan = planUp(p, order, existing);
  const stops = dependentStops(p, plan, existing, order);
  const names = stops.before['db']!.map((x) => x.container.name);
  t.same([...names].sort(), ['shop-api-1', 'shop-side-1', 'shop-web-1'], 'every restart dependent, not report (restart: false)');
  t.ok(names.indexOf('shop-web-1') < names.indexOf('shop-api-1'), 'web (which depends on api) stops before api');
  t.same(stops.before['db']!.filter((x) => x.remove).map((x) => x.container.name), ['shop-side-1'], 'the one in its network namespace is removed');
  t.same(stops.after, {}, 'all of them are converged by this up');
  for (const s of ['api', 'web']) t.same(plan.actions[s]!.map((a) => a.kind), ['start'], `${s} is started again after db`);
  t.same(plan.actions['side']!.map((a) => a.kind === 'create' && a.options.name), ['shop-side-1'], 'side is created again after db');
  t.same(plan.actions['report']!.map((a) => a.kind), ['running'], 'report keeps running');

  // `up db` alone: its dependents are not converged, they come back once db is up
  const only = planUp(p, ['db'], existing);
  const s2 = dependentStops(p, only, existing, order);
  t.same(s2.after['db']!.map((a) => `${a.kind}:${a.service}`).sort(), ['create:side', 'start:api', 'start:web']);
  // nothing recreated: nothing stopped
  const kept = planUp(p, order, existing.map((c) => (c.id === 'db' ? { ...c, labels: lab('db', hash('db')) } : c)));
  t.same(dependentStops(p, kept, existing, order), { before: {}, after: {} });
});

t.test('createOptions: volume options, namespace modes, deploy limits, devices and expose', async (t) => {
  const p = loadYaml(t, `
name: shop
services:
  base: { image: busybox }
  app:
    image: busybox
    ipc: "service:base"
    pid: host
    volumes:
      - data:/data:ro,nocopy
      - /srv:/srv:rslave
      - type: bind
        source: /opt
        target: /opt
        bind: { propagation: rshared, selinux: z }
    deploy: { resources: { limits: { memory: 32M, cpus: "0.5", pids: 20 } } }
    devices: ["/dev/zero:/dev/z:r"]
    expose: ["80", "9000-9001/udp"]
  own:
    image: busybox
    domainname: example.org
    mem_limit: 16m
    deploy: { resources: { limits: { memory: 32M } } }
volumes: { data: {} }
`);
  const o = createOptions(p, 'app', p.services['app']!, 1);
  t.same(o.volume, ['shop_data:/data:ro,nocopy', '/srv:/srv:rslave', '/opt:/opt:rshared,z']);
  t.equal(o.ipc, 'container:shop-base-1', 'service:NAME is its first container');
  t.equal(o.pid, 'host');
  t.equal(o.memory, String(32 * 1024 * 1024));
  t.equal(o.cpus, 0.5);
  t.equal(o.pidsLimit, 20);
  t.same(o.device, ['/dev/zero:/dev/z:r']);
  t.same(o.expose, ['80', '9000-9001/udp']);
  t.equal(createOptions(p, 'own', p.services['own']!, 1).memory, String(16 * 1024 * 1024), 'mem_limit over deploy.resources');
  const { unsupportedKeys } = await import('../../../src/compose/plan.js');
  t.same(unsupportedKeys(p.services['own']!), ['domainname'], 'what the engine cannot apply is named');
  t.same(unsupportedKeys(p.services['app']!), []);
  t.equal(createOptions(p, 'base', p.services['base']!, 1).device, undefined);
});
