// etcd3 and ssh2 are loaded at run time from node_modules, never bundled: etcd3 reads its .proto
// files relative to its own folder when it loads, and ssh2 probes optional native add-ons
// (its crypto binding, cpu-features) that a bundle cannot carry. Loading them only when an action
// needs them also keeps them out of the extension's activation.
import { createRequire } from 'node:module';
import { ActionError } from './types';

const load = createRequire(__filename);

function loadModule<T>(name: string, what: string): T {
  try {
    return load(name) as T;
  } catch (e) {
    throw new ActionError(`${what} (npm package ${name}) could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function etcd3(): typeof import('etcd3') {
  return loadModule('etcd3', 'the etcd client');
}

export function ssh2(): typeof import('ssh2') {
  return loadModule('ssh2', 'the SSH client');
}
