import { type ReactNode, useMemo } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';

import { createGlossaryMatcher, type GlossaryLink } from '@/components/glossary-links';

import { EXTERNAL_LINK_REL, safeHref } from '../api/safe-url';
import '@/components/glossary-text.css';

export interface MarkdownGlossary {
  terms: readonly GlossaryLink[];
  /** Called with the word that was tapped; the caller opens its definition. */
  onOpen: (link: GlossaryLink) => void;
}

/** What every render function needs: the glossary matcher, and which terms are already linked. */
interface RenderContext {
  matcher: ReturnType<typeof createGlossaryMatcher> | null;
  linked: Set<string>;
  onOpen: (link: GlossaryLink) => void;
}

/**
 * Markdown from the tutor, rendered without raw HTML: `marked` only splits the text into tokens,
 * and every token becomes a React element whose text React escapes. HTML in the reply (`<img
 * onerror=…>`) shows as the characters it is; images show as links (no request leaves the page
 * by itself); links open in a new tab and only for http(s) URLs.
 */
export function SafeMarkdown({
  text,
  className,
  glossary,
}: {
  text: string;
  className?: string;
  /** Glossary words become buttons (the first time each appears), as in lessons. */
  glossary?: MarkdownGlossary;
}) {
  const matcher = useMemo(() => (glossary ? createGlossaryMatcher(glossary.terms) : null), [glossary]);
  const onOpen = glossary?.onOpen;
  const blocks = useMemo(() => {
    const context: RenderContext = { matcher, linked: new Set(), onOpen: onOpen ?? (() => undefined) };
    return renderBlocks(Lexer.lex(text, { gfm: true, breaks: false }), context);
  }, [text, matcher, onOpen]);
  return <div className={['safe-markdown', className].filter(Boolean).join(' ')}>{blocks}</div>;
}

function renderBlocks(tokens: readonly Token[], ctx: RenderContext): ReactNode[] {
  return tokens.map((token, index) => renderBlock(token, index, ctx));
}

function renderBlock(token: Token, key: number, ctx: RenderContext): ReactNode {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
      return <p key={key}>{renderInline((token as Tokens.Paragraph).tokens, ctx)}</p>;
    case 'heading': {
      const heading = token as Tokens.Heading;
      const Tag = heading.depth <= 2 ? 'h3' : 'h4';
      return <Tag key={key}>{renderInline(heading.tokens, ctx)}</Tag>;
    }
    case 'list':
      return renderList(token as Tokens.List, key, ctx);
    case 'blockquote':
      return <blockquote key={key}>{renderBlocks((token as Tokens.Blockquote).tokens, ctx)}</blockquote>;
    case 'code':
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'hr':
      return <hr key={key} />;
    case 'table':
      return renderTable(token as Tokens.Table, key, ctx);
    case 'text':
      return <p key={key}>{inlineOfText(token as Tokens.Text, ctx)}</p>;
    default:
      // Raw HTML blocks and anything newer than this renderer: the characters, as text.
      return <p key={key}>{token.raw}</p>;
  }
}

function renderList(list: Tokens.List, key: number, ctx: RenderContext): ReactNode {
  const items = list.items.map((item, index) => <li key={index}>{renderListItem(item, ctx)}</li>);
  if (list.ordered) {
    return (
      <ol key={key} start={typeof list.start === 'number' && list.start !== 1 ? list.start : undefined}>
        {items}
      </ol>
    );
  }
  return <ul key={key}>{items}</ul>;
}

function renderListItem(item: Tokens.ListItem, ctx: RenderContext): ReactNode {
  // A tight list item holds bare text tokens: keep them inline instead of wrapping each in <p>.
  if (item.loose) return renderBlocks(item.tokens, ctx);
  return item.tokens.map((token, index) =>
    token.type === 'text' ? (
      <span key={index}>{inlineOfText(token as Tokens.Text, ctx)}</span>
    ) : (
      renderBlock(token, index, ctx)
    ),
  );
}

function inlineOfText(text: Tokens.Text, ctx: RenderContext): ReactNode {
  return text.tokens ? renderInline(text.tokens, ctx) : withGlossary(text.text, ctx);
}

/** Plain text with each glossary word, the first time it appears in the answer, as a button. */
function withGlossary(text: string, ctx: RenderContext): ReactNode {
  if (!ctx.matcher) return text;
  const segments = ctx.matcher.split(text, { firstOnly: false });
  if (segments.length === 1 && segments[0]?.kind === 'text') return text;
  return segments.map((segment, index) => {
    if (segment.kind === 'text' || ctx.linked.has(segment.link.id)) return segment.text;
    ctx.linked.add(segment.link.id);
    const link = segment.link;
    return (
      <button
        key={index}
        type="button"
        className="glossary-term"
        aria-haspopup="dialog"
        onClick={() => {
          ctx.onOpen(link);
        }}
      >
        {segment.text}
      </button>
    );
  });
}

function renderTable(table: Tokens.Table, key: number, ctx: RenderContext): ReactNode {
  return (
    <div key={key} className="safe-markdown__table">
      <table>
        <thead>
          <tr>
            {table.header.map((cell, index) => (
              <th key={index} scope="col">
                {renderInline(cell.tokens, ctx)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, rowIndex) => (
            <tr key={rowIndex}>
              {row.map((cell, index) => (
                <td key={index}>{renderInline(cell.tokens, ctx)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function renderInline(tokens: readonly Token[], ctx: RenderContext): ReactNode[] {
  return tokens.map((token, index) => renderInlineToken(token, index, ctx));
}

function renderInlineToken(token: Token, key: number, ctx: RenderContext): ReactNode {
  switch (token.type) {
    case 'text':
      return <span key={key}>{inlineOfText(token as Tokens.Text, ctx)}</span>;
    case 'escape':
      return (token as Tokens.Escape).text;
    case 'strong':
      return <strong key={key}>{renderInline((token as Tokens.Strong).tokens, ctx)}</strong>;
    case 'em':
      return <em key={key}>{renderInline((token as Tokens.Em).tokens, ctx)}</em>;
    case 'del':
      return <del key={key}>{renderInline((token as Tokens.Del).tokens, ctx)}</del>;
    case 'codespan':
      return <code key={key}>{(token as Tokens.Codespan).text}</code>;
    case 'br':
      return <br key={key} />;
    case 'link': {
      const link = token as Tokens.Link;
      // No glossary buttons inside a link: a button inside a link is two controls in one.
      return renderLink(link.href, renderInline(link.tokens, { ...ctx, matcher: null }), key);
    }
    case 'image': {
      // Never an <img>: a picture in a reply could track the reader. Its description links to it.
      const image = token as Tokens.Image;
      return renderLink(image.href, `[image: ${image.text || 'no description'}]`, key);
    }
    case 'checkbox':
      return (token as Tokens.Checkbox).checked ? '[x] ' : '[ ] ';
    default:
      // Inline HTML (`<img src=x onerror=…>`) and unknown tokens: shown as the text they are.
      return token.raw;
  }
}

function renderLink(href: string, children: ReactNode, key: number): ReactNode {
  const safe = safeHref(href);
  if (!safe) return <span key={key}>{children}</span>;
  return (
    <a key={key} href={safe} target="_blank" rel={EXTERNAL_LINK_REL}>
      {children}
    </a>
  );
}
