import t, { type Test } from 'tap';
import { parseJsonBody, translateCreate } from '../../../src/api/create-body.js';
import { ApiError } from '../../../src/api/errors.js';

/** The call throws Docker's 400 with a message matching re. */
function throws400(t: Test, fn: () => unknown, re: RegExp, what?: string): void {
  try { fn(); t.fail(`no error: ${what ?? re}`); } catch (e) {
    t.ok(e instanceof ApiError && e.status === 400, `a 400: ${what ?? re}`);
    t.match((e as Error).message, re, what);
  }
}

t.test('JSON bodies', async (t) => {
  throws400(t, () => parseJsonBody(Buffer.from('{"Image": ')), /^invalid JSON/);
  throws400(t, () => parseJsonBody(Buffer.from('[1]')), /expected an object/);
  throws400(t, () => parseJsonBody(Buffer.from('')), /empty/);
  t.same(parseJsonBody(Buffer.from(''), false), {});
});

t.test('the issue\'s create fields become the engine\'s options', async (t) => {
  const o = translateCreate({
    Image: 'bb', Cmd: ['sh', '-c', 'x'], Entrypoint: ['/init'], Env: ['A=1', 'FROM_CLIENT_ENV'], Labels: { a: 'b' }, User: '1000', WorkingDir: '/w', Tty: true, OpenStdin: true,
    StopSignal: 'SIGINT', ExposedPorts: { '80/tcp': {}, '53/udp': {} }, Unknown: { ignored: true },
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Timeout: 1e9, Retries: 2, StartPeriod: 0 },
    HostConfig: {
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostPort: '5353' }], '81/tcp': null },
      Binds: ['vol:/data:ro', '/host:/h'], Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 } }, { Type: 'volume', Source: 'v2', Target: '/v', ReadOnly: true }],
      AutoRemove: true, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, NetworkMode: 'proj_default', CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'],
      Privileged: false, ReadonlyRootfs: true, Tmpfs: { '/run': 'rw,size=1m' }, ExtraHosts: ['db:10.0.0.1'], Dns: ['1.1.1.1'],
    },
    NetworkingConfig: { EndpointsConfig: { proj_default: { Aliases: ['web', 'web'] } } },
  }, '/named');
  t.equal(o.name, 'named');
  t.same(o.command, ['sh', '-c', 'x']);
  t.equal(o.entrypoint, '["/init"]');
  t.same(o.env, ['A=1'], 'a bare KEY (the client\'s env) is not taken from the service\'s env');
  t.same(o.label, ['a=b']);
  t.same(o.publish, ['127.0.0.1::80/tcp', '5353:53/udp', '81/tcp']);
  t.same(o.volume, ['vol:/data:ro', '/host:/h']);
  t.same(o.mount, ['type=tmpfs,target=/t,tmpfs-size=1024', 'type=volume,target=/v,source=v2,readonly']);
  t.same(o.tmpfs, ['/run:rw,size=1m']);
  t.equal(o.restart, 'on-failure:3');
  t.equal(o.rm, true);
  t.equal(o.network, 'proj_default');
  t.same(o.networkAlias, ['web']);
  t.same(o.addHost, ['db:10.0.0.1']);
  t.equal(o.healthCmd, 'true');
  t.equal(o.healthInterval, '2000ms');
  t.equal(o.readOnly, true);
  t.equal(o.tty, true);
  t.equal(o.interactive, true);
  t.equal(o.pull, 'never', 'create never pulls: the client does, after a 404');
});

t.test('defaults and Docker\'s spellings', async (t) => {
  const o = translateCreate({ Image: 'bb', Cmd: 'echo hi', Entrypoint: [''], HostConfig: { NetworkMode: 'default', PublishAllPorts: true }, ExposedPorts: { '8080/tcp': {} } }, undefined);
  t.same(o.command, ['echo hi'], 'Cmd as a string (strslice)');
  t.equal(o.entrypoint, '', 'Entrypoint [""] resets the image\'s');
  t.equal(o.network, undefined, 'default/bridge is tspod\'s default network');
  t.same(o.publish, ['8080/tcp']);
  t.equal(translateCreate({ Image: 'bb', HostConfig: { NetworkMode: 'host' } }, undefined).network, 'host');
  t.equal(translateCreate({ Image: 'bb', HostConfig: { NetworkMode: 'container:x' } }, undefined).network, 'container:x');
  t.equal(translateCreate({ Image: 'bb', HostConfig: { RestartPolicy: { Name: 'no' } } }, undefined).restart, undefined);
  t.equal(translateCreate({ Image: 'bb', Healthcheck: { Test: ['NONE'] } }, undefined).noHealthcheck, true);
});

t.test('invalid bodies are 400 with a message, before anything happens', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /Image is required/],
    [{ Image: 5 }, /invalid Image: expected a string/],
    [{ Image: 'bb', Env: 'A=1' }, /invalid Env: expected an array/],
    [{ Image: 'bb', Cmd: [1] }, /invalid Cmd: expected strings/],
    [{ Image: 'bb', HostConfig: [] }, /invalid HostConfig: expected an object/],
    [{ Image: 'bb', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'abc' }] } } }, /^invalid port specification: "abc"$/],
    [{ Image: 'bb', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '70000' }] } } }, /invalid port specification/],
    [{ Image: 'bb', HostConfig: { PortBindings: { 'x/tcp': [] } } }, /invalid port specification: "x\/tcp"/],
    [{ Image: 'bb', HostConfig: { PortBindings: { '80/tcp': 'x' } } }, /expected an array/],
    [{ Image: 'bb', ExposedPorts: { '80/sctp': {} } }, /sctp is not supported/],
    [{ Image: 'bb', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, /invalid restart policy/],
    [{ Image: 'bb', HostConfig: { Mounts: [{ Type: 'bind' }] } }, /Target is required/],
    [{ Image: 'bb', HostConfig: { AutoRemove: 'yes' } }, /invalid HostConfig\.AutoRemove: expected a boolean/],
  ];
  for (const [body, re] of cases) throws400(t, () => translateCreate(body, undefined), re, JSON.stringify(body));
});

t.test('ExposedPorts, HostConfig.Devices and Healthcheck.StartInterval reach the engine\'s options', async (t) => {
  const o = translateCreate({
    Image: 'bb', ExposedPorts: { '80/tcp': {}, '53/udp': {} },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 30e9, StartPeriod: 10e9, StartInterval: 1e9 },
    HostConfig: { Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/z', CgroupPermissions: 'r' }, { PathOnHost: '/dev/null' }] },
  }, undefined);
  t.same(o.expose, ['80/tcp', '53/udp']);
  t.same(o.device, ['/dev/zero:/dev/z:r', '/dev/null:/dev/null:rwm']);
  t.equal(o.healthStartInterval, '1000ms');
  throws400(t, () => translateCreate({ Image: 'bb', HostConfig: { Devices: ['/dev/zero'] } }, undefined), /Devices\[0\]: expected an object/);
});
