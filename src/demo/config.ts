/**
 * The node-agent ConfigMap of the demo: the sample of the seed document ("Node Selection for Data Movement Backup"),
 * byte for byte, stored the way `kubectl create cm node-agent-config -n velero --from-file=node-agent-config.json`
 * stores it.
 */
import type { ConfigMap } from '../kube/models.js';

export const CONFIGMAP_NAME = 'node-agent-config';
export const INSTALL_NAMESPACE = 'velero';
export const CONFIG_FILE_NAME = 'node-agent-config.json';

/** Run data movement on Standard_B4ms nodes among node-1..node-3, never on a node labelled xxx/critial-workload. */
export const SEED_SAMPLE = `{
    "loadAffinity": [
        {
            "nodeSelector": {
                "matchLabels": {
                    "beta.kubernetes.io/instance-type": "Standard_B4ms"
                },
                "matchExpressions": [
                    {
                        "key": "kubernetes.io/hostname",
                        "values": [
                            "node-1",
                            "node-2",
                            "node-3"
                        ],
                        "operator": "In"
                    },
                    {
                        "key": "xxx/critial-workload",
                        "operator": "DoesNotExist"
                    }
                ]          
            }
        }
    ]
}
`;

export function seedConfigMap(): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIGMAP_NAME, namespace: INSTALL_NAMESPACE },
    data: { [CONFIG_FILE_NAME]: SEED_SAMPLE },
  };
}
