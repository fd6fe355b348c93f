// `deploy`: creates a workload, or applies it again over the one of that name (a second rollout).
import type { ScenarioWorkload } from '../scenarioTypes';
import type { ScenarioActionDef } from './action';

export const deploy = {
  name: 'deploy',
  title: 'Deploy a workload',
  usage: 'deploy NS/NAME',
  fields: ['workload'],
  inject: { params: ['workload'], panelRow: 'workload' },
  parse(f) {
    const workload = f.workload('workload');
    return workload && { workload };
  },
  apply(cluster, spec) {
    cluster.deploy(spec.workload);
  },
} satisfies ScenarioActionDef<'deploy', { workload: ScenarioWorkload }>;
