/**
 * Long-term credential check for one request (RFC 8489 §9.2.4), in the RFC's order:
 * no integrity -> 401; missing USERNAME/REALM/NONCE -> 400; bad or stale nonce -> 438;
 * unknown or expired user -> 401; wrong integrity -> 401.
 */
import { Attr, ErrorCodes, checkIntegrity, findAttr, integrityKind, readText, type StunMessage } from '../codec/index.js';
import type { NonceIssuer } from './nonce.js';
import { errorResponse } from './respond.js';
import type { RefusalReason } from './reasons.js';
import type { Action, ClientTuple, CoreConfig } from './types.js';
import { ListenerStats } from '../metrics.js';

export type AuthOutcome =
  | { readonly ok: true; readonly username: string; readonly key: Buffer; readonly integrity: 'sha1' | 'sha256' }
  | { readonly ok: false; readonly actions: Action[] };

export function authenticate(req: StunMessage, client: ClientTuple, nowMs: number, cfg: CoreConfig, nonces: NonceIssuer): AuthOutcome {
  const stats = client.listener.stats;
  const challenge = (code: 401 | 438, refusal: RefusalReason | null, detail: string, fields: Record<string, unknown> = {}): AuthOutcome => {
    const data = errorResponse(req, code, null, cfg.software, (w) => {
      w.addString(Attr.Realm, cfg.realm);
      w.addString(Attr.Nonce, nonces.issue(client.ip, nowMs));
    });
    const actions: Action[] = [{ kind: 'send-client', client, data }];
    if (refusal) {
      ListenerStats.bump(stats.refusals, refusal);
      actions.push({
        kind: 'log',
        level: 'warn',
        msg: `TURN request refused: ${detail}`,
        source: client.ip,
        fields: { reason: refusal, code, client: `${client.ip}:${client.port}`, transport: client.listener.transport, ...fields },
      });
    } else {
      ListenerStats.bump(stats.challenges, code === 438 ? 'stale-nonce' : 'no-credentials');
    }
    return { ok: false, actions };
  };
  const kind = integrityKind(req);
  if (kind === 'none') return challenge(401, null, 'no credentials');
  let username: string | undefined;
  let realm: string | undefined;
  let nonce: string | undefined;
  try {
    username = readText(req, Attr.Username, 513);
    realm = readText(req, Attr.Realm);
    nonce = readText(req, Attr.Nonce);
  } catch {
    username = undefined; // oversize attribute: treated like a missing one (400 below)
  }
  if (username === undefined || realm === undefined || nonce === undefined || findAttr(req, Attr.Userhash)) {
    ListenerStats.bump(stats.refusals, 'bad-request-auth-attributes');
    const data = errorResponse(req, ErrorCodes.BadRequest, null, cfg.software);
    return {
      ok: false,
      actions: [
        { kind: 'send-client', client, data },
        {
          kind: 'log',
          level: 'warn',
          msg: 'TURN request refused: integrity without USERNAME/REALM/NONCE',
          source: client.ip,
          fields: { reason: 'bad-request-auth-attributes', code: 400, client: `${client.ip}:${client.port}` },
        },
      ],
    };
  }
  const nonceState = nonces.check(nonce, client.ip, nowMs);
  // A nonce we never issued is treated as stale too (RFC 8489 §9.2.4 step 3 makes no difference).
  if (nonceState !== 'fresh') return challenge(438, null, `nonce ${nonceState}`);
  if (realm !== cfg.realm) return challenge(401, 'wrong-realm', `realm "${realm}" is not "${cfg.realm}"`, { username });
  const auth = cfg.auth(username, cfg.realm, nowMs);
  if (!auth.ok) return challenge(401, `credential-${auth.reason}`, auth.detail, { username });
  if (checkIntegrity(req, auth.key) !== 'ok') {
    return challenge(401, 'wrong-credentials', 'message integrity mismatch (wrong password or secret)', { username });
  }
  return { ok: true, username, key: auth.key, integrity: kind };
}
