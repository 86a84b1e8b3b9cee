/** French (fr): the console's sign-in through the company's identity provider. Fixed terms: docs/translating.md. */
import type { SignInCatalogue } from './en.js';

export const fr: SignInCatalogue = {
  'signIn.company': 'Se connecter avec son compte d’entreprise',
  'signIn.or': 'Ou se connecter avec un nom d’utilisateur et un mot de passe de la console :',
  'signIn.downLocal':
    'La connexion de votre entreprise ne répond pas pour le moment. Les noms d’utilisateur et mots de passe de la console fonctionnent toujours : connectez-vous ci-dessous.',
  'signIn.downOnly': 'La connexion de votre entreprise ne répond pas pour le moment. Réessayez dans quelques minutes.',
  'signIn.refused':
    'La connexion avec le compte d’entreprise n’a pas abouti : elle a été annulée, ou la réponse n’était pas destinée à ce navigateur. Réessayez.',
  'signIn.expired': 'La connexion avec le compte d’entreprise a pris trop de temps. Réessayez.',
  'signIn.noGroup':
    'Votre compte d’entreprise n’est dans aucun des groupes admis par cette console. Demandez à la personne qui gère callprobe de vous ajouter au groupe du support.',
};
