/** Simplified Chinese (zh-Hans): the console's sign-in through the company's identity provider. Fixed terms: docs/translating.md. */
import type { SignInCatalogue } from './en.js';

export const zhHans: SignInCatalogue = {
  'signIn.company': '使用公司账户登录',
  'signIn.or': '或使用控制台的用户名和密码登录：',
  'signIn.downLocal': '公司的登录服务暂时没有响应。控制台的用户名和密码仍然可用：请在下方登录。',
  'signIn.downOnly': '公司的登录服务暂时没有响应。请几分钟后再试。',
  'signIn.refused': '公司账户登录未完成：登录已取消，或响应不属于此浏览器。请重试。',
  'signIn.expired': '公司账户登录耗时过长。请重试。',
  'signIn.noGroup': '您的公司账户不在此控制台允许的任何组中。请联系 callprobe 的管理员将您加入服务台组。',
};
