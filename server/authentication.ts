import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { Role, withVerifiedEmail, type Actor } from '../domain/actor';
import { AllianceError } from '../domain/errors';

/** Which tokens the door accepts, and where in them the law finds the actor's role and id. */
export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Dotted claim paths, e.g. `alliance_role` or `realm_access.roles` (an array: the first known role wins). */
  roleClaim: string;
  idClaim: string;
  /** The provider's spelling of each role, when it differs from ours. */
  roleValues?: Partial<Record<Role, string>>;
}

/** `office=MOST-OFFICE,pi=PI` → { office: 'MOST-OFFICE', pi: 'PI' }. */
export function parseRoleValues(text: string | undefined): Partial<Record<Role, string>> | undefined {
  if (!text) return undefined;
  return Object.fromEntries(text.split(',').map((pair) => pair.split('=') as [Role, string]));
}

const claimAt = (payload: JWTPayload, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);

export type TokenVerifier = (authorization: string | undefined) => Promise<Actor>;

/**
 * Verifies bearer tokens against the issuer's published keys (signature, issuer, audience,
 * expiry) and turns the verified claims into the actor the law judges. The caller never names
 * the actor: it comes from the token alone.
 */
export function createTokenVerifier(settings: OidcSettings): TokenVerifier {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const discover = async (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    if (keys) return keys;
    const url = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let jwksUri: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as { issuer?: string; jwks_uri?: string };
      if (document.issuer !== settings.issuer) throw new Error(`its discovery document names the issuer ${String(document.issuer)}`);
      if (!document.jwks_uri) throw new Error('its discovery document names no jwks_uri');
      jwksUri = document.jwks_uri;
    } catch (error) {
      throw new AllianceError(
        'NOT_REACHABLE',
        `The identity provider ${settings.issuer} cannot be reached (${(error as Error).message}); tokens cannot be checked now.`,
      );
    }
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    return keys;
  };
  return async (authorization) => {
    const token = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/.exec(authorization ?? '')?.[1];
    if (!authorization)
      throw new AllianceError('UNAUTHENTICATED', 'This needs a log-in: send "Authorization: Bearer <access token>" (the command line: `alliance login`).');
    if (!token) throw new AllianceError('UNAUTHENTICATED', 'The Authorization header is not "Bearer <JWT access token>".');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await discover(), {
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: 5,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof AllianceError) throw error;
      throw new AllianceError('UNAUTHENTICATED', `The token was not accepted: ${describeJoseError(error)}. Log in again (\`alliance login\`).`);
    }
    return actorFromClaims(payload, settings);
  };
}

/**
 * The programme role a claim names. With a mapping only the mapped values count (a provider role
 * that happens to be spelled "office" is not the office); several programme roles in one token
 * are refused rather than guessed between; `system` is never a person's.
 */
function programmeRole(value: unknown, mapping: OidcSettings['roleValues']): Role | 'ambiguous' | undefined {
  const candidates: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  const roles = new Set(
    candidates.flatMap((candidate): Role[] => {
      const named: unknown = mapping ? Object.entries(mapping).find(([, v]) => v === candidate)?.[0] : candidate;
      const role = Role.safeParse(named);
      return role.success && role.data !== 'system' ? [role.data] : [];
    }),
  );
  return roles.size > 1 ? 'ambiguous' : [...roles][0];
}

/** The actor the law judges, from a verified token's claims, through the configured claim mapping. */
export function actorFromClaims(payload: JWTPayload, settings: Pick<OidcSettings, 'roleClaim' | 'idClaim' | 'roleValues'>): Actor {
  const role = programmeRole(claimAt(payload, settings.roleClaim), settings.roleValues);
  if (role === 'ambiguous')
    throw new AllianceError(
      'FORBIDDEN',
      `Your account holds more than one programme role (claim ${settings.roleClaim}); the service acts for one role per account — ask the programme office to split them.`,
    );
  const id = claimAt(payload, settings.idClaim);
  if (!role || typeof id !== 'string' || id.length === 0) {
    throw new AllianceError(
      'FORBIDDEN',
      `Your account has no programme role (claim ${settings.roleClaim}) or id (claim ${settings.idClaim}); ask the programme office to set them.`,
    );
  }
  const session = typeof payload.sid === 'string' ? payload.sid : undefined;
  const actor: Actor = {
    role,
    id,
    via: {
      issuer: payload.iss ?? '',
      subject: payload.sub ?? `${role}:${id}`,
      ...(session ? { session } : {}),
      ...(payload.jti ? { token: payload.jti } : {}),
    },
  };
  // Only an address the provider verified: an unverified one is the account holder's word.
  const email = payload.email_verified === true && typeof payload.email === 'string' ? payload.email : null;
  return withVerifiedEmail(actor, email);
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not for this service (${error.reason})`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey)
    return 'it is not signed by the identity provider';
  if (error instanceof joseErrors.JOSEError) return error.code.toLowerCase().replace(/^err_/, '').replace(/_/g, ' ');
  return 'it cannot be read';
}
