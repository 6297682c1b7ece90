/**
 * The demo's five nodes, shaped like the clusters the seed document has in mind: three `Standard_B4ms` nodes (the
 * big ones), two smaller `Standard_D2s_v3` ones, and one B4ms node that runs critical workloads.
 */
import type { V1Node } from '@kubernetes/client-node';
import { withDefaults } from '../localcluster/nodes/index.js';

const CRITICAL_LABEL = 'xxx/critial-workload';

interface NodeShape {
  name: string;
  instanceType: string;
  zone: string;
  critical?: boolean;
}

const NODE_SHAPES: readonly NodeShape[] = [
  { name: 'node-1', instanceType: 'Standard_B4ms', zone: 'westeurope-1' },
  { name: 'node-2', instanceType: 'Standard_B4ms', zone: 'westeurope-2', critical: true },
  { name: 'node-3', instanceType: 'Standard_D2s_v3', zone: 'westeurope-3' },
  { name: 'node-4', instanceType: 'Standard_B4ms', zone: 'westeurope-1' },
  { name: 'node-5', instanceType: 'Standard_D2s_v3', zone: 'westeurope-2' },
];

/** Both instance-type labels are set, as cloud providers do: the seed's sample selects on the beta one. */
export function demoNodes(): V1Node[] {
  return NODE_SHAPES.map(({ name, instanceType, zone, critical }, i) =>
    withDefaults(
      {
        metadata: {
          name,
          labels: {
            'beta.kubernetes.io/instance-type': instanceType,
            'node.kubernetes.io/instance-type': instanceType,
            'topology.kubernetes.io/zone': zone,
            ...(critical === true ? { [CRITICAL_LABEL]: 'true' } : {}),
          },
        },
      },
      i,
    ),
  );
}

/** One line per node for people: `node-2  Standard_B4ms  westeurope-2  xxx/critial-workload=true`. */
export function describeNodes(): string[] {
  return NODE_SHAPES.map(({ name, instanceType, zone, critical }) => `${name}  ${instanceType.padEnd(15)}  ${zone}${critical === true ? `  ${CRITICAL_LABEL}=true` : ''}`);
}
