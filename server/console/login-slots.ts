/**
 * The help desk console's password checks at once (scrypt, ~32 MiB and ~0.1 s each): `shared`
 * slots for anyone, one more kept for a network that sent no wrong password lately (a spray, whose
 * networks all failed, cannot take it), and a queue for a login from a network its user logged in
 * from before: it waits for the next slot that frees, ahead of everyone (who gets 503 at once
 * when no slot is free), for at most `waitMs`. So a spray from many networks never answers a
 * right login from a known network with 503, and the checks at once stay bounded. The queue is
 * bounded by the callers (the one-at-a-time gate: one per user and known network).
 */

/** Which slot a check holds: one of the shared ones, or the one kept for a clean network. */
type LoginSlot = 'shared' | 'reserve';

interface Waiter {
  take: (slot: LoginSlot | null) => void;
}

export class LoginSlots {
  private inFlight = 0;
  private reserveTaken = false;
  private readonly waiting: Waiter[] = [];
  /** The callers with a check running or waiting (one at a time each). */
  private readonly checking = new Set<string>();

  constructor(
    private readonly shared: number,
    private readonly waitMs: number,
  ) {}

  /**
   * A slot now, or for a `known` network the next one that frees within waitMs (null: none,
   * answer 503). `clean`: the caller's network sent no wrong password lately (the reserve's).
   */
  private take(o: { clean: boolean; known: boolean }): Promise<LoginSlot | null> {
    if (this.inFlight < this.shared) {
      this.inFlight++;
      return Promise.resolve('shared');
    }
    if (o.clean && !this.reserveTaken) {
      this.reserveTaken = true;
      return Promise.resolve('reserve');
    }
    if (!o.known) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = {
        take: (slot) => {
          clearTimeout(timer);
          resolve(slot);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(w);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      }, this.waitMs);
      timer.unref();
      this.waiting.push(w);
    });
  }

  /**
   * Runs `check` under a slot for caller `key` (a network; a user's known network its own key):
   * its result, `one-at-a-time` when that caller has one running or waiting, `busy` when no slot
   * came (503).
   */
  async run(key: string, o: { clean: boolean; known: boolean }, check: () => Promise<boolean>): Promise<boolean | 'one-at-a-time' | 'busy'> {
    if (this.checking.has(key)) return 'one-at-a-time';
    this.checking.add(key);
    try {
      const slot = await this.take(o);
      if (slot === null) return 'busy';
      try {
        return await check();
      } finally {
        this.release(slot);
      }
    } finally {
      this.checking.delete(key);
    }
  }

  /** A check is over: its slot goes to the first waiting known login, else back to everyone. */
  private release(slot: LoginSlot): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      next.take(slot);
      return;
    }
    if (slot === 'shared') this.inFlight--;
    else this.reserveTaken = false;
  }

  /** Checks running and logins waiting (tests). */
  get size(): { inFlight: number; reserveTaken: boolean; waiting: number; callers: number } {
    return { inFlight: this.inFlight, reserveTaken: this.reserveTaken, waiting: this.waiting.length, callers: this.checking.size };
  }
}
