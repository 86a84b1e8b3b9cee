/** Japanese (ja): the console's sign-in through the company's identity provider. Fixed terms: docs/translating.md. */
import type { SignInCatalogue } from './en.js';

export const ja: SignInCatalogue = {
  'signIn.company': '会社のアカウントでサインイン',
  'signIn.or': 'または、コンソールのユーザー名とパスワードでログイン:',
  'signIn.downLocal': '会社のサインインが現在応答していません。コンソールのユーザー名とパスワードは引き続き使えます。下からログインしてください。',
  'signIn.downOnly': '会社のサインインが現在応答していません。数分後にもう一度お試しください。',
  'signIn.refused':
    '会社のアカウントでのサインインが完了しませんでした。キャンセルされたか、応答がこのブラウザー宛てではありませんでした。もう一度お試しください。',
  'signIn.expired': '会社のアカウントでのサインインに時間がかかりすぎました。もう一度お試しください。',
  'signIn.noGroup':
    'あなたの会社のアカウントは、このコンソールが許可するどのグループにも属していません。callprobe の管理者にヘルプデスクのグループへの追加を依頼してください。',
};
