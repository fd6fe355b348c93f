// The break-glass context of a cluster: a kubeconfig context whose identity API Priority and
// Fairness exempts (group system:masters, or a FlowSchema that maps it to the `exempt` level), so
// that its few requests are answered while ordinary users get 429s. Naming convention: the
// context `X` has its break-glass twin `X-breakglass` (the tabletop's and `sim serve`'s
// kubeconfigs follow it; real kubeconfigs may, or name one in breakglass.breakglassContexts).
// No Node, no vscode: the extension, the webview side's pure helpers and the CLI share it.

export const BREAKGLASS_SUFFIX = '-breakglass';

/** The conventional break-glass context of `context`: `prod-east` → `prod-east-breakglass`. */
export function breakglassContextOf(context: string): string {
  return `${context}${BREAKGLASS_SUFFIX}`;
}

/** Is `name` the break-glass twin of another context in `contexts`? */
export function isBreakglassTwin(name: string, contexts: readonly string[]): boolean {
  return name.endsWith(BREAKGLASS_SUFFIX) && contexts.includes(name.slice(0, -BREAKGLASS_SUFFIX.length));
}

/**
 * The break-glass context to fall back on for `context`: the one named in `configured`
 * (context → break-glass context, e.g. the setting breakglass.breakglassContexts) when it is in the
 * kubeconfig, else the conventional twin when it is; undefined when there is none, or when
 * `context` is itself a break-glass context.
 */
export function findBreakglassContext(context: string, contexts: readonly string[], configured: Readonly<Record<string, string>> = {}): string | undefined {
  const named = configured[context];
  if (named && named !== context && contexts.includes(named)) return named;
  if (context.endsWith(BREAKGLASS_SUFFIX) || Object.values(configured).includes(context)) return undefined;
  const twin = breakglassContextOf(context);
  return contexts.includes(twin) ? twin : undefined;
}

/**
 * kube-apiserver's exempt PriorityLevelConfiguration and the response header naming the priority
 * level a request landed in (k8s.io/apiserver pkg/server/filters/priority-and-fairness.go sets
 * X-Kubernetes-PF-PriorityLevel-UID on every response): equal UIDs mean the context is exempt.
 */
export const EXEMPT_PLC_PATH = '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/exempt';
export const PL_UID_HEADER = 'x-kubernetes-pf-prioritylevel-uid';
