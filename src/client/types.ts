// The contract between the TrueNAS client and everything that uses it.
import type { SystemDetails } from './health.js';

/** Every failure the client can report, in the words the UI shows. */
export type FailureReason =
  | 'unreachable'
  | 'timeout'
  | 'certificate changed'
  | 'untrusted'
  | 'TLS error'
  | 'key rejected'
  | 'key expired'
  | 'login downgraded'
  | 'bad credentials'
  | 'rate limited'
  | '2FA required'
  | 'server error'
  | 'protocol error'
  | 'insecure address'
  | 'invalid address'
  | 'not a tnc key'
  | 'key limit'
  | '2FA on REST'
  | 'cancelled';

export type Transport = 'jsonrpc' | 'rest';

/** What the client needs to know to reach one system. */
export interface SystemTarget {
  address: string;
  /** Pinned SHA-256 fingerprint, upper-case hex with colons. When absent, CA verification. */
  fingerprint?: string;
  /** Remembered discovery result; re-discovered after a failure. */
  transport?: Transport;
  /** The system accepted a SCRAM key login once: it gets nothing else (see Session). */
  login?: 'scram';
}

/** What `system.info` says of a system (the release number alone as its version). */
export type SystemInfo = SystemDetails;

export interface CertificateInfo {
  host: string;
  port: number;
  /** SHA-256 over the DER, upper-case hex with colons. */
  fingerprint: string;
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** True when the system CAs or `--ca-file` already trust it (no pin needed). */
  trustedByCA: boolean;
}

export interface CallOptions {
  /** Deadline for the whole operation; defaults to the client's timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ApiKeyCredential {
  username: string;
  apiKey: string;
}

export interface MintedKey {
  keyId: number;
  keyName: string;
  username: string;
  /** The secret key string `<id>-<64 chars>`. */
  key: string;
  transport: Transport;
  info?: SystemInfo;
}

/** A key tnc minted, as its records know it: by its `tnc-<uuid>` name, and its id when known. */
export interface KeyRef {
  keyName: string;
  keyId?: number | null;
}

export interface CheckResult {
  transport: Transport;
  info: SystemInfo;
}
