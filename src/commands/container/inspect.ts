import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { renderObjects } from '../../cli/output.js';

export default class ContainerInspect extends TspodCommand {
  static override summary = 'Display the configuration of one or more containers';
  static override strict = false;
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override flags = { format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }), size: Flags.boolean({ char: 's', description: 'Display total file size' }) };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(ContainerInspect);
    const { inspectContainer } = await import('../../engine/container/inspect.js');
    const out: object[] = [];
    let failed: Error | undefined;
    for (const n of argv as string[]) {
      try { out.push(await inspectContainer(n)); } catch (err) { if (failed) process.stderr.write(`Error: ${failed.message}\n`); failed = err as Error; }
    }
    if (out.length) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    if (failed) throw failed;
  }
}
