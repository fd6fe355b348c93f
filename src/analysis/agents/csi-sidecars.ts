// The kubernetes-csi sidecars that drivers ship with: node-driver-registrar and livenessprobe talk
// to sockets only; the controller sidecars start their informers in the function they hand to
// leader election, so with --leader-election only the leader reads the API server.
import type { Agent } from './types';
import { argLine, call, result } from './util';

/** Informers each controller sidecar starts (cluster-wide), and what turns extra ones on. */
const SIDECARS: Record<string, { watch: string[]; extra?: (flags: Map<string, string>) => { res: string; why: string }[] }> = {
  'csi-provisioner': {
    watch: ['persistentvolumeclaims', 'persistentvolumes', 'storageclasses'],
    extra: (f) => (/Topology=true/.test(f.get('feature-gates') ?? '') ? ['nodes', 'csinodes'].map((res) => ({ res, why: '--feature-gates=Topology=true' })) : []),
  },
  'csi-attacher': { watch: ['volumeattachments', 'persistentvolumes'] },
  'csi-resizer': {
    watch: ['persistentvolumeclaims', 'persistentvolumes'],
    extra: (f) => (f.get('handle-volume-inuse-error') === 'false' ? [] : [{ res: 'pods', why: '--handle-volume-inuse-error (default true) lists pods to find PVCs in use' }]),
  },
  'csi-snapshotter': { watch: ['volumesnapshotcontents', 'volumesnapshotclasses'] },
};

export const csiSidecars: Agent = {
  id: 'csi-sidecars',
  name: 'Kubernetes CSI sidecars',
  category: 'node',
  summary: 'node-driver-registrar and livenessprobe make no API calls (kubelet plugin socket, CSI socket); csi-provisioner/attacher/resizer/snapshotter watch their volume objects cluster-wide (resizer: also every pod unless --handle-volume-inuse-error=false), from the elected leader only with --leader-election.',
  sources: [
    'kubernetes-csi/external-resizer cmd/csi-resizer/main.go: handle-volume-inuse-error default true; informerFactory.Start inside run(), which leaderelection.NewLeaderElection(…, run) calls only on the leader when --leader-election is set',
    'kubernetes-csi/external-resizer pkg/controller/controller.go NewResizeController: "if handleVolumeInUseError { // list pods so as we can identify PVC that are in-use … informerFactory.Core().V1().Pods()"',
    'kubernetes-csi/external-provisioner README.md: "The external-provisioner is an external controller that monitors `PersistentVolumeClaim` objects"; with the Topology feature it reads Nodes and CSINodes',
    'kubernetes-csi/node-driver-registrar README.md: registers the driver with the kubelet through its plugin-registration socket',
  ],
  image: /(^|\/)(csi-node-driver-registrar|livenessprobe|csi-provisioner|csi-attacher|csi-resizer|csi-snapshotter)(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const name = /(csi-node-driver-registrar|livenessprobe|csi-provisioner|csi-attacher|csi-resizer|csi-snapshotter)(:|@|$)/i.exec(ctx.container.image)?.[1].toLowerCase() ?? '';
    const spec = SIDECARS[name];
    if (!spec) {
      r.notes.push(`${name}: kubelet plugin-registration and CSI sockets only, no API calls`);
      return r;
    }
    const leader = ctx.flags.has('leader-election') && ctx.flags.get('leader-election') !== 'false';
    r.leaderElection = leader;
    const at = leader ? argLine(ctx, 'leader-election') : { file: ctx.workload.file, line: ctx.container.line };
    const who = leader ? ' (elected leader only)' : ' (every replica: no --leader-election)';
    for (const res of spec.watch) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', leaderOnly: leader }, at, name, `${res} cluster-wide${who}`));
    for (const x of spec.extra?.(ctx.flags) ?? []) r.calls.push(call({ verb: 'watch', resource: x.res, scope: 'cluster', rv: '0', leaderOnly: leader }, at, name, `${x.res} cluster-wide, ${x.why}${who}`));
    return r;
  },
};
