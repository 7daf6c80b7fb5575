import { Args, Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { currentLogin, login } from '../engine/login.js';

export default class Login extends TspodCommand {
  static override summary = 'Log in to a container registry';
  static override args = { registry: Args.string({ ignoreStdin: true, description: 'registry host[:port] (or host/namespace)', required: true }) };
  static override flags = {
    username: Flags.string({ char: 'u', description: 'Username for the registry' }),
    password: Flags.string({ char: 'p', description: 'Password for the registry (prefer --password-stdin)' }),
    'password-stdin': Flags.boolean({ description: 'Read the password from stdin' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates' }),
    'cert-dir': Flags.string({ description: 'Path to a directory of certificates (*.crt)' }),
    'get-login': Flags.boolean({ description: 'Print the username of the current login' }),
  };
  static override examples = ['<%= config.bin %> login -u me --password-stdin 127.0.0.1:5000 < pw.txt'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(Login);
    if (flags['get-login']) { this.out(await currentLogin(args.registry, flags.authfile)); return; }
    let password = flags.password;
    if (flags['password-stdin']) {
      if (password) this.fail('--password and --password-stdin are mutually exclusive');
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    }
    if (!flags.username || password === undefined) this.fail('username and password are required: use -u USER and -p PASSWORD or --password-stdin');
    await login({ registry: args.registry, username: flags.username!, password: password!, authfile: flags.authfile, tlsVerify: flags['tls-verify'], certDir: flags['cert-dir'] });
    this.out('Login Succeeded!');
  }
}
