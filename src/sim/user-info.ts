// The `auth.me` / `user_info` object of a signed-in principal (plugins/auth.py `me`, the
// `AuthUserInfo` model; account flags from utils/account/authenticator.py).
import type { AllowEntry } from './allowlist.js';
import { FULL_ADMIN, expandRoles, grantsWebUi } from './roles.js';
import type { Principal } from './system-state.js';
import type { SimVersion } from './types.js';

export type Credential = 'PASSWORD' | 'API_KEY';

/** uid 0 (root) and 950 (truenas_admin) carry the SYS_ADMIN account flag. */
const ADMIN_UIDS = new Set([0, 950]);

/** `allowlist` is the composed privilege allowlist (what the account's roles may call). */
export function userInfo(p: Principal, credential: Credential, version: SimVersion, allowlist: AllowEntry[]): Record<string, unknown> {
  // The flag for a second factor is set only on password logins; key logins are flagged API_KEY instead.
  const attributes = ['LOCAL'];
  if (credential === 'API_KEY') attributes.push('API_KEY');
  else if (p.otp !== undefined) attributes.push('2FA');
  if (ADMIN_UIDS.has(p.uid)) attributes.push('SYS_ADMIN');
  const fullAdmin = p.roles.includes(FULL_ADMIN);
  return {
    pw_name: p.username,
    pw_gecos: p.uid === 0 ? 'root' : 'TrueNAS Administrator',
    pw_dir: p.uid === 0 ? '/root' : `/home/${p.username}`,
    pw_shell: '/usr/bin/zsh',
    pw_uid: p.uid,
    pw_gid: p.uid,
    grouplist: [p.uid, 544],
    sid: null,
    source: 'LOCAL',
    local: true,
    attributes: {},
    two_factor_config: {
      provisioning_uri: p.otp === undefined ? null : `otpauth://totp/${p.username}?secret=SIMULATEDSECRET&issuer=TrueNAS&period=30&digits=6`,
      secret_configured: p.otp !== undefined,
      interval: 30,
      otp_digits: 6,
    },
    privilege: {
      roles: { $set: [...expandRoles(p.roles, version)].sort() },
      allowlist,
      web_shell: fullAdmin,
      webui_access: grantsWebUi(p.roles),
    },
    account_attributes: attributes,
  };
}
