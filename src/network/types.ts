// A user-defined network as tspod stores it: Podman's network JSON (the same
// fields netavark reads), so a record can be handed to netavark as-is.

export interface Subnet {
  subnet: string;
  gateway: string;
  lease_range?: { start_ip: string; end_ip: string } | undefined;
}

export interface NetworkRecord {
  name: string;
  id: string;
  driver: 'bridge';
  network_interface: string;
  created: string;
  subnets: Subnet[];
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipam_options: Record<string, string>;
}

/** What a container asks of its user networks. */
export interface ContainerNetworkRequest {
  id: string;
  name: string;
  hostname?: string | undefined;
  /** user network names, in order; the first one is the primary */
  networks: string[];
  /** --network-alias values (DNS names on every network of the container) */
  aliases?: string[] | undefined;
  /** --ip: a static address on the (single) network */
  staticIP?: string | undefined;
  /** --link NAME[:ALIAS]: hosts entries for those containers' addresses */
  links?: string[] | undefined;
  ports?: Array<{ hostIP: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }> | undefined;
}

export interface NetworkAttachment {
  network: string;
  networkId: string;
  interface: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
}

/** Per running container: what was set up, so it can be undone (runroot/networks/attachments/ID.json). */
export interface AttachmentRecord {
  id: string;
  name: string;
  hostname: string;
  netns: string;
  attachments: NetworkAttachment[];
  /** the network records as they were at attach time (teardown needs them even if the network changed) */
  networkInfo: Record<string, NetworkRecord>;
  ports: NonNullable<ContainerNetworkRequest['ports']>;
  /** slirp4netns host forward ids in the rootless netns */
  hostfwdIds: number[];
  /** /etc/hosts lines of --link (kept for network connect/disconnect, which rewrite the file) */
  links?: string[];
}

export interface AttachResult {
  attachments: NetworkAttachment[];
  ips: string[];
  /** lines for the container's /etc/hosts (own name, --link entries) */
  hostsEntries: string[];
  /** nameservers for resolv.conf (aardvark-dns on the gateways, or slirp's DNS) */
  dnsServers: string[];
  dnsSearch: string[];
}
