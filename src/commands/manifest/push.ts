import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { makeProgress } from '../../cli/progress.js';
import { manifests } from '../../engine/index.js';

export default class ManifestPush extends TspodCommand {
  static override summary = 'Push a manifest list or image index to a registry';
  static override description = 'Pushes the images the list names (unless --all=false) to the destination repository by digest, then the list under the destination\'s tag. '
    + 'Local images are pushed from local storage; entries added from a registry are copied from there.';
  static override args = {
    list: Args.string({ ignoreStdin: true, description: 'the manifest list', required: true }),
    destination: Args.string({ ignoreStdin: true, description: 'destination: [docker://]HOST[:PORT]/NAME[:TAG]', required: true }),
  };
  static override flags = {
    all: Flags.boolean({ allowNo: true, default: true, description: 'Push the images the list names too (default true)' }),
    authfile: Flags.string({ description: 'Path of the authentication file' }),
    'cert-dir': Flags.string({ description: 'Path to a directory of certificates (*.crt) for the registry' }),
    creds: Flags.string({ description: 'Credentials USERNAME:PASSWORD for the registry' }),
    digestfile: Flags.string({ description: 'Write the digest of the pushed list to this file' }),
    format: Flags.option({ char: 'f', options: ['oci', 'v2s2'] as const, description: 'Type of the pushed list: oci (image index) or v2s2 (Docker manifest list); default: as stored' })(),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress progress output' }),
    rm: Flags.boolean({ description: 'Remove the manifest list from local storage once pushed' }),
    'remove-signatures': Flags.boolean({ description: 'Discard any signatures (tspod stores none)' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
  };
  static override examples = ['<%= config.bin %> manifest push mylist:v1 127.0.0.1:5000/me/app:v1', '<%= config.bin %> manifest push --all=false --format oci mylist:v1 docker://127.0.0.1:5000/me/app:v1'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(ManifestPush);
    const progress = makeProgress({ quiet: flags.quiet });
    const say = (s: string) => { if (!flags.quiet) process.stderr.write(`${s}\n`); };
    try {
      await manifests.push({
        list: args.list, destination: args.destination, all: flags.all, format: flags.format, rm: flags.rm, digestfile: flags.digestfile,
        authfile: flags.authfile, certDir: flags['cert-dir'], creds: flags.creds, tlsVerify: flags['tls-verify'],
        onEvent: (e) => {
          if (e.type === 'list-copy') { progress.stop(); say(`Copying image ${e.digest} (${e.index}/${e.total})`); }
          else if (e.type === 'list-manifest') { progress.stop(); say('Writing manifest list to image destination'); }
          else progress.event(e);
        },
      });
    } finally {
      progress.stop();
    }
  }
}
