// What a recognised agent is and what recognising it yields. Each agent lives in its own file
// in this folder and is registered in index.ts.
import type { UsageCall } from '../calls';
import type { Container, Workload } from '../objects';

/** A mounted configuration file: its text and where it starts. */
export interface ConfigText {
  configMap: string;
  key: string;
  text: string;
  file: string;
  /** 1-based line of the first line of the value (block scalars start one line below the key). */
  line: number;
}

export interface AgentContext {
  workload: Workload;
  container: Container;
  configs: ConfigText[];
  /** Container env, with configMapKeyRef values resolved where the ConfigMap is in the files. */
  env: Record<string, string>;
  /** Flags of command + args, `--name=value` and `--name value` forms. */
  flags: Map<string, string>;
}

/** A hint for the agent-specific rules. */
export interface AgentHint {
  rule: 'node-local-source' | 'fanout-proxy' | 'fanout-undersized';
  line: number;
  file: string;
  message: string;
  /** What to change (shown in the finding). */
  change: string;
}

export interface AgentResult {
  calls: UsageCall[];
  notes: string[];
  hints: AgentHint[];
  /** Its API usage is what the cluster's data plane needs (kube-proxy): reported, not blamed. */
  inherent?: boolean;
  leaderElection?: boolean;
  /** The agent was recognised but its configuration is not in the files: usage unknown. */
  unknown?: boolean;
  /**
   * Parts of its configuration whose API usage is not known here (a receiver, provider or plugin
   * the recogniser does not model): its calls are then a lower bound, and its RBAC reach may be used.
   */
  unmodelled?: string[];
  /** Where its usage was read from. */
  line: number;
  file: string;
}

export type AgentCategory = 'cni' | 'service-proxy' | 'dns' | 'logs' | 'metrics' | 'security' | 'node' | 'controller';

export interface Agent {
  id: string;
  name: string;
  category: AgentCategory;
  /** Does this image belong to the agent? */
  image: RegExp;
  /** One line: what one instance does to the API server, and what changes it. */
  summary: string;
  /** Where each claim comes from: vendor docs or code (repository path@commit, or URL), quoted where possible. */
  sources: string[];
  infer(ctx: AgentContext): AgentResult;
}
