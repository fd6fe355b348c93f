// etcd3 and ssh2, required the first time an action or a preflight check needs them. In dist/
// each is a lazy module of its own (dist/etcd3.js with its .proto files, dist/ssh2.js; see LAZY
// in esbuild.config.mjs), so neither activation nor the command line's start loads them. ssh2's
// optional native add-ons (its crypto binding, cpu-features) are not bundled: ssh2 falls back to
// its pure JavaScript code without them, as it does wherever they failed to build.
import { ActionError } from './types';

function loadModule<T>(load: () => T, name: string, what: string): T {
  try {
    return load();
  } catch (e) {
    throw new ActionError(`${what} (${name}) could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function etcd3(): typeof import('etcd3') {
  return loadModule(() => require('etcd3') as typeof import('etcd3'), 'etcd3', 'the etcd client');
}

export function ssh2(): typeof import('ssh2') {
  return loadModule(() => require('ssh2') as typeof import('ssh2'), 'ssh2', 'the SSH client');
}
