/**
 * Server-rendered login and error pages: no build step, no external script, style or font.
 * Everything inserted is escaped (`escapeHtml`, `jsonForScript`); URLs are checked first
 * (`urls.ts`), so nothing from the query or the configuration can become script or a
 * `javascript:` link. Inline `<style>`/`<script>` carry a per-response CSP nonce; there are no
 * `style` attributes (the CSP would block them), hidden parts use the `hidden` attribute.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { VerifierConfig } from '@dome-verifier/core/config';
import { escapeHtml, jsonForScript } from './escape-html.ts';
import { format, LANG_NAMES, LANGS, MESSAGES, type Lang, type Messages } from './messages.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { qrSvg } from './qr.ts';
import { resolveTheme } from './theme.ts';
import { joinUrl, safeAssetUrl, safeHttpUrl, walletHref } from './urls.ts';

export type FrontendConfig = VerifierConfig['verifier']['frontend'];

/** 128-bit base64 nonce for the CSP of one response. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "img-src 'self' data: https:",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers of every HTML page of the login flow. */
export function htmlPageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(nonce),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}

function logoUrl(f: FrontendConfig): string | undefined {
  const fromAssets = f.assets.baseUrl && f.assets.logoPath ? joinUrl(f.assets.baseUrl, f.assets.logoPath) : undefined;
  return safeAssetUrl(f.logoSrc) ?? safeAssetUrl(fromAssets);
}

