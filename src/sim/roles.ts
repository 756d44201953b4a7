// Privilege roles as middleware `role.py` defines them (25.10), limited to the roles that govern the
// methods the simulator serves plus the administrator roles of the builtin privileges.
import type { SimVersion } from './types.js';

export const FULL_ADMIN = 'FULL_ADMIN';

/** Role → roles it includes (`Role.includes`). READONLY_ADMIN is added below like in role.py. */
const INCLUDES: Record<string, readonly string[]> = {
  ALERT_LIST_READ: [],
  ALERT_LIST_WRITE: ['ALERT_LIST_READ'],
  ALERT_READ: ['ALERT_LIST_READ'],
  ALERT_WRITE: ['ALERT_LIST_WRITE', 'ALERT_READ'],
  API_KEY_READ: [],
  API_KEY_WRITE: ['API_KEY_READ'],
  POOL_SCRUB_READ: [],
  POOL_SCRUB_WRITE: ['POOL_SCRUB_READ'],
  POOL_READ: ['POOL_SCRUB_READ'],
  POOL_WRITE: ['POOL_READ', 'POOL_SCRUB_WRITE'],
  SYSTEM_UPDATE_READ: [],
  SYSTEM_UPDATE_WRITE: ['SYSTEM_UPDATE_READ'],
  [FULL_ADMIN]: [],
};
INCLUDES.READONLY_ADMIN = Object.keys(INCLUDES).filter((role) => role.endsWith('_READ'));
// The rest of SHARING_ADMIN's includes (DATASET_WRITE, SHARING_WRITE, …) govern nothing served here.
INCLUDES.SHARING_ADMIN = ['READONLY_ADMIN'];

/** Roles that are not "builtin" (made for administrators to assign); holding one grants web UI access. */
const ADMIN_ROLES = new Set([FULL_ADMIN, 'READONLY_ADMIN', 'SHARING_ADMIN']);

export function isRole(name: string): boolean {
  return Object.hasOwn(INCLUDES, name);
}

/**
 * `privilege.roles` of an account holding `roles` (`roles_for_role`): every included role, and for
 * FULL_ADMIN from 25.04 on every role there is.
 */
export function expandRoles(roles: readonly string[], version: SimVersion): Set<string> {
  const out = new Set<string>();
  const add = (role: string): void => {
    if (out.has(role) || !isRole(role)) return;
    out.add(role);
    for (const included of INCLUDES[role]!) add(included);
  };
  for (const role of roles) {
    if (role === FULL_ADMIN && version !== '24.10') Object.keys(INCLUDES).forEach((r) => out.add(r));
    else add(role);
  }
  return out;
}

/** The middleware's method authorization: FULL_ADMIN may call anything, others need one of `required`. */
export function rolesAllow(granted: ReadonlySet<string>, required: readonly string[]): boolean {
  return granted.has(FULL_ADMIN) || required.some((role) => granted.has(role));
}

export function grantsWebUi(roles: readonly string[]): boolean {
  return roles.some((role) => ADMIN_ROLES.has(role));
}
