/** Spanish (es): the console's sign-in through the company's identity provider. Fixed terms: docs/translating.md. */
import type { SignInCatalogue } from './en.js';

export const es: SignInCatalogue = {
  'signIn.company': 'Iniciar sesión con la cuenta de la empresa',
  'signIn.or': 'O iniciar sesión con un nombre de usuario y una contraseña de la consola:',
  'signIn.downLocal':
    'El inicio de sesión de su empresa no responde en este momento. Los nombres de usuario y contraseñas de la consola siguen funcionando: inicie sesión abajo.',
  'signIn.downOnly': 'El inicio de sesión de su empresa no responde en este momento. Vuelva a intentarlo en unos minutos.',
  'signIn.refused': 'El inicio de sesión con la cuenta de la empresa no terminó: se canceló, o la respuesta no era para este navegador. Vuelva a intentarlo.',
  'signIn.expired': 'El inicio de sesión con la cuenta de la empresa tardó demasiado. Vuelva a intentarlo.',
  'signIn.noGroup':
    'Su cuenta de la empresa no está en ninguno de los grupos que admite esta consola. Pida a quien administra callprobe que le añada al grupo del soporte.',
};
