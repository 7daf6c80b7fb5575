import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { renderObjects } from '../../cli/output.js';
import { inspectImage } from '../../engine/images.js';

export default class ImageInspect extends TspodCommand {
  static override summary = 'Display the configuration of one or more images';
  static override strict = false;
  static override args = { image: Args.string({ ignoreStdin: true, description: 'image name or ID', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }),
  };
  static override examples = ['<%= config.bin %> image inspect busybox', '<%= config.bin %> image inspect --format "{{.Config.Cmd}}" busybox'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ImageInspect);
    const out: object[] = [];
    let failed: Error | undefined;
    for (const name of argv as string[]) {
      try { out.push(inspectImage(name)); } catch (err) {
        if (failed) process.stderr.write(`Error: ${failed.message}\n`);
        failed = err as Error;
      }
    }
    if (out.length) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    else if (!failed) this.out('[]');
    if (failed) throw failed;
  }
}
