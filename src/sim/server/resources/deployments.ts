// Deployments: coredns and the model's; scaled through the model (deployments/scale).
import type { Layout, ServedWorkload } from '../layout';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, SCALE, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { allFields, fields, objectMeta, stringMap, unwrap } from '../protobuf';
import { newCount, oldFrom, rolling, stepOf } from '../rollouts';
import { perWorkloadProvider, podTemplate, workloadWriteRule } from './workloads';
import { condition, int, intOrString, labelSelector, obj, podTemplateSchema, str, time, type KindSchema } from '../schema';

export function deploymentObject(layout: Layout, g: ServedWorkload): SimObject {
  const r = layout.rollouts.get(g.key);
  return new LazyObject('deployments', g.namespace, g.name, g.labels, g.createdAt, Math.max(g.rv, r?.rv ?? 0), noFields, (o) => {
    const t = layout.clock.iso(g.createdAt);
    const n = g.pods;
    // During a rollout (rollouts.ts): the new ReplicaSet's pods are the updated ones; where an old
    // pod was removed and its replacement is still starting, nothing is available; a surge keeps
    // both, so replicas counts them twice, as the controller's status does.
    const updated = r ? newCount(r, n) : n;
    const both = r ? newCount(r, n) - oldFrom(r, n) : 0;
    const gap = r ? Math.max(0, Math.min(oldFrom(r, n), g.running) - r.done) : 0;
    const running = Math.max(0, g.running - gap);
    const maxUnavailable = r ? stepOf('Deployment', r.strategy, n).kill : Math.floor(n / 4);
    const available = n === 0 || (running > 0 && running >= n - maxUnavailable);
    const status: Json = { observedGeneration: g.generation, replicas: n + both, updatedReplicas: updated, readyReplicas: running, availableReplicas: running };
    if (n > running) status.unavailableReplicas = n - running;
    if (!running) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    const rs = `${g.name}-${g.hash}`;
    const progressing = r && rolling(r, n);
    const tp = r ? layout.clock.iso(r.finished ?? r.at) : t;
    status.conditions = [
      { type: 'Available', status: available ? 'True' : 'False', lastUpdateTime: t, lastTransitionTime: t, reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
      // pkg/controller/deployment/progress.go: ReplicaSetUpdated while rolling, NewReplicaSetAvailable once done.
      progressing
        ? { type: 'Progressing', status: 'True', lastUpdateTime: tp, lastTransitionTime: layout.clock.iso(r.began), reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` }
        : { type: 'Progressing', status: 'True', lastUpdateTime: tp, lastTransitionTime: tp, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` },
    ];
    return {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: layout.meta(o, { uid: g.uid, generation: g.generation, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
      spec: {
        replicas: g.pods,
        selector: { matchLabels: g.labels },
        template: podTemplate(g, g.labels),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status,
    };
  });
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (deployments).
const schema: KindSchema = {
  description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
  properties: {
    spec: obj('Specification of the desired behavior of the Deployment.', {
      replicas: int('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
      selector: labelSelector('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
      template: podTemplateSchema,
      strategy: obj('The deployment strategy to use to replace existing pods with new ones.', {
        type: str('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
        rollingUpdate: obj('Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.', {
          maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update.'),
          maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods.'),
        }),
      }),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback.'),
      progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
      paused: { type: 'boolean', description: 'Indicates that the deployment is paused.' },
    }),
    status: obj('Most recently observed status of the Deployment.', {
      observedGeneration: int('The generation observed by the deployment controller.', 'int64'),
      replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
      updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      readyReplicas: int('Total number of non-terminated pods targeted by this Deployment with a Ready Condition.'),
      availableReplicas: int('Total number of available non-terminated pods (ready for at least minReadySeconds) targeted by this deployment.'),
      unavailableReplicas: int('Total number of unavailable pods targeted by this deployment.'),
      conditions: condition("Represents the latest available observations of a deployment's current state.", { lastUpdateTime: time('The last time this condition was updated.') }),
    }),
  },
};

/**
 * A Deployment posted as protobuf, as `kubectl create deployment` 1.33 does, read as far as that
 * command fills it (k8s.io/api apps/v1 and core/v1 generated.proto): metadata=1; spec=2 {replicas=1,
 * selector=2 {matchLabels=1}, template=3 {metadata=1, spec=2 {containers=2 {name=1, image=2,
 * command=3, args=4, ports=6 {name=1, containerPort=3, protocol=4}}, nodeSelector=7,
 * serviceAccountName=8}}}.
 */
function fromProtobuf(buf: Buffer): Json {
  const one = (m: Map<number, Array<Buffer | number>>, n: number): Buffer | undefined => m.get(n)?.find((v): v is Buffer => Buffer.isBuffer(v));
  const num = (m: Map<number, Array<Buffer | number>>, n: number): number | undefined => m.get(n)?.find((v): v is number => typeof v === 'number');
  const text = (m: Map<number, Array<Buffer | number>>, n: number): string | undefined => one(m, n)?.toString('utf8');
  const texts = (m: Map<number, Array<Buffer | number>>, n: number): string[] | undefined => m.get(n)?.filter((v): v is Buffer => Buffer.isBuffer(v)).map((b) => b.toString('utf8'));
  const top = allFields(unwrap(buf));
  const out: Json = { metadata: objectMeta(one(top, 1)) };
  const specBuf = one(top, 2);
  if (!specBuf) return out;
  const spec = allFields(specBuf);
  const o: Json = {};
  const replicas = num(spec, 1);
  if (replicas !== undefined) o.replicas = replicas;
  const sel = one(spec, 2);
  if (sel) o.selector = { matchLabels: stringMap(fields(sel).get(1)) ?? {} };
  const tpl = one(spec, 3);
  if (tpl) {
    const t = allFields(tpl);
    const podSpec = one(t, 2) ? allFields(one(t, 2)!) : new Map<number, Array<Buffer | number>>();
    const containers = (podSpec.get(2) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map((cb) => {
      const c = allFields(cb);
      const ct: Json = { name: text(c, 1), image: text(c, 2) };
      if (c.has(3)) ct.command = texts(c, 3);
      if (c.has(4)) ct.args = texts(c, 4);
      const ports = (c.get(6) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map((pb) => {
        const p = allFields(pb);
        const port: Json = { containerPort: num(p, 3) };
        if (text(p, 1)) port.name = text(p, 1);
        if (text(p, 4)) port.protocol = text(p, 4);
        return port;
      });
      if (ports.length) ct.ports = ports;
      return ct;
    });
    const ps: Json = { containers };
    const nodeSelector = stringMap(fields(one(t, 2) ?? Buffer.alloc(0)).get(7));
    if (nodeSelector) ps.nodeSelector = nodeSelector;
    if (text(podSpec, 8)) ps.serviceAccountName = text(podSpec, 8);
    o.template = { metadata: objectMeta(one(t, 1)), spec: ps };
  }
  out.spec = o;
  return out;
}

export const deployments: SimResource = {
  name: 'deployments',
  singularName: 'deployment',
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  fields: [],
  subresources: [SCALE, STATUS('Deployment')],
  schema,
  write: workloadWriteRule('Deployment'),
  fromProtobuf,
  columns: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  cells: (o, age) => {
    const s = o.status ?? {};
    const [c, i] = containersCells(o);
    return [o.metadata.name, `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
  },
  provider: (layout) => perWorkloadProvider(layout, layout.deployments, (g) => deploymentObject(layout, g), undefined, true),
};
