// The runtime layer: OCI spec generation, seccomp, runc and conmon.
export * from './oci-types.js';
export * from './capabilities.js';
export * from './spec.js';
export * from './seccomp.js';
export * from './rlimits.js';
export * from './runc.js';
export * from './conmon.js';
export * from './k8s-log.js';
export * from './runtime.js';
