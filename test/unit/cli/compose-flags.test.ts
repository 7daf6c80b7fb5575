import t from 'tap';
import { hoistComposeFlags, composeLoadOptions } from '../../../src/cli/compose-flags.js';

t.test('compose options before the subcommand move after it', async (t) => {
  const table: [string[], string[]][] = [
    [['compose', '-f', 'a.yml', 'config'], ['compose', 'config', '--file', 'a.yml']],
    [['compose', '-f', 'a.yml', '-f', 'b.yml', '-p', 'x', 'config', '--services'], ['compose', 'config', '--file', 'a.yml', '--file', 'b.yml', '--project-name', 'x', '--services']],
    [['compose', '-f', 'a.yml', 'logs', '-f'], ['compose', 'logs', '--file', 'a.yml', '-f']],
    [['compose', '--file=a.yml', '--profile', 'dev', '--env-file', '.env.dev', '--project-directory', '/p', 'up', '-d'],
      ['compose', 'up', '--file=a.yml', '--profile', 'dev', '--env-file', '.env.dev', '--project-directory', '/p', '-d']],
    [['compose', '-fa.yml', '-pproj', 'ps'], ['compose', 'ps', '--file=a.yml', '--project-name=proj']],
    [['compose', '-f', '-', 'config'], ['compose', 'config', '--file', '-']],
    [['compose', 'config', '-f', 'a.yml'], ['compose', 'config', '-f', 'a.yml']],
    [['compose', '--help'], ['compose', '--help']],
    [['compose', '-f', 'a.yml'], ['compose', '-f', 'a.yml']],
    [['run', '-f', 'x'], ['run', '-f', 'x']],
    [['compose', '--dry-run', 'up'], ['compose', 'up', '--dry-run']],
    [['compose', '--parallel', '2', 'up', '-d'], ['compose', 'up', '--parallel', '2', '-d']],
    [['compose', '-p', 'x', '--dry-run', 'down', '-v'], ['compose', 'down', '--project-name', 'x', '--dry-run', '-v']],
  ];
  for (const [argv, want] of table) t.same(hoistComposeFlags(argv), want, argv.join(' '));
});

t.test('flag values become loader options', async (t) => {
  t.same(composeLoadOptions({ file: ['a'], 'project-name': 'p', 'project-directory': 'd', 'env-file': ['e'], profile: ['x'] }),
    { files: ['a'], projectName: 'p', projectDirectory: 'd', envFiles: ['e'], profiles: ['x'] });
});
