// A tiny XML writer for the libvirt domain: elements as data, written out with two-space
// indents, every attribute and text escaped. Hand-written: lwaftrctl only writes XML (never
// parses it), a handful of element kinds, and the writers on npm (xmlbuilder2 and the like)
// bring a DOM and a dependency tree for what these 40 lines do.

export interface XmlElement {
  name: string;
  attrs: Record<string, string | number | undefined>;
  children: (XmlElement | string)[];
}

type Child = XmlElement | string | undefined | false;

/** An element; undefined attributes and undefined/false children are left out. */
export function el(name: string, attrs: XmlElement['attrs'] = {}, ...children: (Child | Child[])[]): XmlElement {
  const kept = children.flat().filter((c): c is XmlElement | string => c !== undefined && c !== false);
  return { name, attrs, children: kept };
}

/** The five characters XML gives a meaning; attributes are written in single quotes, as libvirt does. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>'"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

export function writeXml(root: XmlElement): string {
  return `${lines(root, '').join('\n')}\n`;
}

function lines(e: XmlElement, indent: string): string[] {
  const attrs = Object.entries(e.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}='${escapeXml(String(v))}'`)
    .join('');
  if (e.children.length === 0) return [`${indent}<${e.name}${attrs}/>`];
  const [only] = e.children;
  if (e.children.length === 1 && typeof only === 'string')
    return [`${indent}<${e.name}${attrs}>${escapeXml(only)}</${e.name}>`];
  const inner = e.children.flatMap((c) =>
    typeof c === 'string' ? [`${indent}  ${escapeXml(c)}`] : lines(c, `${indent}  `),
  );
  return [`${indent}<${e.name}${attrs}>`, ...inner, `${indent}</${e.name}>`];
}
