// PriorityLevelConfigurations: kube-apiserver's default priority levels, as apf.ts lists them.
import { PRIORITY_LEVELS, apfUid } from '../apf';
import type { Layout } from '../layout';
import { CLUSTER_BORN, LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type SimResource } from './resource';
import { condition, int, obj, str, type KindSchema } from '../schema';

function priorityLevelObject(layout: Layout, pl: (typeof PRIORITY_LEVELS)[number]): SimObject {
  return new LazyObject('prioritylevelconfigurations', undefined, pl.name, {}, CLUSTER_BORN, layout.baseRv - 6, noFields, (o) => ({
    kind: 'PriorityLevelConfiguration',
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    metadata: layout.meta(o, { uid: apfUid('PriorityLevelConfiguration', pl.name), generation: 1, annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } }),
    spec: pl.exempt
      ? { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }
      : {
          type: 'Limited',
          limited: {
            nominalConcurrencyShares: pl.shares,
            lendablePercent: pl.lendablePercent,
            limitResponse: pl.queuing ? { type: 'Queue', queuing: pl.queuing } : { type: 'Reject' },
          },
        },
    status: {},
  }));
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (prioritylevelconfigurations).
const schema: KindSchema = {
  description: 'PriorityLevelConfiguration represents the configuration of a priority level.',
  properties: {
    spec: obj('spec is the specification of the desired behavior of a "request-priority".', {
      type: str('type indicates whether this priority level is subject to limitation on request execution. Exempt or Limited.'),
      limited: obj('limited specifies how requests are handled for a Limited priority level.', {
        nominalConcurrencyShares: int('nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
        lendablePercent: int('lendablePercent prescribes the fraction of the level\'s NominalCL that can be borrowed by other priority levels.'),
        borrowingLimitPercent: int('borrowingLimitPercent, if present, configures a limit on how many seats this priority level can borrow from other priority levels.'),
        limitResponse: obj('limitResponse indicates what to do with requests that can not be executed right now.', {
          type: str('type is "Queue" or "Reject".'),
          queuing: obj('queuing holds the configuration parameters for queuing.', {
            queues: int('queues is the number of queues for this priority level.'),
            handSize: int('handSize is a small positive number that configures the shuffle sharding of requests into queues.'),
            queueLengthLimit: int('queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
          }),
        }),
      }),
      exempt: obj('exempt specifies how requests are handled for an exempt priority level.', {
        nominalConcurrencyShares: int('nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
        lendablePercent: int('lendablePercent prescribes the fraction of the level\'s NominalCL that can be borrowed by other priority levels.'),
      }),
    }),
    status: obj('status is the current status of a "request-priority".', { conditions: condition('conditions is the current state of "request-priority".') }),
  },
};

export const prioritylevelconfigurations: SimResource = {
  name: 'prioritylevelconfigurations',
  singularName: 'prioritylevelconfiguration',
  kind: 'PriorityLevelConfiguration',
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  namespaced: false,
  fields: [],
  subresources: [STATUS('PriorityLevelConfiguration')],
  schema,
  columns: [
    NAME,
    col('Type', 'string', 'type indicates whether this priority level is subject to limitation on request execution.'),
    col('NominalConcurrencyShares', 'string', 'nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
    col('Queues', 'string', 'queues is the number of queues for this priority level.'),
    col('HandSize', 'string', 'handSize is a small positive number that configures the shuffle sharding of requests into queues.'),
    col('QueueLengthLimit', 'string', 'queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
    AGE,
  ],
  cells: (o, age) => {
    const l = o.spec.limited;
    const q = l?.limitResponse?.queuing;
    return [o.metadata.name, o.spec.type, l ? String(l.nominalConcurrencyShares) : '<none>', q ? String(q.queues) : '<none>', q ? String(q.handSize) : '<none>', q ? String(q.queueLengthLimit) : '<none>', age];
  },
  provider: (layout) => layout.staticProvider(PRIORITY_LEVELS.map((pl) => priorityLevelObject(layout, pl))),
};
