// The container noun of the engine: every container verb, from its own module.
export { createContainer, type CreateReport } from './create.js';
export { startContainer, type StartReport } from './start.js';
export { cleanupContainer } from './cleanup.js';
export { stopContainers, killContainers, pauseContainers, restartContainers, type StopReport } from './stop.js';
export { removeContainers, removeContainersUsingImage, type RemoveReport } from './remove.js';
export { waitContainer, logPathOf, isRunning, execInContainer, type ExecOptions, type ExecIO } from './exec.js';
export { containerLogs, type LogsOptions } from './logs.js';
export { inspectContainer, renameContainer, pruneContainers, containerExists, containerExistsExternal, portsOf, topContainer } from './inspect.js';
export { followUntilExit, runContainer, startAttached, type StartAttachedOptions, type RunIO, type RunOptions, type RunReport } from './run.js';
export { runHealthcheck, type HealthcheckReport } from './health.js';
export { conmonAlive, formatPorts, listContainers, readExit, statusText, syncAll, syncedState, type ListOptions, type PsRow } from './state.js';
export { tspodLauncher, tspodScript } from './common.js';
