import { Args, Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { logout } from '../engine/login.js';

export default class Logout extends TspodCommand {
  static override summary = 'Log out of a container registry';
  static override args = { registry: Args.string({ ignoreStdin: true, description: 'registry host[:port]', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Remove the credentials of all registries' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(Logout);
    this.out(await logout({ registry: args.registry, all: flags.all, authfile: flags.authfile }));
  }
}
