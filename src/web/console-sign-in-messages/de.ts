/** German (de): the console's sign-in through the company's identity provider. Fixed terms: docs/translating.md. */
import type { SignInCatalogue } from './en.js';

export const de: SignInCatalogue = {
  'signIn.company': 'Mit dem Firmenkonto anmelden',
  'signIn.or': 'Oder mit Benutzername und Passwort der Konsole anmelden:',
  'signIn.downLocal':
    'Die Anmeldung Ihrer Firma antwortet gerade nicht. Benutzernamen und Passwörter der Konsole funktionieren weiterhin: Melden Sie sich unten an.',
  'signIn.downOnly': 'Die Anmeldung Ihrer Firma antwortet gerade nicht. Versuchen Sie es in ein paar Minuten erneut.',
  'signIn.refused':
    'Die Anmeldung mit dem Firmenkonto wurde nicht abgeschlossen: Sie wurde abgebrochen, oder die Antwort gehörte nicht zu diesem Browser. Versuchen Sie es erneut.',
  'signIn.expired': 'Die Anmeldung mit dem Firmenkonto hat zu lange gedauert. Versuchen Sie es erneut.',
  'signIn.noGroup':
    'Ihr Firmenkonto ist in keiner der Gruppen, die diese Konsole zulässt. Bitten Sie die Person, die callprobe betreibt, Sie in die Helpdesk-Gruppe aufzunehmen.',
};
