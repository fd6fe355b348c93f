// Discovery documents (legacy, non-aggregated format: kubectl and client-go fall back to it when
// the server answers plain application/json), from the resources in resources/index.ts.
import { RESOURCES } from './resources';
import { RW } from './resources/resource';
import { KUBE_VERSION, type Json } from './simObject';

export { RESOURCES, findResource } from './resources';
export type { ResourceDef } from './resources/resource';

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function groups(): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
}

export function versionInfo(): Json {
  const [major, minor] = KUBE_VERSION.slice(1).split('.');
  return {
    major,
    minor,
    gitVersion: KUBE_VERSION,
    gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T11:36:01Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Json {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(g: string): Json {
  // Every version served of the group, v1 first and preferred (authentication.k8s.io also serves
  // v1beta1 for kubectl 1.27's `auth whoami`).
  const versions = [...new Set(RESOURCES.filter((r) => r.group === g).map((r) => r.version))].sort((a, b) => (a === 'v1' ? -1 : b === 'v1' ? 1 : a.localeCompare(b)));
  const gvs = versions.map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
  return { name: g, versions: gvs, preferredVersion: gvs[0] };
}

export function apiGroupList(): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupEntry) };
}

export function apiGroup(g: string): Json | undefined {
  return groups().includes(g) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) } : undefined;
}

export function apiResourceList(group: string, version: string): Json | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const resources: Json[] = [];
  for (const r of defs) {
    resources.push({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? RW,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({ name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced, ...(s.group ? { group: s.group, version: s.version } : {}), kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}
