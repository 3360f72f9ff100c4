import { Actor, actorKey } from '../core/actor';
import type { ThrottleConfig, ThrottleLimits, ThrottleRole } from '../core/config';

/**
 * A leaky bucket of query cost per credential, as Shopify's GraphQL Admin API has: each credential's bucket holds
 * up to `bucketSize` points and refills at `restoreRate` points a second; a query takes its cost out before it runs,
 * and a query the bucket cannot pay for is refused (THROTTLED, HTTP 429) with the seconds until it could.
 * Buckets live in this process's memory, so with several API instances each keeps its own.
 */

export type { ThrottleLimits };

/** What a caller's limits are. The default reads the role from the config; a per-key override can wrap it. */
export type ThrottleLimitsFor = (actor: Actor) => ThrottleLimits;

export function throttleRole(actor: Actor): ThrottleRole | null {
  if (actor.kind === 'principal') return actor.role;
  return actor.kind === 'anonymous' ? 'ANONYMOUS' : null;
}

/** Limits per key where the key has its own, else per role: THROTTLE_<ROLE>_* where set, THROTTLE_BUCKET_SIZE and THROTTLE_RESTORE_RATE otherwise. */
export function roleThrottleLimits(config: ThrottleConfig): ThrottleLimitsFor {
  return (actor) => {
    const role = throttleRole(actor);
    const override = role ? config.byRole[role] : undefined;
    // An API key's own limits (createApiKey's `throttle`, `npm run apikey -- create --bucket-size …`) win.
    const own = actor.kind === 'principal' ? actor.throttle : null;
    return {
      bucketSize: own?.bucketSize ?? override?.bucketSize ?? config.bucketSize,
      restoreRate: own?.restoreRate ?? override?.restoreRate ?? config.restoreRate,
    };
  };
}

/** As reported in `extensions.cost.throttleStatus` (Shopify's names). */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export type ThrottleDecision = { allowed: true; status: ThrottleStatus } | { allowed: false; status: ThrottleStatus; retryAfterSeconds: number };

interface Bucket {
  available: number;
  /** When `available` was last brought up to date, in the clock's milliseconds. */
  at: number;
  /** The limits it was last used with, so the sweep can tell when it is full again. */
  limits: ThrottleLimits;
}

/** Full buckets are forgotten now and then (a missing bucket is a full one), so memory follows the active credentials. */
const SWEEP_EVERY_MS = 60_000;

export class CostThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  /** `now` is the clock in milliseconds; tests pass their own to move time without waiting. */
  constructor(
    readonly limitsFor: ThrottleLimitsFor,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Takes `cost` points from the caller's bucket when it holds them; otherwise takes nothing and says when it will. */
  take(actor: Actor, cost: number): ThrottleDecision {
    const limits = this.limitsFor(actor);
    const bucket = this.current(actorKey(actor), limits);
    if (bucket.available >= cost) {
      bucket.available -= cost;
      return { allowed: true, status: statusOf(bucket, limits) };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((cost - bucket.available) / limits.restoreRate));
    return { allowed: false, status: statusOf(bucket, limits), retryAfterSeconds };
  }

  /** The caller's bucket as it stands, taking nothing. */
  status(actor: Actor): ThrottleStatus {
    const limits = this.limitsFor(actor);
    return statusOf(this.current(actorKey(actor), limits), limits);
  }

  private current(key: string, limits: ThrottleLimits): Bucket {
    const now = this.now();
    this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { available: limits.bucketSize, at: now, limits };
      this.buckets.set(key, bucket);
    }
    // A lowered bucket size applies at once; a clock that steps back restores nothing.
    bucket.available = refilled(bucket, now, limits);
    bucket.at = now;
    bucket.limits = limits;
    return bucket;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (refilled(bucket, now, bucket.limits) >= bucket.limits.bucketSize) this.buckets.delete(key);
    }
  }
}

function refilled(bucket: Bucket, now: number, limits: ThrottleLimits): number {
  return Math.min(limits.bucketSize, bucket.available + (Math.max(0, now - bucket.at) / 1000) * limits.restoreRate);
}

function statusOf(bucket: Bucket, limits: ThrottleLimits): ThrottleStatus {
  return { maximumAvailable: limits.bucketSize, currentlyAvailable: Math.floor(bucket.available), restoreRate: limits.restoreRate };
}