function faviconUrl(f: FrontendConfig, primary: string, onPrimary: string): string {
  const fromAssets = f.assets.baseUrl && f.assets.faviconPath ? joinUrl(f.assets.baseUrl, f.assets.faviconPath) : undefined;
  const configured = safeAssetUrl(f.faviconSrc) ?? safeAssetUrl(fromAssets);
  if (configured) return configured;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${primary}"/>` +
    `<text x="16" y="23" font-family="Arial,sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="${onPrimary}">D</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

function css(f: FrontendConfig): string {
  const t = resolveTheme(f.colors);
  return `:root{--primary:${t.primary};--on-primary:${t.onPrimary};--secondary:${t.secondary};--on-secondary:${t.onSecondary};--link:${t.link};color-scheme:light}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;color:#1a1a1a;background:#eef1f6}
header{background:var(--secondary);color:var(--on-secondary);padding:.75rem 1.25rem}
.logo{display:block;max-height:2.5rem;max-width:12rem;width:auto;height:auto}
.wordmark{margin:0;font-size:1.5rem;font-weight:700;letter-spacing:.12em;color:var(--on-secondary)}
main{flex:0 0 auto;width:calc(100% - 2rem);max-width:34rem;margin:2rem auto auto;padding:1.5rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{margin:0 0 1rem;font-size:1.6rem;line-height:1.25;color:#1a1a1a}
h2{margin:1.5rem 0 .5rem;font-size:1.15rem;line-height:1.3}
h2:first-child{margin-top:0}
a{color:var(--link);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:3px;box-shadow:0 0 0 3px #fff}
.qr-box{display:flex;justify-content:center;margin:1rem 0}
svg.qr{display:block;width:min(18rem,100%);height:auto;border:1px solid #c4cad4}
.button{display:inline-block;padding:.75rem 1.25rem;border-radius:.5rem;background:var(--primary);color:var(--on-primary);font-weight:600;text-decoration:none}
.button:hover{filter:brightness(.92)}
.countdown{font-variant-numeric:tabular-nums}
.notice{padding:.75rem 1rem;border-left:4px solid var(--primary);background:#f4f6fa}
.code{color:#4a4f57;font-size:.95rem}
footer{padding:1rem 1.25rem 1.5rem;text-align:center;font-size:.95rem}
footer ul{display:flex;flex-wrap:wrap;justify-content:center;gap:.5rem 1.5rem;margin:.25rem 0;padding:0;list-style:none}
footer a{color:#1a1a1a}
[aria-current="true"]{font-weight:700;text-decoration:none}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}`;
}

function header(f: FrontendConfig, m: Messages): string {
  const logo = logoUrl(f);
  return logo
    ? `<header><img class="logo" src="${escapeHtml(logo)}" alt="${escapeHtml(m.logoAlt)}"></header>`
    : `<header><p class="wordmark">DOME</p></header>`;
}

function externalLink(href: string, text: string, m: Messages): string {
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}<span class="sr-only"> ${escapeHtml(m.newTab)}</span></a>`;
}

function helpNav(f: FrontendConfig, m: Messages): string {
  const links = (
    [
      [f.urls.onboarding, m.onboarding],
      [f.urls.support, m.support],
      [f.urls.wallet, m.wallet],
    ] as const
  )
    .map(([url, text]) => [safeHttpUrl(url), text] as const)
    .filter((l): l is readonly [string, string] => l[0] !== undefined)
    .map(([url, text]) => `<li>${externalLink(url, text, m)}</li>`);
  return links.length ? `<nav aria-label="${escapeHtml(m.helpNav)}"><ul>${links.join('')}</ul></nav>` : '';
}

/** The language switch: links to this page (`query`) with each `lang`. */
function langNav(lang: Lang, query: URLSearchParams): string {
  const links = LANGS.map((l) => {
    const q = new URLSearchParams(query);
    q.set('lang', l);
    const current = l === lang ? ' aria-current="true"' : '';
    return `<li><a href="?${escapeHtml(q.toString())}" lang="${l}" hreflang="${l}"${current}>${escapeHtml(LANG_NAMES[l])}</a></li>`;
  });
  return `<nav aria-label="${escapeHtml(MESSAGES[lang].languageNav)}"><ul>${links.join('')}</ul></nav>`;
}

function shell(o: { lang: Lang; title: string; nonce: string; frontend: FrontendConfig; main: string; footer: string; tail?: string }): string {
  const t = resolveTheme(o.frontend.colors);
  const nonceAttr = o.nonce ? ` nonce="${escapeHtml(o.nonce)}"` : '';
  return `<!doctype html>
<html lang="${o.lang}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(o.title)}</title>
<link rel="icon" href="${escapeHtml(faviconUrl(o.frontend, t.primary, t.onPrimary))}">
<style${nonceAttr}>${css(o.frontend)}</style>
</head>
<body>
${header(o.frontend, MESSAGES[o.lang])}
<main id="main">
${o.main}
</main>
<footer>
${o.footer}
</footer>
${o.tail ?? ''}</body>
</html>
`;
}

const clockText = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

export interface LoginPageOptions {
  lang: Lang;
  frontend: FrontendConfig;
  nonce: string;
  /** The `openid4vp://…` request (already validated). */
  authRequest: string;
  /** The RP's `state` (already validated). */
  state: string;
  /** Already checked to be http(s). */
  homeUri?: string;
  /** Issuer path prefix, `''` at the root. */
  base: string;
  /** Seconds until the login expires. */
  expiresIn: number;
}

export function renderLoginPage(o: LoginPageOptions): string {
  const m = MESSAGES[o.lang];
  const expiresIn = Math.max(0, Math.floor(o.expiresIn));
  const qr = qrSvg(o.authRequest, m.qrAlt);
  const qrBlock = qr ? `<div class="qr-box">${qr}</div>` : `<p class="notice">${escapeHtml(m.qrUnavailable)}</p>`;
  const [before = '', after = ''] = m.expiresIn.split('{time}');
  const homeUri = safeHttpUrl(o.homeUri);

  const service = homeUri ? `\n<p id="dv-service">${escapeHtml(format(m.requestedBy, { service: new URL(homeUri).host }))}</p>` : '';
  const main = `<h1>${escapeHtml(m.heading)}</h1>${service}
<section id="dv-login" aria-labelledby="dv-scan-h">
<h2 id="dv-scan-h">${escapeHtml(m.scanHeading)}</h2>
<p>${escapeHtml(m.scanHelp)}</p>
${qrBlock}
<div class="countdown">
<p aria-hidden="true">${escapeHtml(before)}<span id="dv-time">${clockText(expiresIn)}</span>${escapeHtml(after)}</p>
<p class="sr-only" id="dv-time-sr" aria-live="polite" aria-atomic="true">${escapeHtml(format(m.expiresIn, { time: clockText(expiresIn) }))}</p>
</div>
<h2 id="dv-same-h">${escapeHtml(m.sameDeviceHeading)}</h2>
<p><a class="button" id="dv-wallet" href="${escapeHtml(walletHref(o.authRequest, o.frontend.urls.wallet, o.frontend.walletKind))}" target="_blank" rel="noopener noreferrer">${escapeHtml(m.sameDeviceButton)}<span class="sr-only"> ${escapeHtml(m.newTab)}</span></a></p>
<noscript><p class="notice">${escapeHtml(m.noscript)}</p></noscript>
</section>
<section id="dv-outcome" role="alert" aria-atomic="true" hidden></section>`;

  const footer = `${helpNav(o.frontend, m)}
${langNav(o.lang, new URLSearchParams({ authRequest: o.authRequest, state: o.state, ...(homeUri ? { homeUri } : {}) }))}`;

  const data = {
    base: o.base,
    state: o.state,
    expiresIn,
    homeUri: homeUri ?? null,
    homeSite: homeUri ? new URL(homeUri).host : null,
    messages: {
      expiredTitle: m.expiredTitle,
      expiredMessage: m.expiredMessage,
      failedTitle: m.failedTitle,
      failedMessage: m.failedMessage,
      failedReason: m.failedReason,
      notStartedMessage: m.notStartedMessage,
      redirecting: m.redirecting,
      backTo: m.backTo,
      secondsLeft: m.secondsLeft,
    },
  };
  const tail =
    `<script type="application/json" id="dv-data">${jsonForScript(data)}</script>\n` +
    `<script nonce="${escapeHtml(o.nonce)}">${PAGE_SCRIPT}</script>\n`;
  return shell({ lang: o.lang, title: `${m.pageTitle} · DOME`, nonce: o.nonce, frontend: o.frontend, main, footer, tail });
}

export interface ErrorPageOptions {
  status: number;
  title: string;
  message: string;
  /** Stable error code shown as the reference (language-neutral). */
  code?: string;
  /** Query of the page's own URL: when given, the page offers the language switch (links to it with `lang`). */
  selfQuery?: string;
  /** Shown as a "back" link only when it is an http(s) URL. */
  homeUri?: string;
  lang: Lang;
  frontend: FrontendConfig;
  /**
   * CSP nonce of the `<style>` element; must match the response's `Content-Security-Policy`
   * (`htmlPageHeaders(nonce)`). Without one the page is unstyled under that CSP: prefer `sendErrorPage`.
   */
  nonce?: string;
}

/** An error page that does not redirect (unknown client, bad `redirect_uri`, malformed login link). */
export function renderErrorPage(o: ErrorPageOptions): string {
  const m = MESSAGES[o.lang];
  const homeUri = safeHttpUrl(o.homeUri);
  const back = homeUri
    ? `<p><a class="button" href="${escapeHtml(homeUri)}">${escapeHtml(format(m.backTo, { site: new URL(homeUri).host }))}</a></p>`
    : '';
  const main = `<h1>${escapeHtml(o.title)}</h1>
<p>${escapeHtml(o.message)}</p>
<p class="code">${escapeHtml(format(m.errorCode, { status: o.status }))}${o.code ? ` · ${escapeHtml(format(m.errorReference, { code: o.code }))}` : ''}</p>
${back}`;
  const footer = o.selfQuery === undefined ? helpNav(o.frontend, m) : `${helpNav(o.frontend, m)}\n${langNav(o.lang, new URLSearchParams(o.selfQuery))}`;
  return shell({ lang: o.lang, title: `${o.title} · DOME`, nonce: o.nonce ?? '', frontend: o.frontend, main, footer });
}

/**
 * Sends `renderErrorPage` with its status, a fresh nonce and the page security headers. The page
 * offers the language switch: links to `selfQuery` (default: none — only `lang`) with each `lang`.
 */
export function sendErrorPage(reply: FastifyReply, o: Omit<ErrorPageOptions, 'nonce'>): FastifyReply {
  const nonce = newNonce();
  return reply
    .code(o.status)
    .headers(htmlPageHeaders(nonce))
    .send(renderErrorPage({ selfQuery: '', ...o, nonce }));
}
