// The manifest load analyzer's public API (the CLI and the editor call these).
export { analyze, analyzeDocument, DEFAULT_PROFILES, type AnalysisResult, type Finding, type WorkloadReport, type WorkloadRef, type AnalyzeOptions } from './analyze';
export { readManifests, splitDocuments, ReadCache, defaultReadCache, MAX_FILE_BYTES, type Note, type Severity, type ManifestObject, type ReadResult } from './read';
export { RULES, allRules, ruleById, renderRulesMarkdown, WARN_RATIO, ERROR_RATIO, NOTE_RATIO, type Rule, type FixDescription, type ConcreteFix, type ProfileEstimate, type Phase } from './rules';
export { API_CALLS_ANNOTATION, parseApiCallsAnnotation, renderApiCallsAnnotation, inferUsage, START_WINDOW_SECONDS, type UsageCall, type Evidence, type InferredUsage } from './usage';
export { AGENTS, recogniseAgent } from './agents';
