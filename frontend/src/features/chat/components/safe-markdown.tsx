import { type ReactNode, useMemo } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';

import { EXTERNAL_LINK_REL, safeHref } from '../api/safe-url';

/**
 * Markdown from the tutor, rendered without raw HTML: `marked` only splits the text into tokens,
 * and every token becomes a React element whose text React escapes. HTML in the reply (`<img
 * onerror=…>`) shows as the characters it is; images show as links (no request leaves the page
 * by itself); links open in a new tab and only for http(s) URLs.
 */
export function SafeMarkdown({ text, className }: { text: string; className?: string }) {
  const blocks = useMemo(() => renderBlocks(Lexer.lex(text, { gfm: true, breaks: false })), [text]);
  return <div className={['safe-markdown', className].filter(Boolean).join(' ')}>{blocks}</div>;
}

function renderBlocks(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((token, index) => renderBlock(token, index));
}

function renderBlock(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
      return <p key={key}>{renderInline((token as Tokens.Paragraph).tokens)}</p>;
    case 'heading': {
      const heading = token as Tokens.Heading;
      const Tag = heading.depth <= 2 ? 'h3' : 'h4';
      return <Tag key={key}>{renderInline(heading.tokens)}</Tag>;
    }
    case 'list':
      return renderList(token as Tokens.List, key);
    case 'blockquote':
      return <blockquote key={key}>{renderBlocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case 'code':
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'hr':
      return <hr key={key} />;
    case 'table':
      return renderTable(token as Tokens.Table, key);
    case 'text':
      return <p key={key}>{inlineOfText(token as Tokens.Text)}</p>;
    default:
      // Raw HTML blocks and anything newer than this renderer: the characters, as text.
      return <p key={key}>{token.raw}</p>;
  }
}

function renderList(list: Tokens.List, key: number): ReactNode {
  const items = list.items.map((item, index) => <li key={index}>{renderListItem(item)}</li>);
  if (list.ordered) {
    return (
      <ol key={key} start={typeof list.start === 'number' && list.start !== 1 ? list.start : undefined}>
        {items}
      </ol>
    );
  }
  return <ul key={key}>{items}</ul>;
}

function renderListItem(item: Tokens.ListItem): ReactNode {
  // A tight list item holds bare text tokens: keep them inline instead of wrapping each in <p>.
  if (item.loose) return renderBlocks(item.tokens);
  return item.tokens.map((token, index) =>
    token.type === 'text' ? <span key={index}>{inlineOfText(token as Tokens.Text)}</span> : renderBlock(token, index),
  );
}

function inlineOfText(text: Tokens.Text): ReactNode {
  return text.tokens ? renderInline(text.tokens) : text.text;
}

function renderTable(table: Tokens.Table, key: number): ReactNode {
  return (
    <div key={key} className="safe-markdown__table">
      <table>
        <thead>
          <tr>
            {table.header.map((cell, index) => (
              <th key={index} scope="col">
                {renderInline(cell.tokens)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, rowIndex) => (
            <tr key={rowIndex}>
              {row.map((cell, index) => (
                <td key={index}>{renderInline(cell.tokens)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function renderInline(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((token, index) => renderInlineToken(token, index));
}

function renderInlineToken(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'text':
      return <span key={key}>{inlineOfText(token as Tokens.Text)}</span>;
    case 'escape':
      return (token as Tokens.Escape).text;
    case 'strong':
      return <strong key={key}>{renderInline((token as Tokens.Strong).tokens)}</strong>;
    case 'em':
      return <em key={key}>{renderInline((token as Tokens.Em).tokens)}</em>;
    case 'del':
      return <del key={key}>{renderInline((token as Tokens.Del).tokens)}</del>;
    case 'codespan':
      return <code key={key}>{(token as Tokens.Codespan).text}</code>;
    case 'br':
      return <br key={key} />;
    case 'link': {
      const link = token as Tokens.Link;
      return renderLink(link.href, renderInline(link.tokens), key);
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
