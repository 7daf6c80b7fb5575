import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { readManifest } from '../../cli/kube-input.js';

export default class KubeDown extends TspodCommand {
  static override summary = 'Remove the pods a Kubernetes YAML file describes';
  static override description = [
    'Stops and removes the pods (with their containers) that "kube play FILE" made, and the volumes tspod made for those pods alone',
    '(emptyDir, ConfigMap and Secret volumes). Volumes of PersistentVolumeClaims are kept, as Podman keeps them: their data outlives the pods.',
  ].join('\n');
  static override args = { file: Args.string({ required: true, description: 'Kubernetes YAML file, or - for standard input' }) };
  static override examples = ['<%= config.bin %> kube down app.yaml'];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(KubeDown);
    const { loadManifest, downPods, podsToRemove } = await import('../../kube/play.js');
    const { renderDown } = await import('../../kube/render.js');
    const { objects } = loadManifest(args.file, await readManifest(args.file));
    const r = await downPods(await podsToRemove(objects));
    process.stdout.write(renderDown(r));
    if (r.errors.length) { for (const e of r.errors.slice(0, -1)) this.warn2(e.message); throw r.errors.at(-1)!; }
  }
}
