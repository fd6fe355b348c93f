// The rule contract: what a rule looks at (RuleContext), what it reports (RuleHit), how it is
// described (RuleInfo) and the quick fixes it plans for its findings (FixPlan).
import type { ClusterProfile } from '../cost/model';
import type { Lines, TextEdit } from './edit';
import type { Inventory, Workload } from './objects';
import type { Note, Severity } from './read';
import type { Evidence, EvidenceSource, UsageCall } from './calls';
import type { InferredUsage } from './usage';

/** What the editor turns into a quick fix: a kind of edit, and what goes where. */
export interface FixDescription {
  kind: 'insert-annotation' | 'set-field' | 'edit-config' | 'add-objects' | 'set-flag' | 'replace-value';
  /** One line for the quick-fix menu. */
  title: string;
  /** Where the edit goes. */
  where: string;
  /** Text to insert (a template; `<…>` marks what to fill in). */
  insert?: string;
}

/** A concrete edit for one finding. Lines are 1-based; the text is inserted after `afterLine` or replaces `line`. */
export interface ConcreteFix {
  kind: FixDescription['kind'];
  title: string;
  file: string;
  /** Insert after this line (insert kinds) … */
  afterLine?: number;
  /** … or replace this line's value (replace kinds). */
  line?: number;
  text: string;
}

/** One profile's estimate, as findings and reports carry it. */
export interface ProfileEstimate {
  profile: string;
  nodes: number;
  podsPerNode: number;
  clients: number;
  requestsPerSecond: number;
  objectsPerSecond: number;
  bytesPerSecond: number;
  /** Watch events delivered per second (not requests; their bytes are in bytesPerSecond). */
  eventsPerSecond: number;
  /** APF seats held on average. */
  seats: number;
  /** API-server CPU cores. */
  cpu: number;
  memoryBytes: number;
  priorityLevel: string;
  /** Share of the API servers' capacity (1 = saturated by this alone). */
  capacityRatio: number;
}

export type Phase = 'steady' | 'start';

export interface RuleContext {
  workload: Workload;
  usage: InferredUsage;
  profiles: ClusterProfile[];
  inventory: Inventory;
  /** Estimates of a subset of calls at each profile, in a phase. */
  estimate(calls: UsageCall[], phase: Phase, clients?: number | 'perNode' | ((p: ClusterProfile) => number)): ProfileEstimate[];
}

export interface RuleHit {
  severity: Severity;
  line: number;
  file?: string;
  message: string;
  estimates?: ProfileEstimate[];
  /** Profiles at which the rule's load threshold is crossed. */
  profiles?: string[];
  phase?: Phase;
  fix?: ConcreteFix;
  evidence?: Evidence[];
}

export type { TextEdit } from './edit';

/** A quick fix: a title for the menu and the edits, all in the finding's file. */
export interface FixPlan {
  title: string;
  finding: Finding;
  edits: TextEdit[];
}

/** What a rule's fix planner gets: the analysed file's text, the finding and its workload's report. */
export interface FixInput {
  lines: Lines;
  /** The path the analysis gave the file (findings in other files get no edits here). */
  path: string;
  finding: Finding;
  report?: WorkloadReport;
}

/** A rule as documented (SARIF, docs/RULES.md, the editor's rule pages) and its fix planner. */
export interface RuleInfo {
  id: string;
  title: string;
  /** The highest severity it reports (load-based rules report less below their thresholds). */
  severity: Severity;
  why: string;
  remediation: string;
  fix: FixDescription;
  /** The quick fixes for one of its findings, in the order the editor offers them. */
  planFixes(input: FixInput): FixPlan[];
}

export interface Rule extends RuleInfo {
  check(ctx: RuleContext): RuleHit[];
}

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  /** 1-based. */
  line: number;
  workload: WorkloadRef;
  message: string;
  /** Per profile, for the phase the rule judged (see `phase`). */
  estimates: ProfileEstimate[];
  /** Profiles at which the rule's threshold is crossed. */
  profiles: string[];
  phase?: Phase;
  fix?: ConcreteFix;
  evidence: Evidence[];
}

export interface WorkloadReport {
  workload: WorkloadRef;
  file: string;
  line: number;
  clients: number | 'perNode';
  serviceAccount: string;
  /** Strongest evidence found for its usage. */
  source: EvidenceSource | 'none';
  agents: string[];
  /** Parts of a recognised agent's configuration whose API usage is not modelled: its calls are a lower bound. */
  unmodelled: string[];
  calls: UsageCall[];
  /** What its RBAC would let it do (informers on what it may list/watch). */
  reach: UsageCall[];
  evidence: Evidence[];
  priorityLevel: string;
  flowSchema?: string;
  /** Steady state, per profile (what the simulator's workloadLoad reports after a rollout). */
  estimates: ProfileEstimate[];
  /** Every client starting within the start window, per profile. */
  start: ProfileEstimate[];
}

export interface AnalysisResult {
  findings: Finding[];
  workloads: WorkloadReport[];
  notes: Note[];
}
