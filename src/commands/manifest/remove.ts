import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { manifests } from '../../engine/index.js';

export default class ManifestRemove extends TspodCommand {
  static override summary = 'Remove an image from a manifest list or image index';
  static override description = 'Drops the entry with that digest from the list (the image itself stays) and prints the list\'s ID.';
  static override args = {
    list: Args.string({ ignoreStdin: true, description: 'the manifest list', required: true }),
    digest: Args.string({ ignoreStdin: true, description: 'digest of the entry (sha256:...)', required: true }),
  };
  static override examples = ['<%= config.bin %> manifest remove mylist:v1 sha256:cb8a924afdf0229ef7515d9e5b3024e23b3eb03ddbba287f4a19c6ac90b8d221'];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(ManifestRemove);
    const r = await manifests.removeEntry({ list: args.list, digest: args.digest });
    this.out(r.id);
  }
}
