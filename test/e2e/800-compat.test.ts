// What Podman's own system tests (and scripts written for Podman) expect of the
// commands, checked against bin/tspod: generate systemd -e NAME from the
// environment, system prune and system df, the flags and messages Podman's
// tests use.
import t from 'tap';
import { requireUnprivileged, type TspodEnv } from '../fixtures/tspod.js';
import { busyboxRegistryEnv } from '../fixtures/registry.js';

if (!requireUnprivileged(t)) process.exit(1);

let env: TspodEnv;
let IMAGE = '';

t.before(async () => { ({ env, image: IMAGE } = await busyboxRegistryEnv(t, 'compat/bb')); });

t.test('generate systemd -e NAME takes the value from tspod\'s environment', async (t) => {
  let r = await env.tspod(['create', '--name', 'gen-env', IMAGE, 'sleep', '60']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['generate', 'systemd', '--new', '-e', 'FROM_CALLER', '-e', 'NOT_SET_ANYWHERE', '-e', 'X=1', 'gen-env'], { env: { ...env.env, FROM_CALLER: 'caller value' } });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /^Environment="FROM_CALLER=caller value"$/m, 'NAME alone: its value from the environment');
  t.match(r.stdout, /^Environment=X=1$/m, 'KEY=VALUE as given');
  t.notMatch(r.stdout, /NOT_SET_ANYWHERE/, 'a NAME that is not set is left out');
  r = await env.tspod(['generate', 'systemd', '-e', 'BAD NAME', 'gen-env']);
  t.equal(r.exitCode, 125, 'an invalid name is refused');
  t.match(r.stderr, /^Error: invalid --env "BAD NAME"/m);
  t.equal((await env.tspod(['rm', 'gen-env'])).exitCode, 0);
});

