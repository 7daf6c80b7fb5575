// Names and labels as Docker Compose v2 gives them, so scripts and tools that know Compose find tspod's
// resources: containers <project>-<service>-<n>, one-offs <project>-<service>-run-<id>, networks and
// volumes <project>_<key>, built images <project>-<service>.
import { ComposeError } from './errors.js';

/** Lowercase, keep [a-z0-9_-], no leading '_' or '-' (Compose's normalization of a derived name). */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

/** An explicit name (-p, COMPOSE_PROJECT_NAME) must already be normal: anything else is an error. */
export function checkProjectName(name: string, from: string): string {
  if (!name || normalizeProjectName(name) !== name) {
    throw new ComposeError(`invalid project name "${name}" (from ${from}): use only lowercase letters, digits, '-' and '_', starting with a letter or digit`);
  }
  return name;
}

export const containerName = (project: string, service: string, n: number): string => `${project}-${service}-${n}`;
export const oneOffContainerName = (project: string, service: string, id: string): string => `${project}-${service}-run-${id}`;
/** Networks, volumes, secrets and configs without an explicit name. */
export const resourceName = (project: string, key: string): string => `${project}_${key}`;
/** The image a service with `build:` and no `image:` is built as. */
export const builtImageName = (project: string, service: string): string => `${project}-${service}`;

/** Docker Compose's labels (com.docker.compose.*). */
export const LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;
