// The manifest load analyzer's public API (the CLI and the editor call these).
export { analyze, analyzeDocument, DEFAULT_PROFILES, type AnalysisResult, type Finding, type WorkloadReport, type WorkloadRef, type AnalyzeOptions } from './analyze';
export { readManifests, splitDocuments, ReadCache, defaultReadCache, MAX_FILE_BYTES, type Note, type Severity, type ManifestObject, type ReadResult } from './read';
export { RULES, ANNOTATION_RULE, allRules, ruleById } from './rules';
export { WARN_RATIO, ERROR_RATIO, NOTE_RATIO, rank as rankSeverity } from './load';
export { describe as describeEstimate } from './format';
export type { Rule, RuleInfo, FixDescription, ConcreteFix, ProfileEstimate, Phase, FixPlan, FixInput, TextEdit } from './types';
export { renderRulesMarkdown, ruleDocument, lensTitle, hoverMarkdown, workloadAt } from './explain';
export { Lines } from './edit';
export { planFixes, offeredFixes, checkPlan, improves, fixFile, unifiedDiff, type OfferedFix, type Verdict, type FileFixes } from './fix';
export { API_CALLS_ANNOTATION, parseApiCallsAnnotation, renderApiCallsAnnotation, inferUsage, START_WINDOW_SECONDS, type UsageCall, type Evidence, type InferredUsage } from './usage';
export { AGENTS, recogniseAgent, renderAgentsMarkdown } from './agents';
