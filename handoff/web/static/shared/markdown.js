// A safe subset of Markdown for chat messages: paragraphs, numbered and bulleted lists,
// headings (shown bold), **bold**, `code`, [links](https://...) and bare https:// URLs.
// Built with DOM APIs only: anything else, HTML included, stays literal text.

import { externalLink, h } from "./dom.js";

const ORDERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;
const INLINE =
  /\*\*(.+?)\*\*|`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?])/g;

/** Render text as a DocumentFragment of safe elements. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks(String(text ?? ""))) fragment.append(renderBlock(block));
  return fragment;
}

function blocks(text) {
  const out = [];
  let current = null;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const ordered = line.match(ORDERED);
    const bullet = !ordered && line.match(BULLET);
    const heading = !ordered && !bullet && line.match(HEADING);
    if (!line.trim()) {
      current = null;
    } else if (ordered || bullet) {
      const kind = ordered ? "ol" : "ul";
      if (!current || current.kind !== kind) {
        current = { kind, items: [], start: ordered ? Number(ordered[1]) : 1 };
        out.push(current);
      }
      current.items.push([ordered ? ordered[2] : bullet[1]]);
    } else if (heading) {
      out.push({ kind: "heading", lines: [heading[1]] });
      current = null;
    } else if (current && (current.kind === "ol" || current.kind === "ul") && /^\s+/.test(line)) {
      current.items[current.items.length - 1].push(line.trim()); // continuation of an item
    } else if (current && current.kind === "p") {
      current.lines.push(line);
    } else {
      current = { kind: "p", lines: [line] };
      out.push(current);
    }
  }
  return out;
}

function renderBlock(block) {
  if (block.kind === "ol" || block.kind === "ul") {
    const list = h(block.kind, block.kind === "ol" && block.start !== 1 ? { start: block.start } : {});
    for (const lines of block.items) list.append(h("li", {}, withBreaks(lines)));
    return list;
  }
  if (block.kind === "heading") return h("p", {}, h("strong", {}, inline(block.lines[0])));
  return h("p", {}, withBreaks(block.lines));
}

function withBreaks(lines) {
  const out = [];
  lines.forEach((line, i) => {
    if (i) out.push(h("br"));
    out.push(inline(line));
  });
  return out;
}

/** Inline markup of one line as an array of nodes. */
export function inline(text, nested = false) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const [whole, bold, code, linkText, linkUrl, bare] = match;
    if (match.index > last) out.push(text.slice(last, match.index));
    if (bold !== undefined && !nested) out.push(h("strong", {}, inline(bold, true)));
    else if (bold !== undefined) out.push(whole);
    else if (code !== undefined) out.push(h("code", {}, code));
    else if (linkText !== undefined) out.push(externalLink(linkUrl, linkText));
    else out.push(externalLink(bare, bare));
    last = match.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out.map((part) => (typeof part === "string" ? document.createTextNode(part) : part));
}
