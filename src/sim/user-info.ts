// The `auth.me` / `user_info` object of a signed-in principal.
import type { Principal } from './system-state.js';

export type Credential = 'PASSWORD' | 'API_KEY';

export function userInfo(p: Principal, credential: Credential): Record<string, unknown> {
  const attributes = ['LOCAL', credential === 'API_KEY' ? 'API_KEY' : 'PASSWORD_LOGIN'];
  if (p.otp !== undefined) attributes.push('OTPW');
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
    two_factor_config: { secret_configured: p.otp !== undefined, interval: 30, otp_digits: 6 },
    privilege: {
      roles: { $set: ['FULL_ADMIN'] },
      allowlist: [{ method: '*', resource: '*' }],
      web_shell: true,
      webui_access: true,
    },
    account_attributes: attributes,
  };
}
