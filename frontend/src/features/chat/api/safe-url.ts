/**
 * Links in tutor replies and web sources open only when they are plain web pages: `javascript:`,
 * `data:`, relative and malformed URLs are refused (the text shows, without a link).
 */
export function safeHref(href: string | null | undefined): string | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null; // "https://bank.com@evil.example" tricks readers
  return url.href;
}

/** The host name shown next to a web source, without "www.". */
export function hostOf(href: string): string {
  try {
    return new URL(href).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** Every outside link opens in a new tab, without giving the page a handle on ours or a referrer. */
export const EXTERNAL_LINK_REL = 'noopener noreferrer nofollow';
