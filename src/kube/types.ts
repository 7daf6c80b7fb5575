// The subset of Kubernetes' object model that kube play reads and kube generate writes (field names as the
// API has them). Input is untrusted: validate.ts checks a parsed document against these shapes first.

export type StringMap = Record<string, string>;

export interface ObjectMeta { name?: string; namespace?: string; labels?: StringMap; annotations?: StringMap; generateName?: string }

export interface KeyRef { name?: string; key: string; optional?: boolean }
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: { resource: string; containerName?: string; divisor?: string | number };
  };
}
export interface EnvFromSource { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }
export interface ContainerPort { name?: string; containerPort: number; hostPort?: number; hostIP?: string; protocol?: 'TCP' | 'UDP' | 'SCTP' }
export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }
export interface Probe {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number; successThreshold?: number;
}
export interface SecurityContext {
  runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean; privileged?: boolean; readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean; capabilities?: { add?: string[]; drop?: string[] };
}
export interface PodSecurityContext { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean; supplementalGroups?: number[]; sysctls?: { name: string; value: string }[] }
export interface Resources { limits?: Record<string, string | number>; requests?: Record<string, string | number> }
export interface Container {
  name: string; image?: string; command?: string[]; args?: string[]; workingDir?: string;
  env?: EnvVar[]; envFrom?: EnvFromSource[]; ports?: ContainerPort[]; volumeMounts?: VolumeMount[];
  securityContext?: SecurityContext; resources?: Resources;
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  tty?: boolean; stdin?: boolean; imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}
export interface KeyToPath { key: string; path: string; mode?: number }
export interface Volume {
  name: string;
  hostPath?: { path: string; type?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  emptyDir?: { medium?: string; sizeLimit?: string | number };
}
export interface PodSpec {
  containers: Container[]; initContainers?: Container[]; volumes?: Volume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never'; hostNetwork?: boolean; hostname?: string;
  hostAliases?: { ip: string; hostnames?: string[] }[];
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
  shareProcessNamespace?: boolean; securityContext?: PodSecurityContext;
}
export interface PodTemplate { metadata?: ObjectMeta; spec: PodSpec }
export interface LabelSelector { matchLabels?: StringMap; matchExpressions?: { key: string; operator: string; values?: string[] }[] }

export interface Pod { apiVersion: 'v1'; kind: 'Pod'; metadata: ObjectMeta; spec: PodSpec }
export interface Deployment { apiVersion: 'apps/v1'; kind: 'Deployment'; metadata: ObjectMeta; spec: { replicas?: number; selector: LabelSelector; template: PodTemplate } }
export interface DaemonSet { apiVersion: 'apps/v1'; kind: 'DaemonSet'; metadata: ObjectMeta; spec: { selector: LabelSelector; template: PodTemplate } }
export interface Job { apiVersion: 'batch/v1'; kind: 'Job'; metadata: ObjectMeta; spec: { template: PodTemplate; completions?: number; parallelism?: number; backoffLimit?: number } }
export interface PersistentVolumeClaim {
  apiVersion: 'v1'; kind: 'PersistentVolumeClaim'; metadata: ObjectMeta;
  spec: { accessModes?: string[]; resources?: { requests?: Record<string, string> }; storageClassName?: string; volumeMode?: string };
}
export interface ConfigMap { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: ObjectMeta; data?: StringMap; binaryData?: StringMap }
export interface Secret { apiVersion: 'v1'; kind: 'Secret'; metadata: ObjectMeta; type?: string; data?: StringMap; stringData?: StringMap }
export interface ServicePort { name?: string; protocol?: 'TCP' | 'UDP' | 'SCTP'; port: number; targetPort?: number | string; nodePort?: number }
export interface Service { apiVersion: 'v1'; kind: 'Service'; metadata: ObjectMeta; spec: { ports?: ServicePort[]; selector?: StringMap; type?: string } }

export type KubeObject = Pod | Deployment | DaemonSet | Job | PersistentVolumeClaim | ConfigMap | Secret | Service;
export type Kind = KubeObject['kind'];
/** The kinds that run pods. */
export type Workload = Pod | Deployment | DaemonSet | Job;
