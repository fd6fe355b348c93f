// Reads the tags of an HTML string well enough to check what it links to: every start tag, with
// its attributes (double-, single- or un-quoted, entities in values decoded). Markdown-it's output
// is regular; this is not a general HTML parser, and it errs towards finding more tags (a `<` that
// starts a tag name always counts).

export interface Tag {
  name: string;
  attrs: Record<string, string>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

export function startTags(html: string): Tag[] {
  const out: Tag[] = [];
  const tagRe = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  const attrRe = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of html.matchAll(tagRe)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(attrRe)) attrs[a[1].toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    out.push({ name: m[1].toLowerCase(), attrs });
  }
  return out;
}

/** Every URL-valued attribute (href, src, …) of every tag, as the browser would read it. */
export function urlsIn(html: string): { tag: string; attr: string; value: string }[] {
  const URL_ATTRS = ['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'poster', 'background', 'data'];
  return startTags(html).flatMap((t) => URL_ATTRS.filter((a) => a in t.attrs).map((a) => ({ tag: t.name, attr: a, value: t.attrs[a] })));
}

/** Tags and attributes that run script or load something: none may appear in rendered untrusted text. */
export function activeContent(html: string): string[] {
  const found: string[] = [];
  for (const t of startTags(html)) {
    if (['script', 'img', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'link', 'meta', 'base', 'form', 'video', 'audio', 'source'].includes(t.name)) found.push(`<${t.name}>`);
    for (const a of Object.keys(t.attrs)) if (a.startsWith('on')) found.push(`${t.name} ${a}=`);
  }
  return found;
}
