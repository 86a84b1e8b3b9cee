/**
 * The help desk console's sign-in through the company's identity provider (serve --oidc-issuer):
 * the ways a server offers, the two paths of the sign-in and the console page's ?sign-in= when it
 * opened no session. Apart from ./api-console.ts so that the console's first load carries none of
 * it (the page's part for it is loaded only where it is offered).
 */
import { CONSOLE_API } from './api-console.js';

/** GET `${CONSOLE_API}/sign-in`: the ways this server lets a help desk agent sign in. */
export interface ConsoleSignIn {
  /** Local users (serve --users): the user name and password form. */
  password: boolean;
  /** The company's identity provider (serve --oidc-issuer): whether it answered when last asked; null: not offered. */
  company: 'up' | 'down' | null;
}

/** A navigation (not a fetch): sends the browser to the company's identity provider, which sends it back to CONSOLE_OIDC_CALLBACK. */
export const CONSOLE_OIDC_START = `${CONSOLE_API}/oidc/start`;
/** Where the provider sends the browser back (the redirect URI to register there, after the server's origin). */
export const CONSOLE_OIDC_CALLBACK = `${CONSOLE_API}/oidc/callback`;
/** The console page's query parameter saying why a company sign-in opened no session. */
export const SIGN_IN_PARAM = 'sign-in';
/**
 * Why: the provider did not answer ('issuer-down'), the answer was not for this browser's sign-in
 * or the provider refused it ('refused'), it came back too late ('expired'), or the account is
 * in no group the console lets in ('no-group').
 */
export const SIGN_IN_OUTCOMES = ['issuer-down', 'refused', 'expired', 'no-group'] as const;
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];
