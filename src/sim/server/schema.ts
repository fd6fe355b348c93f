// The small schema language the served kinds describe their objects in (resources/*.ts, field
// `schema`), and the pieces several kinds share (a pod template, a condition). openapi.ts turns
// these into OpenAPI v2 and v3 documents. Descriptions are the first sentence of the Kubernetes
// API reference (https://kubernetes.io/docs/reference/kubernetes-api/) for each field.

/** A JSON schema node, as OpenAPI v2 and v3 both spell it. `ref` names a shared definition (openapi.ts). */
export interface Schema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  ref?: SharedDefinition;
  /** A definition name (io.k8s.api.core.v1.PodSpec): the object becomes a definition of its own. */
  name?: string;
}

/** The definitions openapi.ts provides to every document (meta.k8s.io/v1 types). */
export type SharedDefinition = 'ObjectMeta' | 'ListMeta' | 'Time';

/** A served kind's object: its fields besides apiVersion, kind and metadata. */
export interface KindSchema {
  description: string;
  properties: Record<string, Schema>;
}

export const str = (description: string): Schema => ({ type: 'string', description });
export const int = (description: string, format: 'int32' | 'int64' = 'int32'): Schema => ({ type: 'integer', format, description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const time = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
/** intstr.IntOrString: a number or a string such as "25%" (OpenAPI: string, format int-or-string). */
export const intOrString = (description: string): Schema => ({ type: 'string', format: 'int-or-string', description });
export const strings = (description: string): Schema => ({ type: 'array', items: { type: 'string' }, description });
export const stringMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string' }, description });
export const obj = (description: string, properties: Record<string, Schema>): Schema => ({ type: 'object', description, properties });
/** An object that is a definition of its own, under its upstream name. */
export const named = (name: string, description: string, properties: Record<string, Schema>): Schema => ({ type: 'object', name, description, properties });
export const list = (description: string, item: Schema): Schema => ({ type: 'array', items: item, description });
export const ref = (name: SharedDefinition, description: string): Schema => ({ ref: name, description });

/** resource.Quantity by resource name (requests, limits, capacity). */
export const quantities = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string', format: 'quantity' }, description });

/** A status condition; `extra` adds the kind's own timestamps (lastProbeTime, lastUpdateTime, lastHeartbeatTime). */
export function condition(description: string, extra: Record<string, Schema> = {}): Schema {
  return list(
    description,
    obj('A condition of the object at one point in its life.', {
      type: str('Type of condition.'),
      status: str('Status of the condition, one of True, False, Unknown.'),
      lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
      reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
      message: str('Human-readable message indicating details about last transition.'),
      ...extra,
    }),
  );
}

export const objectReference = (description: string): Schema =>
  obj(description, {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    uid: str('UID of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
  });

// core/v1 Container, Toleration, PodSpec (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/).
const container = named('io.k8s.api.core.v1.Container', 'A single application container that you want to run within a pod.', {
  name: str('Name of the container specified as a DNS_LABEL.'),
  image: str('Container image name.'),
  imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent.'),
  command: strings('Entrypoint array. Not executed within a shell.'),
  args: strings('Arguments to the entrypoint.'),
  ports: list(
    'List of ports to expose from the container.',
    obj('ContainerPort represents a network port in a single container.', {
      name: str('Name of the port, an IANA_SVC_NAME.'),
      containerPort: int("Number of port to expose on the pod's IP address."),
      protocol: str('Protocol for port. Must be UDP, TCP, or SCTP.'),
    }),
  ),
  resources: obj('Compute Resources required by this container.', {
    requests: quantities('Requests describes the minimum amount of compute resources required.'),
    limits: quantities('Limits describes the maximum amount of compute resources allowed.'),
  }),
  terminationMessagePath: str("Path at which the file to which the container's termination message will be written is mounted."),
  terminationMessagePolicy: str('Indicate how the termination message should be populated. File or FallbackToLogsOnError.'),
});

const toleration = obj('The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.', {
  key: str('Key is the taint key that the toleration applies to.'),
  operator: str("Operator represents a key's relationship to the value. Exists or Equal."),
  value: str('Value is the taint value the toleration matches to.'),
  effect: str('Effect indicates the taint effect to match. NoSchedule, PreferNoSchedule or NoExecute.'),
  tolerationSeconds: int('TolerationSeconds represents the period of time the toleration tolerates the taint.', 'int64'),
});

export const podSpec = named('io.k8s.api.core.v1.PodSpec', 'PodSpec is a description of a pod.', {
  containers: list('List of containers belonging to the pod.', container),
  nodeName: str('NodeName indicates in which node this pod is scheduled.'),
  nodeSelector: stringMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
  tolerations: list("If specified, the pod's tolerations.", toleration),
  restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never.'),
  terminationGracePeriodSeconds: int('Optional duration in seconds the pod needs to terminate gracefully.', 'int64'),
  dnsPolicy: str("Set DNS policy for the pod. Defaults to \"ClusterFirst\"."),
  serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
  serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'),
  schedulerName: str('If specified, the pod will be dispatched by specified scheduler.'),
  priorityClassName: str("If specified, indicates the pod's priority."),
  priority: int('The priority value.'),
  preemptionPolicy: str('PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority.'),
  enableServiceLinks: bool("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables."),
  securityContext: obj('SecurityContext holds pod-level security attributes and common container settings.', {
    runAsUser: int('The UID to run the entrypoint of the container process.', 'int64'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    fsGroup: int('A special supplemental group that applies to all containers in a pod.', 'int64'),
  }),
  hostNetwork: bool("Host networking requested for this pod. Use the host's network namespace."),
});

export const labelSelector = (description: string): Schema =>
  obj(description, {
    matchLabels: stringMap('matchLabels is a map of {key,value} pairs.'),
  });

/** core/v1 PodTemplateSpec, the template of a workload. */
export const podTemplateSchema = named('io.k8s.api.core.v1.PodTemplateSpec', 'Template describes the pods that will be created.', {
  metadata: ref('ObjectMeta', "Standard object's metadata."),
  spec: podSpec,
});
