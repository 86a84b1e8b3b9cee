/**
 * The login form's part for the company's identity provider (loaded only where `serve` offers that
 * sign-in, or the browser came back from one, so the console's first load stays small): the link
 * that starts it, why the last one opened no session, and, when the provider does not answer,
 * that console passwords still work.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { CONSOLE_OIDC_START, SIGN_IN_OUTCOMES, SIGN_IN_PARAM, type ConsoleSignIn, type SignInOutcome } from '../../protocol/api-console-sign-in.js';
import type { Lang } from '../../protocol/lang.js';
import { en, type SignInCatalogue } from '../console-sign-in-messages/en.js';

const LOADERS: Readonly<Record<Exclude<Lang, 'en'>, () => Promise<SignInCatalogue>>> = {
  de: async () => (await import('../console-sign-in-messages/de.js')).de,
  fr: async () => (await import('../console-sign-in-messages/fr.js')).fr,
  es: async () => (await import('../console-sign-in-messages/es.js')).es,
  ja: async () => (await import('../console-sign-in-messages/ja.js')).ja,
  'zh-Hans': async () => (await import('../console-sign-in-messages/zh-Hans.js')).zhHans,
};

/** The console page's ?sign-in= (why the company sign-in the browser came back from opened no session; an unknown value read as a refusal), taken off the address. */
function takeOutcome(): SignInOutcome | null {
  const url = new URL(location.href);
  const given = url.searchParams.get(SIGN_IN_PARAM);
  if (given === null) return null;
  url.searchParams.delete(SIGN_IN_PARAM);
  history.replaceState(history.state, '', url.href);
  return SIGN_IN_OUTCOMES.find((o) => o === given) ?? 'refused';
}

/** The company sign-in's part of the login form in `lang` (its words loaded on first use), with the outcome the page's address gave. */
export async function companyPart(lang: Lang): Promise<(ways: ConsoleSignIn) => TemplateResult> {
  const words = lang === 'en' ? en : await LOADERS[lang]();
  const outcome = takeOutcome();
  return (ways) => companySignIn(words, ways, outcome);
}

const OUTCOME_WORDS: Readonly<Record<Exclude<SignInOutcome, 'issuer-down'>, keyof SignInCatalogue>> = {
  refused: 'signIn.refused',
  expired: 'signIn.expired',
  'no-group': 'signIn.noGroup',
};

/** The company sign-in's part of the login form, above the password form when there is one. */
function companySignIn(w: SignInCatalogue, ways: ConsoleSignIn, outcome: SignInOutcome | null): TemplateResult {
  // The provider not answering, now or when the browser came back from it: say what still works.
  const down = ways.company === 'down' || outcome === 'issuer-down';
  const why = outcome === null || outcome === 'issuer-down' ? null : w[OUTCOME_WORDS[outcome]];
  return html`${why !== null ? html`<p class="error" role="alert" data-testid="sign-in-outcome">${why}</p>` : nothing}
  ${ways.company !== null ? html`<p><a class="button" href=${CONSOLE_OIDC_START}>${w['signIn.company']}</a></p>` : nothing}
  ${down ? html`<p class="error" role="status" data-testid="issuer-down">${w[ways.password ? 'signIn.downLocal' : 'signIn.downOnly']}</p>` : nothing}
  ${ways.company !== null && ways.password ? html`<p class="hint">${w['signIn.or']}</p>` : nothing}`;
}
