// The pod noun of the engine: every pod verb, from its own module.
export { createPod, parseShare } from './create.js';
export { startPods, stopPods, restartPods, killPods, pausePods, ensureInfraRunning, afterMemberExit } from './lifecycle.js';
export { removePods, prunePods } from './remove.js';
export { listPods, inspectPod, podExists } from './list.js';
export { topPod, podLogs } from './ops.js';
export { PodStore, NoSuchPodError } from './store.js';
export * from './types.js';
