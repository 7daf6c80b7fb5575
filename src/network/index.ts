// User-defined networks: the API the container engine uses.
export {
  attachContainerNetworks, detachContainerNetworks, connectAttached, disconnectAttached, isUserNetwork, planUserNetworks, writeNetworkFiles,
  hostsContent, resolvContent, containerAttachment, isAttached, listAttachments, resetNetworking, DNS_DOMAIN, type UserNetworkPlan,
} from './attach.js';
export { NetworkStore } from './store.js';
export type { AttachResult, AttachmentRecord, ContainerNetworkRequest, NetworkAttachment, NetworkRecord } from './types.js';
