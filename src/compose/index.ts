// The Compose loader's public API (see types.ts for the model). Front ends (the `tspod compose` commands,
// the planner/executor) import from here only.
export { loadProject, loadComposeDocument, enableServices, discoverFiles, COMPOSE_FILE_NAMES, type LoadOptions, type ComposeDocument } from './loader.js';
export { ComposeError } from './errors.js';
export { serviceConfigHash, stableStringify } from './hash.js';
export { containerName, oneOffContainerName, resourceName, builtImageName, normalizeProjectName, checkProjectName, LABELS } from './names.js';
export { dependencyOrder, findCycle } from './semantics.js';
export { renderProject, renderDocument, projectDocument, serviceNames, serviceImages, definedProfiles, serviceHashes } from './render.js';
export { substitute, interpolateTree, type Lookup } from './interpolate.js';
export { parseDotenv } from './dotenv.js';
export { formatDuration } from './units.js';
export type * from './types.js';
