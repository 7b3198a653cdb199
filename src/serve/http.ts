import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The `type` of an error body: OpenAI's names, so their client libraries map them to their error classes. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

/** `{"error": {message, type, param, code}}`, the shape OpenAI's API and its clients use. */
export function jsonError(c: Context, status: ContentfulStatusCode, type: ApiErrorType, code: string, message: string, param: string | null = null): Response {
  return c.json({ error: { message, type, param, code } }, status);
}

/** Tokens are random (not passwords), so one SHA-256 is enough to keep them out of the database and memory. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function bearerOf(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

export function show(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
