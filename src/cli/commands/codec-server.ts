/**
 * `certrot codec-server`: serves Temporal's remote codec protocol so the Web UI and the
 * `temporal` CLI can show certrot's encrypted payloads. The keys (CERTROT_CODEC_KEYS) and the
 * bearer token (CERTROT_CODEC_TOKEN) come from the environment only, never from flags, so
 * they do not end up in shell history or `ps` output. Browsers sign in with the token at
 * /login and get a session cookie (see src/codec/codec-session.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { RotationError } from '../../domain/errors';
import { startCodecServer } from '../../codec/codec-server';
import { loadKeyRing } from '../../codec/encryption-codec';
import { parsePort } from './dev-server';
import { untilStopSignal } from '../stop-signal';

export const TOKEN_VARIABLE = 'CERTROT_CODEC_TOKEN';
const MAX_SESSION_HOURS = 24 * 7;

export function parseSessionHours(value: string): number {
  const hours = Number(value);
  if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_SESSION_HOURS || Math.round(hours * 3600) < 1) {
    throw new InvalidArgumentError(`"${value}" is not a session length in hours (more than 0, at most ${MAX_SESSION_HOURS}).`);
  }
  return hours;
}

export function registerCodecServerCommand(parent: Command): void {
  parent
    .command('codec-server')
    .description('decrypt/encrypt payloads for the Temporal Web UI and CLI (Temporal remote codec protocol)')
    .requiredOption('--ui-origin <url>', 'the Temporal Web UI origin allowed to call it from a browser, e.g. http://localhost:8233')
    .option('--port <port>', 'port to listen on (0 = free port)', parsePort, 8234)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--public-url <url>', 'the codec server as browsers reach it, e.g. http://localhost:8234 (default: the address they used); https makes the session cookie Secure')
    .option('--session-hours <hours>', 'how long a browser sign-in lasts', parseSessionHours, 8)
    .action(async (options: { uiOrigin: string; port: number; host: string; publicUrl?: string; sessionHours: number }) => {
      const token = process.env[TOKEN_VARIABLE];
      if (token === undefined || token === '') {
        throw new RotationError('CONFIG_INVALID', `${TOKEN_VARIABLE} is not set: clients must send it as "Authorization: Bearer <token>"`);
      }
      const keyRing = loadKeyRing(process.env);
      const server = await startCodecServer({
        keyRing,
        token,
        uiOrigin: options.uiOrigin,
        host: options.host,
        port: options.port,
        publicUrl: options.publicUrl,
        sessionSeconds: Math.round(options.sessionHours * 3600),
      });
      const endpoint = options.publicUrl ?? server.url;
      console.log(`Codec server: ${server.url}`);
      console.log(`Keys: ${keyRing.keys.map((k) => k.id).join(', ')} (new payloads use ${keyRing.current}); browser origin: ${options.uiOrigin}`);
      console.log(
        `Web UI: sign in at ${server.loginUrl} with $${TOKEN_VARIABLE} (sessions last ${options.sessionHours} h), ` +
          'then turn on "Include cross-origin credentials" in the UI\'s codec server settings',
      );
      console.log(`CLI: temporal workflow show --codec-endpoint ${endpoint} --codec-auth "Bearer $${TOKEN_VARIABLE}" ...`);
      console.log('Press Ctrl+C to stop.');
      const signal = await untilStopSignal();
      console.error(`${signal}: stopping the codec server`);
      await server.close();
    });
}
