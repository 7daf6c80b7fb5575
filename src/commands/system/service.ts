import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class SystemService extends TspodCommand {
  static override summary = 'Serve the Docker-compatible API on a socket until idle';
  static override description = 'Serves the Docker Engine API (1.41) from tspod\'s engine in this process. Listens on URI (unix:///PATH, default $XDG_RUNTIME_DIR/tspod/tspod.sock, mode 0600; or tcp://HOST:PORT, TLS required unless loopback), or on the socket systemd passes (LISTEN_FDS). Exits after --time seconds without requests or open streams.';
  static override args = { uri: Args.string({ description: 'unix:///PATH or tcp://HOST:PORT', required: false }) };
  static override flags = {
    time: Flags.integer({ char: 't', description: 'Seconds of inactivity before the service exits (0 = never)', default: 5, min: 0 }),
    tlsverify: Flags.boolean({ description: 'Require TLS with client certificates signed by --tlscacert (tcp only)' }),
    tlscacert: Flags.string({ description: 'CA certificate that signs the clients\' certificates' }),
    tlscert: Flags.string({ description: 'The server\'s certificate' }),
    tlskey: Flags.string({ description: 'The server\'s private key' }),
  };
  static override examples = ['tspod system service --time 0', 'tspod system service tcp://0.0.0.0:2376 --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(SystemService);
    const api = await import('../../api/index.js');
    const activated = api.activationEndpoint();
    if (activated && args.uri) this.fail('a URI cannot be given under socket activation: the socket comes from systemd');
    const endpoint = activated ?? api.parseEndpoint(args.uri);
    const tlsGiven = flags.tlsverify || flags.tlscacert || flags.tlscert || flags.tlskey;
    if (tlsGiven && (!flags.tlsverify || !flags.tlscacert || !flags.tlscert || !flags.tlskey)) this.fail('TLS needs all of --tlsverify --tlscacert --tlscert --tlskey');
    if (tlsGiven && endpoint.kind === 'unix') this.fail('TLS applies to tcp:// only: a unix socket is guarded by its permissions');
    const tls = tlsGiven ? { ca: flags.tlscacert!, cert: flags.tlscert!, key: flags.tlskey! } : undefined;
    const warning = api.checkTcpSecurity(endpoint, tls);
    if (warning) this.warn2(warning);
    const log = (m: string) => { process.stderr.write(`INFO[0000] ${m}\n`); };
    const svc = await api.startService({ endpoint, idleSeconds: flags.time, tls, router: api.apiRouter(), log });
    log(`API service listening on ${svc.address}${flags.time ? `, exits after ${flags.time}s idle` : ''}`);
    const stop = () => { void svc.close(); };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await svc.done;
    // the engine may leave handles behind (timers of a follow, a lock's socket): the service's life ends here
    process.exit(0);
  }
}
