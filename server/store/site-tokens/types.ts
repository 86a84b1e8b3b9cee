/** The site tokens repository: upload-only site tokens (table site_tokens; ./repository.ts). */

/** An upload-only site token as the store keeps it (never the token itself). */
export interface SiteToken {
  id: string;
  siteKey: string;
  /** The site's name as given when the token was made. */
  display: string;
  createdAtMs: number;
  revokedAtMs: number | null;
  /** Made for a probe not installed yet (site-token create --await-first-sample): its site's silence counts from its first stored sample, not from the token. */
  awaitsFirstSample: boolean;
}

/** A token to keep: its hash only. */
interface NewSiteToken {
  id: string;
  siteKey: string;
  display: string;
  tokenHash: string;
  createdAtMs: number;
  /** Absent: false. */
  awaitsFirstSample?: boolean;
}

export interface SiteTokensRepository {
  /** Keeps a new upload-only site token (its hash only: ./repository.ts). */
  create(t: NewSiteToken): Promise<void>;
  /** The site tokens issued (revoked ones too), of one site key or of all (null). */
  list(siteKey: string | null): Promise<SiteToken[]>;
  /** Revokes a token by id: false when no live token has it. */
  revoke(id: string, nowMs: number): Promise<boolean>;
  /** The live token with this hash, or null. */
  byHash(tokenHash: string): Promise<SiteToken | null>;
}
