/**
 * `certrot codec-server`: serves Temporal's remote codec protocol so the Web UI and the
 * `temporal` CLI can show certrot's encrypted payloads. The keys (CERTROT_CODEC_KEYS) and the
 * bearer token (CERTROT_CODEC_TOKEN) come from the environment only, never from flags, so
 * they do not end up in shell history or `ps` output.
 */
import type { Command } from 'commander';
import { RotationError } from '../../domain/errors';
import { startCodecServer } from '../../codec/codec-server';
import { loadKeyRing } from '../../codec/encryption-codec';
import { parsePort } from './dev-server';
import { untilStopSignal } from '../stop-signal';

export const TOKEN_VARIABLE = 'CERTROT_CODEC_TOKEN';

export function registerCodecServerCommand(parent: Command): void {
  parent
    .command('codec-server')
    .description('decrypt/encrypt payloads for the Temporal Web UI and CLI (Temporal remote codec protocol)')
    .requiredOption('--ui-origin <url>', 'the Temporal Web UI origin allowed to call it from a browser, e.g. http://localhost:8233')
    .option('--port <port>', 'port to listen on (0 = free port)', parsePort, 8234)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .action(async (options: { uiOrigin: string; port: number; host: string }) => {
      const token = process.env[TOKEN_VARIABLE];
      if (token === undefined || token === '') {
        throw new RotationError('CONFIG_INVALID', `${TOKEN_VARIABLE} is not set: clients must send it as "Authorization: Bearer <token>"`);
      }
      const keyRing = loadKeyRing(process.env);
      const server = await startCodecServer({ keyRing, token, uiOrigin: options.uiOrigin, host: options.host, port: options.port });
      console.log(`Codec server: ${server.url}`);
      console.log(`Keys: ${keyRing.keys.map((k) => k.id).join(', ')} (new payloads use ${keyRing.current}); browser origin: ${options.uiOrigin}`);
      console.log(`CLI: temporal workflow show --codec-endpoint ${server.url} --codec-auth "Bearer $${TOKEN_VARIABLE}" ...`);
      console.log('Press Ctrl+C to stop.');
      const signal = await untilStopSignal();
      console.error(`${signal}: stopping the codec server`);
      await server.close();
    });
}
