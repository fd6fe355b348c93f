// FlowSchemas: kube-apiserver's default (mandatory and suggested) set, as apf.ts lists them.
import { FLOW_SCHEMAS, apfUid } from '../apf';
import type { Layout } from '../layout';
import { CLUSTER_BORN, LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type SimResource } from './resource';

function flowSchemaObject(layout: Layout, fs: (typeof FLOW_SCHEMAS)[number]): SimObject {
  return new LazyObject('flowschemas', undefined, fs.name, {}, CLUSTER_BORN, layout.baseRv - 6, noFields, (o) => ({
    kind: 'FlowSchema',
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    metadata: layout.meta(o, { uid: apfUid('FlowSchema', fs.name), generation: 1, annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } }),
    spec: {
      priorityLevelConfiguration: { name: fs.priorityLevel },
      matchingPrecedence: fs.precedence,
      ...(fs.distinguisher ? { distinguisherMethod: { type: fs.distinguisher } } : {}),
      rules: [
        {
          subjects: fs.subjects.map((s) => (s.kind === 'Group' ? { kind: 'Group', group: { name: s.name } } : s.kind === 'User' ? { kind: 'User', user: { name: s.name } } : { kind: 'ServiceAccount', serviceAccount: { name: s.name, namespace: s.namespace } })),
          ...(fs.nonResourceURLs
            ? { nonResourceRules: [{ verbs: ['get'], nonResourceURLs: fs.nonResourceURLs }] }
            : { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }),
        },
      ],
    },
    status: { conditions: [{ type: 'Dangling', status: 'False', lastTransitionTime: layout.clock.iso(CLUSTER_BORN), reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${fs.priorityLevel}" and it exists` }] },
  }));
}

export const flowschemas: SimResource = {
  name: 'flowschemas',
  singularName: 'flowschema',
  kind: 'FlowSchema',
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  namespaced: false,
  fields: [],
  subresources: [STATUS('FlowSchema')],
  columns: [
    NAME,
    col('PriorityLevel', 'string', 'priorityLevelConfiguration should reference a PriorityLevelConfiguration in the cluster.'),
    col('MatchingPrecedence', 'string', 'matchingPrecedence is used to choose among the FlowSchemas that match a given request.'),
    col('DistinguisherMethod', 'string', 'distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema.'),
    AGE,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  cells: (o, age) => [o.metadata.name, o.spec.priorityLevelConfiguration.name, String(o.spec.matchingPrecedence), o.spec.distinguisherMethod?.type ?? '<none>', age, 'False'],
  provider: (layout) => layout.staticProvider(FLOW_SCHEMAS.map((fs) => flowSchemaObject(layout, fs))),
};