t.test('system df: images, containers and local volumes', async (t) => {
  let r = await env.tspod(['volume', 'create', 'df-vol']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--name', 'df-ctr', '-v', 'df-vol:/data', IMAGE, 'sh', '-c', 'dd if=/dev/zero of=/data/f bs=1024 count=100 2>/dev/null; dd if=/dev/zero of=/rw bs=1024 count=50 2>/dev/null']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['system', 'df', '--format', '{{.Type}}|{{.Total}}|{{.Active}}']);
  t.equal(r.exitCode, 0, r.stderr);
  t.same(r.stdout.split('\n'), ['Images|1|1', 'Containers|1|0', 'Local Volumes|1|1'], 'Podman\'s three rows');
  r = await env.tspod(['system', 'df', '--format', 'json']);
  const rows = JSON.parse(r.stdout) as Array<{ Type: string; RawSize: number; RawReclaimable: number }>;
  const ctr = rows.find((x) => x.Type === 'Containers')!;
  t.ok(ctr.RawSize >= 50 * 1024, `the container's writable layer is counted (${ctr.RawSize})`);
  t.equal(ctr.RawReclaimable, ctr.RawSize, 'a stopped container is reclaimable');
  const vol = rows.find((x) => x.Type === 'Local Volumes')!;
  t.ok(vol.RawSize >= 100 * 1024, `the volume's content is counted (${vol.RawSize})`);
  t.equal(vol.RawReclaimable, 0, 'a volume a container uses is not reclaimable');
  r = await env.tspod(['system', 'df', '-v']);
  t.match(r.stdout, /Containers space usage:[\s\S]*df-ctr[\s\S]*Local Volumes space usage:[\s\S]*df-vol\s+1\s/, 'verbose lists each container and volume');
  t.equal((await env.tspod(['rm', 'df-ctr'])).exitCode, 0);
  t.equal((await env.tspod(['volume', 'rm', 'df-vol'])).exitCode, 0);
});

t.test('system prune', async (t) => {
  // a running container (kept), a stopped one (removed), a labelled stopped one, an unused
  // network and volume, a dangling image
  let r = await env.tspod(['run', '-d', '--name', 'keep-running', IMAGE, 'sleep', '600']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['create', '--name', 'stopped-a', '--label', 'env=test', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  const labelled = r.stdout.trim();
  r = await env.tspod(['create', '--name', 'stopped-b', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  const plain = r.stdout.trim();
  t.equal((await env.tspod(['network', 'create', 'prune-net'])).exitCode, 0);
  t.equal((await env.tspod(['volume', 'create', 'prune-vol'])).exitCode, 0);

  r = await env.tspod(['system', 'prune', '--filter', 'bogus=1', '-f']);
  t.equal(r.exitCode, 125, 'an unknown filter is refused');
  t.match(r.stderr, /^Error: invalid filter "bogus"/m);
  t.equal((await env.tspod(['ps', '-a', '-q'])).stdout.split('\n').length, 3, 'nothing was removed before the filter was refused');

  r = await env.tspod(['system', 'prune'], { input: 'n\n' });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container\n\t- all dangling images/);
  t.equal((await env.tspod(['ps', '-a', '-q'])).stdout.split('\n').length, 3, 'answering n removes nothing');

  r = await env.tspod(['system', 'prune', '-f', '--filter', 'label=env=test']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `Deleted Containers\n${labelled}\nTotal reclaimed space: 0B`, 'only the labelled container (the network has no such label)');

  r = await env.tspod(['system', 'prune', '-a', '--volumes'], { input: 'y\n' });
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /all volumes not used by at least one container[\s\S]*all images without at least one container associated with them/);
  t.match(r.stdout, new RegExp(`^Deleted Containers\\n${plain}\\nDeleted Volumes\\nprune-vol\\nDeleted Networks\\nprune-net\\nTotal reclaimed space: `), 'Podman\'s sections');
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'keep-running', 'the running container stays');
  t.equal((await env.tspod(['image', 'exists', IMAGE])).exitCode, 0, 'its image stays');
  t.equal((await env.tspod(['volume', 'ls', '-q'])).stdout, '', 'the unused volume went');

  t.equal((await env.tspod(['rm', '-f', '-t', '0', 'keep-running'])).exitCode, 0);
  r = await env.tspod(['system', 'prune', '-a', '-f']);
  t.match(r.stdout, /^Deleted Images\n[0-9a-f]{64}\nTotal reclaimed space: [1-9]/, 'with nothing using it the image goes, and its size is reclaimed');
  t.equal((await env.tspod(['images', '-q'])).stdout, '');
});

t.test('global --noout, --runtime, --runtime-flag', async (t) => {
  let r = await env.tspod(['--noout', 'run', '-d', '--name', 'noout', IMAGE, 'echo', 'hi']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '', '--noout: no container ID on stdout');
  t.equal((await env.tspod(['wait', 'noout'])).exitCode, 0);
  r = await env.tspod(['--noout', 'rm', 'noout']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '', '--noout rm prints nothing');

  r = await env.tspod(['--runtime-flag', 'invalidflag', 'run', '--rm', IMAGE, 'true']);
  t.equal(r.exitCode, 126, 'an invalid runtime flag is the OCI runtime\'s error: 126');
  t.match(r.stderr, /invalidflag/, 'the runtime\'s complaint is shown');

  const runc = (await env.tspod(['info', '--format', '{{.Host.OCIRuntime.Path}}'])).stdout;
  const copy = `${env.dir}/myruntime`;
  const fs = await import('node:fs');
  fs.copyFileSync(runc, copy);
  fs.chmodSync(copy, 0o755);
  r = await env.tspod(['run', '-d', '--runtime', copy, IMAGE, 'sleep', '60']);
  t.equal(r.exitCode, 0, r.stderr);
  const cid = r.stdout;
  r = await env.tspod(['inspect', '--format', '{{.OCIRuntime}}', cid]);
  t.equal(r.stdout, copy, 'inspect shows the container\'s runtime');
  t.equal((await env.tspod(['rm', '-f', '-t', '0', cid])).exitCode, 0);
  r = await env.tspod(['run', '--rm', '--runtime', '/nonexistent/runtime', IMAGE, 'true']);
  t.equal(r.exitCode, 125, 'a missing runtime is refused before anything is created');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'nothing was created');
});

t.test('run --conmon-pidfile, --tz, --unsetenv, --image-volume, --rmi, --dns-opt', async (t) => {
  const fs = await import('node:fs');
  const pidfile = `${env.dir}/conmon.pid`;
  let r = await env.tspod(['run', '-d', '--name', 'cpid', '--conmon-pidfile', pidfile, IMAGE, 'sleep', '60']);
  t.equal(r.exitCode, 0, r.stderr);
  const conmon = fs.readFileSync(pidfile, 'utf8').trim();
  r = await env.tspod(['inspect', '--format', '{{.State.ConmonPid}}', 'cpid']);
  t.equal(r.stdout, conmon, 'the file holds conmon\'s PID');
  t.match(fs.readlinkSync(`/proc/${conmon}/exe`), /conmon$/, 'and that PID is conmon');
  t.equal((await env.tspod(['rm', '-f', '-t', '0', 'cpid'])).exitCode, 0);

  // 1600000000 is 2020-09-13T12:26:40Z
  r = await env.tspod(['run', '--rm', '--tz=US/Eastern', '--tz=MST7MDT', IMAGE, 'date', '-d', '@1600000000']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, 'Sun Sep 13 06:26:40 MDT 2020', 'the last --tz wins');
  r = await env.tspod(['run', '--rm', '--tz=Nowhere/Atlantis', IMAGE, 'true']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /unknown time zone Nowhere\/Atlantis/);

  r = await env.tspod(['run', '--rm', IMAGE, 'env']);
  t.match(r.stdout, /^TERM=xterm$/m, 'TERM=xterm by default (as Podman), without -t too');
  t.match(r.stdout, /^container=podman$/m);
  r = await env.tspod(['run', '--rm', '--unsetenv', 'TERM', IMAGE, 'env']);
  t.notMatch(r.stdout, /^TERM=/m, '--unsetenv TERM');
  t.match(r.stdout, /^container=podman$/m, 'the other defaults stay');
  r = await env.tspod(['run', '--rm', '--unsetenv-all', '-e', 'MINE=1', IMAGE, '/bin/busybox', 'env']);
  t.match(r.stdout, /^MINE=1$/m, '--unsetenv-all keeps what -e set');
  // (runc itself adds HOME when it is missing, for Podman too)
  t.notMatch(r.stdout, /^(PATH|TERM|container|HOSTNAME)=/m, '--unsetenv-all: no PATH, TERM, container or HOSTNAME');

  r = await env.tspod(['run', '--rm', '--dns-opt', 'ndots:3', IMAGE, 'cat', '/etc/resolv.conf']);
  t.match(r.stdout, /options ndots:3/, '--dns-opt is --dns-option');

  // --rmi: the image goes with the container, unless another container uses it
  r = await env.tspod(['create', '--name', 'holder', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['run', '--rmi', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['image', 'exists', IMAGE])).exitCode, 0, 'kept while another container uses it');
  t.equal((await env.tspod(['ps', '-a', '--format', '{{.Names}}'])).stdout, 'holder', '--rmi implies --rm');
  t.equal((await env.tspod(['rm', 'holder'])).exitCode, 0);
  r = await env.tspod(['run', '--rmi', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal((await env.tspod(['image', 'exists', IMAGE])).exitCode, 1, 'removed once nothing uses it');
  t.equal((await env.tspod(['pull', '-q', IMAGE])).exitCode, 0);
});

t.test('Podman\'s wording, signals, start --all/--filter, rm --depend, untag by digest, {{.ID}}, info fields', async (t) => {
  let r = await env.tspod(['stop', 'nosuchctr']);
  t.equal(r.stderr, 'Error: no container with name or ID "nosuchctr" found: no such container');
  r = await env.tspod(['untag', IMAGE, 'registry.com/foo:bar']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: registry.com/foo:bar: tag not known');
  for (const bad of ['0', 'SIGBADSIG', '%%']) {
    r = await env.tspod(['kill', '-s', bad, 'nosuchctr']);
    t.equal(r.exitCode, 125, `kill -s ${bad}`);
    t.equal(r.stderr, `Error: invalid signal: ${bad}`, 'refused before looking for the container');
  }

  // a real-time signal (no name in node) and a leading dash reach the container
  r = await env.tspod(['run', '-d', '--name', 'sigs', IMAGE, 'sh', '-c', 'for s in 1 64; do trap "echo got: $s" $s; done; echo READY; while :; do sleep 0.1; done']);
  t.equal(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 50 && !(await env.tspod(['logs', 'sigs'])).stdout.includes('READY'); i++) await new Promise((res) => setTimeout(res, 100));
  t.equal((await env.tspod(['kill', '-s', '64', 'sigs'])).exitCode, 0);
  t.equal((await env.tspod(['kill', '-s', '-HUP', 'sigs'])).exitCode, 0);
  let logs = '';
  for (let i = 0; i < 50 && !/got: 1/.test(logs); i++) { await new Promise((res) => setTimeout(res, 100)); logs = (await env.tspod(['logs', 'sigs'])).stdout; }
  t.match(logs, /got: 64[\s\S]*got: 1/, 'signal 64 and -HUP were delivered');
  r = await env.tspod(['stop', '--timeout', '1', 'sigs']);
  t.equal(r.exitCode, 0, 'stop --timeout is stop -t');
  t.equal((await env.tspod(['rm', 'sigs'])).exitCode, 0);

  // start --all / --filter
  r = await env.tspod(['start', '--all', 'x']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: either start all containers or the container(s) provided in the arguments');
  const ok = (await env.tspod(['run', '-d', IMAGE, 'true'])).stdout;
  const bad = (await env.tspod(['run', '-d', IMAGE, 'false'])).stdout;
  t.equal((await env.tspod(['wait', ok, bad])).exitCode, 0);
  r = await env.tspod(['start', '--filter', 'restart-policy=always', ok]);
  t.equal(r.stdout, '', 'the filter leaves the container out');
  r = await env.tspod(['start', '--filter', 'restart-policy=none', ok]);
  t.equal(r.stdout, ok, 'no policy given is "none"');
  r = await env.tspod(['start', '--filter', 'restart-policy=fakepolicy', ok]);
  t.equal(r.stderr, 'Error: fakepolicy invalid restart policy');
  t.equal((await env.tspod(['wait', ok])).exitCode, 0);
  r = await env.tspod(['start', '--all', '--filter', 'exited=1']);
  t.equal(r.stdout, bad, 'start --all --filter exited=1');
  t.equal((await env.tspod(['wait', ok, bad])).exitCode, 0);
  t.equal((await env.tspod(['rm', ok, bad])).exitCode, 0);

  // rm --depend
  const base = (await env.tspod(['create', IMAGE, 'true'])).stdout;
  const dep = (await env.tspod(['create', '--network', `container:${base}`, IMAGE, 'true'])).stdout;
  r = await env.tspod(['rm', base]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, new RegExp(`^Error: container ${base} has dependent containers which must be removed before it: ${dep}`));
  r = await env.tspod(['rm', '--depend', base]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, dep);
  t.match(r.stdout, base);
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '');

  // {{.ID}} (Podman's Go field name) and untag NAME:TAG@DIGEST
  const id = (await env.tspod(['image', 'inspect', '--format', '{{.ID}}', IMAGE])).stdout;
  t.match(id, /^[0-9a-f]{64}$/, 'image inspect {{.ID}}');
  t.equal((await env.tspod(['images', '--format', '{{.ID}}', IMAGE])).stdout, id.slice(0, 12));
  const digest = (await env.tspod(['image', 'inspect', '--format', '{{.Digest}}', IMAGE])).stdout;
  r = await env.tspod(['pull', '-q', `${IMAGE}@${digest}`]);
  t.equal(r.exitCode, 0, r.stderr);
  r = await env.tspod(['untag', IMAGE, `${IMAGE}@${digest}`]);
  t.equal(r.exitCode, 0, `untag NAME:TAG@DIGEST: ${r.stderr}`);
  t.equal((await env.tspod(['image', 'exists', IMAGE])).exitCode, 0, 'the image and its tag stay');

  r = await env.tspod(['info', '--format', '{{.Host.Distribution.Distribution}}|{{.Host.EventLogger}}|{{.Host.LogDriver}}|{{.Host.CgroupsVersion}}|{{.Store.GraphRoot}}|{{.Host.RemoteSocket.Path}}|{{.Version.Version}}']);
  t.equal(r.exitCode, 0, r.stderr);
  const [distro, events, logDriver, cg, graph, sock, ver] = r.stdout.split('|');
  t.equal(distro, /^ID=(.*)$/m.exec((await import('node:fs')).readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, ''));
  t.equal(events, 'file');
  t.equal(logDriver, 'k8s-file');
  t.match(cg, /^v[12]$/);
  t.equal(graph, `${env.dataDir}/tspod`);
  t.match(sock, /^unix:\/\/.*\/tspod\.sock$/);
  t.match(ver, /^\d+\.\d+\.\d+/);
});

t.test('volume mount/unmount, save --uncompressed, __completeNoDesc', async (t) => {
  const fs = await import('node:fs');
  t.equal((await env.tspod(['volume', 'create', 'mvol'])).exitCode, 0);
  let r = await env.tspod(['volume', 'mount', 'mvol']);
  t.equal(r.exitCode, 125, 'rootless, outside the user namespace: refused as Podman does');
  t.match(r.stderr, /^Error: cannot run command "tspod volume mount" in rootless mode, must execute `tspod unshare` first$/);
  r = await env.tspod(['unshare', 'sh', '-c', `p=$("$0" volume mount mvol) && echo hello > "$p/f" && echo "$p"`, `${process.cwd()}/bin/tspod`]);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, /\/mvol\/_data$|\/mvol/, 'inside tspod unshare it prints the content directory');
  r = await env.tspod(['run', '--rm', '-v', 'mvol:/vol', IMAGE, 'cat', '/vol/f']);
  t.equal(r.stdout, 'hello', 'what was written there is in the volume');
  r = await env.tspod(['volume', 'unmount', 'mvol']);
  t.equal(r.stdout, 'mvol');
  t.equal((await env.tspod(['volume', 'rm', 'mvol'])).exitCode, 0);

  const out = `${env.dir}/oci-plain.tar`;
  r = await env.tspod(['save', '-o', out, '--format', 'oci-archive', '--uncompressed', IMAGE]);
  t.equal(r.exitCode, 0, r.stderr);
  const untar = `${env.dir}/oci-plain`;
  fs.mkdirSync(untar);
  const { execa } = await import('execa');
  await execa('tar', ['-C', untar, '-xf', out]);
  const index = JSON.parse(fs.readFileSync(`${untar}/index.json`, 'utf8')) as { manifests: Array<{ digest: string }> };
  const manifest = JSON.parse(fs.readFileSync(`${untar}/blobs/sha256/${index.manifests[0]!.digest.slice(7)}`, 'utf8')) as { layers: Array<{ mediaType: string; digest: string }> };
  t.equal(manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar', 'the manifest says plain tar');
  const layer = fs.readFileSync(`${untar}/blobs/sha256/${manifest.layers[0]!.digest.slice(7)}`);
  t.equal(layer.subarray(257, 262).toString(), 'ustar', 'the layer blob is a POSIX tar, not gzip');
  t.equal((await env.tspod(['rmi', IMAGE])).exitCode, 0);
  r = await env.tspod(['load', '-i', out]);
  t.equal(r.exitCode, 0, `the uncompressed archive loads back: ${r.stderr}`);
  t.equal((await env.tspod(['pull', '-q', IMAGE])).exitCode, 0);

  t.equal((await env.tspod(['create', '--name', 'comp-ctr', IMAGE, 'true'])).exitCode, 0);
  r = await env.tspod(['__completeNoDesc', 'rm', '']);
  t.match(r.stdout, /^comp-ctr$/m, '__completeNoDesc lists the containers');
  t.notMatch(r.stdout, /\t/, 'without descriptions');
  t.equal((await env.tspod(['rm', 'comp-ctr'])).exitCode, 0);
});

t.test('ps status filters, images NAME and {{.History}}, --format twice, load of garbage', async (t) => {
  const fs = await import('node:fs');
  t.equal((await env.tspod(['run', '-d', '--name', 'runner', IMAGE, 'sleep', '60'])).exitCode, 0);
  t.equal((await env.tspod(['run', '--name', 'stopped', IMAGE, 'true'])).exitCode, 0);
  t.equal((await env.tspod(['run', '--name', 'failed', IMAGE, 'false'])).exitCode, 1);
  let r = await env.tspod(['ps', '--filter', 'status=stopped', '--format', '{{.Names}}', '--sort', 'names']);
  t.equal(r.stdout, 'failed\nstopped', 'a status filter looks at every container (no -a needed)');
  r = await env.tspod(['ps', '-a', '--filter', 'status=exited', '--filter', 'status=running', '--format', '{{.Names}}', '--sort', 'names']);
  t.equal(r.stdout, 'failed\nrunner\nstopped', 'values of one key OR together');
  r = await env.tspod(['ps', '--filter', 'status=exited', '--filter', 'exited=1', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'failed', 'different keys AND');
  t.equal((await env.tspod(['rm', '-f', '-t', '0', 'runner', 'stopped', 'failed'])).exitCode, 0);

  t.equal((await env.tspod(['tag', IMAGE, 'hist-a'])).exitCode, 0);
  t.equal((await env.tspod(['tag', IMAGE, 'hist-b'])).exitCode, 0);
  t.equal((await env.tspod(['untag', IMAGE, 'hist-a'])).exitCode, 0);
  r = await env.tspod(['images', 'hist-b', '--format', '{{.Repository}}:{{.Tag}}']);
  t.equal(r.stdout, 'localhost/hist-b:latest', 'images NAME: only that name\'s row');
  r = await env.tspod(['images', 'hist-b', '--format', '{{.History}}']);
  t.equal(r.stdout, `${IMAGE}, localhost/hist-b:latest, localhost/hist-a:latest`, 'History: current names, then removed ones');
  r = await env.tspod(['images', 'hist-b', '--format', '{{.ID}}', '--format', '{{.Tag}}']);
  t.equal(r.stdout, 'latest', 'the last --format wins');
  t.equal((await env.tspod(['untag', IMAGE, 'hist-b'])).exitCode, 0);

  const garbage = `${env.dir}/garbage`;
  fs.writeFileSync(garbage, 'I am an invalid file\n');
  r = await env.tspod(['load', '-i', garbage]);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /^Error: payload does not match any of the supported image formats: /);
  r = await env.tspod(['volume', 'rm', 'nosuchvol']);
  t.equal(r.stderr, 'Error: no volume with name "nosuchvol" found: no such volume');
});

t.test('cp -a=false, --pause=false and messages; --kernel-memory; --pull=never', async (t) => {
  const fs = await import('node:fs');
  t.equal((await env.tspod(['run', '-d', '--name', 'cpc', IMAGE, 'sleep', '60'])).exitCode, 0);
  const f = `${env.dir}/cpfile`;
  fs.writeFileSync(f, 'x');
  let r = await env.tspod(['cp', '-a=false', f, 'cpc:/tmp/a']);
  t.equal(r.exitCode, 0, `-a=false as cobra takes it: ${r.stderr}`);
  r = await env.tspod(['cp', '--pause=false', f, 'cpc:/tmp/b']);
  t.equal(r.exitCode, 0, `--pause=false: ${r.stderr}`);
  t.equal((await env.tspod(['exec', 'cpc', 'cat', '/tmp/a', '/tmp/b'])).stdout, 'xx');
  r = await env.tspod(['cp', `${env.dir}/IdoNotExist`, 'cpc:/tmp']);
  t.equal(r.exitCode, 125);
  t.match(r.stderr, /^Error: ".*\/IdoNotExist" could not be found on the host/);
  r = await env.tspod(['cp', 'cpc:/tmp/*', env.dir]);
  t.match(r.stderr, /^Error: "\/tmp\/\*" could not be found on container cpc/, 'no glob expansion, Podman\'s words');
  t.equal((await env.tspod(['rm', '-f', '-t', '0', 'cpc'])).exitCode, 0);

  r = await env.tspod(['run', '--rm', '--kernel-memory', '100', IMAGE, 'true']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stderr, /^The --kernel-memory flag is no longer supported\. This flag is a noop\.$/m);
  r = await env.tspod(['run', '--rm', '--pull=never', 'localhost/not-here:1', 'true']);
  t.equal(r.exitCode, 125);
  t.equal(r.stderr, 'Error: localhost/not-here:1: image not known');
});

t.test('run --hostuser; -p with --network host warns and runs', async (t) => {
  const os = await import('node:os');
  const me = os.userInfo();
  let r = await env.tspod(['run', '--rm', IMAGE, 'grep', me.username, '/etc/passwd']);
  t.equal(r.exitCode, 1, 'not there by default');
  r = await env.tspod(['run', '--rm', `--hostuser=${me.username}`, IMAGE, 'grep', me.username, '/etc/passwd']);
  t.equal(r.exitCode, 0, r.stderr);
  t.match(r.stdout, new RegExp(`^${me.username}:x?:?${me.uid}:`));
  r = await env.tspod(['run', '--rm', `--hostuser=${me.uid}`, '--user', String(me.uid), IMAGE, 'id', '-un']);
  t.equal(r.stdout, me.username, 'by UID, and usable as --user');
  r = await env.tspod(['run', '--rm', '--hostuser=bogus-nobody-here', IMAGE, 'true']);
  t.equal(r.exitCode, 126, 'a user the host does not know: 126');
  t.equal((await env.tspod(['ps', '-aq'])).stdout, '', 'and --rm removed the container');

  r = await env.tspod(['run', '--rm', '-p', '8080', '--net=host', IMAGE, 'echo', 'ran']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stderr, 'Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use');
  t.equal(r.stdout, 'ran');
});

t.test('stop --ignore and rmi --force of what does not exist are silent; ps --sort created; images --filter after', async (t) => {
  let r = await env.tspod(['stop', '--ignore', 'nosuchctr']);
  t.equal(r.exitCode, 0);
  t.equal(r.stdout, '', 'stop --ignore prints nothing for a missing container');
  r = await env.tspod(['rmi', '--force', 'bogus']);
  t.equal(r.exitCode, 0, 'rmi --force ignores a missing image, as Podman');
  t.equal(r.stdout + r.stderr, '');
  r = await env.tspod(['rmi', 'bogus']);
  t.equal(r.exitCode, 1);
  t.equal(r.stderr, 'Error: bogus: image not known');

  for (const n of ['first', 'second', 'third']) t.equal((await env.tspod(['create', '--name', n, IMAGE, 'true'])).exitCode, 0);
  r = await env.tspod(['ps', '-a', '--sort', 'created', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'first\nsecond\nthird', '--sort created: oldest first');
  r = await env.tspod(['ps', '-a', '--format', '{{.Names}}']);
  t.equal(r.stdout, 'third\nsecond\nfirst', 'without --sort: newest first');
  t.equal((await env.tspod(['rm', 'first', 'second', 'third'])).exitCode, 0);

  r = await env.tspod(['images', '--filter', `after=${IMAGE}`, '-q']);
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, '', 'nothing is newer than the only image');
});
