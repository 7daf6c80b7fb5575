import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestCreate extends TspodCommand {
  static override summary = 'Create a manifest list or image index';
  static override description = 'Creates a manifest list (stored as an image in local storage, listed by "images", removed by "manifest rm" or "rmi") '
    + 'and prints its ID. Images given are added to it: local images by name or ID, otherwise registry references (docker://NAME for a registry only).';
  static override strict = false;
  static override args = {
    list: Args.string({ ignoreStdin: true, description: 'name of the new list', required: true }),
    image: Args.string({ ignoreStdin: true, description: 'images to add', required: false }),
  };
  static override flags = {
    all: Flags.boolean({ description: 'From an image that is itself a list, add all of its entries (default: the one for this platform)' }),
    amend: Flags.boolean({ char: 'a', description: 'If a manifest list of that name exists, add to it instead of failing' }),
    'tls-verify': Flags.boolean({ allowNo: true, description: 'Require HTTPS and verify certificates (default: true unless registries.conf marks the registry insecure)' }),
  };
  static override examples = ['<%= config.bin %> manifest create mylist:v1', '<%= config.bin %> manifest create --amend mylist:v1 localhost/app:amd64'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ManifestCreate);
    const [list, ...images] = argv as string[];
    const r = await manifests.create({ list: list!, images, all: flags.all, amend: flags.amend, tlsVerify: flags['tls-verify'] });
    this.out(r.id);
  }
}
