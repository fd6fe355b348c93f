// The catalogue of recognised agents: one file each in this folder, registered here. The docs
// (docs/AGENTS.md, `breakglass lint --list-agents`) are generated from this list.
import type { Agent } from './types';
import { antrea } from './antrea';
import { awsVpcCni } from './aws-vpc-cni';
import { awsEbsCsiDriver } from './aws-ebs-csi-driver';
import { beats } from './beats';
import { calicoKubeControllers } from './calico-kube-controllers';
import { calicoNode } from './calico-node';
import { calicoTypha } from './calico-typha';
import { cilium } from './cilium';
import { ciliumOperator } from './cilium-operator';
import { clusterAutoscaler } from './cluster-autoscaler';
import { coredns } from './coredns';
import { csiSidecars } from './csi-sidecars';
import { datadogAgent } from './datadog-agent';
import { datadogClusterAgent } from './datadog-cluster-agent';
import { descheduler } from './descheduler';
import { dynatraceActiveGate, dynatraceOneAgent, dynatraceOperator } from './dynatrace';
import { elasticAgent } from './elastic-agent';
import { falco } from './falco';
import { flannel } from './flannel';
import { fluentBit } from './fluent-bit';
import { fluentd } from './fluentd';
import { grafanaAgent, grafanaAlloy } from './grafana-alloy';
import { k8sMetacollector } from './k8s-metacollector';
import { kubeProxy } from './kube-proxy';
import { kubeRouter } from './kube-router';
import { kubeStateMetrics } from './kube-state-metrics';
import { kured } from './kured';
import { metricsServer } from './metrics-server';
import { newrelicInfrastructure } from './newrelic-infrastructure';
import { hostOnly } from './no-api';
import { nodeFeatureDiscovery } from './node-feature-discovery';
import { nodeProblemDetector } from './node-problem-detector';
import { nodeLocalDns } from './nodelocaldns';
import { nvidiaDevicePlugin } from './nvidia-device-plugin';
import { otelCollector } from './otel-collector';
import { prometheus } from './prometheus';
import { promtail } from './promtail';
import { sysdigAgent } from './sysdig';
import { weaveNet } from './weave-net';
import { tetragon } from './tetragon';
import { tetragonOperator } from './tetragon-operator';
import { tracee } from './tracee';
import { vector } from './vector';

/** Order matters only where two patterns could match one image: the more specific comes first. */
export const AGENTS: Agent[] = [
  fluentBit,
  fluentd,
  promtail,
  grafanaAlloy,
  grafanaAgent,
  vector,
  otelCollector,
  beats,
  elasticAgent,
  datadogAgent,
  datadogClusterAgent,
  dynatraceOperator,
  dynatraceOneAgent,
  dynatraceActiveGate,
  sysdigAgent,
  nodeProblemDetector,
  falco,
  k8sMetacollector,
  tetragonOperator,
  tetragon,
  tracee,
  kured,
  awsEbsCsiDriver,
  csiSidecars,
  nvidiaDevicePlugin,
  nodeFeatureDiscovery,
  descheduler,
  kubeStateMetrics,
  metricsServer,
  newrelicInfrastructure,
  calicoNode,
  calicoTypha,
  calicoKubeControllers,
  flannel,
  kubeRouter,
  cilium,
  ciliumOperator,
  weaveNet,
  awsVpcCni,
  antrea,
  kubeProxy,
  clusterAutoscaler,
  coredns,
  nodeLocalDns,
  hostOnly,
  prometheus,
];

export function recogniseAgent(image: string): Agent | undefined {
  return AGENTS.find((a) => a.image.test(image));
}

export type { Agent, AgentContext, AgentHint, AgentResult, ConfigText, AgentCategory } from './types';
export { POD_CHURN_PER_SECOND } from './util';

const CATEGORY_TITLES: Record<string, string> = {
  cni: 'Network plugins (CNI)',
  'service-proxy': 'Service proxies',
  dns: 'DNS',
  logs: 'Log shippers',
  metrics: 'Metrics and APM',
  security: 'Security',
  node: 'Node maintenance',
  controller: 'Controllers',
};

/** The catalogue as markdown (docs/AGENTS.md). */
export function renderAgentsMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out: string[] = [
    '# Recognised agents',
    '',
    'Generated from the agent catalogue (`src/analysis/agents/`, one file per agent, registered in `index.ts`); regenerate with `npx breakglass lint --list-agents > docs/AGENTS.md`.',
    '',
    "When a container's image matches an agent, the analyzer reads the configuration that agent reads (mounted ConfigMaps, env, flags) and takes the calls it makes from there: stronger evidence than commands in the container or the reach of its RBAC, weaker than the workload's own `breakglass.dev/api-calls` annotation.",
    '',
  ];
  const cats = [...new Set(AGENTS.map((a) => a.category))].sort((a, b) => Object.keys(CATEGORY_TITLES).indexOf(a) - Object.keys(CATEGORY_TITLES).indexOf(b));
  for (const c of cats) {
    out.push(`## ${CATEGORY_TITLES[c] ?? c}`, '', '| agent | image pattern | what one instance does |', '| --- | --- | --- |');
    for (const a of AGENTS.filter((x) => x.category === c)) out.push(`| [${esc(a.name)}](#${a.id}) | \`${esc(a.image.source)}\` | ${esc(a.summary)} |`);
    out.push('');
  }
  for (const a of AGENTS) {
    out.push(`### ${a.id}`, '', `**${a.name}** — ${a.summary}`, '', 'Sources:', '');
    for (const s of a.sources) out.push(`- ${s}`);
    out.push('');
  }
  return out.join('\n');
}
