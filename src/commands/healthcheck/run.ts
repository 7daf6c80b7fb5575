import { Args } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class HealthcheckRun extends TspodCommand {
  static override summary = 'Run the health check of a container once';
  static override description = 'Runs the container\'s health check command inside it and records the result (ps and inspect show it). '
    + 'Exits 0 when the check passed; prints the status and exits 1 when it failed (as Podman). Checks are not scheduled automatically yet.';
  static override args = { container: Args.string({ ignoreStdin: true, description: 'container name or ID', required: true }) };
  static override examples = ['<%= config.bin %> healthcheck run web'];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(HealthcheckRun);
    const { runHealthcheck } = await import('../../engine/container/health.js');
    const rep = await runHealthcheck(args.container);
    if (!rep.checkPassed) {
      this.out('unhealthy');
      process.exitCode = 1;
    }
  }
}
