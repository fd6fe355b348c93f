// FlowSchemas: kube-apiserver's default (mandatory and suggested) set, as apf.ts lists them.
import { FLOW_SCHEMAS, apfUid } from '../apf';
import type { Layout } from '../layout';
import { CLUSTER_BORN, LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type SimResource } from './resource';
import { bool, condition, int, list, obj, str, strings, type KindSchema } from '../schema';

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

// https://kubernetes.io/docs/reference/kubernetes-api/ (flowschemas).
const schema: KindSchema = {
  description: 'FlowSchema defines the schema of a group of flows.',
  properties: {
    spec: obj('spec is the specification of the desired behavior of a FlowSchema.', {
      priorityLevelConfiguration: obj('priorityLevelConfiguration should reference a PriorityLevelConfiguration in the cluster.', { name: str('name is the name of the priority level configuration being referenced.') }),
      matchingPrecedence: int('matchingPrecedence is used to choose among the FlowSchemas that match a given request.'),
      distinguisherMethod: obj('distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema.', { type: str('type is the type of flow distinguisher method. ByUser or ByNamespace.') }),
      rules: list(
        'rules describes which requests will match this flow schema.',
        obj('PolicyRulesWithSubjects prescribes a test that applies to a request to an apiserver.', {
          subjects: list(
            'subjects is the list of normal user, serviceaccount, or group that this rule cares about.',
            obj('Subject matches the originator of a request, as identified by the request authentication system.', {
              kind: str('kind indicates which one of the other fields is non-empty. User, Group or ServiceAccount.'),
              user: obj('user matches based on username.', { name: str('name is the username that matches, or "*" to match all usernames.') }),
              group: obj('group matches based on user group name.', { name: str('name is the user group that matches, or "*" to match all user groups.') }),
              serviceAccount: obj('serviceAccount matches ServiceAccounts.', { name: str('name is the name of matching ServiceAccount objects, or "*" to match regardless of name.'), namespace: str('namespace is the namespace of matching ServiceAccount objects.') }),
            }),
          ),
          resourceRules: list(
            'resourceRules is a slice of ResourcePolicyRules that identify matching requests according to their verb and the target resource.',
            obj('ResourcePolicyRule is a predicate that matches some resource requests.', {
              verbs: strings('verbs is a list of matching verbs and may not be empty.'),
              apiGroups: strings('apiGroups is a list of matching API groups and may not be empty.'),
              resources: strings('resources is a list of matching resources (i.e., lowercase and plural) with, if desired, subresource.'),
              clusterScope: bool('clusterScope indicates whether to match requests that do not specify a namespace.'),
              namespaces: strings('namespaces is a list of target namespaces that restricts matches.'),
            }),
          ),
          nonResourceRules: list(
            'nonResourceRules is a list of NonResourcePolicyRules that identify matching requests according to their verb and the target non-resource URL.',
            obj('NonResourcePolicyRule is a predicate that matches non-resource requests according to their verb and the target non-resource URL.', {
              verbs: strings('verbs is a list of matching verbs and may not be empty.'),
              nonResourceURLs: strings('nonResourceURLs is a set of url prefixes that a user should have access to and may not be empty.'),
            }),
          ),
        }),
      ),
    }),
    status: obj('status is the current status of a FlowSchema.', { conditions: condition('conditions is a list of the current states of FlowSchema.') }),
  },
};

export const flowschemas: SimResource = {
  name: 'flowschemas',
  singularName: 'flowschema',
  kind: 'FlowSchema',
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  namespaced: false,
  fields: [],
  subresources: [STATUS('FlowSchema')],
  schema,
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
