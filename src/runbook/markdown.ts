// The one markdown-it instance that reads runbooks (parse.ts) and renders them (render.ts), with
// its renderer rules installed once, when it is made. What a render is about (the runbook and
// its steps) comes with each call in markdown-it's `env` argument — md.renderer.render(tokens,
// options, env) hands the same object to every rule of that call (markdown-it 14.1.0,
// lib/renderer.mjs `render`, `renderInline`) — so the instance is never changed per call.
import type MarkdownIt from 'markdown-it';
import { markdownIt } from '../lazy';
import { stepCard } from './card';
import { isAllowedRunbookLink, isOpenableLink } from './links';
import type { Runbook, Step } from './model';

/** The render `env` of a runbook (markdown-it's own keys, such as `references`, stay free). */
export interface RenderEnv {
  runbookSteps?: {
    runbook: Runbook;
    /** The runbook's steps by the first line of their fence, relative to the markdown body (tokens' `map`). */
    steps: ReadonlyMap<number, Step>;
  };
}

let shared: MarkdownIt | undefined;
/**
 * The one markdown-it instance: raw HTML off (it is escaped), no typographer surprises, and links
 * only to http(s) URLs and in-page `#fragments`.
 *
 * markdown-it asks `validateLink` about every link destination it parses (inline links, images,
 * reference definitions, `<autolinks>` and linkify's finds) and, when it says no, keeps the source
 * as plain text (markdown-it 14.1.0, lib/rules_inline/link.mjs, image.mjs, autolink.mjs,
 * lib/rules_core/linkify.mjs, lib/rules_block/reference.mjs). Its own check only refuses
 * `javascript:`, `vbscript:`, `file:` and non-image `data:` (lib/index.mjs, BAD_PROTO_RE), so
 * `vscode:`, `command:` and `mailto:` links would otherwise become anchors, and VS Code's webview
 * host hands every clicked anchor it sees to the editor's opener.
 */
export function markdown(): MarkdownIt {
  if (!shared) {
    // Loaded here, on the first runbook parsed (src/lazy.ts).
    const MarkdownItClass = markdownIt();
    const md = new MarkdownItClass({ html: false, linkify: true, typographer: false });
    md.validateLink = isAllowedRunbookLink;
    // Linkify only what is written as a URL (`https://…`, `www.…`): its fuzzy mode would make
    // `other-runbook.md` a link to http://other-runbook.md (.md is a top-level domain; linkify-it
    // 5, `fuzzyLink`).
    md.linkify.set({ fuzzyLink: false });
    // Images: the Runbook view's Content-Security-Policy loads images only from the extension's own
    // files and data: URLs, so a remote image would be a broken one. It is shown as a link to the
    // image, named by its alt text; a fragment "image" is just its alt text.
    md.renderer.rules.image = (tokens, idx, _options, _env, self) => {
      const t = tokens[idx];
      const src = t.attrGet('src') ?? '';
      const alt = self.renderInlineAsText(t.children ?? [], _options, _env) || src;
      if (!isOpenableLink(src)) return md.utils.escapeHtml(alt);
      return `<a href="${md.utils.escapeHtml(src)}" class="bg-image-link">${md.utils.escapeHtml(alt)}</a>`;
    };
    // Fences: a step's fence becomes its card; any other fence is markdown-it's code block. markdown-it
    // always has a fence rule of its own (lib/renderer.mjs, default_rules.fence).
    const codeFence = md.renderer.rules.fence!;
    md.renderer.rules.fence = (tokens, idx, options, env: RenderEnv | undefined, self) => {
      const t = tokens[idx];
      const rb = env?.runbookSteps;
      const step = rb && t.map ? rb.steps.get(t.map[0]) : undefined;
      return step && rb ? stepCard(step, rb.runbook) : codeFence(tokens, idx, options, env, self);
    };
    shared = md;
  }
  return shared;
}
