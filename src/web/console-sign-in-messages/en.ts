/**
 * The console's sign-in through the company's identity provider in English (console-sign-in.ts):
 * the source of truth of this catalogue, loaded only where serve offers that sign-in, not in the
 * console's first load.
 */
export const en = {
  'signIn.company': 'Sign in with your company account',
  'signIn.or': 'Or log in with a console user name and password:',
  'signIn.downLocal': "Your company's sign-in is not answering right now. Console user names and passwords still work: log in below.",
  'signIn.downOnly': "Your company's sign-in is not answering right now. Try again in a few minutes.",
  'signIn.refused': 'The company sign-in did not finish: it was cancelled, or the answer was not for this browser. Try again.',
  'signIn.expired': 'The company sign-in took too long. Try again.',
  'signIn.noGroup': 'Your company account is in none of the groups this console lets in. Ask whoever runs callprobe to add you to the help desk group.',
} as const;

/** The same keys in another language. */
export type SignInCatalogue = { readonly [K in keyof typeof en]: string };
